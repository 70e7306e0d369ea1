"""CUDA backend: the network's IR printed to CUDA kernels (issue 7).

- ``generator`` + ``templates/``: the kernel plan (``codegen/plan.py``) -> one CUDA translation unit
  (kernels + the extern "C" ABI of ``annstudio/codegen/cpp/ABI.md`` with CUDA extensions);
- ``runtime/runtime.cuh``: Philox random streams, reductions, device-side monitors;
- ``runtime/emulation.h``: compiles the same kernels for the CPU (grids run sequentially,
  fibers for barriers), which is how the kernels are tested without a GPU;
- ``build``: nvcc / g++ through the shared build cache (``annstudio.codegen.cache``, keyed by the
  value-free IR digest); ``binding``: the shared Cython binding plus the CUDA extensions (ctypes);
- ``backend``: device copies of the slots; everything else is the shared
  ``annstudio.codegen.compiled.CompiledBackend``; ``toolchain``: nvcc and GPU probes.

Registers the paradigm ``"cuda"``; where nvcc or a GPU is missing, compiling a
network raises ``BackendUnavailable`` naming what is missing.
"""
from .backend import CudaBackend
from .toolchain import missing


def _available():
    return missing()


def register(registry):
    """Register the paradigm ``"cuda"`` with ``registry`` (see ``annstudio.codegen.register_all``)."""
    registry.register_backend("cuda", CudaBackend, _available, "CUDA kernels on an NVIDIA GPU (nvcc)")


__all__ = ["CudaBackend", "register"]
