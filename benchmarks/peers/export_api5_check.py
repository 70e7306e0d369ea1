"""Check ``annstudio export --api 5`` against real ANNarchy 5: same statistics as the default export on annstudio.

For each gallery project (``projects/*.json``, or the names given) this exports the ANNarchy-5-style script,
changes its import line to ``import ANNarchy as ann`` and runs it with the Python of the ANNarchy venv
(``--annarchy-python``, default benchmarks/peers/.venvs/annarchy/bin/python; its bin directory is put on
PATH for ANNarchy's compiler); it runs the default (4.x-style) export on annstudio too, then compares the
recordings' statistics: the mean firing rate of every spike monitor and the final mean of every other
recorded variable (and its time average).  Prints one JSON line per project and the largest relative difference.  Not a CI test:
ANNarchy compiles each network (minutes), and the spiking statistics differ by the simulators' random
streams, so read the numbers (within 5 % expected for the spiking rates, closer for deterministic networks).

    .venv/bin/python benchmarks/peers/export_api5_check.py [--duration MS] [stp oja ...]

Known: ``hybrid``'s three DecodingProjections onto one-neuron views of the decoder population give
wrong values on ANNarchy 5.0.4.1 itself (decoded rates near 1e-308 and 0.1 Hz for a 100 Hz input, the
first view right); annstudio decodes all three (about 100 Hz).  Its other statistics agree.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "project"))

from annstudio.project.export import export_script  # noqa: E402
from annstudio.project.validate import load_project  # noqa: E402
from project_helpers import trimmed  # noqa: E402


def statistics(npz, dt):
    out = {}
    with np.load(npz, allow_pickle=True) as data:      # our own temporary files (ANNarchy: nested lists)
        for key in sorted(data.files):
            if key.endswith(".spike.times"):
                times = data[key]
                ranks = data[key.replace(".times", ".ranks")]
                n = max(1, len(np.unique(ranks))) if ranks.size else 1
                span = (times.max() - times.min() + 1) * dt / 1000.0 if times.size else 1.0
                out[key[:-len(".times")] + ".events_per_s"] = float(times.size / span)
                if times.size:                       # the second half: past the initial transient
                    half = times.min() + (times.max() - times.min()) // 2
                    late = np.sum(times > half) / ((times.max() - half) * dt / 1000.0)
                    out[key[:-len(".times")] + ".late_events_per_s"] = float(late)
            elif not key.endswith(".spike.ranks"):
                arr = data[key]
                if arr.size:
                    last = arr[-1]
                    flat = np.concatenate([np.ravel(np.asarray(x, dtype=float)) for x in last]) \
                        if last.dtype == object else np.ravel(np.asarray(last, dtype=float))
                    out[key + ".final_mean"] = float(np.mean(flat))
                    if last.dtype != object:         # the time average: instantaneous values are noisy
                        out[key + ".time_mean"] = float(np.mean(np.asarray(arr, dtype=float)))
                        out[key + ".time_mean_abs"] = float(np.mean(np.abs(np.asarray(arr, dtype=float))))
    return out


def run(python, script, out, env):
    proc = subprocess.run([python, str(script), str(out)], cwd=script.parent, capture_output=True, text=True,
                          env=env)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("names", nargs="*", help="gallery project names (default: all)")
    ap.add_argument("--duration", type=float, default=None, help="cap the protocol (ms)")
    ap.add_argument("--annarchy-python", default=str(ROOT / "benchmarks/peers/.venvs/annarchy/bin/python"))
    args = ap.parse_args()
    names = args.names or sorted(p.stem for p in (ROOT / "projects").glob("*.json"))
    ann_env = dict(os.environ, PATH=str(Path(args.annarchy_python).parent) + os.pathsep + os.environ["PATH"])
    ours_env = dict(os.environ, PYTHONPATH=str(ROOT))
    worst = 0.0
    for name in names:
        doc = load_project(ROOT / "projects" / f"{name}.json").data
        if args.duration:
            doc = trimmed(doc, args.duration, paradigm=doc["settings"].get("paradigm", "openmp"))
        dt = float(doc["settings"].get("dt", 1.0))
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            five = export_script(doc, api=5, plot=False, paradigm="openmp")
            (tmp / "api5.py").write_text(five.replace("import annstudio.engine as ann", "import ANNarchy as ann", 1))
            (tmp / "api4.py").write_text(export_script(doc, plot=False, paradigm="numpy"))
            try:
                run(args.annarchy_python, tmp / "api5.py", tmp / "annarchy.npz", ann_env)
                run(sys.executable, tmp / "api4.py", tmp / "annstudio.npz", ours_env)
            except RuntimeError as e:
                print(json.dumps({"project": name, "error": str(e).splitlines()[-3:]}), flush=True)
                continue
            theirs, ours = statistics(tmp / "annarchy.npz", dt), statistics(tmp / "annstudio.npz", dt)
        diffs = {k: abs(ours[k] - theirs[k]) / max(abs(theirs[k]), 1e-12) for k in theirs if k in ours}
        worst = max([worst] + list(diffs.values()))
        print(json.dumps({"project": name, "annarchy5": theirs, "annstudio": ours, "rel_diff": diffs}), flush=True)
    print(json.dumps({"largest_rel_diff": worst}))


if __name__ == "__main__":
    main()
