"""ANNarchy-style ``Network``: a network description being built, then run.

A ``Network`` owns a :class:`NetworkSpec` (what ANNarchy scripts build: its
populations, projections, settings, and its own functions and constants, which
its equations see through ``spec.scope()``) and, after ``compile()``, a
:class:`Simulation`.  ``Network.add``/``get`` copy objects of the default network
(``context.default_network``) into an explicit one, as in ANNarchy 4.x; a new
network starts with the default network's settings, functions and constants.
"""
import copy
import time

import numpy as np

from annstudio.core.errors import ModelError
from annstudio.core.model.spec import NetworkSpec, PopRef, Settings

from . import firing_rate
from .context import existing_default_network
from .extras import Constant
from .monitor import Monitor
from .network5 import Network5, NetworkMeta
from .population import Population, PopulationView
from .projection import Projection
from .rewind import move_clock, rewind
from .simulation import Simulation


class Network(Network5, metaclass=NetworkMeta):
    """A network: ANNarchy 4.x's explicit network (``add``/``get``) and ANNarchy 5's (``create``,
    ``connect``, ``monitor``, subclasses building in ``__init__``: ``network5.py``)."""

    _network_base = True

    def __init__(self, everything=False, dt=None, seed=None, dtype=None):
        if getattr(self, "_initialized", False):    # a subclass calling super().__init__() again
            return
        self._initialized = True
        base = existing_default_network()
        self.spec = NetworkSpec(settings=copy.copy(base.spec.settings if base is not None else Settings()))
        if base is not None:          # functions and constants declared so far are visible here too
            self.spec.functions = list(base.spec.functions)
            self.spec.constants = dict(base.spec.constants)
        if dt is not None:
            self.spec.settings.dt = float(dt)
        if seed is not None:
            self.spec.settings.seed = seed
        if dtype is not None:         # single precision: Network(dtype=float32), as net.config(dtype=...)
            self.spec.settings.precision = self._check_dtype(dtype, "Network(dtype=...)")
        self._sim = None
        self._populations = []
        self._projections = []
        self._monitors = []
        self._copies = {}
        self.callbacks = []
        self.callbacks_enabled = True
        self._init_rng = np.random.default_rng(self.spec.settings.seed)
        if everything and base is not None:
            self.add(base._populations + base._projections + base._monitors)

    # -- registration ----------------------------------------------------------------------
    def _check_open(self, what):
        if self._sim is not None and self._sim.backend is not None:
            raise ModelError(f"cannot add a {what} after compile(): create a new Network or call clear()")

    def _add_population(self, pop):
        self._check_open("population")
        self.spec.populations.append(pop._spec)
        self._populations.append(pop)

    def _add_projection(self, proj):
        self._check_open("projection")
        self.spec.projections.append(proj._spec)
        self._projections.append(proj)

    def _add_monitor(self, mon):
        self._monitors.append(mon)
        if self._sim is not None and self._sim.backend is not None:
            mon._attach(self._sim)

    # -- functions and constants of this network -------------------------------------------
    def add_function(self, definition):
        """Declare functions (``"f(x) = expr"`` lines) usable in every equation of this network."""
        self.spec.scope().with_function(definition)     # a bad definition raises a located error here
        self.spec.functions.append(str(definition))

    def constant(self, name, value):
        """A named constant usable in every equation of this network (see ``Constant``)."""
        return Constant(name, value, net=self)

    def _adopt_scope(self, src):
        """The functions and constants of ``src`` this network lacks (the objects copied from it use them)."""
        for definition in src.spec.functions:
            if definition not in self.spec.functions:
                self.spec.functions.append(definition)
        for name, value in src.spec.constants.items():
            self.spec.constants.setdefault(name, value)

    # -- ANNarchy 4.x explicit network interface ---------------------------------------------
    def add(self, objects):
        objects = objects if isinstance(objects, (list, tuple)) else [objects]
        for obj in objects:
            if isinstance(obj, (Population, Projection)) and obj._net is not self:
                self._adopt_scope(obj._net)
        for obj in objects:
            if isinstance(obj, Population):
                spec = copy.deepcopy(obj._spec)
                new = Population._from_spec(spec, self)
                self._add_population(new)
                self._copies[id(obj)] = new
        for obj in objects:
            if isinstance(obj, Projection):
                spec = copy.copy(obj._spec)
                spec.pre = PopRef(spec.pre.population, spec.pre.ranks)
                spec.post = PopRef(spec.post.population, spec.post.ranks)
                spec.initial = dict(spec.initial)
                spec.options = dict(spec.options)
                pre, post = self._map(obj.pre), self._map(obj.post)
                new = Projection._from_spec(spec, self, pre, post)
                self._add_projection(new)
                self._copies[id(obj)] = new
        for obj in objects:
            if isinstance(obj, Monitor):
                target = self._map(obj.object)
                new = Monitor(target, obj.variables, obj.period, obj.period_offset, obj._start, net=self)
                self._copies[id(obj)] = new

    def _map(self, obj):
        if isinstance(obj, PopulationView):
            pop = self.get(obj.population)
            return PopulationView(pop, obj.ranks)
        return self.get(obj)

    def get(self, obj):
        if isinstance(obj, (list, tuple)):
            return [self.get(o) for o in obj]
        if id(obj) in self._copies:
            return self._copies[id(obj)]
        if obj in self._populations or obj in self._projections or obj in self._monitors:
            return obj
        raise ModelError(f"{obj!r} was not added to this network")

    def get_population(self, name):
        for p in self._populations:
            if p.name == name:
                return p
        raise ModelError(f"no population named {name!r}")

    def get_projection(self, name):
        for p in self._projections:
            if p.name == name:
                return p
        raise ModelError(f"no projection named {name!r}")

    def get_populations(self):
        return list(self._populations)

    def get_projections(self, post=None, pre=None, target=None, suppress_error=False):
        out = self._projections
        if post is not None:
            out = [p for p in out if p.post is post or getattr(p.post, "population", None) is post]
        if pre is not None:
            out = [p for p in out if p.pre is pre or getattr(p.pre, "population", None) is pre]
        if target is not None:   # a projection with a list of targets is found by any of them (and the list)
            out = [p for p in out if p.target == target or
                   isinstance(target, str) and isinstance(p.target, (list, tuple)) and target in p.target]
        return list(out)

    def get_monitors(self):
        return list(self._monitors)

    @property
    def populations(self):
        return list(self._populations)

    @property
    def projections(self):
        return list(self._projections)

    @property
    def monitors(self):
        return list(self._monitors)

    # -- running --------------------------------------------------------------------------
    def setup(self, **kwargs):
        s = self.spec.settings
        for key, value in kwargs.items():
            if key == "dt":
                s.dt = float(value)
            elif key == "seed":
                s.seed = None if value in (None, -1) else int(value)
                self._init_rng = np.random.default_rng(s.seed)
                if value not in (None, -1):
                    np.random.seed(int(value) % (2 ** 32))
            elif key == "paradigm":
                s.paradigm = str(value)
            elif key == "num_threads":
                s.num_threads = int(value)
            elif key == "structural_plasticity":
                s.structural_plasticity = bool(value)
            elif key in ("dtype", "precision"):    # ANNarchy 5's dtype=, 4.x's precision=
                s.precision = self._check_dtype(value, f"setup({key}=...)")
        s.check()

    def compile(self, directory="annarchy", clean=False, silent=False, paradigm=None, num_threads=None,
                **_ignored):
        if any(pr.synapse is not None and (pr.synapse.pruning or pr.synapse.creating) for pr in self.spec.projections):
            # a synapse that prunes or creates: structural plasticity on, as ANNarchy 5.0.4.1 does at compile()
            # (4.8.2.6 wanted setup(structural_plasticity=True) for start_pruning()/start_creating())
            self.spec.settings.structural_plasticity = True
        self._sim = Simulation(self.spec).compile(paradigm=paradigm, num_threads=num_threads)
        for p in self._populations:                  # disable() before compile() holds (ANNarchy 5.0.4.1)
            if not p.enabled:
                self._sim.set_enabled(p.name, False)
        for m in self._monitors:
            m._attach(self._sim)
        firing_rate.attach_all(self, self._sim)      # compute_firing_rate() and BOLD monitors
        return self._sim

    def _require_sim(self):
        if self._sim is None or self._sim.backend is None:
            raise ModelError("the network is not compiled: call compile() first")
        return self._sim

    def add_callback(self, func, period, offset=0.0, wait=0.0):
        if period <= 0:
            raise ModelError("a callback period must be positive", where="every")
        self.callbacks.append({"func": func, "period": period, "offset": offset, "wait": wait, "n": 0})

    @staticmethod
    def _callback_steps(cb, dt):
        """(first, period) in steps: a callback fires at first + k*period, k >= 1."""
        return int(round((cb["offset"] + cb["wait"]) / dt)), max(1, int(round(cb["period"] / dt)))

    def _next_callback_step(self, sim, step):
        nexts = []
        for cb in self.callbacks:
            first, period = self._callback_steps(cb, sim.dt)
            k = max(1, (step - first) // period + 1)
            nexts.append(first + k * period)
        return min(nexts)

    def simulate(self, duration, measure_time=False, progress_bar=False, callbacks=True):
        sim = self._require_sim()
        t0 = time.perf_counter()
        if not (callbacks and self.callbacks_enabled and self.callbacks):
            sim.simulate(duration)
        else:
            end = sim.step + int(round(duration / sim.dt))
            while sim.step < end:
                target = min(end, self._next_callback_step(sim, sim.step))
                sim.simulate((target - sim.step) * sim.dt)
                for cb in self.callbacks:
                    first, period = self._callback_steps(cb, sim.dt)
                    if sim.step > first and (sim.step - first) % period == 0:
                        cb["func"](cb["n"])
                        cb["n"] += 1
        if measure_time:
            print(f"Simulating {duration / 1000.0} seconds of the network took {time.perf_counter() - t0} seconds.")

    def run_iter(self, duration, chunk=None):
        return self._require_sim().run_iter(duration, chunk)

    def simulate_until(self, max_duration, population, operator="and", measure_time=False):
        pops = population if isinstance(population, (list, tuple)) else [population]
        names = [p.name for p in pops]
        t0 = time.perf_counter()
        dur = self._require_sim().simulate_until(max_duration, names, "and" if operator == "and" else "or")
        if measure_time:
            print(f"Simulating the network until the condition took {time.perf_counter() - t0} seconds.")
        return dur

    def step(self):
        self._require_sim().backend.run(1)

    def reset(self, populations=True, projections=False, synapses=False, monitors=True, reseed_rng=True):
        """Variables back to their compiled values, recordings dropped (``Simulation.reset``), time back to 0
        and, with ``reseed_rng`` (ANNarchy 5), the random generator where it started (``rewind``)."""
        sim = self._require_sim()
        sim.reset(populations, projections, synapses, monitors)
        rewind(self, sim, reseed_rng)
        if monitors:
            for m in self._monitors:
                m.reset()

    def get_time(self):
        return self._sim.t if self._sim is not None and self._sim.backend is not None else 0.0

    def set_time(self, t, net_id=0):
        sim = self._require_sim()
        move_clock(self, sim, int(round(t / sim.dt)))

    def get_current_step(self):
        return self._sim.step if self._sim is not None and self._sim.backend is not None else 0

    def set_current_step(self, step):
        move_clock(self, self._require_sim(), int(step))

    def enable_learning(self, projections=None, period=None, offset=None):
        for p in (projections or self._projections):
            p.enable_learning()

    def disable_learning(self, projections=None):
        for p in (projections or self._projections):
            p.disable_learning()

    def clear(self):
        self._initialized = False
        Network.__init__(self)
