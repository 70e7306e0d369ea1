"""The one base of the compiled backends (C++/OpenMP and CUDA): :class:`CompiledBackend`.

Owns what both targets do the same way once a kernel library is built: the slot layout
(``annstudio.codegen.layout``) and its NumPy arrays, ``get``/``set``, sums, spikes, schedules,
learning switches, population switches (``Population.disable()``), monitors (one :class:`~annstudio.core.runtime.MonitorTable`), carrying the state
of a restructured run over (``carry_state_from``) and closing.  A subclass builds its library in
``__init__`` (then calls :meth:`_start`) and supplies only the calls into its instance:

- ``_read(slot)``: the host copy of a slot, up to date; ``_lent(slot)``: ``get`` handed it out (the
  caller may write into it); ``_written(slot)``: ``set`` wrote it (C++: the arrays are the kernel's
  own, a projection is marked dirty; CUDA: copies from and to the GPU);
- ``_before_run()`` / ``_after_run()`` around ``run``; ``_replaced(slot)`` after ``set_source``.

The instance (``self.inst``) speaks the ABI of ``cpp/ABI.md`` through the shared Cython binding:
``run``, ``step``, ``set_slot``, ``spikes_last_step``, ``monitor_add/set/remove/drain``,
``carry_state_from`` (the kernel's ``ann_carry_state``: spike and rate histories, refractory
counters, decoding windows) and ``close``.
"""
import ctypes
import time

import numpy as np

from annstudio.core.errors import SimulationError
from annstudio.core.runtime import Backend, MonitorTable, Recording

from .layout import allocate, build_layout

_PUBLIC_PRIVATE = ("_mean", "_max", "_min", "_norm", "_last_event")   # readable names starting with "_"


class CompiledBackend(Backend):
    """See the module docstring."""

    paradigm = "compiled"
    rules = None              # the target's layout rules (annstudio.codegen.layout)

    def __init__(self, ir, data, log=None):
        self._t0 = time.perf_counter()
        self.ir = ir
        self.dt = ir.dt
        self.layout = build_layout(ir, self.rules)
        self.arrays = allocate(self.layout, ir, data)
        self.pop_index = {p.name: i for i, p in enumerate(ir.populations)}
        self.proj_index = {p.name: j for j, p in enumerate(ir.projections)}
        self.monitors = MonitorTable()
        self.inst = None
        self._log_lines = []
        self._user_log = log

    def _log(self, msg):
        self._log_lines.append(msg)
        if self._user_log is not None:
            self._user_log(msg)

    @property
    def build_log(self):
        return "\n".join(self._log_lines)

    def _start(self, kernel, num_threads, seed):
        """Create the instance over the arrays (the subclass has built and loaded ``kernel``)."""
        self.kernel = kernel
        self.inst = kernel.create(self.arrays, int(num_threads), seed)
        self.build_time = time.perf_counter() - self._t0

    # -- the calls a target may refine -------------------------------------------------------
    def _read(self, s):
        return self.arrays[s.index]

    def _lent(self, s):
        pass

    def _written(self, s):
        pass

    def _before_run(self):
        pass

    def _after_run(self):
        pass

    def _replaced(self, s):
        pass

    # -- state ---------------------------------------------------------------------------------
    @property
    def step(self):
        return self.inst.step

    @step.setter
    def step(self, value):
        self.inst.step = int(value)

    def _slot(self, name, var):
        if name in self.pop_index:
            s = self.layout.find(f"pop:{name}:{var}")
        elif name in self.proj_index:
            s = self.layout.find(f"proj:{name}:{var}")
        else:
            raise SimulationError(f"no population or projection named {name!r}")
        if s is None or (var.startswith("_") and not var.startswith(_PUBLIC_PRIVATE)):
            raise SimulationError(f"{name!r} has no variable {var!r}")
        return s

    def get(self, name, var):
        s = self._slot(name, var)
        arr = self._read(s)
        self._lent(s)
        return arr

    def set(self, name, var, value):
        s = self._slot(name, var)
        arr = self._read(s)
        if s.scalar and np.size(value) == 1:
            value = np.asarray(value, dtype=arr.dtype).reshape(())
        arr[...] = value
        self._written(s)

    def get_sum(self, name, target):
        s = self.layout.find(f"pop:{name}:sum__{target}")
        return np.zeros(self.ir.population(name).size) if s is None else self._read(s).copy()

    def spikes_last_step(self, name):
        out = np.empty(max(1, self.ir.population(name).size), dtype=np.int64)
        n = self.inst.spikes_last_step(self.pop_index[name], out)
        return out[:n].copy()

    def set_source(self, name, key, value):
        """Replace a special population's schedule (``steps``/``ranks`` or ``buffer``) between runs."""
        s = self.layout.find(f"pop:{name}:_src_{key}")
        if s is None:
            raise SimulationError(f"population {name!r} has no schedule {key!r}")
        arr = np.ascontiguousarray(np.asarray(value, dtype=s.dtype).reshape(-1)).copy()
        self.arrays[s.index] = arr
        self.inst.set_slot(s.index, arr)
        self._replaced(s)

    def set_learning(self, name, enabled):
        self.arrays[self.layout["ctl:learning"].index][self.proj_index[name]] = 1 if enabled else 0

    def set_enabled(self, name, enabled):
        """``Population.enable()/disable()``: the kernel reads the flag every step (no rebuild)."""
        self.arrays[self.layout["ctl:active"].index][self.pop_index[name]] = 1 if enabled else 0

    # -- monitors ------------------------------------------------------------------------------
    def add_monitor(self, request):
        names = [v for v in request.variables if v != "spike"]
        slots = [self._slot(request.target, v) for v in names]
        population = request.kind == "population"
        obj = self.pop_index[request.target] if population else self.proj_index[request.target]
        ranks = np.asarray(request.ranks, dtype=np.int64) if population and request.ranks is not None else None
        mid = self.inst.monitor_add(0 if population else 1, obj, np.array([s.index for s in slots], dtype=np.int32),
                                    int("spike" in request.variables), ranks, int(request.period_steps),
                                    int(self.step), int(bool(request.start)))
        self.monitors.add(mid, request, self.step, slots=slots, names=names, ranks=ranks)
        return mid

    def _monitor_changed(self, mid):
        m = self.monitors[mid]
        self.inst.monitor_set(mid, int(m.active), m.period, int(m.offset))

    def set_monitor_active(self, mid, active):
        self.monitors.set_active(mid, active, self.step)
        self._monitor_changed(mid)

    def set_monitor_period(self, mid, period_steps):
        self.monitors.set_period(mid, period_steps)
        self._monitor_changed(mid)

    def set_monitor_offset(self, mid, offset):
        self.monitors.set_offset(mid, offset)
        self._monitor_changed(mid)

    def fetch_monitor(self, mid):
        m = self.monitors[mid]
        population = m.request.kind == "population"
        values, steps, sst, srk = self.inst.monitor_drain(mid)
        rec = Recording()
        col = 0
        for name, s in zip(m.extra["names"], m.extra["slots"]):
            if s.scalar:
                width = 1
            elif population and m.extra["ranks"] is not None:
                width = len(m.extra["ranks"])
            else:
                width = self.arrays[s.index].size
            block = values[:, col:col + width]
            col += width
            if s.scalar:
                rec.values[name] = [float(x) for x in block[:, 0]]
            elif population:     # the whole record row: the drained array itself (no copy)
                rec.values[name] = block if width == values.shape[1] else block.copy()
            else:
                rec.values[name] = [row.copy() for row in block]
        rec.steps = np.asarray(steps, dtype=np.int64)
        rec.spike_steps = np.asarray(sst, dtype=np.int64)
        rec.spike_ranks = np.asarray(srk, dtype=np.int64)
        return rec

    def remove_monitor(self, mid):
        if self.monitors.pop(mid, None) is not None:
            self.inst.monitor_remove(mid)

    # -- restructure, run, close -----------------------------------------------------------------
    def carry_state_from(self, old):
        """Restructuring hook (see ``annstudio.session.simulation``): the learning switches by projection
        name (also set directly by ``Projection.enable_learning``), the population switches and clocks of
        ``Population.disable()`` by population name, and, when ``old`` runs the same
        kernel, the instance's private state (histories, refractory counters, decoding windows)."""
        if not isinstance(old, CompiledBackend) or old.inst is None or self.inst is None:
            return
        # learning switches by projection; Population.disable()'s switches and clocks by population
        for key, index, theirs_index in (("ctl:learning", self.proj_index, old.proj_index),
                                         ("ctl:active", self.pop_index, old.pop_index),
                                         ("ctl:lag", self.pop_index, old.pop_index)):
            mine, theirs = self.arrays[self.layout[key].index], old.arrays[old.layout[key].index]
            for name, i in index.items():
                if name in theirs_index:
                    mine[i] = theirs[theirs_index[name]]
        if type(old) is type(self) and old.kernel is self.kernel:
            self.inst.carry_state_from(old.inst)

    def restart(self, pop=None, reseed=False):
        """Drop the spikes waiting in the delay rings (of population ``pop``, or of all) and, with ``reseed``,
        start the random draws again as after compile (the kernel's optional ``ann_restart``)."""
        fn = _abi_call(self.kernel.path, "ann_restart", [ctypes.c_void_p, ctypes.c_int32, ctypes.c_int32])
        inst = self.inst
        h = None if inst is None else getattr(inst, "handle", None)
        if h is None and inst is not None:
            h = inst.inst.handle                    # the CUDA instance wraps the shared binding's
        if fn is None or not h:
            return False
        fn(ctypes.c_void_p(h), -1 if pop is None else int(self.pop_index[pop]), 1 if reseed else 0)
        lag = self.arrays[self.layout["ctl:lag"].index]   # Population.disable()'s delays of the populations' clocks:
        for i, p in enumerate(self.ir.populations):      # a source's schedule restarts from the network's clock;
            if (pop is None and reseed) or (p.source and pop in (None, p.name)):   # all, when iterations restart
                lag[i] = 0
        for p in self.ir.populations:           # compute_firing_rate's r, zeroed kernel-side too: the host copy
            if p.rate_window and pop in (None, p.name):
                self.set(p.name, "r", 0.0)
        return True

    def run(self, nsteps):
        if int(nsteps) > 0:
            self._before_run()
            self.inst.run(int(nsteps))
            self._after_run()

    def close(self):
        if self.inst is not None:
            self.inst.close()
            self.inst = None


_KERNELS = {}   # library path -> loaded kernel: a library is opened once per process
_CALLS = {}     # (library path, symbol) -> ctypes function, or None where the kernel lacks it


def _abi_call(path, name, argtypes):
    """An optional entry point of the kernel library ``path`` (already loaded by the binding)."""
    key = (path, name)
    if key not in _CALLS:
        try:
            fn = getattr(ctypes.CDLL(path, mode=ctypes.RTLD_LOCAL), name)
            fn.restype, fn.argtypes = None, argtypes
        except (OSError, AttributeError):
            fn = None
        _CALLS[key] = fn
    return _CALLS[key]


def load_kernel(path, loader):
    """The kernel of ``path``, loaded with ``loader(path)`` the first time (instances of one network
    share it, which ``carry_state_from`` requires)."""
    kernel = _KERNELS.get(path)
    if kernel is None:
        kernel = _KERNELS[path] = loader(path)
    return kernel
