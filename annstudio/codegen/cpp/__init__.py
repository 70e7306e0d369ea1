"""C++/OpenMP backend (paradigm ``"openmp"``): generated kernels bound by one generic Cython module.

- ``generator``: IR -> one C++ source per network (templates in ``templates/``) and its slot layout
- ``printer``: sympy C99 printer subclass for expressions
- ``cache`` / ``toolchain``: the build cache (IR digest, compiler, flags, version) and compiler command
- ``binding``: the network-independent Cython binding, built once per machine
- ``backend``: the backend object the session drives

The ABI between kernels and the binding is documented in ``ABI.md``.
"""
from annstudio.core.runtime import register_backend

from . import toolchain
from .backend import OpenMPBackend


def _factory(ir, data, settings, log=None):
    return OpenMPBackend(ir, data, settings, log=log)


register_backend("openmp", _factory, toolchain.availability,
                 "C++/OpenMP kernels compiled with the system compiler, bound with Cython")
