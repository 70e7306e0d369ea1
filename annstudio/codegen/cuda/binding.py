"""ctypes loader for CUDA kernel libraries: the ABI of ``annstudio/codegen/cpp/ABI.md`` plus the
CUDA extensions (``ann_cuda_pull``/``ann_cuda_push``: the device holds the live copy of each slot;
``ann_cuda_set_launch``; ``ann_cuda_error``).

It mirrors the interface of the C++ backend's generic Cython binding (``Kernel(path).create(arrays,
num_threads, seed) -> Instance`` with ``run``, ``step``, ``spikes_last_step``, ``monitor_*``).  The
Cython binding keeps its instance handle private, so the CUDA extensions cannot be reached through
it; ctypes releases the GIL during every foreign call, so ``run`` does not hold it either.
"""
import ctypes as C

import numpy as np

from annstudio.engine.errors import BuildError, SimulationError

_I32, _I64, _U64, _P = C.c_int32, C.c_int64, C.c_uint64, C.c_void_p

_SIGNATURES = {
    "ann_abi_version": (_I32, []),
    "ann_digest": (C.c_char_p, []),
    "ann_create": (_P, [_P, _P, _I64, _I32, _U64]),
    "ann_create_error": (C.c_char_p, []),
    "ann_destroy": (None, [_P]),
    "ann_run": (_I64, [_P, _I64]),
    "ann_get_step": (_I64, [_P]),
    "ann_set_step": (None, [_P, _I64]),
    "ann_spikes_last_step": (_I64, [_P, _I32, _P]),
    "ann_monitor_add": (_I32, [_P, _I32, _I32, _P, _I32, _I32, _P, _I64, _I64, _I64, _I32]),
    "ann_monitor_set": (None, [_P, _I32, _I32, _I64, _I64]),
    "ann_monitor_remove": (None, [_P, _I32]),
    "ann_monitor_counts": (None, [_P, _I32, _P, _P, _P]),
    "ann_monitor_drain": (None, [_P, _I32, _P, _P, _P, _P]),
    "ann_cuda_pull": (_I32, [_P, _I32]),
    "ann_cuda_push": (_I32, [_P, _I32]),
    "ann_cuda_set_launch": (None, [_P, _I32, _I32, _I32]),
    "ann_cuda_error": (C.c_char_p, [_P]),
}


def _ptr(a):
    return C.c_void_p(a.ctypes.data)


class Kernel:
    def __init__(self, path):
        self.path = path
        try:
            self.lib = C.CDLL(path, mode=C.RTLD_LOCAL)
        except OSError as exc:
            raise BuildError(f"cannot load the CUDA kernel library: {exc}", where="CUDA backend") from None
        for name, (res, args) in _SIGNATURES.items():
            fn = getattr(self.lib, name)
            fn.restype, fn.argtypes = res, args
        if self.lib.ann_abi_version() != 1:
            raise BuildError(f"{path}: unexpected kernel ABI version", where="CUDA backend")
        self.digest = self.lib.ann_digest().decode()

    def create(self, arrays, num_threads, seed):
        return Instance(self, arrays, num_threads, seed)


class Instance:
    def __init__(self, kernel, arrays, num_threads, seed):
        self.h = None
        self.k = kernel
        self.lib = kernel.lib
        self.arrays = list(arrays)
        for a in self.arrays:
            if not a.flags["C_CONTIGUOUS"]:
                raise ValueError("kernel arrays must be C-contiguous")
        self._ptrs = np.array([a.ctypes.data for a in self.arrays], dtype=np.uint64)
        self._sizes = np.array([a.size for a in self.arrays], dtype=np.int64)
        self.h = self.lib.ann_create(_ptr(self._ptrs), _ptr(self._sizes), len(self.arrays), int(num_threads),
                                     int(seed) % (1 << 64))
        if not self.h:
            raise SimulationError(f"creating the CUDA network failed: {self.lib.ann_create_error().decode()}",
                                  where="CUDA backend")

    def close(self):
        if self.h:
            self.lib.ann_destroy(self.h)
            self.h = None

    __del__ = close

    def _check(self, ok, what):
        if not ok:
            raise SimulationError(f"{what}: {self.lib.ann_cuda_error(self.h).decode()}", where="CUDA backend")

    def run(self, nsteps):
        done = self.lib.ann_run(self.h, int(nsteps))
        self._check(done >= 0, "the simulation failed")
        return done

    @property
    def step(self):
        return self.lib.ann_get_step(self.h)

    @step.setter
    def step(self, value):
        self.lib.ann_set_step(self.h, int(value))

    def pull(self, slot):
        self._check(self.lib.ann_cuda_pull(self.h, int(slot)) == 0, "copying from the GPU failed")

    def push(self, slot):
        self._check(self.lib.ann_cuda_push(self.h, int(slot)) == 0, "copying to the GPU failed")

    def set_launch(self, threads=0, prop_blocks=0, prop_threads=0):
        self.lib.ann_cuda_set_launch(self.h, int(threads), int(prop_blocks), int(prop_threads))

    def spikes_last_step(self, pop, out):
        return self.lib.ann_spikes_last_step(self.h, int(pop), _ptr(out))

    def monitor_add(self, kind, obj, slots, spikes, ranks, period, offset, active):
        s = np.ascontiguousarray(slots if len(slots) else [0], dtype=np.int32)
        r = np.ascontiguousarray(ranks if ranks is not None and len(ranks) else [0], dtype=np.int64)
        nr = len(ranks) if ranks is not None else -1
        mid = self.lib.ann_monitor_add(self.h, int(kind), int(obj), _ptr(s), len(slots), int(spikes), _ptr(r), nr,
                                       int(period), int(offset), int(active))
        self._check(mid >= 0, "adding a monitor failed")
        return mid

    def monitor_set(self, mid, active, period, offset):
        self.lib.ann_monitor_set(self.h, int(mid), int(active), int(period), int(offset))

    def monitor_remove(self, mid):
        self.lib.ann_monitor_remove(self.h, int(mid))

    def monitor_drain(self, mid):
        counts = np.zeros(3, dtype=np.int64)
        self.lib.ann_monitor_counts(self.h, int(mid), _ptr(counts[0:]), C.c_void_p(counts.ctypes.data + 8),
                                    C.c_void_p(counts.ctypes.data + 16))
        nrec, rlen, nspk = (int(x) for x in counts)
        values = np.empty((nrec, rlen))
        steps = np.empty(max(nrec, 1), dtype=np.int64)
        sst = np.empty(max(nspk, 1), dtype=np.int64)
        srk = np.empty(max(nspk, 1), dtype=np.int64)
        v1 = values if values.size else np.empty(1)
        self.lib.ann_monitor_drain(self.h, int(mid), _ptr(v1), _ptr(steps), _ptr(sst), _ptr(srk))
        return values, steps[:nrec], sst[:nspk], srk[:nspk]
