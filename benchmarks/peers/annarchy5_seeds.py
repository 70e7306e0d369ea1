"""Measure the ANNarchy 5 seed networks (tests/scripts/ann5/*.py) on real ANNarchy 5.

Each script is written for ANNarchy 5 (``import ANNarchy as ann``) and ends with a ``RESULT`` dict of
statistics (firing rates, learned weights).  This runner executes each one, unchanged, in a fresh
temporary directory (ANNarchy compiles there) and prints one JSON line per script.  The numbers are the
references written into tests/engine/test_annarchy5_seeds.py.  Run it with the Python of the venv that has
ANNarchy 5.0.4.1 (benchmarks/peers/setup.sh), with that venv's bin directory on PATH:

    PATH=benchmarks/peers/.venvs/annarchy/bin:$PATH benchmarks/peers/.venvs/annarchy/bin/python \
        benchmarks/peers/annarchy5_seeds.py [name ...]

``--annstudio`` runs the same scripts on annstudio instead (import line changed, ``--paradigm``).
``--seeds 1,2,3`` reruns each script with ``seed=42`` of its Network (and of its NumPy generator) replaced
by each seed and prints the mean of every statistic: spiking networks draw noise and connectivity from the
simulator's generator, so one seed is one realization; compare means over seeds for systematic differences.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[2] / "tests" / "scripts" / "ann5"
ANNSTUDIO_IMPORT = "import annstudio.engine as ann"

CHILD = """
import json, sys
src = open(sys.argv[1]).read()
if sys.argv[2] != "annarchy":
    import annstudio.engine as ann
    ann.setup(paradigm=sys.argv[2])
    src = src.replace("import ANNarchy as ann", %r)
ns = {}
exec(compile(src, sys.argv[1], "exec"), ns)
print("RESULT " + json.dumps(ns["RESULT"]))
""" % ANNSTUDIO_IMPORT


def run(script, target, seed=None):
    with tempfile.TemporaryDirectory() as tmp:
        if seed is not None:
            text = script.read_text().replace("seed=42", f"seed={int(seed)}").replace("default_rng(42)",
                                                                                  f"default_rng({int(seed)})")
            script = Path(tmp) / script.name
            script.write_text(text)
        out = subprocess.run([sys.executable, "-c", CHILD, str(script), target], cwd=tmp, capture_output=True,
                             text=True, env=dict(os.environ, PYTHONPATH=str(SCRIPTS.parents[2])))
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")]
    if out.returncode != 0 or not lines:
        return {"error": (out.stderr or out.stdout).strip().splitlines()[-5:]}
    return json.loads(lines[-1][len("RESULT "):])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("names", nargs="*", help="script names without .py (default: all)")
    ap.add_argument("--annstudio", action="store_true", help="run on annstudio instead of ANNarchy")
    ap.add_argument("--paradigm", default="numpy", help="annstudio backend (numpy, openmp)")
    ap.add_argument("--seeds", default=None, help="comma-separated seeds replacing 42: mean over them")
    args = ap.parse_args()
    names = args.names or sorted(p.stem for p in SCRIPTS.glob("*.py"))
    target = args.paradigm if args.annstudio else "annarchy"
    for name in names:
        if not args.seeds:
            print(json.dumps({"script": name, "on": target, "result": run(SCRIPTS / f"{name}.py", target)}),
                  flush=True)
            continue
        runs = [run(SCRIPTS / f"{name}.py", target, int(s)) for s in args.seeds.split(",")]
        good = [r for r in runs if "error" not in r]
        mean = {k: sum(r[k] for r in good) / len(good) for k in (good[0] if good else {})}
        print(json.dumps({"script": name, "on": target, "seeds": args.seeds, "mean": mean, "runs": runs}),
              flush=True)


if __name__ == "__main__":
    main()
