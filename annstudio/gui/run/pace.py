"""The pace of a live run (no Qt): how fast simulated time goes by against the wall clock.

``PACES`` lists what the toolbar offers: real time, slow motion (0.1x, 0.01x) and as fast as
possible (``None``).  A pace is simulated ms per wall ms.  ``PaceClock`` is the schedule the
run worker keeps: after each chunk it sleeps until the wall clock reaches the moment the
schedule gives the simulated time, in slices of at most ``SLEEP_SLICE_S`` so that a stop or
a new pace is seen at once.  The schedule is re-anchored when the pace changes, when a run
resumes and when the simulation falls more than ``MAX_LAG_S`` behind it (a network slower
than the pace runs as fast as it can, without bursts to catch up).
"""
import threading
import time

PACES = (("Real time", 1.0), ("0.1x (slow motion)", 0.1), ("0.01x (slow motion)", 0.01),
         ("As fast as possible", None))
PACED_CHUNK_WALL_S = 0.02       # wall time of one chunk at a pace: a change waits at most about this
SLEEP_SLICE_S = 0.01
MAX_LAG_S = 0.25


def pace_label(pace):
    for label, value in PACES:
        if value == pace:
            return label
    return f"{pace:g}x"


def paced_chunk_ms(pace, dt):
    """Chunk (ms of simulated time, a whole number of steps, at least one) lasting about
    ``PACED_CHUNK_WALL_S`` of wall time at ``pace``."""
    steps = max(1, int(PACED_CHUNK_WALL_S * 1000.0 * pace / dt))
    return steps * dt


class PaceClock:
    """Wall-clock schedule of simulated time at a pace (see the module docstring)."""

    def __init__(self, pace=None, clock=time.perf_counter, sleep=time.sleep):
        self.clock, self.sleep = clock, sleep
        self.value = pace
        self._anchor = None                # (wall, simulated ms)
        self._lock = threading.Lock()
        self.slept = 0.0                   # wall seconds spent waiting for the schedule

    def set(self, pace):
        with self._lock:
            self.value = None if pace is None else float(pace)
            self._anchor = None

    def restart(self):
        with self._lock:
            self._anchor = None

    def scheduled_t(self, t):
        """The simulated time the schedule gives now (``t`` when there is no schedule)."""
        with self._lock:
            pace, anchor = self.value, self._anchor
        if pace is None or anchor is None:
            return t
        return anchor[1] + (self.clock() - anchor[0]) * 1000.0 * pace

    def wait_for(self, t, stopping=lambda: False):
        """Sleep until the schedule reaches simulated time ``t`` (returns at once without a pace)."""
        with self._lock:
            pace = self.value
            if pace is None:
                return
            now = self.clock()
            if self._anchor is None or now - self._due(t) > MAX_LAG_S:
                self._anchor = (now, t)
                return
            due = self._due(t)
        while not stopping():
            with self._lock:
                if self.value != pace or self._anchor is None:
                    return                 # a new pace: a new schedule from this chunk on
            left = due - self.clock()
            if left <= 0:
                return
            nap = min(left, SLEEP_SLICE_S)
            self.sleep(nap)
            self.slept += nap

    def _due(self, t):
        wall, t0 = self._anchor
        return wall + (t - t0) / (1000.0 * self.value)
