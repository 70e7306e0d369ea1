"""``NetworkManager()``: ANNarchy 4.8's registry of networks, as far as a script can use it to look.

ANNarchy 4.8 exports ``NetworkManager`` (``ANNarchy.intern.NetworkManager``), a singleton holding what each
network is made of; its 4.x AdEx notebook ends with a cell ``ann.NetworkManager()`` that only shows it (its
``repr``: the number of networks and each one's populations, projections and monitors).  annstudio keeps no
registry of networks: this read-only view knows the default network, network 0 (ANNarchy's "MagicNetwork",
where objects created without a network go), and answers ANNarchy's inspection methods for it.  Explicit
``Network`` objects are not listed; ANNarchy's ``add_*``/``set_*`` methods (its internal bookkeeping) are not
offered.
"""
from annstudio.core.errors import ModelError

from .context import default_network


class NetworkManager:
    """The registered networks (here: the default one, id 0); ``NetworkManager()`` is one shared instance."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    @staticmethod
    def _net(net_id):
        if net_id != 0:
            raise ModelError(f"NetworkManager: network {net_id} is not known here (only the default network, 0, "
                             "is listed)")
        return default_network()

    def __len__(self):
        return 1

    def __repr__(self):
        net = default_network()
        lines = [f"<{type(self).__module__}.{type(self).__name__} object at {hex(id(self))}>",
                 f"Number of registered networks = {len(self)}", "Network 0 (MagicNetwork)"]
        for label, objs in (("populations", net.get_populations()), ("projections", net.get_projections()),
                            ("monitors", net.get_monitors())):
            lines.append(f"  {label} = [" + "".join(f"{type(o).__name__} at {hex(id(o))}, " for o in objs) + "]")
        lines.append(f"  compiled = {self.is_compiled(0)}")
        return "\n".join(lines) + "\n"

    def _get_network_ids(self):
        return [0]

    def get_populations(self, net_id):
        return self._net(net_id).get_populations()

    def get_population(self, net_id, name):
        return next((p for p in self.get_populations(net_id) if p.name == name), None)

    def get_population_names(self, net_id):
        return [p.name for p in self.get_populations(net_id)]

    def number_populations(self, net_id):
        return len(self.get_populations(net_id))

    def get_projections(self, net_id, pre=None, post=None, target=None, suppress_error=False):
        return self._net(net_id).get_projections(post=post, pre=pre, target=target, suppress_error=suppress_error)

    def number_projections(self, net_id):
        return len(self.get_projections(net_id))

    def get_monitors(self, net_id):
        return self._net(net_id).get_monitors()

    def number_monitors(self, net_id):
        return len(self.get_monitors(net_id))

    def is_compiled(self, net_id):
        return bool(self._net(net_id).compiled)


__all__ = ["NetworkManager"]
