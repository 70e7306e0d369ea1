"""The facade's one piece of process state: which network new objects join.

ANNarchy scripts create populations without naming a network; they join the
current one (the default network unless a ``Network`` is being built).
"""
_CURRENT = [None]


def current_network():
    if _CURRENT[0] is None:
        raise RuntimeError("annstudio.session.network has not been imported")
    return _CURRENT[0]


def set_current_network(net):
    _CURRENT[0] = net
