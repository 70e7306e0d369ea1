"""Streaming a monitor's recordings to an HDF5 file: ``StreamBuffer``.

A monitor created with ``stream=PATH`` (script API: ``Monitor(pop, ['v'], stream='v.h5')``; project
format: the monitor's ``"stream"`` field) keeps nothing in memory between two reads: after every run
chunk the records drained from the backend are appended to ``PATH`` and the file is flushed, so a long
recording grows on disk, not in RAM.  ``Simulation`` bounds the chunks of a run with a streaming monitor
(``sim.every``) so that one chunk holds at most about ``FLUSH_BYTES`` of records in the backend.

The file (HDF5, written with h5py; the ``annstudio_stream`` attribute is the layout version, 1):

- ``steps`` (int64, records): the step of each record (time = step x ``dt``);
- one dataset per recorded variable: population monitors ``(records, ranks)`` (``(records,)`` for a
  population-wide value), in the precision the backend computes; projection monitors one row per record
  (a variable-length float64 row of per-synapse values, or one float for a projection-wide value);
- ``spike_steps`` / ``spike_ranks`` (int64, one entry a spike) for ``spike``;
- attributes: ``monitor``, ``kind``, ``target``, ``variables``, ``ranks`` (absent: all), ``dt``,
  ``period_steps``.

The file holds every record written since the monitor was attached: ``get()`` and ``reset()`` only
move the point from which the next ``get()`` reads (it reads back from the file, which is fine for
moderate sizes; a read that would not fit in memory is refused with the file's name).
"""
from pathlib import Path

import numpy as np

from annstudio.core.errors import SimulationError
from annstudio.core.model.resources import BYTES_PER_VALUE, available_memory, human

from .monitor_buffer import MonitorBuffer

FLUSH_BYTES = 32 * 1024 ** 2     # at most this much of records waits in the backend between two flushes
CHUNK_BYTES = 1024 ** 2          # HDF5 chunk size of the value datasets
LAYOUT_VERSION = 1


def _nothing(_sim):
    return None


class StreamBuffer(MonitorBuffer):
    """Records appended to an HDF5 file (see the module docstring); ``sim``: the owning ``Simulation``."""

    streamed = True

    def __init__(self, request, mid, path, sim, name=None):
        import h5py                      # a dependency; imported here so that no other run pays for it
        super().__init__(request, mid)
        self.path = Path(path)
        where = f"Monitor {name or mid!r}, stream"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = h5py.File(self.path, "w")
        except (OSError, ValueError) as e:
            raise SimulationError(f"cannot write the recording file {str(self.path)!r}: {e}", where=where) from None
        self._h5py = h5py
        attrs = self._file.attrs
        attrs["annstudio_stream"] = LAYOUT_VERSION
        attrs["monitor"] = str(name if name is not None else mid)
        attrs["kind"], attrs["target"] = request.kind, request.target
        attrs["variables"] = [str(v) for v in request.variables]
        if request.ranks is not None:
            attrs["ranks"] = np.asarray(request.ranks, dtype=np.int64)
        attrs["dt"], attrs["period_steps"] = float(sim.dt), int(request.period_steps)
        self._read = {}                  # dataset -> rows already handed by data()
        self._sim = sim
        per = max(1, self.values_per_record(sim)) * BYTES_PER_VALUE
        every = max(1, FLUSH_BYTES // per) * int(request.period_steps)
        self._handle = sim.every(every, _nothing)      # ends run chunks there: the records reach the file
        self._file.flush()

    # -- writing ---------------------------------------------------------------------------
    def _dataset(self, name, first, block):
        """The dataset ``name``, created for ``first``: a block of records (``block``: an array (k, n...))
        or one record of a list (a projection's)."""
        ds = self._file.get(name)
        if ds is not None:
            return ds
        if block:                                            # population records (k, n...) or int64 steps
            shape = first.shape[1:]
            row = int(np.prod(shape)) * first.dtype.itemsize or 1
            rows = max(1, CHUNK_BYTES // row)
            return self._file.create_dataset(name, shape=(0,) + shape, maxshape=(None,) + shape,
                                             dtype=first.dtype, chunks=(rows,) + shape)
        if np.ndim(first) == 0:                              # projection-wide value: one float a record
            return self._file.create_dataset(name, shape=(0,), maxshape=(None,), dtype=np.float64,
                                             chunks=(4096,))
        return self._file.create_dataset(name, shape=(0,), maxshape=(None,),
                                         dtype=self._h5py.vlen_dtype(np.float64), chunks=(16,))

    def _append(self, name, records):
        if isinstance(records, np.ndarray):
            if not records.shape[0]:
                return
            ds = self._dataset(name, records, True)
        else:
            if not len(records):
                return
            ds = self._dataset(name, records[0], False)
            if ds.dtype == np.float64 and ds.ndim == 1 and self._h5py.check_vlen_dtype(ds.dtype) is None:
                records = np.asarray([float(np.asarray(r).reshape(-1)[0]) for r in records])
            else:                                      # variable-length rows, written one by one (h5py would
                n = ds.shape[0]                        # read equal lengths as one 2-D block)
                ds.resize(n + len(records), axis=0)
                for i, r in enumerate(records):
                    ds[n + i] = np.asarray(r, dtype=np.float64).reshape(-1)
                return
        n = ds.shape[0]
        ds.resize(n + len(records), axis=0)
        ds[n:] = records

    def absorb(self, rec):
        rec = self._keep(rec)
        with self.lock:
            if self._file is None:
                return
            for v, arr in rec.values.items():
                self._append(v, arr)
            self._append("steps", np.asarray(rec.steps, dtype=np.int64))
            self._append("spike_steps", np.asarray(rec.spike_steps, dtype=np.int64))
            self._append("spike_ranks", np.asarray(rec.spike_ranks, dtype=np.int64))
            self._file.flush()

    # -- reading back ------------------------------------------------------------------------
    def _rows(self, name):
        ds = self._file.get(name) if self._file is not None else None
        return ds, (0 if ds is None else ds.shape[0])

    def clear(self):
        with self.lock:
            for name in list(self._file.keys()) if self._file is not None else ():
                self._read[name] = self._file[name].shape[0]

    def _pending_bytes(self):
        total = 0
        for name in self._file.keys():
            ds = self._file[name]
            rows = ds.shape[0] - self._read.get(name, 0)
            row = int(np.prod(ds.shape[1:])) if ds.ndim > 1 else 1
            if self._h5py.check_vlen_dtype(ds.dtype) is not None:
                row = max(1, self.values_per_record(self._sim))
            total += rows * row * BYTES_PER_VALUE
        return total

    def _since(self, name, empty):
        ds, n = self._rows(name)
        if ds is None:
            return empty
        start = self._read.get(name, 0)
        data = ds[start:n]
        if self._h5py.check_vlen_dtype(ds.dtype) is not None:
            return [np.asarray(r, dtype=np.float64) for r in data]
        return data

    def data(self, size):
        req = self.request
        with self.lock:
            if self._file is None:
                raise SimulationError(f"the recording file {str(self.path)!r} is closed", where="Monitor")
            need, avail = self._pending_bytes(), available_memory()
            if need > avail / 2:
                raise SimulationError(
                    f"reading the streamed recording back needs about {human(need)} and {human(avail)} of memory "
                    "is available; refused", where=f"Monitor of {req.target!r}",
                    hint=f"read {str(self.path)!r} in parts with h5py (datasets: {', '.join(self._file.keys())})")
            width = len(req.ranks) if req.ranks is not None else size
            out = {}
            for v in req.variables:
                if v == "spike":
                    continue
                if req.kind == "population":
                    out[v] = np.asarray(self._since(v, np.zeros((0, width))))
                else:
                    got = self._since(v, [])
                    out[v] = list(got) if not isinstance(got, list) else got
            if "spike" in req.variables:
                out["spike"] = (np.asarray(self._since("spike_steps", np.zeros(0, np.int64)), dtype=np.int64),
                                np.asarray(self._since("spike_ranks", np.zeros(0, np.int64)), dtype=np.int64))
            out["_steps"] = np.asarray(self._since("steps", np.zeros(0, np.int64)), dtype=np.int64)
        return out

    @property
    def records_written(self):
        """Records in the file so far."""
        with self.lock:
            return self._rows("steps")[1]

    # -- lifetime ----------------------------------------------------------------------------
    def disk_folder(self):
        return self.path.resolve().parent

    def close(self):
        """Stop the chunk bound and close the file (it stays complete and readable)."""
        with self.lock:
            if self._file is None:
                return
            self._sim.cancel_every(self._handle)
            self._file.close()
            self._file = None


def close_streams(sim):
    """Close every streaming monitor file of ``sim`` (the CLI does at the end of a run)."""
    for buf in list(getattr(sim, "_monitors", {}).values()):
        if buf.streamed:
            buf.close()
