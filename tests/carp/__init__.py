"""Tests of the CARP protocol core (rcnet.carp), the simulator and the simulate/decode commands.

Nothing here needs root or a network: the core is sans-IO. Imports rcnet.carp, rcnet.model and
the command modules; builds hosts as model objects (see handbook.py).
"""
