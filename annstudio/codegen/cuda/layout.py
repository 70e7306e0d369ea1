"""Slot layout of a CUDA kernel library (the arrays Python allocates and the kernel borrows).

Same key convention as the C++ backend's ABI (``annstudio/codegen/cpp/ABI.md``):
``pop:<name>:<var>``, ``pop:<name>:sum__<target>``, ``pop:<name>:_refr``,
``proj:<name>:<var>``, ``proj:<name>:_pre``/``_post``/``_delay``/``_last_event``,
``ctl:learning``.  Every slot also gets the C++ member name the generated ``Net``
struct uses for its device copy.  Sizes of synapse arrays are data (connectivity),
so the layout only says what each slot is sized by; :func:`allocate` builds the
NumPy arrays from a :class:`~annstudio.codegen.ir.NetworkData`.
"""
import re
from dataclasses import dataclass

import numpy as np

_C_NAME = re.compile(r"[^A-Za-z0-9_]")


def c_ident(text):
    return _C_NAME.sub("_", text)


@dataclass(frozen=True)
class Slot:
    index: int
    key: str
    cname: str           # member of the generated Net struct
    dtype: str           # "f8" | "i4" | "i8"
    sized_by: str        # "pop" | "scalar" | "syn" | "post" | "nproj" | "data" (source schedules)
    owner: int           # population or projection index
    scalar: bool = False

    @property
    def ctype(self):
        return {"f8": "double", "i4": "int32_t", "i8": "int64_t"}[self.dtype]


def build_layout(ir):
    slots = []

    def add(key, cname, dtype, sized_by, owner):
        slots.append(Slot(len(slots), key, cname, dtype, sized_by, owner, sized_by == "scalar"))

    for i, p in enumerate(ir.populations):
        for v in p.variables:
            add(f"pop:{p.name}:{v.name}", f"p{i}_{c_ident(v.name)}", "f8",
                "scalar" if v.locality == "global" else "pop", i)
        for g in p.global_ops:
            add(f"pop:{p.name}:{g.symbol}", f"p{i}_{c_ident(g.symbol)}", "f8", "scalar", i)
        for t in p.sums:
            add(f"pop:{p.name}:sum__{t}", f"p{i}_sum__{c_ident(t)}", "f8", "pop", i)
        if p.type == "spike" and p.refractory is not None:
            add(f"pop:{p.name}:_refr", f"p{i}__refr", "i4", "pop", i)
        if p.source == "spike_source_array":     # NetworkData.sources[name]: steps, ranks (sorted)
            add(f"pop:{p.name}:_src_steps", f"p{i}__src_steps", "i8", "data", i)
            add(f"pop:{p.name}:_src_ranks", f"p{i}__src_ranks", "i8", "data", i)
        elif p.source == "timed_array":          # buffer [T, size], row-major
            add(f"pop:{p.name}:_src_buffer", f"p{i}__src_buffer", "f8", "data", i)
    for j, pr in enumerate(ir.projections):
        for v in pr.variables:
            if v.name == "w" and pr.uniform_weight:
                sized = "scalar"
            else:
                sized = {"local": "syn", "semiglobal": "post", "global": "scalar"}[v.locality]
            add(f"proj:{pr.name}:{v.name}", f"j{j}_{c_ident(v.name)}", "f8", sized, j)
        add(f"proj:{pr.name}:_pre", f"j{j}__pre", "i4", "syn", j)
        add(f"proj:{pr.name}:_post", f"j{j}__post", "i4", "syn", j)
        if pr.delay == "variable":
            add(f"proj:{pr.name}:_delay", f"j{j}__delay", "i4", "syn", j)
        if pr.event_driven:
            add(f"proj:{pr.name}:_last_event", f"j{j}__last_event", "f8", "syn", j)
    add("ctl:learning", "ctl_learning", "i4", "nproj", 0)
    return tuple(slots)


_NP = {"f8": np.float64, "i4": np.int32, "i8": np.int64}


def allocate(ir, data, layout):
    """NumPy arrays for every slot, filled from ``data`` (C-contiguous, the slot's dtype)."""
    arrays = []
    for s in layout:
        kind, name, var = (s.key.split(":", 2) + [""])[:3]
        if kind == "ctl":
            arrays.append(np.ones(len(ir.projections), dtype=np.int32))
            continue
        if kind == "pop":
            p = ir.populations[s.owner]
            values = data.populations[p.name]
            if var.startswith("_src_"):
                arr = np.asarray(data.sources[p.name][var[5:]]).reshape(-1)
                arrays.append(np.ascontiguousarray(arr, dtype=_NP[s.dtype]).copy())
                continue
            if var == "_refr":
                arr = np.zeros(p.size, dtype=np.int32)
            elif var.startswith("sum__"):
                arr = np.zeros(p.size)
            else:
                arr = np.array(values.get(var, 0.0), dtype=float).reshape(-1)
                if not s.scalar:
                    arr = np.broadcast_to(arr, (p.size,)).copy() if arr.size == 1 else arr.copy()
            arrays.append(np.ascontiguousarray(arr, dtype=np.float64 if s.dtype == "f8" else np.int32))
            continue
        pr = ir.projections[s.owner]
        conn = data.connectivity[pr.name]
        if var == "_pre":
            arr = np.asarray(conn.pre, dtype=np.int32)
        elif var == "_post":
            arr = np.asarray(conn.post, dtype=np.int32)
        elif var == "_delay":
            arr = np.asarray(data.delays[pr.name], dtype=np.int32)
        else:
            val = data.projections[pr.name].get(var, 0.0)
            arr = np.array(val, dtype=float).reshape(-1)
            n = {"syn": conn.size, "post": conn.post_size, "scalar": 1}[s.sized_by]
            if arr.size == 1 and n != 1:
                arr = np.full(n, float(arr[0]))
        arrays.append(np.ascontiguousarray(arr.copy(), dtype=np.float64 if s.dtype == "f8" else np.int32))
    return arrays
