"""CUDA backend: the network's IR printed to CUDA kernels (issue 7).

- ``generator`` + ``templates/``: IR -> one CUDA translation unit (kernels + the
  extern "C" ABI of ``annstudio/codegen/cpp/ABI.md`` with CUDA extensions);
- ``runtime.cuh``: Philox random streams, reductions, device-side monitors;
- ``emulation.h``: compiles the same kernels for the CPU (grids run sequentially,
  fibers for barriers), which is how the kernels are tested without a GPU;
- ``build``: nvcc / g++ through the shared build cache; ``binding``: ctypes loader;
- ``backend``: the object the session drives; ``toolchain``: nvcc and GPU probes.

Registers the paradigm ``"cuda"``; where nvcc or a GPU is missing, compiling a
network raises ``BackendUnavailable`` naming what is missing.
"""
from annstudio.core.runtime import register_backend

from .backend import CudaBackend
from .toolchain import missing


def _available():
    return missing()


register_backend("cuda", CudaBackend, _available, "CUDA kernels on an NVIDIA GPU (nvcc)")

__all__ = ["CudaBackend"]
