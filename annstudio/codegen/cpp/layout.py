"""Slot layout: the ordered arrays Python allocates and the kernel borrows (see ABI.md).

``build_layout(ir)`` lists, for every population and projection, one slot per
variable (scalars for population/projection-wide values and a uniform weight),
per ``sum(target)`` and per global operation, plus connectivity (``_pre``,
``_post``, ``_delay``), ``_last_event`` and one control slot (learning flags).
The order depends only on the IR, so a cached kernel and a fresh layout agree.
"""
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Slot:
    index: int
    kind: str        # "pop" | "proj" | "ctl"
    obj: int         # population / projection index
    name: str        # variable name, "sum__exc", "_mean__r", "_pre", ...
    dtype: str       # "float64" | "int64"
    size: int
    scalar: bool     # 0-d array on the Python side

    @property
    def key(self):
        return f"{self.kind}:{self.obj}:{self.name}"


class Layout:
    def __init__(self):
        self.slots = []
        self._by_key = {}

    def add(self, kind, obj, name, dtype, size, scalar=False):
        s = Slot(len(self.slots), kind, obj, name, dtype, int(size), bool(scalar))
        self.slots.append(s)
        self._by_key[(kind, obj, name)] = s
        return s

    def get(self, kind, obj, name):
        return self._by_key.get((kind, obj, name))

    def __len__(self):
        return len(self.slots)


def synapse_global_ops(pr):
    return tuple(g for g in pr.global_ops)


def build_layout(ir, data):
    lay = Layout()
    for i, p in enumerate(ir.populations):
        for v in p.variables:
            glob = v.locality == "global"
            lay.add("pop", i, v.name, "float64", 1 if glob else p.size, glob)
        for t in p.sums:
            lay.add("pop", i, f"sum__{t}", "float64", p.size)
        for g in p.global_ops:
            lay.add("pop", i, g.symbol, "float64", 1, True)
        src = data.sources.get(p.name, {}) if getattr(p, "source", "") else {}
        if getattr(p, "source", "") == "spike_source_array":
            lay.add("pop", i, "_src_steps", "int64", np.size(src.get("steps", ())))
            lay.add("pop", i, "_src_ranks", "int64", np.size(src.get("ranks", ())))
        elif getattr(p, "source", "") == "timed_array":
            lay.add("pop", i, "_src_buffer", "float64", np.size(src.get("buffer", ())))
    for k, pr in enumerate(ir.projections):
        conn = data.connectivity[pr.name]
        n, npost = conn.size, conn.post_size
        for v in pr.variables:
            if v.locality == "global" or (v.name == "w" and pr.uniform_weight):
                lay.add("proj", k, v.name, "float64", 1, True)
            elif v.locality == "semiglobal":
                lay.add("proj", k, v.name, "float64", npost)
            else:
                lay.add("proj", k, v.name, "float64", n)
        for g in synapse_global_ops(pr):
            lay.add("proj", k, g.symbol, "float64", 1, True)
        if pr.event_driven:
            lay.add("proj", k, "_last_event", "float64", n)
        lay.add("proj", k, "_pre", "int64", n)
        lay.add("proj", k, "_post", "int64", n)
        if pr.delay == "variable":
            lay.add("proj", k, "_delay", "int64", n)
    lay.add("ctl", 0, "learning", "float64", max(1, len(ir.projections)))
    lay.add("ctl", 0, "dirty", "float64", max(1, len(ir.projections)))   # set() on a projection
    return lay


def allocate(layout, ir, data):
    """NumPy arrays for every slot, filled from ``data`` (fresh copies: the kernel writes them)."""
    arrays = []
    for s in layout.slots:
        if s.kind == "pop":
            p = ir.populations[s.obj]
            if s.name.startswith("_src_"):
                src = np.asarray(data.sources[p.name][s.name[5:]]).reshape(-1)
            else:
                src = data.populations[p.name].get(s.name, 0.0)
        elif s.kind == "proj":
            pr = ir.projections[s.obj]
            conn = data.connectivity[pr.name]
            if s.name == "_pre":
                src = conn.pre
            elif s.name == "_post":
                src = conn.post
            elif s.name == "_delay":
                src = np.asarray(data.delays[pr.name])
            else:
                src = data.projections[pr.name].get(s.name, 0.0)
        else:
            src = 1.0 if s.name == "learning" else 0.0
        if s.scalar:
            arr = np.array(float(np.asarray(src, dtype=float).reshape(-1)[0]) if np.size(src) else 0.0)
        else:
            arr = np.empty(s.size, dtype=s.dtype)
            arr[...] = src
        arrays.append(arr)
    return arrays
