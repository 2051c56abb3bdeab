"""Tests of the Linux adapter (rcnet.linux); the kernel ones run in namespaces from tests/lab."""
