"""Install-time builds (metadata lives in pyproject.toml): nothing a first network needs is built at first use.

- the generic Cython binding, as the extension module ``annstudio.codegen.cpp._annstudio_binding``;
- the C++ runtime library with its header and precompiled header, in ``annstudio/codegen/cpp/_prebuilt/``
  (with the kernels' flags, by ``annstudio/codegen/cpp/toolchain.py``, loaded here by path).

Both are optional: without a compiler the installation still succeeds, and the first use of a compiled backend
builds them into the cache, or explains what is missing.  ``pip install -e .`` builds them in the source tree.
"""
import hashlib
import importlib.util
import os
import sys
import threading

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
CPP = os.path.join("annstudio", "codegen", "cpp")
PYX = os.path.join(CPP, "_annstudio_binding.pyx")


def _toolchain():
    spec = importlib.util.spec_from_file_location("_annstudio_setup_toolchain", os.path.join(HERE, CPP, "toolchain.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _warn(message):
    sys.stderr.write(f"annstudio: {message}\n")


class BuildExt(build_ext):
    """Builds the binding and, at the same time, the runtime library next to it (both optional)."""

    def run(self):
        # compilers run side by side (subprocesses); the folder is decided first (run() changes inplace)
        runtime = threading.Thread(target=self._runtime, args=(self._package_dir(),))
        runtime.start()
        try:
            super().run()
        except Exception as exc:      # e.g. no C compiler: the binding is built at first use instead
            _warn(f"the Cython binding was not built at install ({exc}); it will be built at first use")
        finally:
            runtime.join()

    def _package_dir(self):
        if self.inplace or getattr(self, "editable_mode", False):
            return os.path.join(HERE, CPP)
        return os.path.join(os.path.abspath(self.build_lib), CPP)

    def _runtime(self, package_dir):
        try:
            reason = _toolchain().prebuild_runtime(os.path.join(package_dir, "_prebuilt"))
        except Exception as exc:
            reason = str(exc)
        if reason:
            _warn(f"the C++ runtime library was not built at install ({reason}); it will be built at first use")


def _extensions():
    with open(os.path.join(HERE, PYX), "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    return [Extension("annstudio.codegen.cpp._annstudio_binding", [PYX],
                      define_macros=[("ANN_PYX_HASH", f'"{digest}"')],
                      extra_compile_args=["-O1", "-w", "-g0"], libraries=["dl"], optional=True)]


setup(ext_modules=_extensions(), cmdclass={"build_ext": BuildExt})
