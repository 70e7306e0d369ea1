"""ANNarchy-style ``Population``, ``PopulationView`` and single neurons.

Before ``compile()`` attribute writes go into the population's description
(``PopulationSpec.initial``: constants, arrays, distributions, per-view
segments); after it they read and write the running backend.
"""
import re

import numpy as np

from annstudio.core.errors import ModelError
from annstudio.core.model.distributions import Distribution, sample
from annstudio.core.model.spec import PopulationSpec, Segments
from annstudio.core.model.types import Neuron, Synapse

from . import firing_rate
from .context import current_network
from .population_members import PopulationMembers

_OWN = {"_net", "_spec", "_ranks", "_pop", "name"}


def _geometry(geometry):
    if isinstance(geometry, (int, np.integer)):
        geometry = (int(geometry),)
    try:
        geometry = tuple(int(g) for g in geometry)
    except TypeError:
        raise ModelError(f"geometry must be an int or a tuple of ints, got {geometry!r}") from None
    if not geometry or any(g <= 0 for g in geometry):
        raise ModelError(f"geometry must be positive, got {geometry!r}")
    return geometry


class _NeuronAccess:
    """Attribute access shared by populations and views (``self._ranks``: None or ranks)."""

    def _pop_obj(self):
        raise NotImplementedError

    def _analysis(self):
        """The neuron type's analysis with the functions and constants of the population's network."""
        pop = self._pop_obj()
        return pop._spec.neuron.analysis(pop._net.spec.scope())

    def _names(self):
        return self._pop_obj()._analysis().names

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        pop = self._pop_obj()
        if name in pop._analysis().names:
            return pop._read(name, self._ranks)
        if name == "r" and pop.neuron_type.type == "spike":      # compute_firing_rate(): ANNarchy's r
            t = firing_rate.tracker_of(pop)
            return t.current(self._ranks) if t is not None else np.zeros(pop.size if self._ranks is None
                                                                             else len(self._ranks))
        raise AttributeError(f"{type(self).__name__} {pop.name!r} has no attribute {name!r}")

    def __setattr__(self, name, value):
        if name in _OWN or name.startswith("_") or name in type(self).__dict__ or \
                any(name in c.__dict__ for c in type(self).__mro__):
            object.__setattr__(self, name, value)
            return
        pop = self._pop_obj()
        if name in pop._analysis().names:
            pop._write(name, value, self._ranks)
            return
        raise AttributeError(f"{type(self).__name__} {pop.name!r} has no attribute {name!r} "
                             f"(known: {', '.join(pop._analysis().names)})")

    def get(self, name):
        return getattr(self, name)

    def set(self, values):
        for k, v in values.items():
            setattr(self, k, v)

    @property
    def attributes(self):
        return list(self._names())

    @property
    def parameters(self):
        return list(self._pop_obj()._analysis().parameters)

    @property
    def variables(self):
        return list(self._pop_obj()._analysis().state)


def network_for(net, net_id, where):
    """The network an object joins: ``net``, else the default network.  ``net_id`` is ANNarchy's number of
    a network: 0 (the default network, what ANNarchy scripts pass) is accepted; annstudio does not number
    networks, so another number without ``net`` is refused rather than silently ignored."""
    if net is not None:
        return net
    if net_id not in (0, None):
        raise ModelError(f"net_id={net_id!r}: annstudio does not number networks; build the object in its network "
                         "(net.create(...), net.connect(...)) or pass net=", where=where)
    return current_network()


class Population(PopulationMembers, _NeuronAccess):
    """A population of ``geometry`` neurons of type ``neuron`` in the current network."""

    def __init__(self, geometry, neuron, name=None, stop_condition=None, storage_order="post_to_pre",
                 copied=False, net_id=0, net=None):
        net = network_for(net, net_id, f"Population {name!r}" if name else "Population")
        geometry = _geometry(geometry)
        if name is None:
            name = f"pop{len(net.spec.populations)}"
        if any(p.name == name for p in net.spec.populations):
            raise ModelError(f"a population named {name!r} already exists")
        if isinstance(neuron, type):
            neuron = neuron()  # standard models may be passed as classes, as in ANNarchy
        if not isinstance(neuron, Neuron):
            raise ModelError(f"neuron must be a Neuron, got {type(neuron).__name__}", where=f"Population {name!r}")
        neuron.analysis(net.spec.scope())  # equation errors surface here, with their location
        object.__setattr__(self, "_net", net)
        object.__setattr__(self, "_spec", PopulationSpec(name, geometry, neuron, stop_condition=stop_condition))
        object.__setattr__(self, "_ranks", None)
        object.__setattr__(self, "name", name)
        net._add_population(self)

    @classmethod
    def _from_spec(cls, spec, net):
        obj = cls.__new__(cls)
        object.__setattr__(obj, "_net", net)
        object.__setattr__(obj, "_spec", spec)
        object.__setattr__(obj, "_ranks", None)
        object.__setattr__(obj, "name", spec.name)
        return obj

    def _pop_obj(self):
        return self

    # -- geometry ------------------------------------------------------------------------
    @property
    def geometry(self):
        return self._spec.geometry

    @property
    def size(self):
        return self._spec.size

    @property
    def dimension(self):
        return len(self._spec.geometry)

    @property
    def ranks(self):
        return np.arange(self.size)

    @property
    def neuron_type(self):
        return self._spec.neuron

    @property
    def stop_condition(self):
        return self._spec.stop_condition

    def __len__(self):
        return self.size

    def rank_from_coordinates(self, coord):
        coord = tuple(int(c) for c in np.atleast_1d(coord))
        if len(coord) != self.dimension or any(not 0 <= c < g for c, g in zip(coord, self.geometry)):
            raise ModelError(f"coordinates {coord} are outside the geometry {self.geometry}", where=self.name)
        return int(np.ravel_multi_index(coord, self.geometry))

    def coordinates_from_rank(self, rank):
        if not 0 <= int(rank) < self.size:
            raise ModelError(f"rank {rank} is outside the population (size {self.size})", where=self.name)
        coords = np.unravel_index(int(rank), self.geometry)
        return tuple(int(c) for c in coords) if self.dimension > 1 else int(coords[0])

    def normalized_coordinates_from_rank(self, rank, norm=1.0):
        coords = np.atleast_1d(self.coordinates_from_rank(rank))
        return tuple(float(norm * c / max(g - 1, 1)) for c, g in zip(coords, self.geometry))

    def __getitem__(self, index):
        return _view_from_index(self, index)

    @property
    def neurons(self):
        """Each neuron (``IndividualNeuron``), in rank order."""
        return [_view_from_index(self, r) for r in range(self.size)]

    def neuron(self, *coord):
        """One neuron, by rank (``pop.neuron(3)``) or coordinates (``pop.neuron(1, 2)``)."""
        return _view_from_index(self, coord[0] if len(coord) == 1 and not isinstance(coord[0], tuple)
                                else tuple(coord[0]) if len(coord) == 1 else tuple(coord))

    def __add__(self, other):
        return PopulationView(self, np.concatenate([self.ranks, _ranks_of(other, self)]))

    # -- values --------------------------------------------------------------------------
    def _decl(self, name):
        return self._analysis().var(name)

    def _read(self, name, ranks):
        decl = self._decl(name)
        sim = self._net._sim
        if sim is not None and sim.backend is not None:
            arr = np.array(sim.get(self.name, name), copy=True)
            arr = arr if arr.dtype == np.float32 else arr.astype(float, copy=False)   # single precision: float32
        else:
            arr = self._materialize(name)
        if decl.locality == "global" or np.ndim(arr) == 0:
            return float(arr)
        if ranks is None:
            return arr.reshape(self.geometry) if self.dimension > 1 else arr
        return arr[np.asarray(ranks)]

    def _materialize(self, name):
        """Concrete initial values (distributions drawn once, then kept)."""
        decl = self._decl(name)
        value = self._spec.initial.get(name)
        if decl.locality == "global":
            if value is None:
                return np.array(decl.init)
            if isinstance(value, Distribution):
                value = value.get_value(self._net._init_rng)
                self._spec.initial[name] = value
            return np.array(float(np.asarray(value).reshape(-1)[0]))
        arr = np.full(self.size, float(decl.init))
        if value is None:
            return arr
        parts = value.parts if isinstance(value, Segments) else [(None, value)]
        concrete = []
        for ranks, val in parts:
            n = self.size if ranks is None else len(ranks)
            if isinstance(val, Distribution):
                val = val.get_values(n, self._net._init_rng)
            vals = sample(val, (n,), None)
            arr[slice(None) if ranks is None else np.asarray(ranks)] = vals
            concrete.append((ranks, val))
        self._spec.initial[name] = Segments(concrete) if isinstance(value, Segments) else concrete[0][1]
        return arr

    def _write(self, name, value, ranks):
        decl = self._decl(name)
        sim = self._net._sim
        if isinstance(value, tuple) and len(value) == 1:    # ``pop.x = 2.0,``: every neuron, as ANNarchy 4.8.2.6
            value = value[0]
        if isinstance(value, (list, tuple)):
            value = np.asarray(value, dtype=float)
        if isinstance(value, np.ndarray) and value.ndim > 1:
            value = value.reshape(-1)
        if decl.locality == "global":           # before compile() and after, as ANNarchy 5.0.4.1
            if ranks is not None:
                raise ModelError(f"'{name}' is a population-wide parameter: it cannot be set on a view",
                                 where=f"Population '{self.name}'")
            if isinstance(value, np.ndarray) and value.size != 1:
                raise ModelError(f"'{name}' is a population-wide parameter and takes one value, got {value.size}",
                                 where=f"Population '{self.name}'")
        if sim is not None and sim.backend is not None:
            if isinstance(value, Distribution):
                n = self.size if ranks is None else len(ranks)
                value = value.get_values(n if decl.locality != "global" else (), self._net._init_rng)
            sim.set(self.name, name, value, ranks)
            return
        n = self.size if ranks is None else len(ranks)
        if decl.locality != "global" and isinstance(value, np.ndarray) and value.ndim and value.size != n:
            raise ModelError(f"'{name}': expected a number or {n} values, got {value.size}",
                             where=f"Population '{self.name}'")
        if ranks is None:
            self._spec.initial[name] = value
        else:
            current = self._spec.initial.get(name)
            parts = list(current.parts) if isinstance(current, Segments) else \
                ([] if current is None else [(None, current)])
            parts.append((tuple(int(r) for r in ranks), value))
            self._spec.initial[name] = Segments(parts)

    def reset(self, attributes=-1):
        """Set every attribute (``attributes=-1``: parameters and variables, as ANNarchy 4.8 does; or the
        given names) back to its value at compile()."""
        sim = self._net._sim
        if sim is None or sim.backend is None:
            return
        init = sim.data.populations[self.name]
        a = self._analysis()
        names = [n for n in list(a.parameters) + list(a.state) if n in init] if attributes == -1 else attributes
        for n in names:
            sim.set(self.name, n, init[n])

    def _track_last_spike(self):
        """Give the neuron ``t_last_spike`` (ms; ``-10000 * dt`` before any spike, then the time of the last
        spike, set by the reset), the value ``t_pre`` / ``t_post`` of synapses read (ANNarchy's
        ``last_spike * dt``).  Done once, before compile(), for populations those synapses touch."""
        self._spec.neuron = tracked_neuron(self._spec.neuron, self._net.spec.settings.dt, self._net.spec.scope())

    def clear(self):
        """ANNarchy's ``clear()``: the spike history ``compute_firing_rate`` counts starts again and the spikes
        still in a delay queue are dropped (5.0.4.1, measured); a SpikeSourceArray also restarts its schedule."""
        t = firing_rate.tracker_of(self)
        if t is not None:
            t.rewind()
        sim = self._net._sim
        restart = None if sim is None or sim.backend is None else getattr(sim.backend, "restart", None)
        if restart is not None and type(self).clear is Population.clear:
            restart(self.name)

    def compute_firing_rate(self, window):
        """Spiking neurons compute ``r``, their spike count over the last ``window`` ms in Hz (ANNarchy);
        no effect on rate-coded populations.  See ``annstudio.session.firing_rate``."""
        firing_rate.compute_firing_rate(self, window)

    def sum(self, target):
        sim = self._net._sim
        if sim is None or sim.backend is None:
            raise ModelError("sum() is only available after compile()", where=self.name)
        return np.array(sim.backend.get_sum(self.name, target))

    def __repr__(self):
        return f"Population({self.name!r}, geometry={self.geometry}, neuron={self._spec.neuron.name!r})"


class PopulationView(_NeuronAccess):
    """A subset of a population's neurons (by rank)."""

    def __init__(self, population, ranks, geometry=None):
        ranks = np.asarray(ranks, dtype=np.int64).reshape(-1)
        if ranks.size and (ranks.min() < 0 or ranks.max() >= population.size):
            raise ModelError(f"ranks outside population {population.name!r} (size {population.size})")
        object.__setattr__(self, "_pop", population)
        object.__setattr__(self, "_ranks", tuple(int(r) for r in ranks))
        object.__setattr__(self, "name", f"{population.name}[view]")
        object.__setattr__(self, "_geometry", geometry or (len(ranks),))

    def _pop_obj(self):
        return self._pop

    @property
    def population(self):
        return self._pop

    @property
    def ranks(self):
        return np.array(self._ranks, dtype=np.int64)

    @property
    def size(self):
        return len(self._ranks)

    @property
    def geometry(self):
        return self._geometry

    @property
    def neuron_type(self):
        return self._pop.neuron_type

    def __len__(self):
        return self.size

    def __getitem__(self, index):
        sub = np.asarray(self._ranks)[index]
        if np.ndim(sub) == 0:
            return IndividualNeuron(self._pop, int(sub))
        return PopulationView(self._pop, sub)

    def __add__(self, other):
        return PopulationView(self._pop, np.concatenate([self.ranks, _ranks_of(other, self._pop)]))

    def rank_from_coordinates(self, coord, local=False):
        return self._pop.rank_from_coordinates(coord)

    def __repr__(self):
        return f"PopulationView of {self._pop.name!r} ({self.size} neurons)"


class IndividualNeuron(PopulationView):
    """``pop[i]``: one neuron; attributes read as scalars."""

    def __init__(self, population, rank):
        super().__init__(population, [rank])
        object.__setattr__(self, "rank", int(rank))

    def __getattr__(self, name):
        value = super().__getattr__(name)
        return float(np.asarray(value).reshape(-1)[0]) if np.ndim(value) else value

    def __repr__(self):
        return f"Neuron {self.rank} of {self._pop.name!r}"


def _ranks_of(other, pop):
    if other._pop_obj() is not pop._pop_obj():
        raise ModelError("only views of the same population can be added")
    return other.ranks


def _view_from_index(pop, index):
    if isinstance(index, (int, np.integer)):
        rank = int(index)
        if rank < 0:
            rank += pop.size
        if not 0 <= rank < pop.size:
            raise IndexError(f"rank {index} out of range for population {pop.name!r} of size {pop.size}")
        return IndividualNeuron(pop, rank)
    if isinstance(index, slice):
        if pop.dimension == 1:
            return PopulationView(pop, np.arange(pop.size)[index])
        return PopulationView(pop, np.arange(pop.size).reshape(pop.geometry)[index].reshape(-1))
    if isinstance(index, tuple):
        if all(isinstance(i, (int, np.integer)) for i in index):
            return IndividualNeuron(pop, pop.rank_from_coordinates(index))
        sub = np.arange(pop.size).reshape(pop.geometry)[index]
        return PopulationView(pop, sub.reshape(-1), geometry=sub.shape)
    if isinstance(index, (list, np.ndarray, range)):
        return PopulationView(pop, np.asarray(list(index)))
    raise ModelError(f"cannot index a population with {index!r}")


_SPIKE_TIMES = re.compile(r"\bt_(pre|post)\b")
_SYNAPSE_TEXT = ("equations", "pre_spike", "post_spike", "psp")


def uses_spike_times(synapse):
    """Whether a synapse's text reads ``t_pre`` or ``t_post`` (ANNarchy 4.8)."""
    return synapse is not None and any(_SPIKE_TIMES.search(getattr(synapse, f) or "") for f in _SYNAPSE_TEXT)


def tracked_neuron(n, dt, scope=None):
    """``n`` with ``t_last_spike`` (see ``Population._track_last_spike``); ``n`` itself if it has one."""
    if "t_last_spike" in n.analysis(scope).names:
        return n
    init = -10000.0 * float(dt)
    return Neuron(parameters=n.parameters, equations=f"{n.equations}\nt_last_spike = t_last_spike : init = {init!r}",
                  spike=n.spike, axon_spike=n.axon_spike, reset=f"{n.reset}\nt_last_spike = t",
                  axon_reset=n.axon_reset, refractory=n.refractory, functions=n.functions, name=n.name,
                  description=n.description, extra_values=n.extra_values)


def lower_spike_times(spec):
    """``t_pre`` / ``t_post`` in a built network (project files): each projection from a spiking population
    whose synapse reads them gets ``with_spike_times`` of it, its pre and post neurons ``t_last_spike``."""
    dt, scope = spec.settings.dt, spec.scope()
    for pr in spec.projections:
        pre, post = spec.population(pr.pre.population), spec.population(pr.post.population)
        if uses_spike_times(pr.synapse) and pre.neuron.type == "spike":
            pr.synapse = with_spike_times(pr.synapse)
            pre.neuron = tracked_neuron(pre.neuron, dt, scope)
            post.neuron = tracked_neuron(post.neuron, dt, scope)
    return spec


def with_spike_times(synapse):
    """A copy of ``synapse`` reading ``pre.t_last_spike`` / ``post.t_last_spike`` for ``t_pre`` / ``t_post``."""
    d = synapse.to_dict()
    for f in _SYNAPSE_TEXT:
        if d.get(f):
            d[f] = _SPIKE_TIMES.sub(lambda m: f"{m.group(1)}.t_last_spike", d[f])
    return type(synapse).from_dict(d) if type(synapse).__init__ is Synapse.__init__ else Synapse.from_dict(d)
