"""The C++/OpenMP backend object: generate, build (cached), load and drive a kernel.

Interface as in ``annstudio.core.runtime.registry`` (the same calls as the
NumPy backend).  State lives in NumPy arrays that the kernel borrows (see
ABI.md): ``get`` returns them without copies and ``set`` writes into them, so
values change without recompiling.  ``run`` releases the GIL.
"""
import hashlib
import os
import time

import numpy as np

from annstudio.core.errors import BuildError, SimulationError
from annstudio.core.runtime import Recording

from . import toolchain
from .binding import load_binding
from .cache import build_cached, cache_key
from .generator import TEMPLATES, generate
from .layout import allocate


_HERE = os.path.dirname(__file__)
_GENERATOR_FILES = [os.path.join(TEMPLATES, "annstudio_runtime.h"), os.path.join(TEMPLATES, "kernel.cpp.j2"),
                    os.path.join(TEMPLATES, "annstudio_runtime.cpp"),
                    os.path.join(_HERE, "generator.py"), os.path.join(_HERE, "printer.py"),
                    os.path.join(_HERE, "layout.py"), os.path.join(_HERE, "..", "printing.py")]
_GENERATOR_HASH = None


def _generator_hash():
    """Hash of everything that turns an IR into source (a new annstudio build never reuses stale kernels)."""
    global _GENERATOR_HASH
    if _GENERATOR_HASH is None:
        h = hashlib.sha256()
        for path in _GENERATOR_FILES:
            with open(path, "rb") as f:
                h.update(f.read())
        _GENERATOR_HASH = h.hexdigest()
    return _GENERATOR_HASH


def code_digest(ir):
    """IR digest without the declared initial values: kernels read every value from the data, so a
    changed default (``tau = 10.0`` -> ``20.0`` in a Neuron) reuses the cached kernel."""
    from dataclasses import replace

    def strip(obj):
        return replace(obj, variables=tuple(replace(v, init=0.0) for v in obj.variables))
    return replace(ir, populations=tuple(strip(p) for p in ir.populations),
                   projections=tuple(strip(p) for p in ir.projections)).digest()


def _kernel_key(ir, runtime_dir=""):
    cxx = toolchain.compiler()
    return cache_key("openmp-kernel", code_digest(ir), cxx, toolchain.compiler_version(cxx), toolchain.flags(),
                     toolchain.BASE_FLAGS, _generator_hash(), runtime_dir)


def build_runtime(log=None):
    """Directory of ``libannstudio_rt.so``: the network-independent runtime, compiled once per machine."""
    src = os.path.join(TEMPLATES, "annstudio_runtime.cpp")
    cxx = toolchain.compiler()
    key = cache_key("openmp-runtime", cxx, toolchain.compiler_version(cxx), toolchain.flags(), toolchain.BASE_FLAGS,
                    _generator_hash())

    def build(directory, tmp):
        import shutil
        import subprocess
        res = subprocess.run(toolchain.compile_command(src, tmp, TEMPLATES), capture_output=True, text=True)
        if res.returncode != 0:
            raise BuildError(f"the C++ compiler failed on the runtime:\n{res.stderr[-4000:]}")
        # the header next to its precompiled form, both in place before the library appears
        header = os.path.join(directory, "annstudio_runtime.h")
        shutil.copyfile(os.path.join(TEMPLATES, "annstudio_runtime.h"), header + ".tmp")
        os.replace(header + ".tmp", header)
        gch_tmp = os.path.join(directory, f".annstudio_runtime.h.gch.{os.getpid()}.tmp")
        res = subprocess.run(toolchain.pch_command(header, gch_tmp), capture_output=True, text=True)
        if res.returncode == 0:
            os.replace(gch_tmp, header + ".gch")
        elif os.path.exists(gch_tmp):      # no precompiled header: kernels parse the plain one
            os.unlink(gch_tmp)
    path, _built, _secs = build_cached("openmp-runtime", key, "libannstudio_rt.so", build, log=log)
    return os.path.dirname(path)


def build_kernel(ir, data, log=None):
    """(path of the kernel .so, layout, built?, seconds)."""
    source, layout = generate(ir, data, code_digest(ir))
    runtime_dir = build_runtime(log)

    def build(directory, tmp):
        src = os.path.join(directory, "kernel.cpp")
        with open(src + ".tmp", "w") as f:
            f.write(source)
        os.replace(src + ".tmp", src)
        import subprocess
        cmd = toolchain.compile_command(src, tmp, TEMPLATES, runtime_dir)
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode != 0:
            raise BuildError(f"the C++ compiler failed on {src}:\n{res.stderr[-4000:]}",
                             hint="this is a bug in annstudio's code generation; please report it")
    path, built, secs = build_cached("openmp", _kernel_key(ir, runtime_dir), "kernel.so", build, log=log)
    return path, layout, built, secs


_KERNELS = {}   # path -> loaded kernel (a library is opened once per process)


class OpenMPBackend:
    """See the module docstring."""

    paradigm = "openmp"

    def __init__(self, ir, data, settings, log=None):
        t0 = time.perf_counter()
        self.ir = ir
        self.dt = ir.dt
        self._log_lines = []

        def _log(msg):
            self._log_lines.append(msg)
            if log is not None:
                log(msg)
        binding = load_binding(log=_log)
        path, self.layout, self.built, secs = build_kernel(ir, data, log=_log)
        self.kernel_path = path
        self.arrays = allocate(self.layout, ir, data)
        self.num_threads = int(getattr(settings, "num_threads", 1) or 1)
        seed = settings.seed
        if seed is None:
            seed = int.from_bytes(os.urandom(8), "little") >> 1
        self.seed = int(seed) % (2 ** 64)
        self._kernel = _KERNELS.get(path) or _KERNELS.setdefault(path, binding.Kernel(path))
        if self._kernel.digest != code_digest(ir):
            raise BuildError(f"kernel {path} was generated from another network")
        self._inst = self._kernel.create(self.arrays, self.num_threads, self.seed)
        self._pop_index = {p.name: i for i, p in enumerate(ir.populations)}
        self._proj_index = {p.name: k for k, p in enumerate(ir.projections)}
        self._learning = self.arrays[self.layout.get("ctl", 0, "learning").index]
        self._dirty = self.arrays[self.layout.get("ctl", 0, "dirty").index]
        self.monitors = {}
        self.build_time = time.perf_counter() - t0
        _log(f"openmp backend ready in {self.build_time:.2f} s ({'built' if self.built else 'cached'} kernel, "
             f"{self.num_threads} thread(s))")

    @property
    def build_log(self):
        return "\n".join(self._log_lines)

    # -- state access ------------------------------------------------------------------
    def _slot(self, name, var):
        if name in self._pop_index:
            s = self.layout.get("pop", self._pop_index[name], var)
        elif name in self._proj_index:
            s = self.layout.get("proj", self._proj_index[name], var)
        else:
            raise SimulationError(f"no population or projection named {name!r}")
        if s is None or (var.startswith("_") and not var.startswith(("_mean", "_max", "_min", "_norm", "_last_event"))):
            raise SimulationError(f"{name!r} has no variable {var!r}")
        return s

    def get(self, name, var):
        return self.arrays[self._slot(name, var).index]

    def set(self, name, var, value):
        self.get(name, var)[...] = value
        if name in self._proj_index:
            self._dirty[self._proj_index[name]] = 1.0

    def get_sum(self, name, target):
        s = self.layout.get("pop", self._pop_index[name], f"sum__{target}")
        return self.arrays[s.index] if s is not None else np.zeros(self.ir.population(name).size)

    @property
    def step(self):
        return self._inst.step

    @step.setter
    def step(self, value):
        self._inst.step = int(value)

    def spikes_last_step(self, name):
        i = self._pop_index[name]
        out = np.empty(max(1, self.ir.populations[i].size), dtype=np.int64)
        n = self._inst.spikes_last_step(i, out)
        return out[:n].copy()

    def set_source(self, name, key, value):
        """Replace a special population's schedule (``steps``/``ranks`` or ``buffer``) between runs."""
        s = self.layout.get("pop", self._pop_index[name], f"_src_{key}")
        if s is None:
            raise SimulationError(f"population {name!r} has no schedule {key!r}")
        arr = np.ascontiguousarray(np.asarray(value, dtype=s.dtype).reshape(-1)).copy()
        if arr.size == 0:
            arr = np.zeros(0, dtype=s.dtype)
        self.arrays[s.index] = arr
        self._inst.set_slot(s.index, arr)

    def set_learning(self, name, enabled):
        self._learning[self._proj_index[name]] = 1.0 if enabled else 0.0

    # -- monitors ----------------------------------------------------------------------
    def add_monitor(self, request):
        kind = 0 if request.kind == "population" else 1
        obj = self._pop_index[request.target] if kind == 0 else self._proj_index[request.target]
        variables = [v for v in request.variables if v != "spike"]
        slots = [self._slot(request.target, v) for v in variables]
        ranks = None if request.ranks is None or kind == 1 else np.asarray(request.ranks, dtype=np.int64)
        mid = self._inst.monitor_add(kind, obj, np.array([s.index for s in slots], dtype=np.int32),
                                     int("spike" in request.variables), ranks, int(request.period_steps),
                                     int(self.step), int(bool(request.start)))
        self.monitors[mid] = {"req": request, "slots": slots, "active": bool(request.start),
                              "offset": self.step, "ranks": ranks}
        return mid

    def set_monitor_active(self, mid, active):
        m = self.monitors[mid]
        if active and not m["active"]:
            m["offset"] = self.step
        m["active"] = bool(active)
        self._inst.monitor_set(mid, int(active), int(m["req"].period_steps), int(m["offset"]))

    def set_monitor_period(self, mid, period_steps):
        from dataclasses import replace
        m = self.monitors[mid]
        m["req"] = replace(m["req"], period_steps=int(period_steps))
        self._inst.monitor_set(mid, int(m["active"]), int(period_steps), int(m["offset"]))

    def set_monitor_offset(self, mid, offset):
        m = self.monitors[mid]
        m["offset"] = int(offset)
        self._inst.monitor_set(mid, int(m["active"]), int(m["req"].period_steps), int(offset))

    def carry_state_from(self, old):
        """Restructuring hook (see ``annstudio.session.simulation``): take over the spike and rate
        histories, refractory counters and counters of ``old`` when it runs the same kernel.  The learning
        switches (``set_learning``, also called directly by ``Projection.enable_learning``) are carried by
        projection name whatever the kernel (an IR that changed rebuilds another one)."""
        if not isinstance(old, OpenMPBackend):
            return
        for name, k in self._proj_index.items():
            if name in old._proj_index:
                self._learning[k] = old._learning[old._proj_index[name]]
        if old._inst is not None and self._inst is not None:
            self._inst.carry_state_from(old._inst)

    def fetch_monitor(self, mid):
        m = self.monitors[mid]
        req = m["req"]
        values, steps, sst, srk = self._inst.monitor_drain(mid)
        rec = Recording()
        col = 0
        for s in m["slots"]:
            if s.scalar:
                width = 1
            elif req.kind == "population" and m["ranks"] is not None:
                width = len(m["ranks"])
            else:
                width = s.size
            block = values[:, col:col + width]
            col += width
            if req.kind == "population":
                rec.values[s.name] = block[:, 0].tolist() if s.scalar else block.copy()
            else:
                rec.values[s.name] = [np.array(row[0]) if s.scalar else row.copy() for row in block]
        rec.steps = steps
        rec.spike_steps = sst
        rec.spike_ranks = srk
        return rec

    def remove_monitor(self, mid):
        if mid in self.monitors:
            self._inst.monitor_remove(mid)
            self.monitors.pop(mid, None)

    # -- simulation ----------------------------------------------------------------------
    def run(self, nsteps):
        if int(nsteps) > 0:
            self._inst.run(int(nsteps))

    def close(self):
        if self._inst is not None:
            self._inst.close()
            self._inst = None
