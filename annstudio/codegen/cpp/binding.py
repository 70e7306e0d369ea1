"""Loads the generic Cython binding (``_annstudio_binding.pyx``).

The binding is network-independent.  ``pip install`` builds it as the extension module
``annstudio.codegen.cpp._annstudio_binding`` (``setup.py``); it is used when its ``SOURCE_HASH`` matches
the source next to it.  Otherwise (no compiler at install, an edited source) it is cythonized and compiled the
first time it is needed (a few seconds) and cached under the build cache keyed by its source, the Python ABI
and the compiler; later sessions import it directly.
"""
import hashlib
import importlib
import importlib.machinery
import importlib.util
import os
import subprocess
import sys
import sysconfig

from annstudio.core.errors import BuildError

from . import toolchain
from annstudio.codegen.cache import build_cached, cache_key

_PYX = os.path.join(os.path.dirname(__file__), "_annstudio_binding.pyx")
_MODULE = None


def _build(directory, tmp):
    c_file = os.path.join(directory, "_annstudio_binding.c")
    res = subprocess.run([sys.executable, "-m", "cython", "-3", _PYX, "-o", c_file],
                         capture_output=True, text=True)
    if res.returncode != 0:
        raise BuildError(f"cython failed on the binding:\n{res.stderr[-2000:]}")
    cc = os.environ.get("CC") or "gcc"
    inc = sysconfig.get_paths()["include"]
    res = subprocess.run([cc, "-O1", "-shared", "-fPIC", "-w", f"-I{inc}", f'-DANN_PYX_HASH="{source_hash()}"',
                          c_file, "-o", tmp, "-ldl"],
                         capture_output=True, text=True)
    if res.returncode != 0:
        raise BuildError(f"compiling the binding failed:\n{res.stderr[-2000:]}")


def load_binding(log=None):
    """The binding module (cached in-process after the first call)."""
    global _MODULE
    if _MODULE is not None:
        return _MODULE
    src_hash = source_hash()
    try:
        installed = importlib.import_module("annstudio.codegen.cpp._annstudio_binding")
    except ImportError:
        installed = None
    if installed is not None and getattr(installed, "SOURCE_HASH", "") == src_hash:
        _MODULE = installed
        return installed
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    key = cache_key("binding", src_hash, sys.version, suffix, os.environ.get("CC") or "gcc")
    path, _built, _secs = build_cached("binding", key, "_annstudio_binding" + suffix, _build, log=log)
    spec = importlib.util.spec_from_file_location("_annstudio_binding", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    _MODULE = module
    return module


def source_hash():
    with open(_PYX, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def compiler_id():
    cxx = toolchain.compiler()
    return cxx, toolchain.compiler_version(cxx) if cxx else ""
