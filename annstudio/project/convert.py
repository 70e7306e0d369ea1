"""From a checked project document (a dict) to the engine's network description.

Owns
- ``build(data)`` -> ``Built``: the ``NetworkSpec`` (settings, populations, projections,
  monitors), the protocol as ``Step`` records, the resolved neuron/synapse types by name;
- decoding of the value forms of docs/project-format.md (numbers, ``{"array"}``,
  ``{"distribution"}``, ``{"segments"}``), population references (views) and connectors;
- locating every problem at its path inside the file: an ``EquationError`` raised while
  parsing ``neurons.LIF`` becomes ``neurons.LIF.equations, line 3: ...`` and one inside an
  inline type ``populations[2].neuron.equations, line 3: ...``.

Equations stay text here; they are parsed by ``annstudio.core.equations`` (a whitelist
walk over ``ast``), never evaluated.  Problems are collected, not raised one by one.
"""
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np
import scipy.sparse

from ..core import library
from ..core.errors import AnnstudioError, EquationError
from ..core.model import (ConnectorSpec, MonitorSpec, NetworkSpec, Neuron, PopRef, PopulationSpec,
                            ProjectionSpec, Segments, Settings, Synapse, distribution_from_dict)
from .format import InvalidProject, Problem

MAX_NEURONS = 50_000_000
NEURON_TEXT_FIELDS = ("parameters", "equations", "spike", "reset", "axon_spike", "axon_reset", "functions")
SYNAPSE_TEXT_FIELDS = ("parameters", "equations", "psp", "pre_spike", "post_spike", "pre_axon_spike",
                       "functions", "pruning", "creating")
CONNECTOR_DEFAULTS = {      # the defaults of the script API's connect_* methods
    "all_to_all": {"allow_self_connections": False, "force_multiple_weights": False},
    "one_to_one": {"force_multiple_weights": False},
    "fixed_probability": {"allow_self_connections": False, "force_multiple_weights": False},
    "fixed_number_pre": {"allow_self_connections": False, "force_multiple_weights": False},
    "fixed_number_post": {"allow_self_connections": False, "force_multiple_weights": False},
    "gaussian": {"limit": 0.01, "allow_self_connections": False},
    "dog": {"limit": 0.01, "allow_self_connections": False},
    "from_matrix": {"pre_post": False},
}
SPECIAL_KINDS = ("poisson", "spike_source_array", "timed_array", "homogeneous_correlated")


@dataclass(frozen=True)
class Step:
    """One protocol step; only the fields of its ``action`` are meaningful."""

    action: str
    target: Optional[str] = None
    variable: Optional[str] = None
    value: Any = None
    duration: Optional[float] = None
    max_duration: Optional[float] = None
    population: Any = None
    operator: str = "or"
    flags: tuple = ()
    label: str = ""


@dataclass
class Built:
    spec: NetworkSpec
    protocol: list
    neurons: dict = field(default_factory=dict)      # type name -> Neuron
    synapses: dict = field(default_factory=dict)     # type name -> Synapse
    duration: Optional[float] = None


class _Collector:
    def __init__(self):
        self.problems = []

    def add(self, where, message, line=None):
        self.problems.append(Problem(where, message, line))

    def error(self, where, err):
        """Record an AnnstudioError raised while handling the item at ``where``."""
        if isinstance(err, EquationError):
            block = str(err.where or "").rsplit(", ", 1)[-1]
            path = f"{where}.{block}" if block.isidentifier() else where
            self.add(path, err.message + (f" ({err.hint})" if err.hint else ""), err.line)
        elif err.where and str(err.where).startswith(where):
            self.add(str(err.where), err.message, err.line)
        else:
            inner = f"{err.where}: " if err.where else ""
            self.add(where, inner + err.message, err.line)


# --------------------------------------------------------------------------- values
def decode_plain(value, where):
    """A number, ``{"array": ...}`` or ``{"distribution": ...}`` -> float, ndarray or Distribution."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dict) and "array" in value:
        try:
            arr = np.asarray(value["array"], dtype=float)
        except (ValueError, TypeError):
            raise AnnstudioError("arrays must be rectangular lists of numbers", where=where) from None
        return arr
    if isinstance(value, dict) and "distribution" in value:
        try:
            return distribution_from_dict(value, where=where)
        except AnnstudioError as e:
            raise AnnstudioError(f"{value['distribution']}: {e.message}", where=where) from None
    raise AnnstudioError(f"expected a number, an array or a distribution, got {value!r:.80}", where=where)


def decode_value(value, where, size=None):
    """Any value form; segments become ``Segments`` with rank tuples (checked against ``size``)."""
    if isinstance(value, dict) and "segments" in value:
        parts = []
        for i, seg in enumerate(value["segments"]):
            here = f"{where}.segments[{i}]"
            ranks = _ranks(seg, here, size)
            parts.append((ranks, decode_plain(seg["value"], f"{here}.value")))
        return Segments(parts=parts)
    return decode_plain(value, where)


def _ranks(item, where, size):
    """Ranks of a ``slice`` [start, stop) or ``ranks`` list, as a tuple; None means all."""
    if "slice" in item:
        start, stop = item["slice"]
        if stop <= start:
            raise AnnstudioError(f"empty slice [{start}, {stop})", where=f"{where}.slice")
        if size is not None and stop > size:
            raise AnnstudioError(f"slice [{start}, {stop}) exceeds the {size} neurons", where=f"{where}.slice")
        return tuple(range(start, stop))
    if "ranks" in item and item["ranks"] is not None:
        ranks = tuple(int(r) for r in item["ranks"])
        if size is not None and ranks and max(ranks) >= size:
            raise AnnstudioError(f"rank {max(ranks)} exceeds the {size} neurons", where=f"{where}.ranks")
        return ranks
    return None


def geometry_of(value):
    return tuple(value) if isinstance(value, list) else (int(value),)


# --------------------------------------------------------------------------- types
def _custom_neuron(name, d):
    kw = {k: d.get(k) for k in NEURON_TEXT_FIELDS if d.get(k) is not None}
    return Neuron(refractory=d.get("refractory"), name=d.get("name") or name,
                  description=d.get("description"), **kw)


def _custom_synapse(name, d):
    kw = {k: d.get(k) for k in SYNAPSE_TEXT_FIELDS if d.get(k) is not None}
    return Synapse(operation=d.get("operation") or "sum", name=d.get("name") or name,
                   description=d.get("description"), type=d.get("type"), **kw)


def build_type(section, name, d, where, col):
    """A Neuron/Synapse from a custom or standard definition, parsed; None on problems."""
    kind = "neuron" if section == "neurons" else "synapse"
    table = library.NEURONS if kind == "neuron" else library.SYNAPSES
    try:
        if "standard" in d:
            std = d["standard"]
            if std not in table:
                col.add(f"{where}.standard", f"unknown standard {kind} {std!r}; known: {', '.join(sorted(table))}")
                return None
            try:
                model = table[std](**d.get("args", {}))
            except TypeError as e:
                col.add(f"{where}.args", f"bad arguments for {std}: {e}")
                return None
        else:
            model = _custom_neuron(name, d) if kind == "neuron" else _custom_synapse(name, d)
        model.analysis()
        return model
    except AnnstudioError as e:
        col.error(where, e)
    return None


def resolve_type(section, value, where, types, col):
    """A population's ``neuron`` / projection's ``synapse``: a type name, inline or null."""
    if value is None:
        return None
    if isinstance(value, str):
        if value not in types:
            known = ", ".join(sorted(types)) or "none defined"
            col.add(where, f"unknown {section[:-1]} type {value!r} (known: {known})")
            return None
        return types[value]
    return build_type(section, where.rsplit(".", 1)[0], value, where, col)


# --------------------------------------------------------------------------- network
def _special_neuron(kind, geometry, options, where, col):
    """The neuron of a special population (``poisson``...) from ``library.POPULATIONS[kind]``."""
    factories = getattr(library, "POPULATIONS", {})
    if kind not in factories:
        col.add(where, f"population kind {kind!r} is not available in this annstudio engine "
                       f"(known special kinds: {', '.join(sorted(factories)) or 'none yet'})")
        return None
    try:
        return factories[kind](geometry=geometry, **options)
    except (TypeError, AnnstudioError) as e:
        col.add(where.rsplit(".", 1)[0] + ".options", f"bad options for a {kind} population: {e}")
        return None


def _pop_ref(ref, where, sizes, col):
    if isinstance(ref, str):
        name, item = ref, {}
    else:
        name, item = ref["population"], ref
    if name not in sizes:
        col.add(where, f"unknown population {name!r}")
        return None
    try:
        return PopRef(name, _ranks(item, where, sizes[name]))
    except AnnstudioError as e:
        col.error(where, e)
        return None


def _options(options, where):
    out = {}
    for key, value in (options or {}).items():
        if isinstance(value, dict) and ("array" in value or "distribution" in value):
            value = decode_plain(value, f"{where}.{key}")
        out[key] = value
    return out


def _connector(c, where, pre_size, post_size):
    if c is None:
        return None
    params = {}
    weights = c.get("weights")
    if isinstance(weights, dict) and "rows" in weights:
        shape = tuple(weights["shape"])
        rows, cols, vals = weights["rows"], weights["cols"], weights["values"]
        if len(rows) != len(cols):
            raise AnnstudioError("rows and cols must have the same length", where=f"{where}.weights")
        if not isinstance(vals, list):
            vals = [float(vals)] * len(rows)
        if len(vals) != len(rows):
            raise AnnstudioError("values must be one number or one per (row, col)", where=f"{where}.weights")
        if rows and (max(rows) >= shape[0] or max(cols) >= shape[1]):
            raise AnnstudioError("an index exceeds the matrix shape", where=f"{where}.weights")
        params["weights"] = scipy.sparse.csr_matrix((np.asarray(vals, float), (rows, cols)), shape=shape)
    elif weights is not None:
        params["weights"] = decode_plain(weights, f"{where}.weights")
    if c.get("delays") is not None:
        params["delays"] = decode_plain(c["delays"], f"{where}.delays")
    if isinstance(params.get("delays"), float) and params["delays"] == 0.0:
        del params["delays"]          # as the script API: no delay is the same as 0
    params.update(CONNECTOR_DEFAULTS.get(c["method"], {}))
    params.update(c.get("args") or {})
    return ConnectorSpec(c["method"], params)


def _view_size(ref, sizes):
    if ref is None:
        return None
    return len(ref.ranks) if ref.ranks is not None else sizes[ref.population]


def build(data):
    """Document -> ``Built``; raises ``InvalidProject`` listing every located problem."""
    col = _Collector()
    s = data.get("settings", {})
    settings = Settings(dt=float(s.get("dt", 1.0)), seed=s.get("seed"), paradigm=s.get("paradigm", "openmp"),
                        num_threads=int(s.get("num_threads", 1)),
                        structural_plasticity=bool(s.get("structural_plasticity", False)))
    types = {}
    for section in ("neurons", "synapses"):
        types[section] = {}
        for name, d in data.get(section, {}).items():
            model = build_type(section, name, d, f"{section}.{name}", col)
            if model is not None:
                types[section][name] = model
    known = types
    # names that exist but failed to build are not reported again as "unknown"
    broken = {sec: set(data.get(sec, {})) - set(types[sec]) for sec in types}

    populations, sizes, total = [], {}, 0
    for i, p in enumerate(data.get("populations", [])):
        where = f"populations[{i}]"
        if p["name"] in sizes:
            col.add(f"{where}.name", f"duplicate population name {p['name']!r}")
            continue
        geometry = geometry_of(p["geometry"])
        size = int(np.prod(geometry, dtype=np.int64))
        total += size
        sizes[p["name"]] = size
        if total > MAX_NEURONS:
            col.add(f"{where}.geometry", f"the network exceeds {MAX_NEURONS} neurons")
            continue
        kind = p.get("kind", "standard")
        neuron_ref = p.get("neuron")
        neuron = None
        if isinstance(neuron_ref, str) and neuron_ref in broken["neurons"]:
            continue
        neuron = resolve_type("neurons", neuron_ref, f"{where}.neuron", known["neurons"], col)
        if neuron is None and kind in SPECIAL_KINDS:
            neuron = _special_neuron(kind, geometry, p.get("options") or {}, f"{where}.kind", col)
            if neuron is None:
                continue
        if kind == "standard" and neuron_ref is None:
            col.add(f"{where}.neuron", "a standard population needs a neuron type")
            continue
        initial = {}
        for var, value in p.get("initial", {}).items():
            try:
                initial[var] = decode_value(value, f"{where}.initial.{var}", size)
                _check_shape(initial[var], geometry, f"{where}.initial.{var}")
            except AnnstudioError as e:
                col.error(f"{where}.initial.{var}", e)
        try:
            options = _options(p.get("options"), f"{where}.options")
        except AnnstudioError as e:
            col.error(f"{where}.options", e)
            options = {}
        populations.append(PopulationSpec(p["name"], geometry, neuron, initial, kind, options,
                                          p.get("stop_condition")))

    projections, names = [], set()
    for i, pr in enumerate(data.get("projections", [])):
        where = f"projections[{i}]"
        if pr["name"] in names:
            col.add(f"{where}.name", f"duplicate projection name {pr['name']!r}")
            continue
        names.add(pr["name"])
        pre = _pop_ref(pr["pre"], f"{where}.pre", sizes, col)
        post = _pop_ref(pr["post"], f"{where}.post", sizes, col)
        syn_ref = pr.get("synapse")
        synapse = None
        if not (isinstance(syn_ref, str) and syn_ref in broken["synapses"]):
            synapse = resolve_type("synapses", syn_ref, f"{where}.synapse", known["synapses"], col)
        target = pr["target"] if isinstance(pr["target"], str) else tuple(pr["target"])
        try:
            connector = _connector(pr.get("connector"), f"{where}.connector", _view_size(pre, sizes),
                                   _view_size(post, sizes))
        except AnnstudioError as e:
            col.error(f"{where}.connector", e)
            connector = None
        initial = {}
        for var, value in pr.get("initial", {}).items():
            try:
                initial[var] = decode_value(value, f"{where}.initial.{var}")
            except AnnstudioError as e:
                col.error(f"{where}.initial.{var}", e)
        if pre is None or post is None:
            continue
        projections.append(ProjectionSpec(pr["name"], pre, post, target, synapse, connector, initial,
                                          pr.get("kind", "standard"), dict(pr.get("options") or {})))

    monitors = []
    targets = set(sizes) | names
    for i, m in enumerate(data.get("monitors", [])):
        where = f"monitors[{i}]"
        kind = m.get("kind") or ("projection" if m["target"] in names else "population")
        pool = names if kind == "projection" else set(sizes)
        if m["target"] not in pool:
            col.add(f"{where}.target", f"unknown {kind} {m['target']!r}")
            continue
        ranks = m.get("ranks")
        try:
            if isinstance(ranks, dict):
                ranks = _ranks(ranks, f"{where}.ranks", sizes.get(m["target"]))
            elif ranks is not None:
                ranks = _ranks({"ranks": ranks}, where, sizes.get(m["target"]))
        except AnnstudioError as e:
            col.error(f"{where}.ranks", e)
            continue
        monitors.append(MonitorSpec(m["name"], kind, m["target"], tuple(m["variables"]), ranks,
                                    m.get("period"), m.get("start", True)))

    protocol = []
    for i, st in enumerate(data.get("protocol", [])):
        where = f"protocol[{i}]"
        try:
            protocol.append(_step(st, where, sizes, targets))
        except AnnstudioError as e:
            col.error(where, e)

    if col.problems:
        raise InvalidProject(col.problems)
    spec = NetworkSpec(settings, populations, projections, monitors)
    return Built(spec, protocol, types["neurons"], types["synapses"], s.get("duration"))


def _check_shape(value, geometry, where):
    if isinstance(value, np.ndarray) and value.ndim > 0:
        size = int(np.prod(geometry))
        if value.shape != tuple(geometry) and value.size != size:
            raise AnnstudioError(f"array has shape {value.shape}, the population has geometry {tuple(geometry)}",
                                 where=where)


def _step(st, where, sizes, targets):
    action, label = st["action"], st.get("label", "")
    if action == "set":
        if st["target"] not in targets:
            raise AnnstudioError(f"unknown population or projection {st['target']!r}", where=f"{where}.target")
        value = decode_value(st["value"], f"{where}.value", sizes.get(st["target"]))
        return Step("set", target=st["target"], variable=st["variable"], value=value, label=label)
    if action == "simulate":
        return Step("simulate", duration=float(st["duration"]), label=label)
    if action == "simulate_until":
        pops = st["population"] if isinstance(st["population"], list) else [st["population"]]
        for p in pops:
            if p not in sizes:
                raise AnnstudioError(f"unknown population {p!r}", where=f"{where}.population")
        pop = st["population"] if isinstance(st["population"], str) else tuple(st["population"])
        return Step("simulate_until", max_duration=float(st["max_duration"]), population=pop,
                    operator=st.get("operator", "or"), label=label)
    flags = tuple(k for k in ("populations", "projections", "monitors", "synapses") if st.get(k, k != "synapses"))
    return Step("reset", flags=flags, label=label)
