"""The facade's one piece of process state: the default network.

ANNarchy scripts create populations, constants and functions without naming a
network; they join the default network.  ``clear()`` replaces it with a fresh
one (``new_default_network``).  It is created on first use, so importing the
session layer creates nothing.  ``current_network`` is the name the facade
modules use for it.
"""
_DEFAULT = [None]


def default_network():
    """The network that objects created without ``net=`` join."""
    if _DEFAULT[0] is None:
        from .network import Network      # network.py builds on this module: imported when first needed
        _DEFAULT[0] = Network()
    return _DEFAULT[0]


current_network = default_network


def existing_default_network():
    """The default network, or None before it is first used (a new Network copies its settings)."""
    return _DEFAULT[0]


def set_current_network(net):
    """Make ``net`` the default network."""
    _DEFAULT[0] = net


def new_default_network():
    """Replace the default network by a fresh one (same settings) and return it."""
    from .network import Network
    _DEFAULT[0] = Network()
    return _DEFAULT[0]
