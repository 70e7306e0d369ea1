"""The one build cache of the compiled backends (C++/OpenMP kernels and runtime, the Cython binding, CUDA).

``<root>/<kind>/<key>/`` where ``root`` is ``$ANNSTUDIO_CACHE`` or
``platformdirs.user_cache_dir("annstudio")`` and ``key`` hashes whatever shapes
the binary (the value-free IR digest, compiler, its version, flags, annstudio version): values never
enter a key, so changing one never rebuilds.  A build
runs under a file lock; the product is written to a temporary name and renamed,
so readers never see a half-written library and concurrent builders of the same
key wait for one another instead of corrupting the entry.
"""
import hashlib
import os
import time

import filelock
import platformdirs

from annstudio import __version__


def cache_root():
    root = os.environ.get("ANNSTUDIO_CACHE") or platformdirs.user_cache_dir("annstudio")
    os.makedirs(root, exist_ok=True)
    return root


def cache_key(*parts):
    h = hashlib.sha256()
    for p in (__version__,) + parts:
        h.update(repr(p).encode())
        h.update(b"\0")
    return h.hexdigest()[:24]


def build_cached(kind, key, product, build, log=None):
    """Path of ``product`` inside the entry ``kind/key``, building it with ``build(directory, tmp_path)``
    unless present.  Returns ``(path, built, seconds)``."""
    t0 = time.perf_counter()
    directory = os.path.join(cache_root(), kind, key)
    path = os.path.join(directory, product)
    if os.path.exists(path):
        return path, False, time.perf_counter() - t0
    os.makedirs(directory, exist_ok=True)
    with filelock.FileLock(directory + ".lock", timeout=600):
        if os.path.exists(path):          # another process built it while we waited
            return path, False, time.perf_counter() - t0
        tmp = os.path.join(directory, f".{product}.{os.getpid()}.tmp")
        try:
            build(directory, tmp)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    if log is not None:
        log(f"built {kind}/{key}/{product} in {time.perf_counter() - t0:.2f} s")
    return path, True, time.perf_counter() - t0
