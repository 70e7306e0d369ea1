"""The C++/OpenMP backend: generate, build (cached) and load a kernel; the rest is the shared base.

Everything the session drives (slots, get/set, monitors, carry-state, restructuring) lives in
:class:`~annstudio.codegen.compiled.CompiledBackend`.  State lives in NumPy arrays that the kernel
borrows (see ABI.md): ``get`` returns them without copies and ``set`` writes into them (and marks
a projection dirty, so the kernel refreshes its private copies), so values change without
recompiling.  ``run`` releases the GIL.  The build cache key is the value-free IR digest, the
compiler, its version, the flags and a hash of the generator's own files.
"""
import glob
import hashlib
import os
import subprocess

from annstudio.codegen.cache import build_cached, cache_key
from annstudio.codegen.compiled import CompiledBackend, load_kernel
from annstudio.codegen.layout import OPENMP
from annstudio.core.errors import BuildError

from . import toolchain
from .binding import load_binding
from .generator import TEMPLATES, generate

_HERE = os.path.dirname(__file__)
_CODEGEN = os.path.dirname(_HERE)
RUNTIME = os.path.join(_HERE, "runtime")
_GENERATOR_HASH = None


def _generator_files():
    return sorted(glob.glob(os.path.join(TEMPLATES, "*.j2")) + glob.glob(os.path.join(RUNTIME, "*")) +
                  [os.path.join(_HERE, "generator.py"), os.path.join(_HERE, "printer.py")] +
                  [os.path.join(_CODEGEN, n) for n in ("layout.py", "printing.py", "draws.py", "plan.py")
                   if os.path.exists(os.path.join(_CODEGEN, n))])


def _generator_hash():
    """Hash of everything that turns an IR into source (a new annstudio build never reuses stale kernels)."""
    global _GENERATOR_HASH
    if _GENERATOR_HASH is None:
        h = hashlib.sha256()
        for path in _generator_files():
            h.update(os.path.basename(path).encode())
            with open(path, "rb") as f:
                h.update(f.read())
        _GENERATOR_HASH = h.hexdigest()
    return _GENERATOR_HASH


def kernel_key(ir, runtime_dir=""):
    """The build-cache key of ``ir``'s kernel: values never enter it (the IR has none)."""
    cxx = toolchain.compiler()
    return cache_key("openmp-kernel", ir.digest(), cxx, toolchain.compiler_version(cxx), toolchain.flags(),
                     toolchain.BASE_FLAGS, _generator_hash(), runtime_dir)


def build_runtime(log=None):
    """Directory of ``libannstudio_rt.so``: the network-independent runtime, built by ``pip install``
    (``toolchain.prebuild_runtime``) or else once per machine into the cache."""
    prebuilt = toolchain.prebuilt_runtime()
    if prebuilt is not None:
        return prebuilt
    key = cache_key("openmp-runtime", toolchain.runtime_stamp())

    def build(directory, tmp):
        error = toolchain.build_runtime_files(directory, tmp)
        if error:
            raise BuildError(f"the C++ compiler failed on the runtime:\n{error}")
    path, _built, _secs = build_cached("openmp-runtime", key, toolchain.RUNTIME_LIB, build, log=log)
    return os.path.dirname(path)


def build_kernel(ir, data, log=None):
    """(path of the kernel .so, built?, seconds).  The source is generated only when not cached."""
    runtime_dir = build_runtime(log)

    def build(directory, tmp):
        source, _layout = generate(ir, data, ir.digest())
        src = os.path.join(directory, "kernel.cpp")
        with open(src + ".tmp", "w") as f:
            f.write(source)
        os.replace(src + ".tmp", src)
        res = subprocess.run(toolchain.compile_command(src, tmp, RUNTIME, runtime_dir), capture_output=True,
                             text=True)
        if res.returncode != 0:
            raise BuildError(f"the C++ compiler failed on {src}:\n{res.stderr[-4000:]}",
                             hint="this is a bug in annstudio's code generation; please report it")
    return build_cached("openmp", kernel_key(ir, runtime_dir), "kernel.so", build, log=log)


class OpenMPBackend(CompiledBackend):
    """See the module docstring."""

    paradigm = "openmp"
    rules = OPENMP

    def __init__(self, ir, data, settings, log=None):
        super().__init__(ir, data, log)
        binding = load_binding(log=self._log)
        path, self.built, _secs = build_kernel(ir, data, log=self._log)
        self.kernel_path = path
        kernel = load_kernel(path, binding.Kernel)
        if kernel.digest != ir.digest():
            raise BuildError(f"kernel {path} was generated from another network")
        self.num_threads = int(getattr(settings, "num_threads", 1) or 1)
        seed = settings.seed
        if seed is None:
            seed = int.from_bytes(os.urandom(8), "little") >> 1
        self.seed = int(seed) % (2 ** 64)
        self._start(kernel, self.num_threads, self.seed)
        self._dirty = self.arrays[self.layout["ctl:dirty"].index]
        self._log(f"openmp backend ready in {self.build_time:.2f} s ({'built' if self.built else 'cached'} kernel, "
                  f"{self.num_threads} thread(s))")

    def _written(self, s):
        if s.kind == "proj":
            self._dirty[s.owner] = 1.0
