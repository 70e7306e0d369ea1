"""The CUDA backend object (the interface of ``annstudio.core.runtime.registry``).

Python allocates every slot (``layout.allocate``) and the kernel library keeps a
device copy of each; the device copy is the live one.  ``get`` copies a slot back
from the GPU (once per run) and remembers that the caller may write into the
returned array, so that slot is copied to the GPU again before the next run;
``set`` writes and copies at once.  Monitors record on the device; ``fetch_monitor``
drains them (the session does so once per chunk).

``emulate=True`` builds the same source with g++ against ``emulation.h`` and runs
every grid on the CPU; the default launch shape then processes spikes one at a
time (one block of one thread for propagation), which makes the atomic
accumulation order the reference's.
"""
import os
from dataclasses import replace

import numpy as np

from annstudio.core.errors import BackendUnavailable, SimulationError
from annstudio.core.runtime import Recording

from . import toolchain
from .binding import Kernel
from .build import build_library
from .layout import allocate, build_layout

EXACT_EMULATION_LAUNCH = {"threads": 64, "prop_blocks": 1, "prop_threads": 1}


class CudaBackend:
    paradigm = "cuda"

    def __init__(self, ir, data, settings, log=None, emulate=False, launch=None):
        if not emulate:
            reason = toolchain.missing()
            if reason:
                raise BackendUnavailable(f"paradigm 'cuda' is not available: {reason}", where="compile")
        self.ir = ir
        self.dt = ir.dt
        self.emulate = emulate
        self.layout = build_layout(ir)
        self.index = {s.key: s for s in self.layout}
        self.arrays = allocate(ir, data, self.layout)
        path, built, secs = build_library(ir, emulate=emulate, log=log)
        self.build_log = f"{'built' if built else 'cached'} {path} ({secs:.2f} s)"
        self.library = path
        seed = settings.seed
        seed = int.from_bytes(os.urandom(8), "little") if seed is None else (int(seed) * 2654435761 + 12345)
        self.kernel = Kernel(path)
        self.inst = self.kernel.create(self.arrays, int(getattr(settings, "num_threads", 1) or 1), seed)
        shape = dict(EXACT_EMULATION_LAUNCH) if emulate else {}
        shape.update(launch or {})
        if shape:
            self.inst.set_launch(**shape)
        self.pop_index = {p.name: i for i, p in enumerate(ir.populations)}
        self.proj_index = {p.name: j for j, p in enumerate(ir.projections)}
        self._stale = set()      # slots whose host copy is older than the device's
        self._lent = set()       # slots handed out by get(): copied to the device before running
        self.monitors = {}

    # -- state ---------------------------------------------------------------------------
    @property
    def step(self):
        return self.inst.step

    @step.setter
    def step(self, value):
        self.inst.step = int(value)

    def _slot(self, name, var):
        s = self.index.get(f"pop:{name}:{var}") or self.index.get(f"proj:{name}:{var}")
        if s is None:
            if name not in self.pop_index and name not in self.proj_index:
                raise SimulationError(f"no population or projection named {name!r}")
            raise SimulationError(f"{name!r} has no variable {var!r}")
        return s

    def _host(self, s):
        if s.index in self._stale:
            self.inst.pull(s.index)
            self._stale.discard(s.index)
        return self.arrays[s.index]

    def get(self, name, var):
        s = self._slot(name, var)
        arr = self._host(s)
        self._lent.add(s.index)
        return arr.reshape(()) if s.scalar else arr

    def set(self, name, var, value):
        s = self._slot(name, var)
        arr = self._host(s)
        arr[...] = np.asarray(value, dtype=arr.dtype).reshape(()) if s.scalar and np.size(value) == 1 else value
        self.inst.push(s.index)

    def get_sum(self, pop, target):
        s = self.index.get(f"pop:{pop}:sum__{target}")
        return np.zeros(self.ir.population(pop).size) if s is None else self._host(s).copy()

    def spikes_last_step(self, name):
        out = np.zeros(max(self.ir.population(name).size, 1), dtype=np.int64)
        n = self.inst.spikes_last_step(self.pop_index[name], out)
        return out[:n]

    def set_source(self, name, key, value):
        """Replace a special population's schedule (``steps``/``ranks`` or ``buffer``) between runs."""
        s = self.index.get(f"pop:{name}:_src_{key}")
        if s is None:
            raise SimulationError(f"population {name!r} has no schedule {key!r}")
        arr = np.ascontiguousarray(np.asarray(value, dtype=self.arrays[s.index].dtype).reshape(-1)).copy()
        self.arrays[s.index] = arr
        self.inst.set_slot(s.index, arr)
        self._stale.discard(s.index)
        self._lent.discard(s.index)

    def set_learning(self, name, enabled):
        self.arrays[self.index["ctl:learning"].index][self.proj_index[name]] = 1 if enabled else 0

    # -- running -------------------------------------------------------------------------
    def run(self, nsteps):
        for i in self._lent:
            if i not in self._stale:
                self.inst.push(i)
        self._lent.clear()
        self.inst.run(int(nsteps))
        self._stale = {s.index for s in self.layout if s.key != "ctl:learning"}

    def close(self):
        if getattr(self, "inst", None) is not None:
            self.inst.close()
            self.inst = None

    # -- monitors ------------------------------------------------------------------------
    def add_monitor(self, request):
        names = [v for v in request.variables if v != "spike"]
        slots = [self._slot(request.target, v) for v in names]
        if request.kind == "population":
            kind, obj = 0, self.pop_index[request.target]
        else:
            kind, obj = 1, self.proj_index[request.target]
        ranks = None if request.ranks is None or kind == 1 else np.asarray(request.ranks, dtype=np.int64)
        mid = self.inst.monitor_add(kind, obj, [s.index for s in slots], int("spike" in request.variables),
                                    ranks, request.period_steps, self.step, int(request.start))
        self.monitors[mid] = {"req": request, "slots": slots, "names": names, "active": bool(request.start),
                              "offset": self.step}
        return mid

    def set_monitor_active(self, mid, active):
        m = self.monitors[mid]
        if active and not m["active"]:
            m["offset"] = self.step
        m["active"] = bool(active)
        self.inst.monitor_set(mid, int(active), m["req"].period_steps, m["offset"])

    def set_monitor_period(self, mid, period_steps):
        m = self.monitors[mid]
        m["req"] = replace(m["req"], period_steps=int(period_steps))
        self.inst.monitor_set(mid, int(m["active"]), int(period_steps), m["offset"])

    def fetch_monitor(self, mid):
        m = self.monitors[mid]
        values, steps, sst, srk = self.inst.monitor_drain(mid)
        rec = Recording()
        col = 0
        req = m["req"]
        for name, s in zip(m["names"], m["slots"]):
            if s.scalar:
                width = 1
            elif req.kind == "population" and req.ranks is not None:
                width = len(req.ranks)
            else:
                width = self.arrays[s.index].size
            block = values[:, col:col + width]
            col += width
            if s.scalar:
                rec.values[name] = [float(x) for x in block[:, 0]]
            elif req.kind == "population":
                rec.values[name] = block.copy()
            else:
                rec.values[name] = [row.copy() for row in block]
        rec.steps = steps.astype(np.int64)
        rec.spike_steps = sst.astype(np.int64)
        rec.spike_ranks = srk.astype(np.int64)
        return rec

    def remove_monitor(self, mid):
        if self.monitors.pop(mid, None) is not None:
            self.inst.monitor_remove(mid)
