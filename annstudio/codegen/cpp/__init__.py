"""C++/OpenMP backend (paradigm ``"openmp"``): generated kernels bound by one generic Cython module.

- ``generator``: the kernel plan (``codegen/plan.py``) -> one C++ source per network (per-phase templates in
  ``templates/``; the runtime library it links in ``runtime/``)
- ``printer``: sympy C99 printer subclass for expressions
- ``toolchain``: the compiler command (the build cache is ``annstudio.codegen.cache``)
- ``binding``: the network-independent Cython binding, built once per machine
- ``backend``: builds and loads the kernel; slots, monitors and restructuring are the shared
  ``annstudio.codegen.compiled.CompiledBackend`` (layout: ``annstudio.codegen.layout``)

The ABI between kernels and the binding is documented in ``ABI.md``.
"""
from . import toolchain
from .backend import OpenMPBackend


def _factory(ir, data, settings, log=None):
    return OpenMPBackend(ir, data, settings, log=log)


def register(registry):
    """Register the paradigm ``"openmp"`` with ``registry`` (see ``annstudio.codegen.register_all``)."""
    registry.register_backend("openmp", _factory, toolchain.availability,
                              "C++/OpenMP kernels compiled with the system compiler, bound with Cython")
