"""``CSR`` / ``LILConnectivity``: the synapse builder a ``connect_with_func`` method returns, with ANNarchy's
read-only view of what it holds (measured on ANNarchy 5.0.4.1: ``LILConnectivity(dt=0.5)``, ``add(2, [0, 1],
[0.5, 0.25], [1.0, 1.5])``, ``add(0, [3], [2.0], [1.0])`` gave ``size`` 2, ``nb_synapses`` 3, ``post_rank [2,
0]`` (the order of the calls), ``pre_rank [[0, 1], [3]]``, ``w [[0.5, 0.25], [2.0]]``, ``delay [[2, 3], [2]]``
(steps), ``max_delay`` 3, ``uniform_delay`` -1, ``dt`` 0.5).  Delays are given in ms, as in ANNarchy.
"""


from annstudio.core.runtime.connectivity import CSR as _BuilderCSR

from .context import current_network


class CSR(_BuilderCSR):
    """Rows of synapses by post rank: ``add(post_rank, pre_ranks, weights, delays_ms)`` (``push_back`` too)."""

    def __init__(self, dt=None):
        super().__init__(dt)
        self._dt = dt

    @property
    def dt(self):
        """The time step delays are counted in (ms): the one given, else the current network's."""
        return float(self._dt) if self._dt is not None else float(current_network().spec.settings.dt)

    @property
    def size(self):
        """Number of post neurons with a row."""
        return len(self.rows)

    @property
    def nb_synapses(self):
        return int(sum(len(r[0]) for r in self.rows.values()))

    @property
    def post_rank(self):
        return [int(r) for r in self.rows]

    @property
    def pre_rank(self):
        return [[int(x) for x in r[0]] for r in self.rows.values()]

    @property
    def w(self):
        return [[float(x) for x in r[1]] for r in self.rows.values()]

    @property
    def delay(self):
        """Delays in steps (ms / dt, rounded), one list per row."""
        dt = self.dt
        return [[int(round(float(x) / dt)) for x in r[2]] for r in self.rows.values()]

    def get_max_delay(self):
        steps = [d for row in self.delay for d in row]
        return max(steps) if steps else 0

    def get_uniform_delay(self):
        """The delay of every synapse (steps) when they share one, else -1."""
        steps = {d for row in self.delay for d in row}
        return steps.pop() if len(steps) == 1 else -1

    max_delay = property(get_max_delay)
    uniform_delay = property(get_uniform_delay)


__all__ = ["CSR"]

