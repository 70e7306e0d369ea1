"""Progress of a headless run: a live bar on a terminal, plain lines otherwise.

Owns ``RunProgress``: the ``progress(done_ms, total_ms, label)`` callback that
``runner.run_project`` calls after every chunk.  On a terminal it draws a rich progress bar
with the protocol step's label, the percentage, the simulated time (model ms), the speed
(model ms per wall-clock second) and the time remaining (ETA); when the stream is not a terminal
(piped, redirected to a file, a CI log) it prints one plain line per ``LINE_STEP`` of the protocol
instead (no escape codes); ``quiet`` prints nothing.  ``close()`` ends the bar.
"""
import sys
import time

from rich.console import Console
from rich.progress import (BarColumn, Progress, ProgressColumn, TaskProgressColumn, TextColumn,
                           TimeRemainingColumn)
from rich.text import Text

LINE_STEP = 0.25        # plain lines: one per quarter of the protocol (and the end)


class _SpeedColumn(ProgressColumn):
    """Model milliseconds simulated per wall-clock second."""

    def render(self, task):
        speed = task.finished_speed or task.speed
        return Text("-- ms/s" if speed is None else f"{speed:,.0f} ms/s", style="progress.data.speed")


def _speed_text(done, elapsed):
    return f"{done / elapsed:,.0f} ms/s" if elapsed > 0 and done > 0 else "-- ms/s"


def _eta_text(done, total, elapsed):
    if done <= 0 or elapsed <= 0:
        return "ETA --"
    return f"ETA {max(0.0, (total - done) * elapsed / done):.1f} s"


class RunProgress:
    """``progress(done_ms, total_ms, label)`` for ``run_project`` (see the module docstring)."""

    def __init__(self, quiet=False, stream=None, terminal=None):
        self.stream = stream or sys.stdout
        self.quiet = bool(quiet)
        isatty = getattr(self.stream, "isatty", None)
        self.terminal = bool(isatty and isatty()) if terminal is None else bool(terminal)
        self.t0 = None
        self.last = -1.0
        self.bar = None
        self.task = None

    def __call__(self, done, total, label=""):
        if self.quiet:
            return
        if self.t0 is None:
            self.t0 = time.perf_counter()
        if self.terminal:
            self._draw(done, total, label)
        else:
            self._line(done, total)

    def _draw(self, done, total, label):
        if self.bar is None:
            console = Console(file=self.stream, force_terminal=True)
            self.bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(), TaskProgressColumn(),
                                TextColumn("{task.completed:.1f}/{task.total:g} ms"), _SpeedColumn(),
                                TextColumn("ETA"), TimeRemainingColumn(), console=console, refresh_per_second=8)
            self.bar.start()
            self.task = self.bar.add_task(label or "simulating", total=max(float(total), 1e-9))
        self.bar.update(self.task, completed=float(done), description=label or "simulating")

    def _line(self, done, total):
        frac = 1.0 if total <= 0 else min(1.0, done / total)
        if frac - self.last >= LINE_STEP or (frac >= 1.0 and self.last < 1.0):
            elapsed = time.perf_counter() - self.t0
            self.stream.write(f"progress {frac * 100:5.1f}%  {done:.1f}/{total:g} ms  "
                              f"{_speed_text(done, elapsed)}  {_eta_text(done, total, elapsed)}\n")
            self.stream.flush()
            self.last = frac

    def close(self):
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
