"""The C++ toolchain: compiler discovery, flags, the commands that build a kernel and the runtime library.

Self-contained (standard library only): ``setup.py`` loads this file by path to build the runtime library at
install time (``prebuild_runtime``); ``backend.py`` uses that install-time copy when its stamp matches, else
builds one into the cache.

``CXX`` overrides the compiler, ``ANNSTUDIO_CXXFLAGS`` replaces the optimisation
flags.  ``-ffp-contract=off`` keeps every multiply and add separately rounded,
as in the NumPy reference.  ``-fno-trapping-math`` (no FP trap is ever enabled, so no result changes) lets
the compiler evaluate both sides of a select: neuron loops with conditions and random draws vectorise.
"""
import functools
import hashlib
import os
import shutil
import subprocess

DEFAULT_FLAGS = ("-O3", "-march=native", "-mprefer-vector-width=512", "-ffp-contract=off", "-fno-math-errno",
                 "-fno-trapping-math")
BASE_FLAGS = ("-std=c++17", "-fopenmp", "-shared", "-fPIC", "-w")
RUNTIME_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "runtime")
PREBUILT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_prebuilt")
RUNTIME_LIB = "libannstudio_rt.so"
_STAMP = "stamp.txt"


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


def _probe_record(cxx, fl):
    """The file whose presence says that ``cxx`` with flags ``fl`` built an OpenMP library before (in the user's
    build cache: a new process then skips the probe, ~0.1 s of its first build), or None where there is no
    such cache (``platformdirs`` missing, e.g. at install time)."""
    root = os.environ.get("ANNSTUDIO_CACHE")
    if not root:
        try:
            import platformdirs
        except ImportError:
            return None
        root = platformdirs.user_cache_dir("annstudio")
    try:
        mtime = os.stat(os.path.realpath(shutil.which(cxx) or cxx)).st_mtime_ns
    except OSError:
        return None
    key = hashlib.sha256(repr((cxx, mtime, compiler_version(cxx), fl, BASE_FLAGS)).encode()).hexdigest()[:24]
    return os.path.join(root, "toolchain", f"openmp-ok-{key}")


@functools.lru_cache(maxsize=8)
def _check_openmp(cxx, fl):
    """Compile a one-line OpenMP program once: None if it works, else the reason.  Not needed where the
    installation built the runtime library (an OpenMP library) with this compiler and these flags; a success
    is remembered on disk (``_probe_record``); a failure is probed again next time."""
    if cxx == compiler() and fl == flags() and prebuilt_runtime() is not None:
        return None
    record = _probe_record(cxx, fl)
    if record is not None and os.path.exists(record):
        return None
    reason = _probe_openmp(cxx, fl)
    if reason is None and record is not None:
        try:
            os.makedirs(os.path.dirname(record), exist_ok=True)
            with open(record, "w") as f:
                f.write(f"{cxx} {' '.join(fl)}\n")
        except OSError:
            pass
    return reason


def _probe_openmp(cxx, fl):
    import tempfile
    with tempfile.TemporaryDirectory(prefix="annstudio-probe-") as d:
        src = os.path.join(d, "probe.cpp")
        with open(src, "w") as f:
            f.write('#include <omp.h>\nextern "C" int probe(void){ return omp_get_max_threads(); }\n')
        cmd = [cxx, *fl, *BASE_FLAGS, *linker_flags(), src, "-o", os.path.join(d, "probe.so")]
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


@functools.lru_cache(maxsize=1)
def linker_flags():
    """``-fuse-ld=gold`` where binutils' gold linker is installed: it links a kernel in about half the time
    of the default linker (0.05 against 0.11 s, part of every first build); none elsewhere."""
    return ("-fuse-ld=gold",) if shutil.which("ld.gold") else ()


def compile_command(source, output, include_dir, runtime_dir=None):
    """Kernels link the shared runtime library (built once) found in ``runtime_dir``; that directory also
    holds a copy of the runtime header and its precompiled form, found first (the compiler silently
    falls back to the plain header if the precompiled one does not fit)."""
    inc = [f"-I{runtime_dir}"] if runtime_dir else []
    cmd = [compiler(), *flags(), *BASE_FLAGS, *linker_flags(), *inc, f"-I{include_dir}", source, "-o", output]
    if runtime_dir:
        cmd += [f"-L{runtime_dir}", "-lannstudio_rt", f"-Wl,-rpath,{runtime_dir}"]
    return cmd


def runtime_stamp():
    """What shapes the runtime library: compiler, its version, flags and the runtime's sources."""
    cxx = compiler() or ""
    h = hashlib.sha256(repr((cxx, compiler_version(cxx) if cxx else "", flags(), BASE_FLAGS)).encode())
    for name in sorted(os.listdir(RUNTIME_DIR)):
        h.update(name.encode() + b"\0")
        with open(os.path.join(RUNTIME_DIR, name), "rb") as f:
            h.update(f.read())
    return h.hexdigest()


def build_runtime_files(directory, lib_path):
    """Compile the runtime library to ``lib_path``; put the header and its precompiled form in ``directory``
    (the two compiles run side by side).  Returns None, or the compiler's error output when the library
    failed (a failed precompiled header only means kernels parse the plain header)."""
    header = os.path.join(directory, "annstudio_runtime.h")
    shutil.copyfile(os.path.join(RUNTIME_DIR, "annstudio_runtime.h"), header + ".tmp")
    os.replace(header + ".tmp", header)
    gch_tmp = os.path.join(directory, f".annstudio_runtime.h.gch.{os.getpid()}.tmp")
    source = os.path.join(RUNTIME_DIR, "annstudio_runtime.cpp")
    pipe = dict(stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lib = subprocess.Popen(compile_command(source, lib_path, RUNTIME_DIR), **pipe)
    pch = subprocess.Popen(pch_command(header, gch_tmp), **pipe)
    lib_err = lib.communicate()[1]
    pch.communicate()
    if pch.returncode == 0 and lib.returncode == 0:
        os.replace(gch_tmp, header + ".gch")
    elif os.path.exists(gch_tmp):
        os.unlink(gch_tmp)
    if lib.returncode != 0:
        return lib_err[-4000:] or "unknown error"
    return None


def prebuild_runtime(directory=PREBUILT_DIR):
    """Install-time build of the runtime into ``directory`` (run by ``setup.py``).  Returns None or the reason
    it was not built; the stamp is written last, so a half-built directory is never used."""
    reason = availability()
    if reason:
        return reason
    os.makedirs(directory, exist_ok=True)
    stamp = os.path.join(directory, _STAMP)
    if os.path.exists(stamp):
        os.unlink(stamp)
    lib = os.path.join(directory, RUNTIME_LIB)
    error = build_runtime_files(directory, lib + ".tmp")
    if error:
        return f"the C++ compiler failed on the runtime:\n{error}"
    os.replace(lib + ".tmp", lib)
    with open(stamp, "w") as f:
        f.write(runtime_stamp())
    return None


def prebuilt_runtime():
    """The install-time runtime directory when it fits the current compiler, flags and sources, else None."""
    try:
        with open(os.path.join(PREBUILT_DIR, _STAMP)) as f:
            stamp = f.read().strip()
    except OSError:
        return None
    if stamp != runtime_stamp() or not os.path.exists(os.path.join(PREBUILT_DIR, RUNTIME_LIB)):
        return None
    return PREBUILT_DIR
