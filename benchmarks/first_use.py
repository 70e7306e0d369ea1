"""First use after installation: what a new user waits for before the first network runs.

    python benchmarks/first_use.py             # this environment's python, a fresh build cache
    python benchmarks/first_use.py --install   # + README's install command in a fresh venv on a copy of the tree

Prints the first build (``compile()``) of README's Izhikevich script with an empty ``ANNSTUDIO_CACHE`` (so the
time includes everything not built at install: the kernel, compiled templates, and the binding/runtime library
when the installation could not build them), a second build of the same network in a fresh process, and where
the binding and runtime library came from, and where the first build's process spends its time (imports of the
heavy dependencies, lowering, the compiler probe, template rendering, g++ on the kernel, loading and creating the
kernel).  ``--runtime-cached`` copies the binding and runtime library of the real cache into the fresh one (as an
installation whose install-time builds are current would have them: in a source tree whose runtime changed since
``pip install -e .`` they are otherwise rebuilt by the first build).  ``--install`` also times ``pip install -e .`` in a new venv
(dependencies from the configured index / wheel cache, as a new user gets them).  Timings are provisional on a
shared machine.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CHILD = r"""
import json, subprocess, time
phases = {}
t0 = time.perf_counter()
for mod in ("numpy", "scipy.sparse", "sympy", "jinja2"):       # the heavy dependencies, each on its own
    a = time.perf_counter(); __import__(mod); phases["import " + mod] = time.perf_counter() - a
a = time.perf_counter()
from annstudio.engine import *
from annstudio.codegen.cpp import binding, toolchain
from annstudio.session.context import current_network
phases["import annstudio (rest)"] = time.perf_counter() - a
t1 = time.perf_counter()

def timed(owner, name, label):
    f = getattr(owner, name)
    def wrapper(*args, **kwargs):
        a = time.perf_counter()
        try:
            return f(*args, **kwargs)
        finally:
            phases[label] = phases.get(label, 0.0) + time.perf_counter() - a
    setattr(owner, name, wrapper)

import annstudio.codegen as cg, annstudio.codegen.cpp.backend as be, annstudio.session.simulation as si
import annstudio.codegen.compiled as co
timed(si, "resource_problems", "compile: checks")
timed(si, "name_problems", "compile: checks")
timed(cg, "lower", "compile: lowering (IR and data)")
timed(toolchain, "_check_openmp", "compile: compiler probe (OpenMP)")
timed(be, "load_binding", "compile: binding (installed, else built)")
timed(be, "build_runtime", "compile: runtime library (installed, else built)")
timed(be, "generate", "compile: C++ generation (templates)")
timed(be, "load_kernel", "compile: kernel load")
timed(co.CompiledBackend, "_start", "compile: kernel instance (ann_create, state arrays)")
_run = subprocess.run
def run(cmd, *args, **kwargs):
    a = time.perf_counter()
    try:
        return _run(cmd, *args, **kwargs)
    finally:
        if isinstance(cmd, (list, tuple)) and cmd and cmd[0] == toolchain.compiler() and \
                "kernel.cpp" in " ".join(map(str, cmd)):
            phases["compile: g++ kernel"] = phases.get("compile: g++ kernel", 0.0) + time.perf_counter() - a
subprocess.run = run
setup(dt=1.0, paradigm="openmp", seed=1)
pop = Population(geometry=1000, neuron=Izhikevich)
Exc, Inh = pop[:800], pop[800:]
Exc.noise = 5.0; Inh.noise = 2.0
Projection(Exc, pop, 'exc').connect_all_to_all(weights=Uniform(0.0, 0.5))
Projection(Inh, pop, 'inh').connect_all_to_all(weights=Uniform(0.0, 1.0))
t2 = time.perf_counter()
compile()
t3 = time.perf_counter()
m = Monitor(pop, 'spike')
simulate(1000.0)
t4 = time.perf_counter()
spikes = sum(len(v) for v in m.get('spike').values())
print(json.dumps({"import": t1 - t0, "define": t2 - t1, "compile": t3 - t2, "simulate": t4 - t3, "phases": phases,
                  "kernel_built": bool(current_network()._sim.backend.built),
                  "binding": binding.load_binding().__name__,
                  "runtime_from_install": toolchain.prebuilt_runtime() is not None,
                  "rate_hz": spikes / 1000 / 1.0}))
"""


def first_build(python, cache):
    env = dict(os.environ, ANNSTUDIO_CACHE=cache)
    res = subprocess.run([python, "-c", CHILD], capture_output=True, text=True, env=env, cwd=tempfile.gettempdir())
    if res.returncode != 0:
        raise SystemExit(f"the Izhikevich script failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def copy_tree(dest):
    """The repository's tracked and untracked-but-not-ignored files (what a clone plus local edits holds)."""
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO, capture_output=True,
                         check=True).stdout.decode().split("\0")
    for rel in filter(None, out):
        src = os.path.join(REPO, rel)
        if os.path.isfile(src):
            os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
            shutil.copy2(src, os.path.join(dest, rel))


def fresh_install(work):
    tree = os.path.join(work, "tree")
    copy_tree(tree)
    subprocess.run([sys.executable, "-m", "venv", ".venv"], cwd=tree, check=True)
    t0 = time.perf_counter()
    res = subprocess.run([os.path.join(".venv", "bin", "pip"), "install", "-q", "-e", "."], cwd=tree,
                         capture_output=True, text=True)
    secs = time.perf_counter() - t0
    if res.returncode != 0:
        raise SystemExit(f"pip install -e . failed:\n{res.stderr[-3000:]}")
    return os.path.join(tree, ".venv", "bin", "python"), secs


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--install", action="store_true", help="time README's install command in a fresh venv first")
    ap.add_argument("--python", default=sys.executable, help="interpreter of an installed annstudio")
    ap.add_argument("--runtime-cached", action="store_true",
                    help="start the fresh cache with the real cache's binding and runtime library")
    args = ap.parse_args(argv)
    work = tempfile.mkdtemp(prefix="annstudio-first-use-")
    try:
        python = args.python
        if args.install:
            python, secs = fresh_install(work)
            print(f"pip install -e . (fresh venv): {secs:.1f} s   (target < 90 s)")
        cache = os.path.join(work, "cache")
        if args.runtime_cached:
            real = subprocess.run([python, "-c", "from annstudio.codegen.cache import cache_root; print(cache_root())"],
                                  capture_output=True, text=True, check=True).stdout.strip()
            for once in ("binding", "openmp-runtime"):
                if os.path.isdir(os.path.join(real, once)):
                    shutil.copytree(os.path.join(real, once), os.path.join(cache, once))
        first = first_build(python, cache)
        second = first_build(python, cache)
        print(f"binding: {first['binding']}; runtime library from the installation: {first['runtime_from_install']}")
        print(f"import annstudio.engine: {first['import']:.2f} s")
        print(f"first build of README's Izhikevich script (fresh cache): {first['compile']:.2f} s   (target <= 1.5 s;"
              f" kernel built: {first['kernel_built']})")
        print(f"same network again, new process: {second['compile']:.2f} s   (kernel built: {second['kernel_built']})")
        print(f"simulate 1 s: {first['simulate']:.2f} s, {first['rate_hz']:.1f} Hz per neuron")
        print("where the first build's process spends its time (s):")
        for name, secs in first["phases"].items():
            print(f"  {name}: {secs:.3f}")
        known = sum(v for k, v in first["phases"].items() if k.startswith("compile:"))
        print(f"  compile: the rest (cache look-ups, layout, backend set-up): {first['compile'] - known:.3f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
