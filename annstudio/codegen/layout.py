"""The slot layout of a compiled network: the ordered arrays Python allocates and a kernel borrows.

One module for both compiled targets (C++/OpenMP and CUDA; the ABI is ``cpp/ABI.md``).  Slots are
keyed by name: ``pop:<population>:<var>`` (variables, ``sum__<target>``, global operations such as
``_mean__r``, ``_refr``, ``_src_steps``/``_src_ranks``/``_src_buffer``), ``proj:<projection>:<var>``
(variables, global operations, ``_last_event``, ``_pre``, ``_post``, ``_delay``) and
``ctl:<name>`` (``active``, ``lag``: per population, ``learning``, ``dirty``).  Dtypes are NumPy names (``"float64"``, ``"int32"``,
``"int64"``; values are ``"float32"`` in single-precision networks: ``NetworkIR.precision``).  Each slot
also says what sizes it (``sized_by``: a population, one value, the synapses, the post population, the
number of projections, or a schedule's data) and the C name of its device copy (``cname``, used by the CUDA printer).

The order depends only on the IR and the target's :class:`Rules` (the index type of connectivity,
the control slots, whether refractory counters live in a slot), so a cached kernel and a fresh
layout always agree.  :func:`allocate` builds the NumPy arrays from a ``NetworkData``.
"""
import re
from dataclasses import dataclass
from typing import Literal

import numpy as np

_C_NAME = re.compile(r"[^A-Za-z0-9_]")
_CTYPES = {"float64": "double", "float32": "float", "int32": "int32_t", "int64": "int64_t"}


def c_ident(text):
    return _C_NAME.sub("_", text)


@dataclass(frozen=True)
class Rules:
    """What a target's kernels expect beyond the IR's variables."""

    index_dtype: Literal["int32", "int64"]            # _pre, _post, _delay
    learning_dtype: Literal["float64", "int32"]
    dirty_slot: bool                                  # ctl:dirty (a projection was set() from Python)
    refractory_slot: bool                             # pop:<name>:_refr holds the refractory counters
    projection_global_ops: bool                       # slots for the global operations of synapses


OPENMP = Rules("int32", "float64", dirty_slot=True, refractory_slot=False, projection_global_ops=True)
CUDA = Rules("int32", "int32", dirty_slot=False, refractory_slot=True, projection_global_ops=False)


@dataclass(frozen=True)
class Slot:
    index: int
    kind: Literal["pop", "proj", "ctl"]
    owner: int            # population / projection index (0 for control slots)
    owner_name: str       # population / projection name ("" for control slots)
    name: str             # variable name, "sum__exc", "_mean__r", "_pre", "learning"...
    dtype: Literal["float64", "float32", "int32", "int64"]
    sized_by: Literal["pop", "scalar", "syn", "post", "nproj", "npop", "data"]

    @property
    def key(self):
        return f"ctl:{self.name}" if self.kind == "ctl" else f"{self.kind}:{self.owner_name}:{self.name}"

    @property
    def scalar(self):
        """One value (a 0-d array on the Python side)."""
        return self.sized_by == "scalar"

    @property
    def cname(self):
        prefix = {"pop": f"p{self.owner}_", "proj": f"j{self.owner}_", "ctl": "ctl_"}[self.kind]
        return prefix + c_ident(self.name)

    @property
    def ctype(self):
        return _CTYPES[self.dtype]

    @property
    def itemsize(self):
        return np.dtype(self.dtype).itemsize


class Layout:
    """The slots of one network for one target, in order; looked up by key."""

    def __init__(self, slots, populations=(), projections=()):
        self.slots = tuple(slots)
        self._by_key = {s.key: s for s in self.slots}
        self._names = {"pop": tuple(populations), "proj": tuple(projections)}   # owner index -> name

    def __iter__(self):
        return iter(self.slots)

    def __len__(self):
        return len(self.slots)

    def __contains__(self, key):
        return key in self._by_key

    def __getitem__(self, key):
        return self._by_key[key]

    def find(self, key):
        return self._by_key.get(key)

    def get(self, kind, owner, name):
        """The slot of ``name`` in population/projection ``owner`` (an index or a name), or None."""
        if kind == "ctl":
            return self._by_key.get(f"ctl:{name}")
        if isinstance(owner, (int, np.integer)):
            owner = self._names[kind][int(owner)]
        return self._by_key.get(f"{kind}:{owner}:{name}")


def build_layout(ir, rules=OPENMP):
    slots = []
    real = getattr(ir, "precision", "float64")   # values (variables, sums, weights...): float64 or float32

    def add(kind, owner, owner_name, name, dtype, sized_by):
        slots.append(Slot(len(slots), kind, owner, owner_name, name, dtype, sized_by))

    for i, p in enumerate(ir.populations):
        for v in p.variables:
            add("pop", i, p.name, v.name, real, "scalar" if v.locality == "global" else "pop")
        for t in p.sums:
            add("pop", i, p.name, f"sum__{t}", real, "pop")
        for g in p.global_ops:
            add("pop", i, p.name, g.symbol, real, "scalar")
        if rules.refractory_slot and p.type == "spike" and p.refractory is not None:
            add("pop", i, p.name, "_refr", "int32", "pop")
        if p.source == "spike_source_array":      # NetworkData.sources[name]: steps, ranks (sorted)
            add("pop", i, p.name, "_src_steps", "int64", "data")
            add("pop", i, p.name, "_src_ranks", "int64", "data")
        elif p.source == "timed_array":           # buffer [T, size], row-major
            add("pop", i, p.name, "_src_buffer", real, "data")
    for j, pr in enumerate(ir.projections):
        for v in pr.variables:
            if v.locality == "global" or (v.name == "w" and pr.uniform_weight):
                sized = "scalar"
            else:
                sized = "post" if v.locality == "semiglobal" else "syn"
            add("proj", j, pr.name, v.name, real, sized)
        if rules.projection_global_ops:
            for g in pr.global_ops:
                add("proj", j, pr.name, g.symbol, real, "scalar")
        if pr.event_driven:
            add("proj", j, pr.name, "_last_event", "float64", "syn")   # times: double
        add("proj", j, pr.name, "_pre", rules.index_dtype, "syn")
        add("proj", j, pr.name, "_post", rules.index_dtype, "syn")
        if pr.delay == "variable":
            add("proj", j, pr.name, "_delay", rules.index_dtype, "syn")
    add("ctl", 0, "", "active", rules.learning_dtype, "npop")   # Population.disable(): 0
    add("ctl", 0, "", "lag", "int64", "npop")                       # steps each population spent disabled
    add("ctl", 0, "", "learning", rules.learning_dtype, "nproj")
    if rules.dirty_slot:
        add("ctl", 0, "", "dirty", "float64", "nproj")
    return Layout(slots, [p.name for p in ir.populations], [pr.name for pr in ir.projections])


def allocate(layout, ir, data):
    """C-contiguous NumPy arrays for every slot, filled from ``data`` (the kernel writes them); the read-only
    index slots ``_pre``/``_post`` share the connectivity's arrays when their dtype fits."""
    return [_array(s, ir, data) for s in layout]


def _array(s, ir, data):
    if s.kind == "ctl":
        n = max(1, len(ir.populations) if s.sized_by == "npop" else len(ir.projections))
        return np.full(n, 1 if s.name in ("learning", "active") else 0, dtype=s.dtype)
    if s.kind == "pop":
        p = ir.populations[s.owner]
        if s.name.startswith("_src_"):
            src, n = np.asarray(data.sources[p.name][s.name[5:]]).reshape(-1), None
        elif s.name == "_refr":
            src, n = 0, p.size
        else:
            src, n = data.populations[p.name].get(s.name, 0.0), p.size
    else:
        pr = ir.projections[s.owner]
        conn = data.connectivity[pr.name]
        n = {"syn": conn.size, "post": conn.post_size}.get(s.sized_by)
        src = {"_pre": conn.pre, "_post": conn.post}.get(s.name)
        if src is None:
            src = np.asarray(data.delays[pr.name]) if s.name == "_delay" else \
                data.projections[pr.name].get(s.name, 0.0)
    if s.scalar:
        src = np.asarray(src, dtype=float).reshape(-1)
        return np.array(float(src[0]) if src.size else 0.0, dtype=s.dtype)
    if n is None:
        return np.ascontiguousarray(src, dtype=s.dtype).copy()
    if s.name in ("_pre", "_post") and isinstance(src, np.ndarray) and src.dtype == s.dtype and \
            src.flags.c_contiguous and src.size == n:
        return src      # read-only indices: the slot shares the connectivity's array (no second copy)
    arr = np.empty(n, dtype=s.dtype)
    arr[...] = src
    return arr
