"""Test laboratory: network-namespace topologies for the kernel tests.

Everything here configures networking only inside namespaces it created itself (never the root
namespace). It may import rcnet's Linux adapter helpers but nothing else of rcnet.
"""
