"""Test laboratory: network-namespace topologies for the kernel tests.

Everything here configures networking only inside namespaces it created itself (never the root
namespace). It may import rcnet's Linux adapter helpers but nothing else of rcnet. nobody.py
holds the other user (uid nobody) that the runtime-directory attacks need.
"""
