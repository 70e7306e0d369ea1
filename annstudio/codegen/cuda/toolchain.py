"""What the CUDA backend needs from the machine: nvcc, an NVIDIA GPU, its architecture.

``availability()`` (the registry's hook) names the first missing piece: nvcc,
then a GPU.  The probes are cheap and cached per process (``lru_cache``); a GPU
is looked for with ``nvidia-smi -L`` and, without nvidia-smi, ``/dev/nvidia0``.
"""
import functools
import os
import re
import shutil
import subprocess

NVCC_ENV = "ANNSTUDIO_NVCC"      # explicit nvcc path
ARCH_ENV = "ANNSTUDIO_CUDA_ARCH"  # e.g. "sm_90"; default: detected, else sm_80
DEFAULT_ARCH = "sm_80"


@functools.lru_cache(maxsize=None)
def find_nvcc():
    explicit = os.environ.get(NVCC_ENV)
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    for cand in (shutil.which("nvcc"), "/usr/local/cuda/bin/nvcc", "/usr/local/bin/nvcc"):
        if cand and os.access(cand, os.X_OK):
            return cand
    return None


@functools.lru_cache(maxsize=None)
def nvcc_version():
    nvcc = find_nvcc()
    if nvcc is None:
        return None
    try:
        out = subprocess.run([nvcc, "--version"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r"release ([0-9.]+), (V[0-9.]+)", out)
    return m.group(2) if m else out.strip().splitlines()[-1] if out.strip() else "unknown"


@functools.lru_cache(maxsize=None)
def gpu_probe():
    """``(gpus, detail)``: the GPUs nvidia-smi lists (name, compute capability) and how we looked."""
    smi = shutil.which("nvidia-smi")
    if smi:
        try:
            res = subprocess.run([smi, "--query-gpu=name,compute_cap", "--format=csv,noheader"],
                                 capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.SubprocessError) as exc:
            return (), f"nvidia-smi failed ({exc})"
        gpus = []
        for line in res.stdout.strip().splitlines():
            name, _, cap = line.rpartition(",")
            if name.strip():
                gpus.append((name.strip(), cap.strip()))
        if res.returncode != 0 or not gpus:
            return (), "nvidia-smi reports none"
        return tuple(gpus), "nvidia-smi"
    if os.path.exists("/dev/nvidia0"):
        return (("NVIDIA GPU", ""),), "/dev/nvidia0"
    return (), "no nvidia-smi and no /dev/nvidia0"


def gpu_arch():
    explicit = os.environ.get(ARCH_ENV)
    if explicit:
        return explicit
    gpus, _ = gpu_probe()
    if gpus and re.fullmatch(r"\d+\.\d+", gpus[0][1] or ""):
        return "sm_" + gpus[0][1].replace(".", "")
    return DEFAULT_ARCH


def missing():
    """None when CUDA networks can be compiled and run here, else what is missing (one line)."""
    if find_nvcc() is None:
        return ("nvcc (the CUDA compiler) was not found on PATH, in /usr/local/cuda/bin or in $ANNSTUDIO_NVCC; "
                "install the CUDA toolkit or use paradigm='openmp'")
    gpus, detail = gpu_probe()
    if not gpus:
        return f"no NVIDIA GPU found ({detail}); use paradigm='openmp'"
    return None
