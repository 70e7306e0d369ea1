"""One monitor's recordings between the backend and the caller: ``MonitorBuffer``.

``Simulation`` drains every backend recording (``fetch_monitor``) into its monitor's buffer after each
run chunk (``absorb``); ``data()`` hands what was recorded since the last ``clear()`` in the form
``Simulation.monitor_data`` returns.  This buffer keeps the records in memory;
``monitor_stream.StreamBuffer`` writes them to an HDF5 file instead (a monitor's ``stream``).
"""
import threading

import numpy as np


class MonitorBuffer:
    """Records kept in memory (lists of arrays, joined by ``data()``)."""

    streamed = False

    def __init__(self, request, mid):
        self.request = request
        self.mid = mid
        self.values = {v: [] for v in request.variables if v != "spike"}
        self.steps = []
        self.spike_steps = []
        self.spike_ranks = []
        self.lock = threading.Lock()
        self.active = bool(request.start)
        self.offset = 0          # step from which the recording period counts
        self.stride = None       # period the buffer applies itself (backend records every step), see restructure

    def _keep(self, rec):
        """Records of ``rec`` at this monitor's period phase (only when ``stride`` is set)."""
        if self.stride is None or not rec.steps.size:
            return rec
        mask = (rec.steps - self.offset) % self.stride == 0
        for v, arr in rec.values.items():
            rec.values[v] = arr[mask] if isinstance(arr, np.ndarray) else [a for a, k in zip(arr, mask) if k]
        rec.steps = rec.steps[mask]
        return rec

    def absorb(self, rec):
        rec = self._keep(rec)
        with self.lock:
            for v, arr in rec.values.items():
                if isinstance(arr, np.ndarray):
                    if arr.shape[0]:
                        self.values[v].append(arr)
                else:
                    self.values[v].extend(arr)
            if rec.steps.size:
                self.steps.append(rec.steps)
            if rec.spike_steps.size:
                self.spike_steps.append(rec.spike_steps)
                self.spike_ranks.append(rec.spike_ranks)

    def clear(self):
        with self.lock:
            for v in self.values:
                self.values[v] = []
            self.steps, self.spike_steps, self.spike_ranks = [], [], []

    def data(self, size):
        """``{var: records, "spike": (steps, ranks), "_steps": steps}`` since the last ``clear()``; ``size``:
        the target population's size (the width of an empty population recording)."""
        req = self.request
        with self.lock:
            out = {}
            for v, chunks in self.values.items():
                if req.kind != "population":
                    out[v] = list(chunks)
                elif chunks and np.ndim(chunks[0]) == 0:      # population-wide variable: one value per record
                    out[v] = np.asarray(chunks, dtype=float)
                elif chunks:
                    out[v] = np.concatenate([np.asarray(c) for c in chunks])
                else:
                    out[v] = np.zeros((0, len(req.ranks) if req.ranks is not None else size))
            if "spike" in req.variables:
                steps = np.concatenate(self.spike_steps) if self.spike_steps else np.zeros(0, np.int64)
                ranks = np.concatenate(self.spike_ranks) if self.spike_ranks else np.zeros(0, np.int64)
                out["spike"] = (steps, ranks)
            out["_steps"] = np.concatenate(self.steps) if self.steps else np.zeros(0, np.int64)
        return out

    def values_per_record(self, sim):
        """Numbers one record holds (population: ranks x variables; projection: the stored size of each
        recorded synaptic variable, e.g. one per synapse for ``w``), for the memory estimate."""
        return values_per_record(self.request, sim)

    def disk_folder(self):
        """Where the records go on disk (None: they stay in memory)."""
        return None

    def close(self):
        """Release what the buffer holds open (nothing here)."""
        return None


def values_per_record(req, sim):
    names = [v for v in req.variables if v != "spike"]
    if req.kind == "population":
        n = len(req.ranks) if req.ranks is not None else sim.spec.population(req.target).size
        return len(names) * n
    conn = sim.data.connectivity[req.target]
    proj = next((p for p in sim.ir.projections if p.name == req.target), None)
    loc = {v.name: v.locality for v in (proj.variables if proj is not None else ())}
    sizes = {"global": 1, "semiglobal": int(conn.post_size), "local": int(conn.size)}
    return sum(sizes.get(loc.get(v), int(conn.size)) for v in names)     # from the IR: nothing is copied
