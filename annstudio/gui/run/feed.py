"""Live recordings shared between the run worker (writer) and the plots (readers).

No Qt here.  The worker drains ``Simulation.monitor_data`` between chunks (the
only thread that touches the simulation while it runs) and appends to these
buffers; plots read the latest window under the same lock on their ~30 Hz
timer.  Buffers grow by doubling (amortised appends, no per-refresh
allocation of the history).

- ``SpikeBuffer``: spike times (ms) and ranks, plus spike counts in 1 ms bins
  for the population rate.
- ``TraceBuffer``: the recorded times and the values of every recorded neuron (up to
  ``MAX_KEPT_COLUMNS``; a plot picks which of them it draws, during and after a run) and
  the latest full row (for activity maps).  Rows beyond ``MAX_TRACE_VALUES`` numbers drop
  the oldest half.
- ``weights``: the latest weight matrix of each watched projection,
  downsampled to at most ``MAX_WEIGHT_SIDE`` rows and columns; ``weight_history``: per
  watched projection, snapshots over the run (time, binned matrix, histogram, mean and
  percentiles), at most ``MAX_WEIGHT_SNAPSHOTS`` (every other one dropped beyond).
"""
import threading

import numpy as np

MAX_TRACE_COLUMNS = 16
# memory bounds of a long live run (COBA emits ~1.4 million spikes per wall second at full speed):
# beyond them the oldest half is dropped (paging back that far shows nothing; the rate bins are kept)
MAX_SPIKES = 16_000_000          # x 12 bytes
MAX_TRACE_ROWS = 1_000_000       # x (1 + MAX_TRACE_COLUMNS) x 8 bytes
MAX_WEIGHT_SIDE = 300
MAX_KEPT_COLUMNS = 256           # recorded neurons whose values a trace keeps (the first ones)
MAX_TRACE_VALUES = 8_000_000     # x 8 bytes per trace buffer
MAX_WEIGHT_SNAPSHOTS = 400
HISTOGRAM_BINS = 40
RATE_BIN_MS = 1.0


class _Growable:
    def __init__(self, dtype, width=None):
        self.width = width
        shape = (1024,) if width is None else (1024, width)
        self.array = np.empty(shape, dtype=dtype)
        self.size = 0

    def extend(self, values):
        n = len(values)
        if self.size + n > len(self.array):
            capacity = max(len(self.array) * 2, self.size + n)
            new = np.empty((capacity,) + self.array.shape[1:], dtype=self.array.dtype)
            new[:self.size] = self.array[:self.size]
            self.array = new
        self.array[self.size:self.size + n] = values
        self.size += n

    def view(self):
        return self.array[:self.size]

    def drop_front(self, k):
        """Forget the oldest ``k`` entries.  Into a new array: views handed out earlier (plots use them
        after releasing the lock) keep their data."""
        k = min(int(k), self.size)
        if k <= 0:
            return
        keep = self.size - k
        new = np.empty_like(self.array)
        new[:keep] = self.array[k:self.size]
        self.array, self.size = new, keep


class SpikeBuffer:
    def __init__(self, size):
        self.size = size
        self.times = _Growable(np.float64)
        self.ranks = _Growable(np.int32)
        self.counts = _Growable(np.float64)       # spikes per RATE_BIN_MS bin
        self.dropped = 0                           # oldest spikes forgotten (MAX_SPIKES)

    @property
    def total(self):
        """Spikes appended so far, forgotten ones included: the absolute index of the next spike."""
        return self.dropped + self.times.size

    def append(self, times_ms, ranks):
        """Append one drained chunk (worker thread, under the feed's lock).

        The engine records spikes step by step, so a chunk normally arrives in
        time order: it is only sorted when it is not.  The rate bins are
        counted with one ``bincount`` over the chunk's span (no Python loop,
        no ``np.add.at``)."""
        n = len(times_ms)
        if n == 0:
            return
        times_ms = np.asarray(times_ms, dtype=np.float64)
        ranks = np.asarray(ranks)
        if n > 1 and not (times_ms[1:] >= times_ms[:-1]).all():
            order = np.argsort(times_ms, kind="stable")
            times_ms, ranks = times_ms[order], ranks[order]
        if self.times.size + n > MAX_SPIKES:
            k = min(self.times.size, self.times.size + n - MAX_SPIKES // 2)
            self.times.drop_front(k)
            self.ranks.drop_front(k)
            self.dropped += k
        self.times.extend(times_ms)
        self.ranks.extend(ranks.astype(np.int32, copy=False))
        bins = (times_ms * (1.0 / RATE_BIN_MS)).astype(np.int64)
        first, needed = int(bins[0]), int(bins[-1]) + 1
        if needed > self.counts.size:
            self.counts.extend(np.zeros(needed - self.counts.size))
        self.counts.array[first:needed] += np.bincount(bins - first, minlength=needed - first)

    def tail(self, start):
        """``(times, ranks)`` of the spikes appended since absolute index ``start`` (see ``total``; call
        under the lock; the arrays returned are never written again: appends go past them and dropping
        the oldest spikes moves the rest into a new array)."""
        size, a = self.times.size, max(0, start - self.dropped)
        return self.times.array[a:size], self.ranks.array[a:size]

    def index_at(self, t):
        """Absolute index of the first spike at or after ``t`` ms (call under the lock)."""
        return self.dropped + int(np.searchsorted(self.times.view(), t, side="left"))

    def window(self, t0, t1):
        times = self.times.view()
        a, b = np.searchsorted(times, [t0, t1], side="left")
        return times[a:b], self.ranks.view()[a:b]

    def rate(self, t_end, smooth_bins=5):
        """Population rate (Hz) per 1 ms bin up to ``t_end`` ms (the whole history)."""
        return self.rate_window(0.0, t_end, smooth_bins)

    def rate_window(self, t0, t1, smooth_bins=5):
        """Population rate (Hz) per ``RATE_BIN_MS`` bin over [t0, t1) ms only: the cost of
        a refresh follows the visible window, not the length of the run.  Smoothed by a
        centred box of ``smooth_bins`` bins (bins not recorded yet count as empty)."""
        a, b = max(0, int(t0 / RATE_BIN_MS)), int(t1 / RATE_BIN_MS)
        if b <= a:
            return np.zeros(0), np.zeros(0)
        half = smooth_bins // 2 if smooth_bins > 1 else 0
        lo, hi = a - half, b + (smooth_bins - 1 - half if smooth_bins > 1 else 0)
        counts = np.zeros(hi - lo)
        have = self.counts.view()
        s, e = max(lo, 0), min(hi, have.size)
        if e > s:
            counts[s - lo:e - lo] = have[s:e]
        if smooth_bins > 1:
            counts = np.convolve(counts, np.ones(smooth_bins) / smooth_bins, mode="valid")
        return np.arange(a, b) * RATE_BIN_MS, counts * (1000.0 / RATE_BIN_MS) / max(self.size, 1)


class TraceBuffer:
    def __init__(self, recorded_ranks, columns=None):
        self.recorded = list(recorded_ranks)          # absolute ranks of the monitor's columns
        self.kept = self.recorded[:MAX_KEPT_COLUMNS]  # ranks whose values are kept
        self._idx = np.arange(len(self.kept), dtype=np.int64)
        self._where = {r: i for i, r in enumerate(self.kept)}
        self.columns = self.select(columns)
        self.times = _Growable(np.float64)
        self.values = _Growable(np.float64, len(self.kept))
        self.latest = None
        self.max_rows = min(MAX_TRACE_ROWS, max(1000, MAX_TRACE_VALUES // max(len(self.kept), 1)))

    def select(self, ranks=None):
        """The ranks (of ``ranks``, default the first 8) that can be drawn: kept ones, at most 16."""
        wanted = list(ranks) if ranks else self.kept[:8]
        return [r for r in wanted if r in self._where][:MAX_TRACE_COLUMNS]

    def indices(self, ranks):
        """Columns of ``values`` holding ``ranks`` (kept ranks only)."""
        return np.array([self._where[r] for r in ranks if r in self._where], dtype=np.int64)

    def set_columns(self, columns=None):
        self.columns = self.select(columns)

    def append(self, times_ms, rows):
        max_rows = min(self.max_rows, MAX_TRACE_ROWS)
        if self.times.size + len(times_ms) > max_rows:
            k = min(self.times.size, self.times.size + len(times_ms) - max_rows // 2)
            self.times.drop_front(k)
            self.values.drop_front(k)
        if len(times_ms) == 0:
            return
        rows = np.asarray(rows, dtype=np.float64).reshape(len(times_ms), -1)
        self.times.extend(times_ms)
        self.values.extend(rows[:, :len(self.kept)])
        self.latest = rows[-1].copy()


class LiveFeed:
    """Everything the plots can show about the running simulation."""

    def __init__(self, dt):
        self.dt = float(dt)
        self.lock = threading.Lock()
        self.spikes = {}          # monitor name -> SpikeBuffer
        self.traces = {}          # (monitor name, variable) -> TraceBuffer
        self.weights = {}         # projection name -> 2-D array
        self.weight_history = {}  # projection name -> [snapshot dicts] (see add_weight_snapshot)
        self.meta = {}            # monitor name -> {"target", "size", "geometry", "variables"}
        self.t = 0.0
        self.version = 0
        self.nan = None           # (monitor, variable, t) of the first NaN seen

    def add_monitor(self, name, target, size, geometry, variables, ranks=None):
        recorded = list(ranks) if ranks is not None else list(range(size))
        self.meta[name] = {"target": target, "size": size, "geometry": list(geometry), "variables": list(variables),
                           "ranks": recorded}
        for var in variables:
            if var == "spike":
                self.spikes[name] = SpikeBuffer(size)
            else:
                self.traces[(name, var)] = TraceBuffer(recorded)

    def absorb(self, name, data, t_now):
        """Append one drained ``monitor_data`` result (worker thread)."""
        steps = np.asarray(data.get("_steps", ()), dtype=np.float64)
        with self.lock:
            if "spike" in data and name in self.spikes:
                spike_steps, spike_ranks = data["spike"]
                self.spikes[name].append(np.asarray(spike_steps, dtype=np.float64) * self.dt,
                                         np.asarray(spike_ranks))
            for (mon, var), trace in self.traces.items():
                if mon != name or var not in data:
                    continue
                rows = np.asarray(data[var])
                if rows.size == 0:
                    continue
                times = steps * self.dt if len(steps) == len(rows) else \
                    t_now - self.dt * np.arange(len(rows))[::-1]
                if self.nan is None and not np.all(np.isfinite(rows)):
                    bad = np.nonzero(~np.all(np.isfinite(rows.reshape(len(rows), -1)), axis=1))[0][0]
                    self.nan = (name, var, float(times[bad]))
                trace.append(times, rows)
            self.t = max(self.t, t_now)
            self.version += 1

    def set_weights(self, projection, matrix):
        with self.lock:
            self.weights[projection] = matrix
            self.version += 1

    def set_trace_columns(self, name, var, columns):
        """Choose the neurons a trace shows by default (the recording keeps them all)."""
        with self.lock:
            trace = self.traces.get((name, var))
            if trace is not None:
                trace.set_columns(columns)

    def add_weight_snapshot(self, projection, t, matrix, w):
        """Keep the weights of ``projection`` at ``t`` ms (binned ``matrix``, per-synapse ``w``)."""
        w = np.asarray(w, dtype=np.float64)
        finite = w[np.isfinite(w)]
        if finite.size:
            lo, hi = float(finite.min()), float(finite.max())
            counts, edges = np.histogram(finite, bins=HISTOGRAM_BINS, range=(lo, hi if hi > lo else lo + 1e-9))
            stats = (float(finite.mean()), *(float(q) for q in np.percentile(finite, [10, 50, 90])))
        else:
            counts, edges, stats = np.zeros(0), np.zeros(1), (np.nan,) * 4
        with self.lock:
            history = self.weight_history.setdefault(projection, [])
            if history and history[-1]["t"] == t:
                history.pop()
            history.append({"t": float(t), "matrix": matrix, "counts": counts, "edges": edges,
                            "mean": stats[0], "p10": stats[1], "median": stats[2], "p90": stats[3]})
            if len(history) > MAX_WEIGHT_SNAPSHOTS:
                del history[1:-1:2]
            self.weights[projection] = matrix
            self.version += 1

    def weights_at(self, projection, t=None):
        """The last snapshot of ``projection`` at or before ``t`` (the latest with None)."""
        with self.lock:
            history = list(self.weight_history.get(projection, ()))
        if not history:
            return None
        if t is None:
            return history[-1]
        times = np.array([h["t"] for h in history])
        i = int(np.searchsorted(times, t, side="right")) - 1
        return history[max(i, 0)]


def weight_matrix(pre, post, w, pre_size, post_size, side=MAX_WEIGHT_SIDE):
    """Dense (post x pre) mean weights, binned to at most ``side`` x ``side`` (NaN: no synapse)."""
    rows, cols = min(post_size, side), min(pre_size, side)
    r = (np.asarray(post, dtype=np.int64) * rows) // max(post_size, 1)
    c = (np.asarray(pre, dtype=np.int64) * cols) // max(pre_size, 1)
    w = np.broadcast_to(np.asarray(w, dtype=np.float64), r.shape)
    flat = r * cols + c
    total = np.bincount(flat, weights=w, minlength=rows * cols)
    count = np.bincount(flat, minlength=rows * cols)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return out.reshape(rows, cols)
