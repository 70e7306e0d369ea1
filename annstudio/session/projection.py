"""ANNarchy-style ``Projection`` with its ``connect_*`` methods and ``Dendrite``s.

``connect_*`` only records a declarative :class:`ConnectorSpec`; synapses are
created at ``compile()`` by ``annstudio.core.runtime.connectivity`` so
every backend gets the same network.
"""
import numpy as np

from annstudio.core.errors import ModelError
from annstudio.core.model.distributions import Distribution
from annstudio.core.model.spec import ConnectorSpec, PopRef, ProjectionSpec
from annstudio.core.model.types import Synapse

from . import connection_file, object_file, structural
from .csr import CSR  # noqa: F401  (re-exported by the facade)
from .dendrite import Dendrite, IndividualSynapse, _set_synaptic
from .population import Population, PopulationView, network_for, uses_spike_times, with_spike_times
from .population_members import function_names


def _ref(obj):
    if isinstance(obj, Population):
        return PopRef(obj.name), obj
    if isinstance(obj, PopulationView):
        return PopRef(obj.population.name, tuple(int(r) for r in obj.ranks)), obj.population
    raise ModelError(f"pre/post must be a Population or a PopulationView, got {type(obj).__name__}")


class Projection:
    """Synapses from ``pre`` to ``post`` acting on ``target``."""

    disable_omp = True     # accepted, as ANNarchy; annstudio's kernels choose their own threading

    def __init__(self, pre, post, target, synapse=None, name=None, disable_omp=True, copied=False, net_id=0,
                 net=None):
        net = network_for(net, net_id, f"Projection {name!r}" if name else "Projection")
        pre_ref, pre_pop = _ref(pre)
        post_ref, post_pop = _ref(post)
        if name is None:
            name = f"proj{len(net.spec.projections)}"
        if any(p.name == name for p in net.spec.projections):
            raise ModelError(f"a projection named {name!r} already exists")
        if isinstance(synapse, type):
            synapse = synapse()
        if uses_spike_times(synapse) and pre_pop.neuron_type.type == "spike":   # t_pre / t_post (ANNarchy 4.8)
            synapse = with_spike_times(synapse)
            pre_pop._track_last_spike()
            post_pop._track_last_spike()
        if synapse is not None:
            synapse.analysis(pre_pop.neuron_type.type, net.spec.scope())
        self._net = net
        self.pre = pre
        self.post = post
        self.target = target
        self.synapse_type = synapse
        self.name = name
        self.disable_omp = disable_omp
        self._spec = ProjectionSpec(name, pre_ref, post_ref, target, synapse)
        net._add_projection(self)

    @classmethod
    def _from_spec(cls, spec, net, pre, post):
        obj = cls.__new__(cls)
        obj._net, obj._spec, obj.name = net, spec, spec.name
        obj.pre, obj.post, obj.target, obj.synapse_type = pre, post, spec.target, spec.synapse
        return obj

    # -- connectors ----------------------------------------------------------------------
    def _connect(self, connector_method, **params):
        if self._net._sim is not None and self._net._sim.backend is not None:
            raise ModelError("the network is already compiled: connect before compile()", where=self.name)
        for key in ("weights", "delays"):
            v = params.get(key)
            if v is not None and not isinstance(v, Distribution) and np.ndim(v) == 0:
                params[key] = float(v)
        self._spec.connector = ConnectorSpec(connector_method, {k: v for k, v in params.items() if v is not None})
        return self

    def connect_all_to_all(self, weights, delays=0.0, allow_self_connections=False, force_multiple_weights=False,
                           storage_format=None, storage_order=None):
        return self._connect("all_to_all", weights=weights, delays=delays or None,
                             allow_self_connections=allow_self_connections,
                             force_multiple_weights=force_multiple_weights)

    def connect_one_to_one(self, weights=1.0, delays=0.0, force_multiple_weights=False, storage_format=None,
                           storage_order=None):
        return self._connect("one_to_one", weights=weights, delays=delays or None,
                             force_multiple_weights=force_multiple_weights)

    def connect_fixed_probability(self, probability, weights, delays=0.0, allow_self_connections=False,
                                  force_multiple_weights=False, storage_format=None, storage_order=None):
        return self._connect("fixed_probability", probability=float(probability), weights=weights,
                             delays=delays or None, allow_self_connections=allow_self_connections,
                             force_multiple_weights=force_multiple_weights)

    def connect_fixed_number_pre(self, number, weights, delays=0.0, allow_self_connections=False,
                                 force_multiple_weights=False, storage_format=None, storage_order=None):
        return self._connect("fixed_number_pre", number=int(number), weights=weights, delays=delays or None,
                             allow_self_connections=allow_self_connections,
                             force_multiple_weights=force_multiple_weights)

    def connect_fixed_number_post(self, number, weights=1.0, delays=0.0, allow_self_connections=False,
                                  force_multiple_weights=False, storage_format=None, storage_order=None):
        return self._connect("fixed_number_post", number=int(number), weights=weights, delays=delays or None,
                             allow_self_connections=allow_self_connections,
                             force_multiple_weights=force_multiple_weights)

    def connect_gaussian(self, amp, sigma, delays=0.0, limit=0.01, allow_self_connections=False,
                         storage_format=None):
        return self._connect("gaussian", amp=float(amp), sigma=float(sigma), delays=delays or None,
                             limit=float(limit), allow_self_connections=allow_self_connections)

    def connect_dog(self, amp_pos, sigma_pos, amp_neg, sigma_neg, delays=0.0, limit=0.01,
                    allow_self_connections=False, storage_format=None):
        return self._connect("dog", amp_pos=float(amp_pos), sigma_pos=float(sigma_pos), amp_neg=float(amp_neg),
                             sigma_neg=float(sigma_neg), delays=delays or None, limit=float(limit),
                             allow_self_connections=allow_self_connections)

    def connect_from_matrix(self, weights, delays=0.0, pre_post=False, storage_format=None, storage_order=None):
        return self._connect("from_matrix", weights=np.asarray(weights, dtype=object) if isinstance(weights, list)
                             else weights, delays=delays if np.ndim(delays) == 2 else (delays or None),
                             pre_post=pre_post)

    def connect_from_sparse(self, weights, delays=0.0, storage_format=None, storage_order=None):
        return self._connect("from_sparse", weights=weights, delays=delays or None)

    def connect_with_func(self, method, storage_format=None, storage_order=None, **args):
        """``method(pre, post, **args)`` returns a ``CSR``; at compile() it receives each side as a
        ``ConnectorSide`` (name, geometry, ranks, size), as described in the network.  ``storage_format``
        and ``storage_order`` belong to this call (as in ANNarchy), never to ``method``."""
        return self._connect("with_func", method=method, args=args)

    def connect_from_file(self, filename, pickle_encoding=None, storage_format=None, storage_order=None):
        """Ranks, weights and delays of a ``save_connectivity`` file (ANNarchy's format: connection_file)."""
        return self._labelled(connection_file.connect_from_file(self, filename, pickle_encoding), "From File")

    def connect_from_matrix_market(self, filename, storage_format=None, storage_order=None):
        """Weights of a Matrix Market (``.mtx``) file, rows being post neurons and columns pre neurons, as
        ANNarchy reads them (connection_file.matrix_market_csr)."""
        return self._labelled(connection_file.connect_from_matrix_market(self, filename), "MatrixMarket")

    def _labelled(self, result, label):
        """Name the connector ``label`` (connector_name) while it is the projection's connector."""
        object.__setattr__(self, "_connector_label", (label, self._spec.connector))
        return result

    def save_connectivity(self, filename):
        connection_file.save_connectivity(self, filename)

    def save(self, filename):
        """Write the synapses (ranks, delays) and the values of every attribute to ``filename`` in ANNarchy's
        format (``.npz``, ``.gz``, ``.mat`` for external analysis, anything else a pickle: object_file)."""
        object_file.write(filename, object_file.projection_data(self))

    def load(self, filename, pickle_encoding=None):
        """Restore a file of ``save()`` (or of ANNarchy's ``Projection.save``): values, and the synapses when the
        file holds others."""
        object_file.load_projection(self, filename, pickle_encoding)

    # ANNarchy 5 names of the connector methods (same arguments)
    all_to_all, one_to_one, fixed_probability = connect_all_to_all, connect_one_to_one, connect_fixed_probability
    fixed_number_pre, fixed_number_post = connect_fixed_number_pre, connect_fixed_number_post
    gaussian, dog, from_matrix, from_sparse = connect_gaussian, connect_dog, connect_from_matrix, connect_from_sparse
    with_func, from_function, from_file = connect_with_func, connect_with_func, connect_from_file
    from_matrix_market = connect_from_matrix_market

    # -- access after compile --------------------------------------------------------------
    def _sim(self):
        sim = self._net._sim
        if sim is None or sim.backend is None:
            raise ModelError("synapses exist only after compile()", where=f"Projection '{self.name}'")
        return sim

    def _conn(self):
        return self._sim().data.connectivity[self.name]

    @property
    def size(self):
        return len(self.post_ranks)

    def __len__(self):
        return self.size

    @property
    def nb_synapses(self):
        return self._conn().size

    @property
    def post_ranks(self):
        return [int(r) for r in np.unique(self._conn().post)]

    @property
    def pre_ranks(self):
        conn = self._conn()
        return [list(map(int, conn.pre[conn.post == r])) for r in self.post_ranks]

    @property
    def dendrites(self):
        return [Dendrite(self, r) for r in self.post_ranks]

    def dendrite(self, post):
        rank = post if isinstance(post, (int, np.integer)) else self.post.population.rank_from_coordinates(post) \
            if isinstance(self.post, PopulationView) else self.post.rank_from_coordinates(post)
        if rank not in self.post_ranks:
            raise ModelError(f"neuron {rank} receives no synapse", where=f"Projection '{self.name}'")
        return Dendrite(self, int(rank))

    def __getitem__(self, index):
        return self.dendrite(index)

    def _analysis(self):
        """The synapse type's analysis (the default synapse when none was given) for this projection's
        kind, with the functions and constants of its network."""
        return (self.synapse_type or _default_synapse()).analysis(self._pre_type(), self._net.spec.scope())

    def _decl(self, name):
        return self._analysis().var(name)

    def reset(self, attributes=-1, synapses=False):
        """Every parameter and variable but ``w`` (``attributes=-1``, or the given names) back to the initial
        value its synapse type declares, as ANNarchy 5.0.4.1 does; ``synapses=True`` (drawing the connectivity
        again) is refused."""
        where = f"Projection '{self.name}'"
        if synapses:
            raise ModelError("reset(synapses=True) would draw the connectivity again: not supported", where=where)
        conv = self._spec.connector is not None and self._spec.connector.method == "convolution"
        for name in (self.attributes if attributes == -1 else list(attributes)):
            if name == "w" or conv and name == "padding_site":    # (a convolution's padding sites stay marked)
                continue
            decl = self._decl(name)
            if decl is None:
                raise ModelError(f"reset(): {name!r} is not a parameter or variable of the synapse", where=where)
            setattr(self, name, decl.init)

    @property
    def connector_name(self):
        """ANNarchy's name of the connector (``"Random"`` for fixed_probability...), ``"Specific"`` before one."""
        c = self._spec.connector
        label = self.__dict__.get("_connector_label")
        if label is not None and c is not None and label[1] is c:
            return label[0]
        return "Specific" if c is None else _CONNECTOR_NAMES.get(c.method, c.method)

    @property
    def connector_weight_dist(self):
        """The distribution the weights were drawn from, or None."""
        return self._connector_dist("weights")

    @property
    def connector_delay_dist(self):
        return self._connector_dist("delays")

    def _connector_dist(self, key):
        c = self._spec.connector
        value = None if c is None else c.params.get(key)
        return value if isinstance(value, Distribution) else None

    @property
    def functions(self):
        """The names of the synapse type's own functions."""
        return function_names(self.synapse_type.functions if self.synapse_type is not None else "")

    @property
    def parameters(self):
        """The synapse's parameter names (``w`` among them when the synapse does not declare it)."""
        return list(self._analysis().parameters)

    @property
    def variables(self):
        return list(self._analysis().state)

    @property
    def attributes(self):
        return self.parameters + self.variables

    @property
    def init(self):
        """ANNarchy 5.0.4.1's dictionary: its four switches (all True), then the initial value of every
        parameter and variable the synapse type declares (``w`` 0.0 when it declares none)."""
        out = {"transmission": True, "axon_transmission": True, "update": True, "plasticity": True}
        for v in self._analysis().variables:
            out[v.name] = float(v.init) if isinstance(v.init, (int, float, np.number)) and \
                not isinstance(v.init, bool) else v.init
        return out

    def _pre_type(self):
        pre = self.pre.population if isinstance(self.pre, PopulationView) else self.pre
        return pre.neuron_type.type

    def _full(self, name):
        sim = self._sim()
        arr = np.asarray(sim.get(self.name, name))
        arr = arr if arr.dtype == np.float32 else arr.astype(float, copy=False)   # single precision stays float32
        conn = self._conn()
        if arr.ndim == 0 and self._decl(name) is not None and self._decl(name).locality == "local":
            arr = np.full(conn.size, arr[()], dtype=arr.dtype)
        return arr

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        decl = self._decl(name)
        if decl is None:
            raise AttributeError(f"Projection {self.name!r} has no attribute {name!r}")
        if np.ndim(self._sim().get(self.name, name)) == 0:
            return float(self._sim().get(self.name, name))   # one shared value (e.g. a constant weight)
        arr = self._full(name)
        if decl.locality == "global":
            return float(arr)
        if decl.locality == "semiglobal":
            return arr[self.post_ranks]
        conn = self._conn()
        ptr = conn.row_ptr()
        return [arr[ptr[r]:ptr[r + 1]].copy() for r in self.post_ranks]

    def __setattr__(self, name, value):
        if name.startswith("_") or name in ("pre", "post", "target", "synapse_type", "name") or \
                self.__dict__.get("_spec") is None:
            object.__setattr__(self, name, value)
            return
        decl = self._decl(name)
        if decl is None and name in ("delay", "max_delay"):
            raise ModelError("delays are chosen by the connect_* method and cannot be changed afterwards",
                             where=f"Projection '{self.name}'", hint="pass delays= to the connector")
        if decl is None:
            raise AttributeError(f"Projection {self.name!r} has no attribute {name!r}")
        sim = self._net._sim
        if sim is None or sim.backend is None:
            self._spec.initial[name] = value
            return
        conn = self._conn()
        if decl.locality == "global" or _scalar(value):
            _set_synaptic(sim, self.name, name, value, None)
            return
        if isinstance(value, Distribution):
            n = conn.size if decl.locality == "local" else conn.post_size
            value = value.get_values(n, self._net._init_rng)
            _set_synaptic(sim, self.name, name, value, None)
            return
        if decl.locality == "semiglobal":
            arr = np.array(sim.get(self.name, name), dtype=float)
            arr[self.post_ranks] = np.asarray(value, dtype=float)
            _set_synaptic(sim, self.name, name, arr, None)
            return
        flat = np.concatenate([np.broadcast_to(np.asarray(v, dtype=float), (len(p),))
                               for v, p in zip(value, self.pre_ranks)]) if len(value) == self.size and \
            all(np.ndim(v) > 0 for v in value) else np.asarray(value, dtype=float).reshape(-1)
        if flat.size != conn.size:
            raise ModelError(f"'{name}': expected {conn.size} values, got {flat.size}", where=f"Projection '{self.name}'")
        _set_synaptic(sim, self.name, name, flat, None)

    def get(self, name):
        """The value of an attribute, as ``proj.<name>`` gives it (ANNarchy 4.8 ``Projection.get``)."""
        return getattr(self, name)

    def set(self, value):
        """Set attributes from a dict; for a per-synapse variable a list with one number per dendrite gives
        every synapse of that dendrite the number (ANNarchy 4.8 ``Projection.set``)."""
        for name, value in dict(value).items():
            decl = self._decl(name)
            if decl is not None and decl.locality == "local" and not isinstance(value, Distribution) and \
                    np.ndim(value) == 1 and self.size and len(value) == self.size and self._net._sim is not None:
                value = [np.full(len(p), float(v)) for v, p in zip(value, self.pre_ranks)]
            setattr(self, name, value)

    @property
    def delay(self):
        """Delays in ms, as ANNarchy 4.8 reads them: one number when all synapses share one (dt for the
        default one-step delay), else one list per dendrite."""
        sim = self._sim()
        d, dt = sim.data.delays[self.name], float(sim.ir.dt)
        if np.ndim(d) == 0:
            return max(int(d), 1) * dt
        ptr = self._conn().row_ptr()
        return [[int(x) * dt for x in d[ptr[r]:ptr[r + 1]]] for r in self.post_ranks]

    @property
    def max_delay(self):
        """The largest delay in steps (0 for the default delay, as in ANNarchy)."""
        d = self._sim().data.delays[self.name]
        if self._spec.connector is None or self._spec.connector.params.get("delays") is None:
            return 0
        return int(np.max(d)) if np.size(d) else 0

    def connectivity_matrix(self, fill=0.0):
        conn = self._conn()
        mat = np.full((conn.post_size, conn.pre_size), fill)
        mat[conn.post, conn.pre] = self._full("w") if conn.size else 0
        return mat

    def receptive_fields(self, variable="w", in_post_geometry=True):
        return self.connectivity_matrix()

    def enable_learning(self, period=None, offset=None):
        self._sim().backend.set_learning(self.name, True)

    def disable_learning(self, update=None):
        self._sim().backend.set_learning(self.name, False)

    def nb_synapses_per_dendrite(self):
        """Number of synapses of each dendrite (in ``post_ranks`` order)."""
        return [int(n) for n in np.bincount(self._conn().post, minlength=self._conn().post_size)[self.post_ranks]]

    def synapse(self, pre, post):
        """The synapse from pre rank ``pre`` to post rank ``post`` (``None`` when there is none)."""
        if post not in self.post_ranks or pre not in Dendrite(self, post).pre_ranks:
            return None
        return IndividualSynapse(Dendrite(self, post), pre)

    def size_in_bytes(self):
        """Memory of the synaptic values (8 bytes per stored number) and the connectivity."""
        conn = self._conn()
        return int(sum(np.asarray(self._sim().get(self.name, v)).nbytes for v in self._analysis().names
                       if v in self._analysis().state or v in self._analysis().parameters) +
                   conn.pre.nbytes + conn.post.nbytes)

    def nb_efferent_synapses(self):
        return np.bincount(self._conn().pre, minlength=self._conn().pre_size)

    # -- structural plasticity (needs setup(structural_plasticity=True); see structural.py) ----
    def start_pruning(self, period=None):
        """Evaluate the synapse's ``pruning`` rule every ``period`` ms (default: every step)."""
        structural.start_rule(self, "pruning", period)

    def stop_pruning(self):
        structural.stop_rule(self, "pruning")

    def start_creating(self, period=None):
        """Evaluate the synapse's ``creating`` rule every ``period`` ms (default: every step)."""
        structural.start_rule(self, "creating", period)

    def stop_creating(self):
        structural.stop_rule(self, "creating")

    def __repr__(self):
        return f"Projection({self.name!r}, target={self.target!r})"


_CONNECTOR_NAMES = {     # ANNarchy 5.0.4.1's connector_name of each connector
    "all_to_all": "All-to-All", "one_to_one": "One-to-One", "fixed_probability": "Random",
    "fixed_number_pre": "Random Convergent", "fixed_number_post": "Random Divergent", "gaussian": "Gaussian",
    "dog": "Difference-of-Gaussian", "with_func": "User-defined", "from_matrix": "Connectivity matrix",
    "from_sparse": "Sparse connectivity matrix", "from_file": "From File", "convolution": "Convolution",
    "pooling": "Pooling", "copy": "Copy"}


def _default_synapse():
    return Synapse(name="DefaultSynapse")


def _scalar(value):
    """One number (not a list of per-dendrite lists, which may be ragged)."""
    return isinstance(value, (int, float, np.number)) or isinstance(value, np.ndarray) and value.ndim == 0
