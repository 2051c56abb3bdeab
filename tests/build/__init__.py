"""Tests of the ifconfig argument language (rcnet.ifconfig) and the model builder (rcnet.build)."""
