"""A project's parameter sweep: ``project_sweep`` turns a validated project and ``NAME=VALUES`` texts into
the session's one sweep engine (``annstudio.session.sweep.Sweep``), as ``runner.run_project`` does for one run.

The sweep plays the project's protocol (its ``settings.duration`` when it has none), capped by ``limit``
(``annstudio sweep --duration``); its seed tree starts from ``seed`` or the project's seed (fresh entropy,
recorded in the manifest, when neither is set); the manifest records the project's name and digest, so a
folder of another project's sweep is refused instead of mixed.  Every ``--vary`` is parsed and checked
against the network before anything runs (located errors); a name given twice is an error.
"""
import sys
import time

from ..core.errors import ModelError
from ..session.executors import make_executor
from ..session.sweep import Sweep, parse_vary

__all__ = ["project_sweep", "SweepProgress", "make_executor"]


def project_sweep(project, vary, seeds=1, limit=None, paradigm=None, grid=True, seed=None,
                  keep_recordings=True):
    """The :class:`Sweep` of ``project`` (a ``validate.Project``) for the ``vary`` texts."""
    parsed = {}
    for text in vary:
        name, values = parse_vary(text)
        if name in parsed:
            raise ModelError(f"'{name}' is varied twice", where=f"--vary {text}")
        parsed[name] = values
    if limit is not None and not limit > 0:
        raise ModelError("the duration must be positive", where="--duration")
    meta = {"project": project.name, "project_digest": project.digest,
            "project_path": str(project.path) if project.path else None}
    return Sweep(project.spec, vary=parsed, seeds=seeds, protocol=project.protocol, duration=project.built.duration,
                 limit=limit, grid=grid, paradigm=paradigm, entropy=seed, keep_recordings=keep_recordings, meta=meta)


class SweepProgress:
    """``on_result(outcome, done, total)`` for ``Sweep.run``: runs done, failures, elapsed time and ETA
    (from the runs this invocation played), one line per run (redrawn in place on a terminal)."""

    def __init__(self, total, kept=0, quiet=False, stream=None):
        self.stream = stream or sys.stderr
        self.terminal = bool(getattr(self.stream, "isatty", lambda: False)())
        self.total, self.kept, self.quiet = int(total), int(kept), bool(quiet)
        self.failed = 0
        self.t0 = time.perf_counter()

    def start(self, kept, total):
        """Called once the output folder is read: ``kept`` runs are already there."""
        self.kept, self.total = int(kept), int(total)
        self.t0 = time.perf_counter()
        if kept and not self.quiet:
            self.stream.write(f"{kept} of {total} runs already in the folder: kept\n")

    def __call__(self, outcome, done, total):
        if "error" in outcome:
            self.failed += 1
        if self.quiet:
            return
        elapsed = time.perf_counter() - self.t0
        played = done - self.kept
        eta = f"ETA {elapsed / played * (total - done):.1f} s" if played > 0 and done < total else "ETA --"
        text = (f"runs {done}/{total} ({100.0 * done / total:.0f}%)"
                f"{f', {self.failed} failed' if self.failed else ''}  elapsed {elapsed:.1f} s  {eta}")
        self.stream.write(f"\r{text:<70}" if self.terminal else text + "\n")
        self.stream.flush()

    def close(self):
        if self.terminal and not self.quiet:
            self.stream.write("\n")
