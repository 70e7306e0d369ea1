"""ANNarchy 5's ``Network`` interface, mixed into :class:`~annstudio.session.network.Network`.

ANNarchy 5 scripts build everything through a network object: ``net = ann.Network(dt=0.1,
seed=42)``, ``net.create(...)``, ``net.connect(...)``, ``net.monitor(...)``, or a subclass of
``Network`` that creates its objects in ``__init__`` (``dt=``/``seed=`` go to the base class,
the other arguments to the subclass: ``NetworkMeta``).  This module owns that interface:
creation methods (objects built outside, e.g. ``net.create(ann.PoissonPopulation(...))``,
move into the network), the properties (``dt``, ``time``, ``current_step``, ``seed``,
``default_rng``, ``compiled``), ``config``, ``memory_footprint``, ``copy`` and
``parallel_run``.  The ANNarchy 4.x methods stay in ``network.py``; neither style warns.
"""
import re

import numpy as np

from annstudio.core.errors import ModelError
from annstudio.core.model.spec import precision_name

from .bold import BoldMonitor, BoldMonitorFromSlices
from .extras import Constant
from .monitor import Monitor
from .population import Population, PopulationView
from .projection import Projection

_AUTO_POP, _AUTO_PROJ = re.compile(r"pop\d+$"), re.compile(r"proj\d+$")


class NetworkMeta(type):
    """``Sub(a, b, dt=0.1, seed=1)``: the base ``Network.__init__`` receives ``dt``/``seed`` (and runs
    first), then the subclass's ``__init__`` the other arguments, as in ANNarchy 5."""

    def __call__(cls, *args, **kwargs):
        base = next(c for c in cls.__mro__ if c.__dict__.get("_network_base"))
        if cls is base:
            return super().__call__(*args, **kwargs)
        dt, seed, dtype = kwargs.pop("dt", None), kwargs.pop("seed", None), kwargs.pop("dtype", None)
        obj = cls.__new__(cls)
        base.__init__(obj, dt=dt, seed=seed, dtype=dtype)
        cls.__init__(obj, *args, **kwargs)
        obj._init_args, obj._init_kwargs = args, dict(kwargs)
        return obj


class StepFloat(float):
    """``net.dt``: the step in ms; also callable (``net.dt()``) as the 4.x method was."""

    def __call__(self):
        return float(self)


class Monitor5(Monitor):
    """A monitor made by ``net.monitor``: ANNarchy 5 defaults (``get`` reshapes to the geometry;
    ``m['v']`` is ``m.get('v')``)."""

    def get(self, variables=None, keep=False, reshape=True, force_dict=False):
        return super().get(variables, keep=keep, reshape=reshape, force_dict=force_dict)

    def __getitem__(self, variable):
        return self.get(variable)


class Network5:
    """ANNarchy 5's network methods (mixed into ``Network``)."""

    # -- properties --------------------------------------------------------------------------
    @property
    def dt(self):
        return StepFloat(self.spec.settings.dt)

    @property
    def time(self):
        return self.get_time()

    @time.setter
    def time(self, t):                  # ANNarchy 5: ``net.time = t`` (ms) moves the clock
        self.set_time(t)

    @property
    def current_step(self):
        return self.get_current_step()

    @current_step.setter
    def current_step(self, step):
        self.set_current_step(step)

    @property
    def seed(self):
        return self.spec.settings.seed

    @property
    def default_rng(self):
        """The network's seeded NumPy generator (random initial values are drawn from it)."""
        return self._init_rng

    @property
    def compiled(self):
        return self._sim is not None and self._sim.backend is not None

    def config(self, **kwargs):
        """ANNarchy 5's per-network ``setup()``: ``dt``, ``seed``, ``paradigm``, ``num_threads``,
        ``dtype``, ``method``... (keys annstudio has no use for are accepted and ignored)."""
        if "dtype" in kwargs:
            self.spec.settings.precision = self._check_dtype(kwargs.pop("dtype"), "Network.config(dtype=...)")
        self.setup(**kwargs)

    @staticmethod
    def _check_dtype(dtype, where="Network.config"):
        """``"float64"`` or ``"float32"`` for ANNarchy's ``dtype`` (``float32``/``float64``, a NumPy type, a name)
        or 4.x's ``precision`` (``"float"``/``"double"``); else a located error."""
        return precision_name(dtype, where=where)

    def set_seed(self, seed, use_seed_seq=True):
        """Seed the network's generators (before compile(): the random draws of the build)."""
        self.setup(seed=seed)

    # -- building --------------------------------------------------------------------------
    def _adopt(self, obj, auto, kind):
        """Move ``obj`` (built outside this network) in: out of its old network, renamed if its
        automatic name is taken here."""
        old = obj._net
        if old is self:
            return obj
        if old._sim is not None and old._sim.backend is not None:
            raise ModelError(f"this {kind} belongs to a compiled network", where=f"Network.{kind}")
        specs, objs = (self.spec.populations, self._populations) if kind == "population" else \
            (self.spec.projections, self._projections)
        old_specs, old_objs = (old.spec.populations, old._populations) if kind == "population" else \
            (old.spec.projections, old._projections)
        if obj._spec in old_specs:
            old_specs.remove(obj._spec)
        if obj in old_objs:
            old_objs.remove(obj)
        if any(s.name == obj.name for s in specs):
            if not auto.match(obj.name):
                raise ModelError(f"a {kind} named {obj.name!r} already exists in this network")
            new = f"{'pop' if kind == 'population' else 'proj'}{len(specs)}"
            obj._spec.name = new
            object.__setattr__(obj, "name", new)
        self._adopt_scope(old)
        object.__setattr__(obj, "_net", self)
        return obj

    def create(self, geometry=None, neuron=None, stop_condition=None, name=None, population=None,
               storage_order="post_to_pre"):
        """A population in this network: ``net.create(geometry=100, neuron=ann.Izhikevich)`` or a
        population built outside (``net.create(ann.PoissonPopulation(100, rates=20.))``)."""
        given = population if population is not None else (geometry if isinstance(geometry, Population)
                                                            else None)
        if given is not None:
            if neuron is not None or name is not None or stop_condition is not None or \
                    (population is not None and geometry is not None):
                raise ModelError("give either a Population or geometry/neuron/name, not both",
                                 where="Network.create")
            pop = self._adopt(given, _AUTO_POP, "population")
            self._add_population(pop)
            return pop
        if geometry is None or neuron is None:
            raise ModelError("Network.create needs a geometry and a neuron (or a Population)",
                             where="Network.create")
        pop = Population(geometry, neuron, name=name, stop_condition=stop_condition, storage_order=storage_order,
                         net=self)
        for attr, dist in getattr(pop.neuron_type, "extra_values", {}).items():
            setattr(pop, attr, dist)          # ann.Parameter(ann.Uniform(...)): drawn for this population
        return pop

    def _population(self, obj, where):
        if isinstance(obj, str):
            return self.get_population(obj)
        if isinstance(obj, (Population, PopulationView)):
            pop = obj if isinstance(obj, Population) else obj.population
            if pop._net is not self:
                raise ModelError(f"population {pop.name!r} is not in this network", where=where)
            return obj
        raise ModelError(f"expected a population of this network, got {type(obj).__name__}", where=where)

    def connect(self, pre=None, post=None, target="", synapse=None, name=None, projection=None,
                disable_omp=True):
        """A projection in this network: ``net.connect(pre, post, 'exc', synapse=...)`` (then a
        connector: ``proj.fixed_probability(0.02, weights=0.6)``), or a projection built outside."""
        given = projection if projection is not None else (pre if isinstance(pre, Projection) else None)
        if given is not None:
            if post is not None or target or synapse is not None or name is not None:
                raise ModelError("give either a Projection or pre/post/target, not both", where="Network.connect")
            proj = self._adopt(given, _AUTO_PROJ, "projection")
            self._add_projection(proj)
            return proj
        if pre is None or post is None:
            raise ModelError("Network.connect needs pre and post populations", where="Network.connect")
        pre, post = self._population(pre, "Network.connect"), self._population(post, "Network.connect")
        proj = Projection(pre, post, target, synapse=synapse, name=name, disable_omp=disable_omp, net=self)
        for attr, dist in getattr(proj.synapse_type, "extra_values", {}).items():
            setattr(proj, attr, dist)
        return proj

    def monitor(self, obj, variables=(), period=None, period_offset=None, start=True, name=None, stream=None):
        """A monitor of a population, view or projection of this network (``get`` reshapes by default);
        ``stream=`` writes its records to an HDF5 file as they are made (``Monitor``)."""
        if isinstance(obj, Monitor):
            obj, variables, period, period_offset, start = (obj.object, obj.variables, obj.period,
                                                            obj.period_offset, obj._start)
        return Monitor5(obj, variables, period, period_offset, start, net=self, stream=stream, name=name)

    def boldmonitor(self, populations=None, bold_model=None, mapping=None, scale_factor=None,
                    normalize_input=None, recorded_variables=None, start=False):
        """A BOLD monitor of ``populations`` (``annstudio.session.bold``)."""
        return BoldMonitor(populations, bold_model, mapping, scale_factor, normalize_input, recorded_variables,
                           start, net=self)

    def boldmonitor_from_slices(self, population=None, slices=None, bold_model=None, mapping=None,
                                normalize_input=0, recorded_variables=None, start=False):
        """One BOLD signal per slice of ``population`` (``annstudio.session.bold``)."""
        return BoldMonitorFromSlices(population, slices, bold_model, mapping, normalize_input,
                                     recorded_variables, start, net=self)

    # -- callbacks, saving -------------------------------------------------------------------
    def enable_callbacks(self):
        """Run the ``every`` callbacks of this network during ``simulate()`` (the default)."""
        self.callbacks_enabled = True

    def disable_callbacks(self):
        self.callbacks_enabled = False

    def clear_all_callbacks(self):
        self.callbacks.clear()

    def save(self, filename, populations=True, projections=True):
        """The current values of this network's populations and projections to ``filename`` (see ``save``)."""
        from .analysis_tools import save
        save(filename, populations, projections, net=self)

    def load(self, filename, populations=True, projections=True, pickle_encoding=None):
        """Values written by :meth:`save` back into this compiled network."""
        from .analysis_tools import load
        return load(filename, populations, projections, pickle_encoding, net=self)

    def get_monitor(self, name):
        for m in self._monitors:
            if getattr(m, "name", None) == name:
                return m
        raise ModelError(f"no monitor named {name!r}")

    def get_constant(self, name):
        if name not in self.spec.constants:
            raise ModelError(f"no constant named {name!r}")
        return Constant(name, self.spec.constants[name], net=self)

    def get_constants(self):
        return [self.get_constant(n) for n in self.spec.constants]

    # -- information -------------------------------------------------------------------------
    def memory_footprint(self, show_py_side=True, show_cpp_side=True):
        """Print (and return, in bytes) an estimate of the simulation state: 8 bytes per value of
        every neural and synaptic attribute, plus 12 per synapse for its indices."""
        total, lines = 0, []
        for pop in self._populations:
            a = pop._spec.neuron.analysis(self.spec.scope())
            n = sum(pop.size if d.locality == "local" else 1 for d in a.variables)
            lines.append(f"  population {pop.name}: {8 * n} bytes")
            total += 8 * n
        for proj in self._projections:
            nsyn = proj.nb_synapses if self.compiled else 0
            a = proj._analysis() if proj.synapse_type is not None else None
            per = 1 + (len([d for d in a.variables if d.locality == "local"]) if a else 0)
            lines.append(f"  projection {proj.name}: {nsyn * (8 * per + 12)} bytes")
            total += nsyn * (8 * per + 12)
        for mon in self._monitors:
            total += mon.size_in_bytes() if self.compiled else 0
        if show_py_side or show_cpp_side:
            print("Memory footprint (estimate):\n" + "\n".join(lines) + f"\n  total: {total} bytes")
        return total

    # -- copies ------------------------------------------------------------------------------
    def _instance_args(self):
        if not hasattr(self, "_init_args"):
            raise ModelError("only a subclass of Network can be copied or run in parallel (its __init__ "
                             "builds the network)", where="Network.parallel_run")
        return self._init_args, self._init_kwargs

    def copy(self, *args, **kwargs):
        """A new, compiled instance of this network's class, made with exactly ``args``/``kwargs`` (the
        constructor's defaults for the rest, as ANNarchy 5.0.4.1: ``net.copy(0.9)`` of ``Sub(0.3, I=1.5)`` is
        ``Sub(0.9)``), with this network's ``dt`` unless ``dt=`` is given and no seed unless ``seed=`` is."""
        self._instance_args()
        kwargs.setdefault("dt", float(self.dt))
        net = type(self)(*args, **kwargs)
        net.spec.settings.paradigm = self.spec.settings.paradigm
        net.spec.settings.num_threads = self.spec.settings.num_threads
        net.compile()
        return net

    def parallel_run(self, method, number, max_processes=-1, seeds=None, measure_time=False, executor=None,
                     **kwargs):
        """Run ``method(net, **kwargs)`` on ``number`` fresh instances of this network's class and
        return the results in order.  ``seeds``: None (random seeds), ``'same'``, ``'sequential'``
        (seed+1, seed+2...) or a list.  A keyword the class's constructor takes goes to it, the others
        to ``method``; a list gives one value per run.  The copies run on local processes
        (``max_processes``, default one per core) or on ``executor=`` (an annstudio executor, a
        ``distributed.Client`` or a Dask scheduler address): ``annstudio.session.parallel``."""
        from . import parallel

        self._instance_args()
        number = int(number)
        # ANNarchy 5 draws a seed for an unseeded network: 'same' and 'sequential' start from one drawn here
        base = self.seed if self.seed is not None else int(np.random.SeedSequence().generate_state(1)[0])
        if seeds is None:
            seeds = [int(s) for s in np.random.SeedSequence().generate_state(number)]
        elif isinstance(seeds, str) and seeds == "same":
            seeds = [base] * number
        elif isinstance(seeds, str) and seeds == "sequential":
            seeds = [base + i + 1 for i in range(number)]
        elif isinstance(seeds, str) or np.ndim(seeds) != 1:
            raise ModelError(f"seeds={seeds!r}: None, 'same', 'sequential' or a list of seeds",
                             where="Network.parallel_run")
        seeds = list(seeds)
        if len(seeds) != number:
            raise ModelError(f"{len(seeds)} seeds for {number} runs", where="Network.parallel_run")
        jobs = parallel.instance_jobs(self, method, seeds, kwargs)
        runner, owned = parallel.executor_for(executor, number, max_processes, where="Network.parallel_run",
                                              jobs=jobs)
        return parallel.run_and_time(jobs, runner, owned, measure_time)
