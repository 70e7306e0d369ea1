"""Run ANNarchy's documentation notebooks on real ANNarchy and on annstudio (issue 16, "Done means").

The notebooks (GPL, repository ANNarchy/ANNarchy.github.io: ``notebooks/`` for the 5.x API, ``notebooks/v4/``
for the 4.x API) are read at run time from ``--source`` (a checkout, or a bare git directory: its HEAD is
read with ``git show``) and never copied into this repository.  Each notebook's code cells become one script
(IPython magics and shell lines dropped, matplotlib on the Agg backend); the annstudio version only has its
import lines changed (``ANNarchy`` -> ``annstudio.engine``).  Every script runs in its own scratch folder (with
the files beside the notebook that its code names, such as an image) with a time limit; the table of
outcomes (ran to the end or the last error line) replaces the notebooks section of
docs/annarchy-compatibility.md with ``--write``.

    .venv/bin/python tools/run_annarchy_notebooks.py --source <ANNarchy.github.io> \\
        --annarchy5 <venv5>/bin/python --annarchy48 <venv48>/bin/python [--only COBA STP] [--write]

Statistics: a prologue (``PROBE``, tools/notebook_probe.py, the same text for both simulators) wraps
``Monitor.get`` and registers every ``Population`` and ``Projection`` made; each value a monitor returns is
reduced to numbers (a spike dictionary to its spike count, an array to its mean and standard deviation), and at
exit every projection's mean ``w`` and every population's mean ``r`` (where it has one) are added.  The two runs'
numbers are compared key by key (monitored object's name, variable, call count): two means match when they differ
by at most ``--tolerance`` (5 %) of max(|mean|, std), two spike counts within 5 % of the larger.  Random networks
draw different numbers in the two simulators, so only their statistics can agree, and one realization of a network
can differ from another by more than 5 %: when a statistic differs, annstudio runs the script again (``--repeats``
runs in all) and, if some statistic still differs, so does real ANNarchy (``--peer-repeats``, kept in the cache);
a script whose first run on a side took longer than ``--repeat-limit`` is not repeated there.  A statistic that
differs between the first runs agrees "within the spread" when the means over the runs of each side agree (same
tolerance), or their difference is not significant by Student's two-sample t-test (the realizations' pooled
standard deviation), a notebook's statistics judged together at 5 % (Holm-Bonferroni: with 27 statistics, 5 % each
would report one or two as differing by chance alone); a deterministic difference never passes that way.

What the figures show: the probe also records every line a notebook plots (``Axes.plot``, so ``plt.plot`` too)
as the means of ``PLOT_BLOCKS`` consecutive blocks of its points (a learning curve over trials in a handful of
blocks), and each population's / projection's mean and spread of ``r`` / ``w`` at exit.  These extra statistics
are judged only for the notebooks named in ``JUDGE``, which are judged on the statistics it names instead of the
default set: notebooks whose monitors return single realizations of a chaotic or noisy network, trial by trial,
that cannot agree one by one, while the averages their figures plot can (Miconi: its learning curve and its
learned recurrent weights, not its 40 000 per-trial recordings).
"""
import argparse
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy.stats import ttest_ind

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from notebook_probe import PROBE  # noqa: E402  (a sibling file of this script)

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "annarchy-compatibility.md"
BEGIN, END = "<!-- notebooks table: begin (tools/run_annarchy_notebooks.py) -->", "<!-- notebooks table: end -->"
NEEDS = {   # what a notebook needs that this machine cannot have
    "ANN2SNN": "a deep-learning framework (tensorflow) to train the network",
    "ANN2SNN2": "a deep-learning framework (tensorflow) to train the network",
}
# What some notebooks import beyond ANNarchy, installed in each interpreter for them (none is a dependency of
# annstudio's core): the module's import name as the notebook writes it, and the table's note.
OPTIONAL = {"tqdm": "pip install tqdm",
            "sklearn": "pip install scikit-learn",
            "hyperopt": "pip install hyperopt",
            "ANNarchy.extensions.tensorboard": "needs tensorboardX: pip install tensorboardX; annstudio's extra "
                                               "'tensorboard'",
            "IPython": "its animation needs IPython and ffmpeg: pip install ipython imageio-ffmpeg"}
# Matplotlib finds ffmpeg (animations saved as video) in imageio-ffmpeg's wheel where it is installed; the same
# lines run first in both versions of a script.
FFMPEG = ["try:", "    import imageio_ffmpeg as _nb_ff", "    matplotlib.rcParams['animation.ffmpeg_path'] = "
          "_nb_ff.get_ffmpeg_exe()", "except ImportError:", "    pass"]
PLOT_BLOCKS = 5     # a plotted line is recorded as the means of this many consecutive blocks of its points
# Statistics the probe records beyond the default set (plotted lines; a population's / projection's spread of
# values at exit): judged only for the notebooks of ``JUDGE``.
EXTRA = re.compile(r"^plot\d+\.|\.(mean|sd)@exit$")
# Notebooks judged on named statistics instead of the default set: (regular expressions on the statistics'
# keys, see ``PROBE``; the table's note; how many runs a side judging them may take, made whatever
# --repeat-limit says: when the first runs differ, all of annstudio's, real ANNarchy's while the statistics
# still differ).  Those whose monitors record single realizations that
# cannot agree one by one, and whose figures show averages that can.
JUDGE = {
    "Miconi": ([r"^plot2\.", r"^proj1\.w\.(mean|sd)@exit$"],
               "judged on the learning curve (figure 2: mean reward per trial type, "
               f"{PLOT_BLOCKS} blocks of trials) and the learned recurrent weights' mean and spread, not on "
               "per-trial recordings of the chaotic network", 3),
    "BayesianOptimization": ([r"^pop0#(1|2|103)\.spike"],
                             "judged on the runs with given weights (the first simulation, trial([0.6, 6.7])) and "
                             "with the best weights found (its last get(), 103rd); hyperopt draws the 100 search "
                             "trials' weights at random, differently in every run", 3),
}
_IMPORTS = [(re.compile(r"^(\s*)import ANNarchy as (\w+)", re.M), r"\1import annstudio.engine as \2"),
            (re.compile(r"^(\s*)import ANNarchy\s*$", re.M), r"\1import annstudio.engine as ANNarchy"),
            (re.compile(r"^(\s*)import ANNarchy\.[\w.]+ as (\w+)", re.M), r"\1import annstudio.engine as \2"),
            (re.compile(r"^(\s*)from ANNarchy(\.[\w.]+)? import", re.M), r"\1from annstudio.engine import")]




def _read_bytes(source, rel):
    """File ``rel`` of ``source`` (a checkout, or a bare git directory's HEAD)."""
    src = pathlib.Path(source)
    if (src / rel).exists():
        return (src / rel).read_bytes()
    return subprocess.run(["git", "--git-dir", str(src), "show", f"HEAD:{rel}"], check=True,
                          capture_output=True).stdout


def _read(source, rel):
    return _read_bytes(source, rel).decode()


def _list(source):
    src = pathlib.Path(source)
    if (src / "notebooks").is_dir():
        return sorted(str(p.relative_to(src)) for p in (src / "notebooks").rglob("*.ipynb"))
    out = subprocess.run(["git", "--git-dir", str(src), "ls-tree", "-r", "--name-only", "HEAD", "notebooks"],
                         check=True, capture_output=True, text=True).stdout.split()
    return sorted(p for p in out if p.endswith(".ipynb"))


def data_files(source, rel, script):
    """{name: bytes} of the files beside notebook ``rel`` in ``source`` (not notebooks) that ``script`` names in
    a string, such as the image an ``ImagePopulation`` loads: copied into the script's scratch folder."""
    src, folder = pathlib.Path(source), str(pathlib.PurePosixPath(rel).parent)
    if (src / folder).is_dir():
        names = [p.name for p in (src / folder).iterdir() if p.is_file()]
    else:
        names = [pathlib.PurePosixPath(p).name for p in subprocess.run(
            ["git", "--git-dir", str(src), "ls-tree", "--name-only", "HEAD", folder + "/"], check=True,
            capture_output=True, text=True).stdout.split()]
    return {name: _read_bytes(source, f"{folder}/{name}") for name in names
            if not name.endswith(".ipynb") and re.search(rf"""["']{re.escape(name)}["']""", script)}


def judged(stats, name):
    """The statistics of a run of notebook ``name`` that are compared: those ``JUDGE`` names for it, else the
    default set (all but ``EXTRA``)."""
    if name in JUDGE:
        pats = [re.compile(p) for p in JUDGE[name][0]]
        return {k: v for k, v in stats.items() if any(p.search(k) for p in pats)}
    return {k: v for k, v in stats.items() if not EXTRA.search(k)}


def to_script(notebook_json, annstudio=False, probe=False):
    """The code cells of a notebook as one script (magics dropped, Agg backend, imports changed if asked,
    ``PROBE`` first if asked)."""
    cells = json.loads(notebook_json).get("cells", [])
    lines = ["import matplotlib", "matplotlib.use('Agg')"] + FFMPEG
    if probe:
        lines += PROBE.format(module="annstudio.engine" if annstudio else "ANNarchy",
                              blocks=PLOT_BLOCKS).splitlines()
    for c in cells:
        if c.get("cell_type") != "code":
            continue
        src = "".join(c.get("source", []))
        lines += [ln for ln in src.splitlines() if not ln.lstrip().startswith(("%", "!"))]
    text = "\n".join(lines) + "\n"
    if annstudio:
        for pattern, repl in _IMPORTS:
            text = pattern.sub(repl, text)
    return text


def uses(notebook_json):
    """The table's note on what a notebook imports beyond ANNarchy (installed here, not a dependency of
    annstudio)."""
    code = to_script(notebook_json)
    extra = [m for m in OPTIONAL if re.search(rf"^\s*(import|from) {re.escape(m)}\b", code, re.M)]
    return "; ".join(f"uses {m} ({OPTIONAL[m]})" for m in extra)


def run_script(python, text, timeout, env_path=None, files=None):
    """(ok, seconds, last error line, statistics) of ``text`` run by ``python`` in a scratch folder (holding
    ``files``, {name: bytes}, too)."""
    with tempfile.TemporaryDirectory() as d:
        for name, data in (files or {}).items():
            (pathlib.Path(d) / name).write_bytes(data)
        path = pathlib.Path(d) / "nb.py"
        path.write_text(text)
        stats_path = pathlib.Path(d) / "stats.json"
        env = dict(os.environ, MPLBACKEND="Agg", NB_STATS=str(stats_path))
        if env_path:
            env["PATH"] = f"{env_path}{os.pathsep}{env['PATH']}"
        t0 = time.perf_counter()
        try:
            p = subprocess.run([python, str(path)], cwd=d, capture_output=True, text=True, timeout=timeout, env=env)
        except subprocess.TimeoutExpired:
            return False, time.perf_counter() - t0, f"timeout after {timeout} s", {}
        err = [ln for ln in (p.stderr or "").splitlines() if ln.strip() and "Warning" not in ln]
        stats = json.loads(stats_path.read_text()) if stats_path.exists() else {}
        return (p.returncode == 0, time.perf_counter() - t0, (clean(err[-1])[:160] if err and p.returncode else ""),
                stats)


def _agree(a, b, tolerance):
    """(reference value, our value, whether they agree) of one statistic."""
    if "count" in a:
        x, y = a["count"], b.get("count", 0)
        return x, y, abs(x - y) <= tolerance * max(x, y)
    x, y = a["mean"], b.get("mean", float("nan"))
    return x, y, abs(x - y) <= tolerance * max(abs(x), abs(y), a.get("std", 0.0), b.get("std", 0.0))


def _value(stat):
    return stat["count"] if "count" in stat else stat["mean"]


def spread_p(ref_runs, my_runs, tolerance=0.05):
    """How likely one statistic's values over several runs on each side (lists of statistic dicts, other
    realizations of the same random network) are to come from one distribution: 1 when their means agree
    within ``tolerance`` (as ``_agree``), else the p-value of Student's two-sample t-test (pooled standard
    deviation of the runs; 0 without two runs on each side, or when every run on each side gives one value)."""
    a = np.array([float(_value(r)) for r in ref_runs])
    b = np.array([float(_value(r)) for r in my_runs])
    if not a.size or not b.size:
        return 0.0
    ma, mb = a.mean(), b.mean()
    if "count" in ref_runs[0]:
        ok = abs(ma - mb) <= tolerance * max(abs(ma), abs(mb))
    else:
        std = max([r.get("std", 0.0) for r in ref_runs] + [r.get("std", 0.0) for r in my_runs])
        ok = abs(ma - mb) <= tolerance * max(abs(ma), abs(mb), std)
    if ok:
        return 1.0
    if min(a.size, b.size) < 2 or (np.ptp(a) == 0 and np.ptp(b) == 0):   # no spread to judge by
        return 0.0
    return float(ttest_ind(a, b).pvalue)


def spread_agree(ref_runs, my_runs, tolerance=0.05, alpha=0.05):
    """Whether one statistic agrees over several runs on each side: ``spread_p`` above ``alpha``."""
    return spread_p(ref_runs, my_runs, tolerance) > alpha


def holm_differ(pvalues, family, alpha=0.05):
    """The keys of ``pvalues`` that differ when ``family`` statistics are judged together at ``alpha``
    (Holm-Bonferroni: the smallest p-value against alpha / family, the next against alpha / (family - 1), ...,
    up to the first that passes; the statistics not in ``pvalues`` agreed outright and count in the family)."""
    differ = []
    for i, (key, p) in enumerate(sorted(pvalues.items(), key=lambda kv: kv[1])):
        if p > alpha / (family - i):
            break
        differ.append(key)
    return differ


def compare(ref, mine, tolerance=0.05):
    """(number of statistics compared, list of 'key a vs b' that differ) between two runs' statistics."""
    keys = sorted(set(ref) & set(mine))
    bad = []
    for k in keys:
        x, y, ok = _agree(ref[k], mine[k], tolerance)
        if not ok:
            bad.append(f"{k} {x:.4g} vs {y:.4g}")
    return len(keys), bad


def verdict(ref, mine, tolerance=0.05, others=(), ref_others=()):
    """The statistics column of the table.  ``others`` / ``ref_others``: the statistics of further runs of the
    same script on annstudio / real ANNarchy (other realizations of a random network): a statistic that
    differs between the first runs but agrees over all runs (``spread_p``, the notebook's statistics judged
    together by ``holm_differ``) is counted apart, as agreeing within the spread of realizations."""
    n, bad = compare(ref, mine, tolerance)
    if not n:
        return "nothing to compare"

    def runs(key, first, more):
        return [first[key]] + [o[key] for o in more if key in o]
    spread = []
    if others or ref_others:
        p = {b: spread_p(runs(b.split()[0], ref, ref_others), runs(b.split()[0], mine, others), tolerance)
             for b in bad}
        still = holm_differ(p, n)
        spread = [b for b in bad if b not in still]
    bad = [b for b in bad if b not in spread]
    where = (f"{1 + len(ref_others)} ANNarchy and {1 + len(others)} annstudio runs" if ref_others
             else f"{1 + len(others)} annstudio runs")
    within = f"{len(spread)} within the spread of {where}" if spread else ""
    if not bad:
        return f"match ({n} of {n}{'; ' + within if spread else ''})"
    return (f"{n - len(bad)} of {n} match{' (' + within + ')' if spread else ''}; differ: "
            + "; ".join(bad[:3]) + (" ..." if len(bad) > 3 else ""))


def clean(line):
    """An error line without file-system paths (they name this machine, not the problem)."""
    return re.sub(r"\s*\(?(?<![\w.])(/[^\s/)]+){2,}/?\)?", "", line).strip()


def _table(rows):
    table = ["| notebook | API | real ANNarchy | annstudio | statistics | note |", "|---|---|---|---|---|---|"]
    table += ["| " + " | ".join(str(c).replace("|", "/") for c in r) + " |" for r in rows]
    return "\n".join(table)


def _write(rows):
    """Replace the notebooks section of docs/annarchy-compatibility.md (after each notebook: a long run that
    is stopped keeps what it measured)."""
    text = DOC.read_text()
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    DOC.write_text(f"{head}{BEGIN}\n{_table(rows)}\n{END}{tail}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", required=True)
    ap.add_argument("--annarchy5")
    ap.add_argument("--annarchy48")
    ap.add_argument("--annstudio", default=sys.executable)
    ap.add_argument("--skip-annstudio", action="store_true", help="only run real ANNarchy (fills --cache)")
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--api", choices=("4.x", "5.x"), help="only the notebooks of this API")
    ap.add_argument("--timeout", type=float, default=600.0)
    ap.add_argument("--tolerance", type=float, default=0.05)
    ap.add_argument("--repeats", type=int, default=5,
                    help="annstudio runs of a script whose statistics differ (other realizations of its random "
                         "network; the real ANNarchy run is one realization)")
    ap.add_argument("--peer-repeats", type=int, default=3,
                    help="real-ANNarchy runs of a script whose statistics still differ after --repeats (kept in "
                         "--cache)")
    ap.add_argument("--repeat-limit", type=float, default=300.0,
                    help="no further runs of a script on a side whose first run there took longer (seconds)")
    ap.add_argument("--jobs", type=int, default=1,
                    help="annstudio's further runs of a script side by side (each is one process)")
    ap.add_argument("--cache", help="a folder keeping each real-ANNarchy run's outcome and statistics (JSON): "
                                    "a later call reuses them and runs only annstudio again")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args(argv)
    rows = []
    for rel in _list(args.source):
        name = pathlib.Path(rel).stem
        if args.only and name not in args.only:
            continue
        api = "4.x" if "/v4/" in rel else "5.x"
        if args.api and api != args.api:
            continue
        if name in NEEDS:
            rows.append((rel, api, "-", "-", "-", f"not run: needs {NEEDS[name]}"))
            continue
        try:
            nb = _read(args.source, rel)
        except (OSError, subprocess.CalledProcessError):
            rows.append((rel, api, "-", "-", "-", "not readable from the given source"))
            continue
        files = data_files(args.source, rel, to_script(nb))
        peer = args.annarchy48 if api == "4.x" else args.annarchy5
        peer_label = "4.8.2.6" if api == "4.x" else "5.0.4.1"
        ok, ref_stats, ref_more = False, {}, []
        note = "; ".join(x for x in (uses(nb), JUDGE.get(name, ((), "", 0))[1]) if x)
        need = JUDGE.get(name, ((), "", 0))[2]   # runs a side that judging this notebook needs
        cached = pathlib.Path(args.cache) / f"{peer_label}-{rel.replace('/', '_')}.json" if args.cache else None
        if cached is not None and cached.exists():
            ok, sec, err, ref_stats, *more = json.loads(cached.read_text())
            ref_more = more[0] if more else []
            ref = f"{peer_label}: {'runs' if ok else 'fails'} ({sec:.0f} s){' ' + err if err else ''}"
        elif peer:
            ok, sec, err, ref_stats = run_script(peer, to_script(nb, probe=True), args.timeout,
                                                 str(pathlib.Path(peer).parent), files)
            ref = f"{peer_label}: {'runs' if ok else 'fails'} ({sec:.0f} s){' ' + err if err else ''}"
            if cached is not None and not err.startswith("timeout"):   # a timeout depends on the machine's load
                cached.parent.mkdir(parents=True, exist_ok=True)
                cached.write_text(json.dumps([ok, sec, err, ref_stats]))
        else:
            ref = "not run"
        if args.skip_annstudio:
            rows.append((rel, api, ref, "not run", "-", note))
            print(rows[-1], flush=True)
            continue
        ok2, sec2, err2, stats = run_script(args.annstudio, to_script(nb, annstudio=True, probe=True), args.timeout,
                                            files=files)
        mine = f"{'runs' if ok2 else 'fails'} ({sec2:.0f} s){' ' + err2 if err2 else ''}"
        others = []

        def judge(*runs):   # the statistics compared for this notebook (the cache keeps them all)
            return [judged(r, name) if isinstance(r, dict) else [judged(o, name) for o in r] for r in runs]
        differ = compare(*judge(ref_stats, stats), args.tolerance)[1] if ok and ok2 else []
        if differ:
            count = max(args.repeats if sec2 <= args.repeat_limit else 1, need) - 1     # other realizations
            script = to_script(nb, annstudio=True, probe=True)
            with ThreadPoolExecutor(max(1, args.jobs)) as pool:      # (--jobs of them side by side)
                for ok3, _, _, more in pool.map(
                        lambda _: run_script(args.annstudio, script, args.timeout, files=files), range(count)):
                    if ok3:
                        others.append(more)
            while (peer and len(ref_more) < max(args.peer_repeats, need) - 1
                   and (sec <= args.repeat_limit or len(ref_more) < need - 1)
                   and "; differ:" in verdict(*judge(ref_stats, stats), args.tolerance, *judge(others, ref_more))):
                ok4, _, err4, more = run_script(peer, to_script(nb, probe=True), args.timeout,
                                                str(pathlib.Path(peer).parent), files)
                if not ok4:
                    break
                ref_more.append(more)
                if cached is not None:
                    cached.write_text(json.dumps([ok, sec, err, ref_stats, ref_more]))
        same = verdict(*judge(ref_stats, stats), args.tolerance, *judge(others, ref_more)) if ok and ok2 else "-"
        for b in differ if others else ():
            key = b.split()[0]       # the runs behind a statistic judged by its spread (printed, not tabled)
            print(f"  {rel} {key}: ANNarchy", [round(_value(r[key]), 4) for r in [ref_stats] + ref_more if key in r],
                  "annstudio", [round(_value(r[key]), 4) for r in [stats] + others if key in r], flush=True)
        rows.append((rel, api, ref, mine, same, note))
        print(rows[-1], flush=True)
        if args.write:
            _write(rows)
    if args.write:
        _write(rows)
    print(_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
