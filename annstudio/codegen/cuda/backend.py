"""The CUDA backend: build and load a network's CUDA library; the rest is the shared base.

Slots, get/set, monitors, carry-state and restructuring live in
:class:`~annstudio.codegen.compiled.CompiledBackend`.  What is CUDA's own: the library keeps a
device copy of every slot and the device copy is the live one.  ``get`` copies a slot back from
the GPU (once per run) and remembers that the caller may write into the returned array, so that
slot is copied to the GPU again before the next run; ``set`` writes and copies at once.
Monitors record on the device; ``fetch_monitor`` drains them (the session does so once per chunk).

``emulate=True`` builds the same source with g++ against ``emulation.h`` and runs every grid on the
CPU; the default launch shape then processes spikes one at a time (one block of one thread for
propagation), which makes the atomic accumulation order the reference's.
"""
import os

from annstudio.codegen.compiled import CompiledBackend, load_kernel
from annstudio.codegen.layout import CUDA
from annstudio.core.errors import BackendUnavailable

from . import toolchain
from .binding import Kernel
from .build import build_library

EXACT_EMULATION_LAUNCH = {"threads": 64, "prop_blocks": 1, "prop_threads": 1}


class CudaBackend(CompiledBackend):
    paradigm = "cuda"
    rules = CUDA

    def __init__(self, ir, data, settings, log=None, emulate=False, launch=None):
        if not emulate:
            reason = toolchain.missing()
            if reason:
                raise BackendUnavailable(f"paradigm 'cuda' is not available: {reason}", where="compile")
        super().__init__(ir, data, log)
        self.emulate = emulate
        path, self.built, secs = build_library(ir, emulate=emulate, log=log)
        self._log_lines.append(f"{'built' if self.built else 'cached'} {path} ({secs:.2f} s)")
        self.library = self.kernel_path = path
        seed = settings.seed
        seed = int.from_bytes(os.urandom(8), "little") if seed is None else (int(seed) * 2654435761 + 12345)
        self._stale = set()      # slots whose host copy is older than the device's
        self._lent_slots = set()  # slots handed out by get(): copied to the device before running
        self._start(load_kernel(path, Kernel), int(getattr(settings, "num_threads", 1) or 1), seed)
        shape = dict(EXACT_EMULATION_LAUNCH) if emulate else {}
        shape.update(launch or {})
        if shape:
            self.inst.set_launch(**shape)

    def _read(self, s):
        if s.index in self._stale:
            self.inst.pull(s.index)
            self._stale.discard(s.index)
        return self.arrays[s.index]

    def _lent(self, s):
        self._lent_slots.add(s.index)

    def _written(self, s):
        self.inst.push(s.index)

    def _replaced(self, s):
        self._stale.discard(s.index)
        self._lent_slots.discard(s.index)

    def _before_run(self):
        for i in self._lent_slots:
            if i not in self._stale:
                self.inst.push(i)
        self._lent_slots.clear()

    def _after_run(self):
        self._stale = {s.index for s in self.layout if s.kind != "ctl"}   # control slots: read on the host
