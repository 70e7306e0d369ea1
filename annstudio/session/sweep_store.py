"""A sweep kept on disk: ``DIR/manifest.json``, ``DIR/runs/run-NNNNN.npz``, ``DIR/summary.csv``.

``SweepStore(dir).open(sweep)`` writes the manifest (annstudio version, the sweep's varied names and
values, the seed tree and what the caller put in ``sweep.meta``, e.g. the project digest) or, when the
folder already holds one, checks that it describes the same sweep (a located error otherwise) and adopts
its seed entropy when the caller gave none; it returns the runs already finished (files that load), which
the sweep keeps instead of running them again.  ``save(outcome)`` writes one run atomically (its
recordings and a JSON ``__metadata__`` record: values, seed, summary numbers, timings, worker);
``write_summary(table)`` writes ``summary.csv`` (one row per finished run).
"""
import csv
import io
import json
import os
import time
from pathlib import Path

import numpy as np

from annstudio import __version__
from annstudio.core.errors import ModelError

FORMAT = "annstudio-sweep"
COMPARED = ("names", "values", "grid_points", "replicates", "paradigm", "duration", "limit", "project_digest")


def _atomic(path, data, mode="wb"):
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, mode) as f:
        f.write(data)
    os.replace(tmp, path)


class SweepStore:
    def __init__(self, directory):
        self.dir = Path(directory)
        self.runs = self.dir / "runs"

    def path(self, run):
        return self.runs / f"run-{int(run):05d}.npz"

    def open(self, sweep):
        """Manifest written or checked; ``{run: outcome}`` of the runs already on disk."""
        self.runs.mkdir(parents=True, exist_ok=True)
        manifest_path = self.dir / "manifest.json"
        if manifest_path.exists():
            try:
                old = json.loads(manifest_path.read_text())
            except (OSError, ValueError) as e:
                raise ModelError(f"cannot read the sweep manifest: {e}", where=str(manifest_path)) from None
            if not sweep.entropy_given:
                sweep.entropy = int(old.get("seed_tree", {}).get("entropy", sweep.entropy))
            new = json.loads(json.dumps(sweep.manifest()))
            for key in COMPARED + ("seed_tree",):
                if old.get(key) != new.get(key):
                    raise ModelError(f"this folder holds another sweep (its {key} differs); choose another --out "
                                     "or remove the folder", where=str(manifest_path))
        else:
            manifest = {"format": FORMAT, "format_version": 1, "annstudio_version": __version__,
                        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **sweep.manifest()}
            _atomic(manifest_path, json.dumps(manifest, indent=1).encode())
        kept = {}
        for task in sweep.tasks():
            meta = self.metadata(task.run)
            if meta is not None and meta.get("seed") == task.seed and meta.get("values") == task.values:
                kept[task.run] = meta
        return kept

    def metadata(self, run):
        path = self.path(run)
        if not path.exists():
            return None
        try:
            with np.load(path, allow_pickle=False) as z:
                return json.loads(str(z["__metadata__"]))
        except (OSError, ValueError, KeyError):
            return None          # a damaged file: the run runs again

    def recordings(self, run):
        with np.load(self.path(run), allow_pickle=False) as z:
            return {k: z[k] for k in z.files if k != "__metadata__"}

    def save(self, outcome):
        meta = {k: v for k, v in outcome.items() if k != "recordings"}
        arrays = {k: np.asarray(v) for k, v in (outcome.get("recordings") or {}).items()
                  if np.asarray(v).dtype != object}
        arrays["__metadata__"] = np.array(json.dumps(meta))
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        _atomic(self.path(outcome["run"]), buffer.getvalue())

    def write_summary(self, table):
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        cols = list(table)
        writer.writerow(cols)
        n = len(table["run"]) if cols else 0
        for i in range(n):
            writer.writerow([_cell(table[c][i]) for c in cols])
        _atomic(self.dir / "summary.csv", text.getvalue().encode())


def _cell(value):
    if isinstance(value, (np.integer, int)):
        return str(int(value))
    return repr(float(value))
