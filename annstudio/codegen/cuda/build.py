"""Building a network's CUDA library: nvcc for a GPU, g++ against ``emulation.h`` for the CPU.

Builds go through the one build cache (``annstudio.codegen.cache``):
the entry ``cuda/<key>`` (or ``cuda-emu/<key>``) hashes the value-free IR digest (the same one the
C++ backend keys on: changing a value never rebuilds), the GPU
architecture, the compiler and its version, the flags and the CUDA backend's own
template/header files, under a file lock with an atomic rename.

``compile_check(ir)`` only runs ``nvcc -c`` (no GPU needed): the tests use it to
prove every test network's generated CUDA compiles.
"""
import functools
import hashlib
import os
import shutil
import subprocess
import time
from pathlib import Path

from annstudio.codegen.cache import build_cached, cache_key
from annstudio.core.errors import BuildError

from . import toolchain
from .generator import generate

HERE = Path(__file__).parent
RUNTIME = HERE / "runtime"
HEADERS = ("runtime.cuh", "emulation.h")
NVCC_FLAGS = ("-std=c++17", "-O3", "--shared", "-Xcompiler", "-fPIC", "-lineinfo")
EMU_FLAGS = ("-std=c++17", "-O2", "-shared", "-fPIC", "-DANN_EMULATION", "-x", "c++")


@functools.lru_cache(maxsize=None)
def backend_source_hash():
    """Hash of what shapes generated code besides the IR (templates, headers, generator, printer)."""
    h = hashlib.sha256()
    files = sorted((HERE / "templates").glob("*.j2")) + [RUNTIME / n for n in HEADERS] + \
        [HERE / "generator.py", HERE / "printer.py", HERE.parent / "cpp" / "printer.py"] + \
        [HERE.parent / n for n in ("layout.py", "printing.py", "draws.py", "plan.py") if (HERE.parent / n).exists()]
    for f in files:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()


@functools.lru_cache(maxsize=None)
def gxx_version(cxx):
    try:
        return subprocess.run([cxx, "--version"], capture_output=True, text=True, timeout=60).stdout.splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "unknown"


def _write_sources(directory, source):
    for name in HEADERS:
        shutil.copyfile(RUNTIME / name, os.path.join(directory, name))
    cu = os.path.join(directory, "network.cu")
    with open(cu, "w") as f:
        f.write(source)
    return cu


def _run(cmd, what, cwd):
    res = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd)
    if res.returncode != 0:
        log = (res.stdout + res.stderr)[-8000:]
        raise BuildError(f"{what} failed (exit {res.returncode}): {' '.join(cmd)}", where="CUDA backend", log=log)
    return res.stdout + res.stderr


def build_library(ir, emulate=False, log=None):
    """(path, built?, seconds) of the shared library for ``ir``; ``emulate``: a CPU build (g++,
    ``-DANN_EMULATION``).  The source is generated only when the library is not cached."""
    if emulate:
        cxx = os.environ.get("CXX") or "g++"
        key = cache_key("cuda-emu", ir.digest(), backend_source_hash(), cxx, gxx_version(cxx), EMU_FLAGS)

        def build(directory, tmp):
            cu = _write_sources(directory, generate(ir))
            _run([cxx, *EMU_FLAGS, cu, "-o", tmp], "g++ (CUDA emulation build)", directory)
        path, built, secs = build_cached("cuda-emu", key, "kernel.so", build, log=log)
    else:
        nvcc = toolchain.find_nvcc()
        if nvcc is None:
            raise BuildError(toolchain.missing() or "nvcc not found", where="CUDA backend")
        arch = toolchain.gpu_arch()
        key = cache_key("cuda", ir.digest(), backend_source_hash(), nvcc, toolchain.nvcc_version(), arch, NVCC_FLAGS)

        def build(directory, tmp):
            cu = _write_sources(directory, generate(ir))
            _run([nvcc, f"-arch={arch}", *NVCC_FLAGS, cu, "-o", tmp], "nvcc", directory)
        path, built, secs = build_cached("cuda", key, "kernel.so", build, log=log)
    return path, built, secs


def compile_check(ir, arch=None, workdir=None):
    """``nvcc -c`` the generated source of ``ir`` (device and host code); returns seconds taken.

    Cached like a build: a hit costs nothing.  Raises BuildError with nvcc's log on failure."""
    nvcc = toolchain.find_nvcc()
    if nvcc is None:
        raise BuildError(toolchain.missing(), where="CUDA backend")
    arch = arch or os.environ.get(toolchain.ARCH_ENV) or toolchain.DEFAULT_ARCH
    source = generate(ir)
    flags = ("-std=c++17", "-O3", "-c", "-Xcompiler", "-fPIC")
    key = cache_key("cuda-obj", hashlib.sha256(source.encode()).hexdigest(), backend_source_hash(), nvcc,
                    toolchain.nvcc_version(), arch, flags)
    t0 = time.perf_counter()

    def build(directory, tmp):
        cu = _write_sources(directory, source)
        _run([nvcc, f"-arch={arch}", *flags, cu, "-o", tmp], "nvcc -c", directory)
    build_cached("cuda-obj", key, "network.o", build)
    return time.perf_counter() - t0
