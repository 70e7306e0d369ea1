"""Run ANNarchy's documentation notebooks on real ANNarchy and on annstudio (issue 16, "Done means").

The notebooks (GPL, repository ANNarchy/ANNarchy.github.io: ``notebooks/`` for the 5.x API, ``notebooks/v4/``
for the 4.x API) are read at run time from ``--source`` (a checkout, or a bare git directory: its HEAD is
read with ``git show``) and never copied into this repository.  Each notebook's code cells become one script
(IPython magics and shell lines dropped, matplotlib on the Agg backend); the annstudio version only has its
import lines changed (``ANNarchy`` -> ``annstudio.engine``).  Every script runs in its own scratch folder with
a time limit; the table of outcomes (ran to the end or the last error line) replaces the notebooks section of
docs/annarchy-compatibility.md with ``--write``.

    .venv/bin/python tools/run_annarchy_notebooks.py --source <ANNarchy.github.io> \\
        --annarchy5 <venv5>/bin/python --annarchy48 <venv48>/bin/python [--only COBA STP] [--write]

Statistics (rates, weights) are not compared by this runner yet: it reports whether each script runs to the end.
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

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "annarchy-compatibility.md"
BEGIN, END = "<!-- notebooks table: begin (tools/run_annarchy_notebooks.py) -->", "<!-- notebooks table: end -->"
NEEDS = {   # what a notebook needs that this machine cannot have
    "ANN2SNN": "a deep-learning framework (tensorflow) to train the network",
    "ANN2SNN2": "a deep-learning framework (tensorflow) to train the network",
    "BayesianOptimization": "hyperopt (not installed)",
    "PyNN": "PyNN (not installed)",
}
_IMPORTS = [(re.compile(r"^(\s*)import ANNarchy as (\w+)", re.M), r"\1import annstudio.engine as \2"),
            (re.compile(r"^(\s*)import ANNarchy\s*$", re.M), r"\1import annstudio.engine as ANNarchy"),
            (re.compile(r"^(\s*)from ANNarchy(\.[\w.]+)? import", re.M), r"\1from annstudio.engine import")]


def _read(source, rel):
    src = pathlib.Path(source)
    if (src / rel).exists():
        return (src / rel).read_text()
    return subprocess.run(["git", "--git-dir", str(src), "show", f"HEAD:{rel}"], check=True,
                          capture_output=True, text=True).stdout


def _list(source):
    src = pathlib.Path(source)
    if (src / "notebooks").is_dir():
        return sorted(str(p.relative_to(src)) for p in (src / "notebooks").rglob("*.ipynb"))
    out = subprocess.run(["git", "--git-dir", str(src), "ls-tree", "-r", "--name-only", "HEAD", "notebooks"],
                         check=True, capture_output=True, text=True).stdout.split()
    return sorted(p for p in out if p.endswith(".ipynb"))


def to_script(notebook_json, annstudio=False):
    """The code cells of a notebook as one script (magics dropped, Agg backend, imports changed if asked)."""
    cells = json.loads(notebook_json).get("cells", [])
    lines = ["import matplotlib", "matplotlib.use('Agg')"]
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


def run_script(python, text, timeout, env_path=None):
    """(ok, seconds, last error line) of ``text`` run by ``python`` in a scratch folder."""
    with tempfile.TemporaryDirectory() as d:
        path = pathlib.Path(d) / "nb.py"
        path.write_text(text)
        env = dict(os.environ, MPLBACKEND="Agg")
        if env_path:
            env["PATH"] = f"{env_path}{os.pathsep}{env['PATH']}"
        t0 = time.perf_counter()
        try:
            p = subprocess.run([python, str(path)], cwd=d, capture_output=True, text=True, timeout=timeout, env=env)
        except subprocess.TimeoutExpired:
            return False, time.perf_counter() - t0, f"timeout after {timeout} s"
        err = [ln for ln in (p.stderr or "").splitlines() if ln.strip() and "Warning" not in ln]
        return p.returncode == 0, time.perf_counter() - t0, (clean(err[-1])[:160] if err and p.returncode else "")


def clean(line):
    """An error line without file-system paths (they name this machine, not the problem)."""
    return re.sub(r"\s*\(?(?<![\w.])(/[^\s/)]+){2,}/?\)?", "", line).strip()


def _table(rows):
    table = ["| notebook | API | real ANNarchy | annstudio | note |", "|---|---|---|---|---|"]
    table += [f"| {r[0]} | {r[1]} | {r[2].replace('|', '/')} | {r[3].replace('|', '/')} | {r[4]} |" for r in rows]
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
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--api", choices=("4.x", "5.x"), help="only the notebooks of this API")
    ap.add_argument("--timeout", type=float, default=600.0)
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
            rows.append((rel, api, "-", "-", f"not run: needs {NEEDS[name]}"))
            continue
        try:
            nb = _read(args.source, rel)
        except (OSError, subprocess.CalledProcessError):
            rows.append((rel, api, "-", "-", "not readable from the given source"))
            continue
        peer = args.annarchy48 if api == "4.x" else args.annarchy5
        peer_label = "4.8.2.6" if api == "4.x" else "5.0.4.1"
        if peer:
            ok, sec, err = run_script(peer, to_script(nb), args.timeout, str(pathlib.Path(peer).parent))
            ref = f"{peer_label}: {'runs' if ok else 'fails'} ({sec:.0f} s){' ' + err if err else ''}"
        else:
            ref = "not run"
        ok2, sec2, err2 = run_script(args.annstudio, to_script(nb, annstudio=True), args.timeout)
        mine = f"{'runs' if ok2 else 'fails'} ({sec2:.0f} s){' ' + err2 if err2 else ''}"
        rows.append((rel, api, ref, mine, ""))
        print(rows[-1], flush=True)
        if args.write:
            _write(rows)
    if args.write:
        _write(rows)
    print(_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
