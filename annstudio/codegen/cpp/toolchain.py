"""The C++ toolchain: compiler discovery, flags, and the command that builds a kernel.

``CXX`` overrides the compiler, ``ANNSTUDIO_CXXFLAGS`` replaces the optimisation
flags.  ``-ffp-contract=off`` keeps every multiply and add separately rounded,
as in the NumPy reference.  ``-fno-trapping-math`` (no FP trap is ever enabled, so no result changes) lets
the compiler evaluate both sides of a select: neuron loops with conditions and random draws vectorise.
"""
import functools
import os
import shutil
import subprocess

DEFAULT_FLAGS = ("-O3", "-march=native", "-mprefer-vector-width=512", "-ffp-contract=off", "-fno-math-errno",
                 "-fno-trapping-math")
BASE_FLAGS = ("-std=c++17", "-fopenmp", "-shared", "-fPIC", "-w")


def compiler():
    cxx = os.environ.get("CXX") or shutil.which("g++") or shutil.which("c++") or shutil.which("clang++")
    return cxx


def flags():
    env = os.environ.get("ANNSTUDIO_CXXFLAGS")
    return tuple(env.split()) if env else DEFAULT_FLAGS


@functools.lru_cache(maxsize=8)
def compiler_version(cxx):
    try:
        out = subprocess.run([cxx, "--version"], capture_output=True, text=True, timeout=30)
        return out.stdout.splitlines()[0] if out.returncode == 0 and out.stdout else ""
    except (OSError, subprocess.SubprocessError):
        return ""


@functools.lru_cache(maxsize=8)
def _check_openmp(cxx, fl):
    """Compile a one-line OpenMP program once: None if it works, else the reason."""
    import tempfile
    with tempfile.TemporaryDirectory(prefix="annstudio-probe-") as d:
        src = os.path.join(d, "probe.cpp")
        with open(src, "w") as f:
            f.write('#include <omp.h>\nextern "C" int probe(void){ return omp_get_max_threads(); }\n')
        cmd = [cxx, *fl, *BASE_FLAGS, src, "-o", os.path.join(d, "probe.so")]
        try:
            res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.SubprocessError) as exc:
            return f"the C++ compiler {cxx} could not run ({exc})"
        if res.returncode != 0:
            last = (res.stderr.strip().splitlines() or ["unknown error"])[-1]
            return f"{cxx} cannot build OpenMP shared libraries ({last})"
    return None


def availability():
    """None when kernels can be built, else a one-line reason."""
    cxx = compiler()
    if not cxx:
        return "no C++ compiler found (install g++ or set CXX)"
    return _check_openmp(cxx, flags())


def pch_command(header, output):
    """Precompile the runtime header with the kernels' flags: kernels then skip parsing it (~0.7 s)."""
    base = [f for f in BASE_FLAGS if f != "-shared"]
    return [compiler(), *flags(), *base, "-x", "c++-header", header, "-o", output]


def compile_command(source, output, include_dir, runtime_dir=None):
    """Kernels link the shared runtime library (built once) found in ``runtime_dir``; that directory also
    holds a copy of the runtime header and its precompiled form, found first (the compiler silently
    falls back to the plain header if the precompiled one does not fit)."""
    inc = [f"-I{runtime_dir}"] if runtime_dir else []
    cmd = [compiler(), *flags(), *BASE_FLAGS, *inc, f"-I{include_dir}", source, "-o", output]
    if runtime_dir:
        cmd += [f"-L{runtime_dir}", "-lannstudio_rt", f"-Wl,-rpath,{runtime_dir}"]
    return cmd
