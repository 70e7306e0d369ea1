"""The values of a network: ``build_data(spec, analyses, rng)`` -> :class:`NetworkData`.

Owns everything a user can change without changing code (see ``annstudio.codegen.ir``): the
initial values of populations and synapses (declared defaults, then the spec's ``initial``
entries, distributions drawn from ``rng``), connectivity and delays (connectors draw from the same
``rng``), and the schedules of special populations.  The draws happen in one fixed order
(populations' initial values, then for each projection its connectivity and its synaptic values),
so a seed gives the same network whatever the backend.  Nothing here builds code.
"""
from dataclasses import dataclass, field

import numpy as np

from annstudio.core.errors import ModelError
from annstudio.core.model.distributions import sample
from annstudio.core.model.spec import Segments
from annstudio.core.runtime.connectivity import build_connectivity
from annstudio.core.runtime.convolution_kernels import copied as copied_connectivity


@dataclass
class NetworkData:
    """Runtime numbers: ``populations[name][var]`` arrays (scalars for globals),
    ``projections[name]`` dicts with connectivity and synaptic variables."""

    populations: dict = field(default_factory=dict)
    projections: dict = field(default_factory=dict)
    connectivity: dict = field(default_factory=dict)
    delays: dict = field(default_factory=dict)       # projection -> int steps array or int
    sources: dict = field(default_factory=dict)      # special population -> schedule arrays (see ir.py)


def steps(value_ms, dt):
    return int(round(float(value_ms) / dt))


def synapse_analysis(pr, ptype, scope):
    syn = pr.synapse
    if syn is None:
        from annstudio.core.model.types import Synapse
        syn = Synapse(name="DefaultSynapse")
    return syn.analysis(ptype, scope)


def uniform_weight(conn, a):
    """One weight for every synapse: a uniform connector weight that no statement of ``a`` writes."""
    plastic_w = any(s.target == "w" for s in a.equations + a.pre_spike + a.post_spike)
    return conn.uniform_weight is not None and not plastic_w and a.var("w").implicit


def delay_steps(conn, dt):
    """A projection's delays in steps: one int when uniform, else an int64 array per synapse."""
    if conn.uniform_delay is not None and conn.size:     # one value: no per-synapse pass (16 M of them, say)
        return max(1, int(np.rint(float(conn.uniform_delay) / dt)))
    arr = np.maximum(1, np.rint(conn.delay / dt).astype(np.int64)) if conn.size else np.zeros(0, np.int64)
    if conn.uniform_delay is not None or (arr.size and np.all(arr == arr[0])):
        return int(arr.max()) if arr.size else 1
    return arr


def build_data(spec, analyses, rng, scope):
    """Initial values, connectivity, delays and schedules of ``spec`` (``analyses``: population name
    -> neuron analysis).  Checks what only values reveal (unknown names in ``initial``, sizes)."""
    dt = float(spec.settings.dt)
    pops = {p.name: p for p in spec.populations}
    data = NetworkData()
    for p in spec.populations:
        data.populations[p.name] = _population_values(p, analyses[p.name], rng)
    names = set()
    for pr in spec.projections:
        if pr.name in names:
            raise ModelError(f"two projections share the name {pr.name!r}")
        names.add(pr.name)
        where = f"Projection '{pr.name}'"
        if pr.pre.population not in pops or pr.post.population not in pops:
            raise ModelError("unknown pre or post population", where=where)
        pre, post = pops[pr.pre.population], pops[pr.post.population]
        if pr.connector is None:
            raise ModelError("the projection has no connector (call one of the connect_* methods)", where=where)
        pre_ranks = np.arange(pre.size) if pr.pre.ranks is None else np.asarray(pr.pre.ranks)
        post_ranks = np.arange(post.size) if pr.post.ranks is None else np.asarray(pr.post.ranks)
        if pr.connector.method == "copy":   # Copy: synapses of an earlier projection, its weights now
            src = pr.connector.params.get("projection")
            if src not in data.connectivity:
                raise ModelError(f"the copied projection {src!r} must be declared (and connected) before",
                                 where=where)
            conn = copied_connectivity(data.connectivity[src], data.projections[src]["w"])
        else:
            conn = build_connectivity(pr.connector, pre_ranks, post_ranks, pre.size, post.size,
                                      pre.name == post.name, rng, dt, where, pre.geometry, post.geometry,
                                      pre_name=pre.name, post_name=post.name)
        data.connectivity[pr.name] = conn
        a = synapse_analysis(pr, analyses[pre.name].type, scope)
        data.projections[pr.name] = _synapse_values(pr, a, conn, rng, where)
        data.delays[pr.name] = delay_steps(conn, dt)
    for p in spec.populations:
        src = population_sources(p, dt)
        if src is not None:
            data.sources[p.name] = src
        for g in analyses[p.name].global_ops:
            data.populations[p.name][g.symbol] = 0.0
    return data


def add_constants(ir, data, constants):
    """The values of the network constants the IR declares as population/projection-wide parameters."""
    for objs, values in ((ir.populations, data.populations), (ir.projections, data.projections)):
        for obj in objs:
            vals = values[obj.name]
            for v in obj.variables:
                if v.name not in vals and v.name in constants:
                    vals[v.name] = float(constants[v.name])


def population_sources(pop_spec, dt):
    """Schedule data (``NetworkData.sources`` entry) of a special population from its current options,
    or None; also used to rebuild a backend after a restructure (``session.simulation``)."""
    p, dt = pop_spec, float(dt)
    if p.kind == "spike_source_array":
        times = p.options.get("spike_times") or []
        if len(times) and np.ndim(times[0]) == 0:   # one list for every neuron
            times = [times] * p.size
        if len(times) != p.size:
            raise ModelError(f"spike_times needs one list per neuron ({p.size}), got {len(times)}",
                             where=f"Population '{p.name}'")
        pairs = sorted({(int(round(float(t) / dt)), r) for r, ts in enumerate(times) for t in ts})
        return {"steps": np.array([s for s, _ in pairs], dtype=np.int64),
                "ranks": np.array([r for _, r in pairs], dtype=np.int64)}
    if p.kind == "timed_array":
        buf = np.asarray(p.options.get("rates"), dtype=float)
        buf = buf.reshape((buf.shape[0], p.size)) if buf.ndim else np.full((1, p.size), float(buf))
        return {"buffer": buf}
    return None


def default_value(spec, name, var):
    """The declared initial value of ``var`` in population or projection ``name`` of ``spec`` (e.g. for
    synapses created during a run): the IR does not carry values."""
    scope = spec.scope()
    for p in spec.populations:
        if p.name == name:
            decl = p.neuron.analysis(scope).var(var)
            break
    else:
        pr = next((q for q in spec.projections if q.name == name), None)
        if pr is None:
            raise ModelError(f"no population or projection named {name!r}")
        ptype = spec.population(pr.pre.population).neuron.analysis(scope).type
        decl = synapse_analysis(pr, ptype, scope).var(var)
    if decl is None:
        if var in spec.constants:
            return float(spec.constants[var])
        raise ModelError(f"{name!r} has no variable {var!r}")
    return float(decl.init)


def _population_values(p, a, rng):
    out = {}
    shape = (p.size,)
    for v in a.variables:
        if v.locality == "global":
            out[v.name] = float(v.init)
        else:
            out[v.name] = np.full(shape, float(v.init))
    for name, value in p.initial.items():
        decl = a.var(name)
        if decl is None:
            raise ModelError(f"'{name}' is not a parameter or variable of Neuron '{a.name}'",
                             where=f"Population '{p.name}'")
        parts = value.parts if isinstance(value, Segments) else [(None, value)]
        for ranks, val in parts:
            if decl.locality == "global":
                if ranks is not None:
                    raise ModelError(f"'{name}' is a population-wide parameter: it cannot be set on a view",
                                     where=f"Population '{p.name}'")
                arr = np.asarray(sample(val, (1,), rng) if not np.ndim(val) else val, dtype=float)
                if arr.size != 1:
                    raise ModelError(f"'{name}' is a population-wide parameter and takes one value",
                                     where=f"Population '{p.name}'")
                out[name] = float(arr.reshape(-1)[0])
            else:
                idx = slice(None) if ranks is None else np.asarray(ranks)
                n = p.size if ranks is None else len(ranks)
                try:
                    out[name][idx] = sample(val, (n,), rng)
                except ModelError as exc:
                    raise ModelError(f"'{name}': {exc.message}", where=f"Population '{p.name}'") from None
    return out


def _synapse_values(pr, a, conn, rng, where):
    values = {}
    n = conn.size
    for v in a.variables:
        if v.locality == "global":
            values[v.name] = float(v.init)
        elif v.locality == "semiglobal":
            values[v.name] = np.full(conn.post_size, float(v.init))
        else:
            values[v.name] = np.full(n, float(v.init))
    values["w"] = float(conn.uniform_weight) if uniform_weight(conn, a) else conn.w.copy()
    for name, value in pr.initial.items():
        decl = a.var(name)
        if decl is None:
            raise ModelError(f"'{name}' is not a parameter or variable of Synapse '{a.name}'", where=where)
        shape = (1,) if decl.locality == "global" else ((conn.post_size,) if decl.locality == "semiglobal" else (n,))
        vals = sample(value, shape, rng)
        values[name] = float(vals[0]) if decl.locality == "global" else vals
    if any(s.method == "event-driven" for s in a.equations):
        values["_last_event"] = np.zeros(n)
    return values
