"""CUDA kernel libraries through the C++ backend's generic Cython binding (``annstudio/codegen/cpp/
_annstudio_binding.pyx``, the ABI of ``annstudio/codegen/cpp/ABI.md``), plus the CUDA extensions.

The shared binding drives everything the ABI covers (create, run with the GIL released, step,
``ann_set_slot``, spikes, monitors).  The CUDA extensions (``ann_cuda_pull``/``ann_cuda_push``: the device
holds the live copy of each slot; ``ann_cuda_set_launch``; ``ann_cuda_error``) are not part of that ABI:
they are called through ctypes on the binding's raw instance pointer (``Instance.handle``).  Both load
the same shared object (``dlopen`` returns the already loaded library).
"""
import ctypes as C

from annstudio.codegen.cpp.binding import load_binding
from annstudio.core.errors import BuildError, SimulationError

_I32, _I64, _P = C.c_int32, C.c_int64, C.c_void_p

_EXTENSIONS = {
    "ann_cuda_pull": (_I32, [_P, _I32]),
    "ann_cuda_push": (_I32, [_P, _I32]),
    "ann_cuda_set_launch": (None, [_P, _I32, _I32, _I32]),
    "ann_cuda_error": (C.c_char_p, [_P]),
}


class Kernel:
    def __init__(self, path):
        self.path = path
        try:
            self.shared = load_binding().Kernel(path)
            self.lib = C.CDLL(path, mode=C.RTLD_LOCAL)
            for name, (res, args) in _EXTENSIONS.items():
                fn = getattr(self.lib, name)
                fn.restype, fn.argtypes = res, args
        except (OSError, AttributeError) as exc:
            raise BuildError(f"cannot load the CUDA kernel library: {exc}", where="CUDA backend") from None
        self.digest = self.shared.digest

    def create(self, arrays, num_threads, seed):
        return Instance(self, arrays, num_threads, seed)


class Instance:
    """One network on the GPU: the shared binding's instance and the CUDA extensions on its handle."""

    def __init__(self, kernel, arrays, num_threads, seed):
        self.inst = None
        self.lib = kernel.lib
        try:
            self.inst = kernel.shared.create(list(arrays), int(num_threads), int(seed) % (1 << 64))
        except RuntimeError as exc:
            msg = str(exc).replace("kernel creation failed: ", "")
            raise SimulationError(f"creating the CUDA network failed: {msg}", where="CUDA backend") from None

    @property
    def h(self):
        return C.c_void_p(self.inst.handle) if self.inst is not None and self.inst.handle else None

    def close(self):
        if self.inst is not None:
            self.inst.close()
            self.inst = None

    def _check(self, ok, what):
        if not ok:
            raise SimulationError(f"{what}: {self.lib.ann_cuda_error(self.h).decode()}", where="CUDA backend")

    def run(self, nsteps):
        done = self.inst.run(int(nsteps))
        self._check(done >= 0, "the simulation failed")
        return done

    # the step, spikes and monitor settings are the shared binding's own calls
    step = property(lambda self: self.inst.step, lambda self, value: setattr(self.inst, "step", int(value)))

    def __getattr__(self, name):
        if name in ("spikes_last_step", "monitor_set", "monitor_remove", "monitor_drain"):
            return getattr(self.inst, name)
        raise AttributeError(name)

    def pull(self, slot):
        self._check(self.lib.ann_cuda_pull(self.h, int(slot)) == 0, "copying from the GPU failed")

    def push(self, slot):
        self._check(self.lib.ann_cuda_push(self.h, int(slot)) == 0, "copying to the GPU failed")

    def set_slot(self, slot, arr):
        """Replace slot ``slot`` by ``arr`` (kept alive by the binding; any length): a new device copy."""
        self.inst.set_slot(int(slot), arr)
        self._check(not self.lib.ann_cuda_error(self.h), "replacing a variable on the GPU failed")

    def carry_state_from(self, other):
        """Take over ``other``'s device-side private state (``ann_carry_state``: spike and rate rings,
        refractory counters, decoding windows); same library only."""
        done = self.inst.carry_state_from(other.inst)
        self._check(not self.lib.ann_cuda_error(self.h), "carrying the state over on the GPU failed")
        return done

    def set_launch(self, threads=0, prop_blocks=0, prop_threads=0):
        self.lib.ann_cuda_set_launch(self.h, int(threads), int(prop_blocks), int(prop_threads))

    def monitor_add(self, kind, obj, slots, spikes, ranks, period, offset, active):
        mid = self.inst.monitor_add(int(kind), int(obj), list(slots), int(spikes), ranks, int(period), int(offset),
                                    int(active))
        self._check(mid >= 0, "adding a monitor failed")
        return mid
