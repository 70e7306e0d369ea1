"""``Dendrite`` (the synapses of one postsynaptic neuron of a projection) and ``IndividualSynapse``."""
import numpy as np

from annstudio.core.errors import ModelError
from annstudio.core.model.distributions import Distribution

from . import structural
from .population import PopulationView


def _set_synaptic(sim, proj, name, value, ranks):
    backend = sim.backend
    arr = backend.get(proj, name)
    if np.ndim(arr) == 0 and np.ndim(value) > 0:
        raise ModelError(f"'{name}' is stored as one shared value in {proj!r}; create the projection with "
                         "force_multiple_weights=True to give synapses different values",
                         where=f"Projection '{proj}'")
    backend.set(proj, name, value)


_OWN = ("proj", "post_rank", "_idx")


class Dendrite:
    """The synapses of one postsynaptic neuron.  ``idx``: its position among the projection's post ranks that
    have synapses (ANNarchy's third argument; computed when not given)."""

    def __init__(self, proj, post_rank, idx=None):
        self.proj = proj
        self.post_rank = int(post_rank)
        self._idx = None if idx is None else int(idx)

    @property
    def idx(self):
        if self._idx is None:
            ranks = self.proj.post_ranks
            if self.post_rank not in ranks:
                raise ModelError(f"neuron {self.post_rank} of the post population has no synapse",
                                 where=f"Projection '{self.proj.name}'")
            self._idx = ranks.index(self.post_rank)
        return self._idx

    @property
    def pre(self):
        """The presynaptic population (or view) of the projection."""
        return self.proj.pre

    @property
    def target(self):
        return self.proj.target

    @property
    def parameters(self):
        return self.proj.parameters

    @property
    def variables(self):
        return self.proj.variables

    @property
    def attributes(self):
        return self.proj.attributes

    def _slice(self):
        ptr = self.proj._conn().row_ptr()
        return slice(ptr[self.post_rank], ptr[self.post_rank + 1])

    @property
    def pre_ranks(self):
        return [int(r) for r in self.proj._conn().pre[self._slice()]]

    @property
    def size(self):
        sl = self._slice()
        return sl.stop - sl.start

    def __len__(self):
        return self.size

    def __getattr__(self, name):
        if name.startswith("_") or name in _OWN:
            raise AttributeError(name)
        decl = self.proj._decl(name)
        if decl is None:
            raise AttributeError(f"Dendrite has no attribute {name!r}")
        arr = self.proj._full(name)
        if decl.locality == "global":
            return float(arr)
        if decl.locality == "semiglobal":
            return float(arr[self.post_rank])
        return arr[self._slice()].copy()

    def __setattr__(self, name, value):
        if name in _OWN:
            object.__setattr__(self, name, value)
            return
        sim = self.proj._sim()
        decl = self.proj._decl(name)
        if decl is None:
            raise AttributeError(f"Dendrite has no attribute {name!r}")
        arr = np.array(self.proj._full(name), dtype=float)
        if decl.locality == "semiglobal":
            arr[self.post_rank] = value
        elif decl.locality == "global":
            arr = value
        else:
            arr[self._slice()] = value
        _set_synaptic(sim, self.proj.name, name, arr, None)

    def get(self, name):
        """``dendrite.<name>`` (ANNarchy 4.8 ``Dendrite.get``)."""
        return getattr(self, name)

    def set(self, value):
        """Set attributes of this dendrite's synapses from a dict (numbers, arrays or distributions)."""
        for name, value in dict(value).items():
            if isinstance(value, Distribution):
                value = value.get_values(self.size, self.proj._net._init_rng)
            setattr(self, name, value)

    def synapse(self, pos):
        """The synapse from presynaptic neuron ``pos`` (a rank or coordinates)."""
        pre = self.proj.pre.population if isinstance(self.proj.pre, PopulationView) else self.proj.pre
        rank = int(pos) if isinstance(pos, (int, np.integer)) else pre.rank_from_coordinates(pos)
        if rank not in self.pre_ranks:
            raise ModelError(f"neuron {rank} of the presynaptic population has no synapse onto neuron "
                             f"{self.post_rank}", where=f"Projection '{self.proj.name}'")
        return IndividualSynapse(self, rank)

    def __getitem__(self, *pos):
        return self.synapse(pos[0] if len(pos) == 1 else pos)

    def __iter__(self):
        return (IndividualSynapse(self, r) for r in self.pre_ranks)

    @property
    def synapses(self):
        return list(self)

    def receptive_field(self, variable="w", fill=0.0):
        conn = self.proj._conn()
        out = np.full(conn.pre_size, fill)
        out[self.pre_ranks] = getattr(self, variable)
        return out

    # -- structural plasticity (needs setup(structural_plasticity=True); see structural.py) ----
    def create_synapse(self, rank, w=0.0, delay=0):
        """Create the synapse from presynaptic neuron ``rank`` (weight ``w``, delay in ms; 0 = one step)."""
        structural.create_synapses(self, [rank], [w], [delay])

    def create_synapses(self, ranks, weights=None, delays=None):
        """Create synapses from the presynaptic neurons ``ranks`` to this dendrite's neuron."""
        structural.create_synapses(self, ranks, weights, delays)

    def prune_synapse(self, rank):
        """Remove the synapse from presynaptic neuron ``rank``."""
        structural.prune_synapses(self, [rank])

    def prune_synapses(self, ranks):
        """Remove the synapses from the presynaptic neurons ``ranks``."""
        structural.prune_synapses(self, ranks)


class IndividualSynapse:
    """One synapse of a dendrite (``dendrite[pre_rank]``): its attributes read and set one value."""

    def __init__(self, dendrite, rank):
        object.__setattr__(self, "dendrite", dendrite)
        object.__setattr__(self, "rank", int(rank))

    def _pos(self):
        return self.dendrite.pre_ranks.index(self.rank)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        value = getattr(self.dendrite, name)
        return float(value[self._pos()]) if np.ndim(value) > 0 else value

    def __setattr__(self, name, value):
        decl = self.dendrite.proj._decl(name)
        if decl is None or decl.locality != "local":
            raise AttributeError(f"a single synapse has no variable {name!r} of its own")
        arr = np.array(getattr(self.dendrite, name), dtype=float)
        arr[self._pos()] = value
        setattr(self.dendrite, name, arr)

    def __repr__(self):
        return f"IndividualSynapse(pre={self.rank}, post={self.dendrite.post_rank})"
