"""What a built network description must satisfy before it is lowered and simulated.

Owns ``spec_problems(spec, steps)``: every check the lowering (``codegen.ir.lower``), the
connectivity builder (``core.runtime.connectivity``) and the session's protocol calls make
before or while simulating, made on the description alone (no synapse is created, nothing
is sampled): connector arguments against the pre/post sizes and geometries, initial values
against the types' declarations, special populations' options, ``pre.``/``post.``
references, targets the post-synaptic neuron must read, projection kinds, rate-coded
delays, ``g_target`` updates, ``simulate_until`` stop conditions and ``set`` values.

Each problem is ``(where, message, line)`` with ``where`` a path inside the project file:
``spec``'s lists are in file order (``project.convert.build`` keeps them so).
"""
import difflib
import re

import numpy as np
import sympy as sp

from ..equations.expressions import ExpressionContext, preprocess, to_sympy
from ..equations.names import name_problem
from ..errors import AnnstudioError, EquationError
from .distributions import Distribution
from .spec import Segments
from .types import Synapse

CONNECTOR_ARGS = {          # arguments each connector takes besides weights and delays
    "all_to_all": {"allow_self_connections", "force_multiple_weights", "storage_format"},
    "one_to_one": {"force_multiple_weights", "storage_format"},
    "fixed_probability": {"probability", "allow_self_connections", "force_multiple_weights", "storage_format"},
    "fixed_number_pre": {"number", "allow_self_connections", "force_multiple_weights", "storage_format"},
    "fixed_number_post": {"number", "allow_self_connections", "force_multiple_weights", "storage_format"},
    "gaussian": {"amp", "sigma", "limit", "allow_self_connections", "storage_format"},
    "dog": {"amp_pos", "sigma_pos", "amp_neg", "sigma_neg", "limit", "allow_self_connections",
            "storage_format"},
    "from_matrix": {"pre_post", "storage_format"},
    "from_sparse": {"storage_format"},
}
REQUIRED_NUMBERS = {"gaussian": ("amp", "sigma"), "dog": ("amp_pos", "sigma_pos", "amp_neg", "sigma_neg")}


def _is_number(x):
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)


def _shared(pr, pre, post):
    """How many neurons are both pre- and postsynaptic (same population), without building rank arrays
    for whole populations (a 400 000-neuron population costs nothing)."""
    if pre.name != post.name:
        return 0
    a, b = pr.pre.ranks, pr.post.ranks
    if a is None and b is None:
        return int(pre.size)
    if a is None or b is None:
        return len(set(b if a is None else a))
    return int(np.intersect1d(np.asarray(a), np.asarray(b)).size)


def _ranks(ref, size):
    return np.arange(size) if ref.ranks is None else np.asarray(ref.ranks)


def synapse_count(pr, pre, post):
    """How many synapses ``pr``'s connector makes when that does not depend on the draw, else None."""
    c = pr.connector
    if c is None:
        return None
    p, m = c.params, c.method
    pre_r, post_r = _ranks(pr.pre, pre.size), _ranks(pr.post, post.size)
    npre, npost = pre_r.size, post_r.size
    if m == "all_to_all":
        same = pre.name == post.name and not bool(p.get("allow_self_connections", False))
        return int(npre * npost - (_shared(pr, pre, post) if same else 0))
    if m == "one_to_one":
        return int(npre) if npre == npost else None
    number = p.get("number")
    if m in ("fixed_number_pre", "fixed_number_post") and _is_number(number):
        return int(number) * int(npost if m == "fixed_number_pre" else npre)
    return None


def connector_problems(pr, pre, post, where):
    """Problems of projection ``pr``'s connector between populations ``pre`` and ``post``."""
    c = pr.connector
    out = []
    if c is None:
        return [(where, "the projection has no connector (call one of the connect_* methods)", None)]
    here = f"{where}.args"
    p, m = c.params, c.method
    pre_r, post_r = _ranks(pr.pre, pre.size), _ranks(pr.post, post.size)
    npre, npost = pre_r.size, post_r.size
    allowed = CONNECTOR_ARGS.get(m, set()) | {"weights", "delays"}
    for key in sorted(set(p) - allowed):
        out.append((f"{here}.{key}", f"{m} takes no argument {key!r} (it takes: "
                    f"{', '.join(sorted(CONNECTOR_ARGS.get(m, ()))) or 'none'})", None))
    for key in ("allow_self_connections", "force_multiple_weights", "pre_post"):
        if key in p and not isinstance(p[key], bool):
            out.append((f"{here}.{key}", f"{key} must be true or false, got {p[key]!r}", None))
    same = pre.name == post.name
    allow_self = bool(p.get("allow_self_connections", False))
    # fixed_number_pre/post drop self-connections only between a population and itself, not its views
    overlap = same and not allow_self and bool(_shared(pr, pre, post)) and (npre, npost) == (pre.size, post.size)
    n_syn = synapse_count(pr, pre, post)
    if m == "all_to_all":
        pass
    elif m == "one_to_one":
        if npre != npost:
            out.append((where, f"one_to_one needs pre and post of the same size ({npre} != {npost})", None))
    elif m == "fixed_probability":
        prob = p.get("probability")
        if not _is_number(prob) or not 0.0 <= float(prob) <= 1.0:
            out.append((f"{here}.probability", f"probability must be in [0, 1], got {prob!r}", None))
    elif m in ("fixed_number_pre", "fixed_number_post"):
        pool = npre if m == "fixed_number_pre" else npost
        number = p.get("number")
        if not _is_number(number) or float(number) != int(number) or not 0 <= int(number) <= pool:
            out.append((f"{here}.number", f"number must be in [0, {pool}], got {number!r}", None))
        elif overlap and int(number) > pool - 1:
            side = "presynaptic" if m == "fixed_number_pre" else "postsynaptic"
            out.append((f"{here}.number", f"cannot pick {int(number)} distinct {side} neurons out of {pool - 1} "
                        "(self-connections are not allowed)", None))
    elif m in REQUIRED_NUMBERS:
        for key in REQUIRED_NUMBERS[m]:
            if not _is_number(p.get(key)):
                out.append((f"{here}.{key}", f"{m} needs a number {key}, got {p.get(key)!r}", None))
            elif key.startswith("sigma") and float(p[key]) <= 0:
                out.append((f"{here}.{key}", f"{key} must be positive, got {p[key]!r}", None))
        if "limit" in p and not _is_number(p["limit"]):
            out.append((f"{here}.limit", f"limit must be a number, got {p['limit']!r}", None))
        if len(pre.geometry) != len(post.geometry):
            out.append((where, f"{m} needs pre and post of the same dimension "
                        f"({len(pre.geometry)}-D and {len(post.geometry)}-D)", None))
    elif m == "from_matrix":
        w = p.get("weights")
        shape = np.shape(w) if isinstance(w, np.ndarray) else None
        want = (npre, npost) if p.get("pre_post", False) else (npost, npre)
        if shape != want:
            got = f"{shape}" if shape is not None else f"{w!r:.40}"
            out.append((f"{where}.weights", f"from_matrix: expected a {want} matrix "
                        f"({'pre x post' if p.get('pre_post', False) else 'post x pre'}), got {got}", None))
    elif m == "from_sparse":
        shape = tuple(getattr(p.get("weights"), "shape", ()))
        if shape != (npre, npost):
            out.append((f"{where}.weights", f"from_sparse: expected shape (pre, post) = ({npre}, {npost}), "
                        f"got {shape}", None))
    else:
        out.append((f"{where}.method", f"unknown connection method {m!r}", None))
    if m not in ("from_matrix", "from_sparse"):
        w = p.get("weights")
        if isinstance(w, np.ndarray) and w.ndim > 0 and w.size != 1 and w.size != n_syn:
            if n_syn is None:
                out.append((f"{where}.weights", f"weights: {m} makes a random number of synapses: give a constant "
                            f"or a distribution, not {w.size} values", None))
            else:
                out.append((f"{where}.weights", f"weights: expected a constant, a distribution or {n_syn} values, "
                            f"got {w.size}", None))
    d = p.get("delays")
    if isinstance(d, np.ndarray) and d.ndim > 0 and d.size != 1 and d.size != n_syn:
        want = f"{n_syn} values" if n_syn is not None else "no array (the number of synapses is random)"
        out.append((f"{where}.delays", f"delays: expected a constant, a distribution or {want}, got {d.size}",
                    None))
    if d is not None and not isinstance(d, Distribution) and np.size(d) and np.min(d) < 0:
        out.append((f"{where}.delays", "delays must be non-negative", None))
    return out


def _varies(d):
    if isinstance(d, Distribution):
        return True
    return isinstance(d, np.ndarray) and d.size > 1 and not np.all(d == d.reshape(-1)[0])


def _array_problem(value, n, what, where):
    """An array value for ``n`` places (None: a number of synapses only the draw decides)."""
    if not isinstance(value, np.ndarray) or value.size == 1 or value.size == n:
        return []
    if n is None:
        return [(where, f"expected one value for {what} (the number of synapses is random), got {value.size}",
                 None)]
    return [(where, f"expected one value or {n} values for {what}, got {value.size}", None)]


def _initial_problems(initial, a, kind, where, n_syn=False):
    """``n_syn``: for a projection, its synapse count (None when random); False for a population."""
    out = []
    for name, value in initial.items():
        here = f"{where}.initial.{name}"
        decl = a.var(name)
        if decl is None:
            out.append((here, f"'{name}' is not a parameter or variable of {kind} '{a.name}'", None))
            continue
        if decl.locality == "local" and n_syn is not False:
            out += _array_problem(value, n_syn, name, here)
            continue
        if decl.locality != "global":
            continue
        parts = value.parts if isinstance(value, Segments) else [(None, value)]
        for ranks, val in parts:
            if ranks is not None:
                out.append((here, f"'{name}' is a population-wide parameter: it cannot be set on a view", None))
            elif isinstance(val, np.ndarray) and val.size != 1:
                out.append((here, f"'{name}' is a population-wide parameter and takes one value", None))
    return out


def _source_problems(p, where):
    if p.kind == "spike_source_array":
        times = p.options.get("spike_times") or []
        if len(times) and np.ndim(times[0]) == 0:
            return []
        if len(times) != p.size:
            return [(f"{where}.options.spike_times",
                     f"spike_times needs one list per neuron ({p.size}), got {len(times)}", None)]
    if p.kind == "timed_array":
        rates = np.asarray(p.options.get("rates"), dtype=float)
        if rates.ndim and rates.size % p.size:
            return [(f"{where}.options.rates", f"rates needs {p.size} values per row, got shape {rates.shape}",
                     None)]
    return []


def _synapse_problems(pr, ptype, pre_a, post_a, where, n_syn):
    """The synapse read for a projection from a ``ptype`` population (as the lowering reads it)."""
    syn = pr.synapse
    if syn is None:
        return []
    here = f"{where}.synapse"
    try:
        a = syn.analysis(ptype)
    except EquationError as e:
        block = str(e.where or "").rsplit(", ", 1)[-1]
        msg = e.message + (f" ({e.hint})" if e.hint else "")
        return [(f"{here}", f"{syn.name} on a {ptype}-coded projection: {block}: {msg}", e.line)]
    except AnnstudioError as e:
        return [(here, f"{syn.name} on a {ptype}-coded projection: {e.message}", e.line)]
    out = [(f"{here}.{field}", f"Synapse '{syn.name}': {message} ({hint})", line)
           for field, line, message, hint in reference_problems(syn, a, pre_a, post_a)]
    g = sp.Symbol("g_target")
    for s in a.pre_spike:
        if s.target == "g_target" and g in (s.expr - g).free_symbols:
            out.append((here, "g_target can only be incremented in pre_spike ('g_target += ...')", None))
    for s in a.post_spike:
        if s.target == "g_target":
            out.append((here, "g_target can only be changed in pre_spike", None))
    local = {v.name for v in a.variables if v.locality == "local"} | {"w"}
    for s in a.pre_spike + a.post_spike:
        if s.target != "g_target" and not s.target.startswith("_") and s.target not in local:
            out.append((here, f"'{s.target}' is not a per-synapse variable; it cannot change on spikes", None))
    out += _initial_problems(pr.initial, a, "Synapse", where, n_syn)
    return out


def reference_problems(syn, a, pre_a, post_a):
    """``[(field, line, message, hint)]`` for each ``pre.x`` / ``post.x`` of synapse ``syn`` (analysis ``a``)
    that its pre/post neuron (analyses ``pre_a``/``post_a``) lacks: the field (psp, equations, pre_spike,
    post_spike, ...) and line where it is first used.  The project checks and the lowering both report them."""
    out = []
    for side, refs, other in (("pre", a.pre_refs, pre_a), ("post", a.post_refs, post_a)):
        for ref in refs:
            if not ref.startswith("sum__") and ref not in other.names:
                field, line = _reference_place(syn, side, ref)
                close = difflib.get_close_matches(ref, other.names, n=1)
                hint = f"did you mean '{side}.{close[0]}'?" if close else f"it has: {', '.join(other.names)}"
                out.append((field, line, f"'{side}.{ref}' is not a variable of the "
                            f"{side}synaptic Neuron '{other.name}'", hint))
    return out


def _reference_place(syn, side, ref):
    """(field, line) of the first ``side.ref`` in the synapse's text fields (("synapse", None) if not found)."""
    pattern = re.compile(rf"\b{side}\s*\.\s*{re.escape(ref)}\b")
    for field in syn.field_names():
        text = getattr(syn, field, None)
        if not isinstance(text, str):
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if pattern.search(line.split("#", 1)[0]):
                return field, number
    return "synapse", None


def _projection_problems(pr, pre, post, pre_a, post_a, where):
    out = connector_problems(pr, pre, post, f"{where}.connector")
    ptype = pre_a.type
    n_syn = synapse_count(pr, pre, post)
    out += _synapse_problems(pr, ptype, pre_a, post_a, where, n_syn)
    if pr.synapse is None and pr.initial:
        out += _initial_problems(pr.initial, Synapse(name="DefaultSynapse").analysis(ptype), "Synapse", where, n_syn)
    if pr.kind == "decoding" and (ptype != "spike" or post_a.type != "rate"):
        out.append((f"{where}.kind", "a DecodingProjection goes from a spiking to a rate-coded population", None))
    if pr.kind == "current_injection" and (ptype != "rate" or post_a.type != "spike"):
        out.append((f"{where}.kind", "a CurrentInjection goes from a rate-coded to a spiking population", None))
    targets = pr.target if isinstance(pr.target, (list, tuple)) else [pr.target]
    # spiking -> spiking onto a target the neuron does not use: accepted without effect, as ANNarchy 4.8 does
    # (project.graph warns about it); a CurrentInjection needs the conductance it writes
    needs_g = pr.kind == "current_injection"
    for tgt in targets:
        if needs_g and f"g_{tgt}" not in post_a.names:
            out.append((f"{where}.target", f"the post population's neuron does not use 'g_{tgt}' "
                        f"(add g_{tgt} to the equations of Neuron '{post_a.name}')", None))
    if ptype == "rate" and pr.connector is not None and _varies(pr.connector.params.get("delays")):
        out.append((f"{where}.connector.delays", "non-uniform delays are not supported for rate-coded "
                    "projections", None))
    return out


def _stop_problems(p, a, where):
    """The stop condition (``expr : any|all``) read as ``simulate_until`` reads it."""
    text, _, mode = p.stop_condition.partition(":")
    names = {v.name: sp.Symbol(v.name) for v in a.variables}
    names["t"] = sp.Symbol("t")
    here = f"Population '{p.name}', stop_condition"
    try:
        to_sympy(preprocess(text, here, 1), ExpressionContext(here, 1, names))
    except AnnstudioError as e:
        return [(f"{where}.stop_condition", e.message + (f" ({e.hint})" if e.hint else ""), 1)]
    if mode.strip() not in ("", "any", "all"):
        return [(f"{where}.stop_condition", f"the mode after ':' must be 'any' or 'all', got {mode.strip()!r}", 1)]
    return []


def _step_problems(steps, pops, projs):
    out = []
    for i, st in enumerate(steps):
        where = f"protocol[{i}]"
        if st.action == "simulate_until":
            names = [st.population] if isinstance(st.population, str) else list(st.population)
            for name in names:
                if not (pops[name].stop_condition or "").strip():
                    out.append((f"{where}.population", f"population {name!r} has no stop_condition", None))
        elif st.action == "set" and st.target in pops:
            p = pops[st.target]
            decl = p.neuron.analysis().var(st.variable)
            parts = st.value.parts if isinstance(st.value, Segments) else [(None, st.value)]
            for ranks, val in parts:
                n = p.size if ranks is None else len(ranks)
                glob = decl is not None and decl.locality == "global"
                if glob and ranks is not None:
                    out.append((f"{where}.value", f"'{st.variable}' is a population-wide parameter: "
                                "it cannot be set on a view", None))
                elif isinstance(val, np.ndarray) and val.size not in (1, 1 if glob else n):
                    out.append((f"{where}.value", f"expected one value or {1 if glob else n} values for "
                                f"{st.target}.{st.variable}, got {val.size}", None))
        elif st.action == "set" and st.target in projs:
            pr, n_syn = projs[st.target]
            syn = pr.synapse or Synapse(name="DefaultSynapse")
            decl = syn.analysis(pops[pr.pre.population].neuron.type).var(st.variable)
            parts = st.value.parts if isinstance(st.value, Segments) else [(None, st.value)]
            for _, val in parts:
                n = 1 if decl is not None and decl.locality == "global" else (
                    n_syn if decl is None or decl.locality == "local" else pops[pr.post.population].size)
                out += _array_problem(val, n, f"{st.target}.{st.variable}", f"{where}.value")
    return out


def name_problems(spec):
    """The names rule (``equations.names``) over every name of ``spec`` that reaches code or a script."""
    out = []
    for i, p in enumerate(spec.populations):
        out += [(f"populations[{i}].name", m, None) for m in [name_problem(p.name, "population name")] if m]
        t = p.neuron
        if t is not None:
            out += [(f"populations[{i}].neuron", m, None) for m in [name_problem(t.name, "neuron type name")] if m]
    for i, pr in enumerate(spec.projections):
        out += [(f"projections[{i}].name", m, None) for m in [name_problem(pr.name, "projection name")] if m]
        targets = pr.target if isinstance(pr.target, (list, tuple)) else [pr.target]
        for tgt in targets:
            m = name_problem(tgt, "target", prefixed=True)
            if m:
                out.append((f"projections[{i}].target", m, None))
        if pr.synapse is not None:
            out += [(f"projections[{i}].synapse", m, None)
                    for m in [name_problem(pr.synapse.name, "synapse type name")] if m]
    for i, m in enumerate(spec.monitors):
        if m.name is not None:
            out += [(f"monitors[{i}].name", msg, None) for msg in [name_problem(m.name, "monitor name")] if msg]
    return out


def spec_problems(spec, steps=()):
    """Every problem of ``spec`` (and the protocol ``steps``) that building or running would meet."""
    out = name_problems(spec)
    if out:
        return out
    pops = {p.name: p for p in spec.populations}
    analyses = {p.name: p.neuron.analysis() for p in spec.populations}
    for i, p in enumerate(spec.populations):
        where = f"populations[{i}]"
        out += _initial_problems(p.initial, analyses[p.name], "Neuron", where)
        out += _source_problems(p, where)
        if (p.stop_condition or "").strip():
            out += _stop_problems(p, analyses[p.name], where)
    projs = {}
    for i, pr in enumerate(spec.projections):
        pre, post = pops[pr.pre.population], pops[pr.post.population]
        out += _projection_problems(pr, pre, post, analyses[pre.name], analyses[post.name], f"projections[{i}]")
        projs[pr.name] = (pr, synapse_count(pr, pre, post))
    out += _step_problems(steps, pops, projs)
    return out
