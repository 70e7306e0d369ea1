"""Project dict <-> typed description: the records of a project file.

Owns the mapping between the JSON forms of docs/project-format.md and the model:
- ``type_from_dict(section, d, name)``: a custom entry through ``Neuron/Synapse.from_dict``
  (the one field table) or a standard one (``{"standard": ..., "args": ...}``) through
  ``annstudio.core.library``; ``type_to_dict`` the other way;
- value forms: ``decode_plain`` (number, ``{"array"}``, ``{"distribution"}``) and
  ``decode_value`` (plus ``{"segments"}``), ``ranks_of`` (``slice`` / ``ranks``);
- ``pop_ref_name`` / ``pop_ref_from_dict`` (a name or a view), ``geometry_of``;
- ``population_from_dict`` / ``population_to_dict``, ``projection_from_dict`` /
  ``projection_to_dict``, ``connector_from_dict`` / ``connector_to_dict``,
  ``monitor_from_dict`` / ``monitor_to_dict`` (names across sections, e.g. a population's
  neuron type, are resolved by the caller and passed in);
- ``Step`` and ``step_from_dict`` / ``step_to_dict``: the protocol steps (``encode_value``
  writes a decoded value back in its JSON form).

Problems raise ``AnnstudioError`` located by ``where`` (a path inside the file); the
project layer (``project/convert.py``) collects them and resolves names across sections.
"""
import re
from dataclasses import dataclass
from typing import Any, Optional

import numpy as np
import scipy.sparse

from ..errors import AnnstudioError
from .distributions import distribution_from_dict
from .spec import ConnectorSpec, MonitorSpec, PopRef, PopulationSpec, ProjectionSpec, Segments
from .types import Neuron, Synapse

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
TYPE_CLASSES = {"neurons": Neuron, "synapses": Synapse}
RESET_FLAGS = ("populations", "projections", "monitors", "synapses")
_INLINE = object()          # population_to_dict / projection_to_dict: write the type inline
RESET_DEFAULTS = {"populations": True, "projections": False, "monitors": True, "synapses": False}  # the script API's
MONITOR_ACTIONS = ("pause_monitor", "resume_monitor")      # ``monitor``: its name (``Step.target``)


# --------------------------------------------------------------------------- types
def library_table(section):
    """``{name: factory}`` of the standard neuron or synapse types."""
    from .. import library            # the library builds on this package: imported when used
    return library.NEURONS if section == "neurons" else library.SYNAPSES


def type_from_dict(section, d, name=None, where=None):
    """The ``Neuron``/``Synapse`` of a project entry (custom or standard), not yet parsed.

    Raises ``AnnstudioError`` located at ``where.standard`` / ``where.args`` / ``where``."""
    where = where or f"{section}.{name}"
    kind = section[:-1]
    if not isinstance(d, dict):
        raise AnnstudioError(f"a {kind} type is an object, got {d!r:.60}", where=where)
    if "standard" in d:
        table = library_table(section)
        std = d["standard"]
        if std not in table:
            raise AnnstudioError(f"unknown standard {kind} {std!r}; known: {', '.join(sorted(table))}",
                                 where=f"{where}.standard")
        try:
            return table[std](**(d.get("args") or {}))
        except TypeError as e:
            raise AnnstudioError(f"bad arguments for {std}: {e}", where=f"{where}.args") from None
    try:
        return TYPE_CLASSES[section].from_dict(d, name=name)
    except TypeError as e:
        raise AnnstudioError(str(e), where=where) from None


def type_to_dict(obj):
    """The custom project entry of a ``Neuron``/``Synapse`` (standard types become editable text)."""
    return obj.to_dict()


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
            ranks = ranks_of(seg, here, size)
            parts.append((ranks, decode_plain(seg["value"], f"{here}.value")))
        return Segments(parts=parts)
    return decode_plain(value, where)


def ranks_of(item, where, size):
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


# --------------------------------------------------------------------------- references
def pop_ref_name(ref):
    """Population name of a projection's ``pre``/``post`` (a name or a view dict)."""
    return ref.get("population") if isinstance(ref, dict) else ref


def pop_ref_from_dict(ref, where, sizes):
    """``PopRef`` of a name or view; ``sizes`` maps the known population names to sizes."""
    name = pop_ref_name(ref)
    if name not in sizes:
        raise AnnstudioError(f"unknown population {name!r}", where=where)
    return PopRef(name, ranks_of(ref if isinstance(ref, dict) else {}, where, sizes[name]))


def _sparse_weights(weights, where):
    shape = tuple(weights["shape"])
    rows, cols, vals = weights["rows"], weights["cols"], weights["values"]
    if len(rows) != len(cols):
        raise AnnstudioError("rows and cols must have the same length", where=where)
    if not isinstance(vals, list):
        vals = [float(vals)] * len(rows)
    if len(vals) != len(rows):
        raise AnnstudioError("values must be one number or one per (row, col)", where=where)
    if rows and (max(rows) >= shape[0] or max(cols) >= shape[1]):
        raise AnnstudioError("an index exceeds the matrix shape", where=where)
    return scipy.sparse.csr_matrix((np.asarray(vals, float), (rows, cols)), shape=shape)


def connector_from_dict(c, where):
    """``ConnectorSpec`` of a connector entry (None stays None); defaults as the script API's."""
    if c is None:
        return None
    params = {}
    weights = c.get("weights")
    if isinstance(weights, dict) and "rows" in weights:
        params["weights"] = _sparse_weights(weights, f"{where}.weights")
    elif weights is not None:
        params["weights"] = decode_plain(weights, f"{where}.weights")
    if c.get("delays") is not None:
        params["delays"] = decode_plain(c["delays"], f"{where}.delays")
    if isinstance(params.get("delays"), float) and params["delays"] == 0.0:
        del params["delays"]          # as the script API: no delay is the same as 0
    params.update(CONNECTOR_DEFAULTS.get(c["method"], {}))
    params.update(c.get("args") or {})
    return ConnectorSpec(c["method"], params)


STREAM_PATH = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_.-]{0,63}/){0,8}[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}\.(h5|hdf5)")


def monitor_from_dict(m, where, kind, size):
    """``MonitorSpec`` of a monitor entry; ``kind`` resolved by the caller, ``size`` of its target.  A
    ``stream`` path stays inside the project's folder (relative, no ``..``), as the schema says."""
    stream = m.get("stream")
    if stream is not None and not (isinstance(stream, str) and STREAM_PATH.fullmatch(stream)):
        raise AnnstudioError(f"stream must be a relative path ending in .h5 or .hdf5, without '..', got {stream!r:.80}",
                             where=f"{where}.stream")
    ranks = m.get("ranks")
    if isinstance(ranks, dict):
        ranks = ranks_of(ranks, f"{where}.ranks", size)
    elif ranks is not None:
        ranks = ranks_of({"ranks": ranks}, where, size)
    return MonitorSpec(m["name"], kind, m["target"], tuple(m["variables"]), ranks, m.get("period"),
                       m.get("start", True), stream)


# --------------------------------------------------------------------------- populations, projections
def _raise(where, err):
    raise err


def _check_shape(value, geometry, where):
    if isinstance(value, np.ndarray) and value.ndim > 0:
        size = int(np.prod(geometry))
        if value.shape != tuple(geometry) and value.size != size:
            raise AnnstudioError(f"array has shape {value.shape}, the population has geometry {tuple(geometry)}",
                                 where=where)


def initial_from_dict(initial, where, size=None, geometry=None, on_error=_raise):
    """``{name: value}`` decoded; each failing entry goes to ``on_error(where, err)`` (raises by default)."""
    out = {}
    for var, value in (initial or {}).items():
        here = f"{where}.initial.{var}"
        try:
            out[var] = decode_value(value, here, size)
            if geometry is not None:
                _check_shape(out[var], geometry, here)
        except AnnstudioError as e:
            on_error(here, e)
    return out


def options_from_dict(options, where):
    """A special population's or projection's options: arrays and distributions decoded."""
    out = {}
    for key, value in (options or {}).items():
        if isinstance(value, dict) and ("array" in value or "distribution" in value):
            value = decode_plain(value, f"{where}.{key}")
        out[key] = value
    return out


def population_from_dict(p, where, neuron, on_error=_raise):
    """``PopulationSpec`` of a population entry whose neuron type the caller resolved."""
    geometry = geometry_of(p["geometry"])
    size = int(np.prod(geometry, dtype=np.int64))
    initial = initial_from_dict(p.get("initial"), where, size, geometry, on_error)
    try:
        options = options_from_dict(p.get("options"), f"{where}.options")
    except AnnstudioError as e:
        on_error(f"{where}.options", e)
        options = {}
    return PopulationSpec(p["name"], geometry, neuron, initial, p.get("kind", "standard"), options,
                          p.get("stop_condition"))


def population_to_dict(pop, neuron=_INLINE):
    """The entry of ``pop``; ``neuron``: the type's name (or None), by default written inline."""
    d = {"name": pop.name, "geometry": pop.geometry[0] if len(pop.geometry) == 1 else list(pop.geometry),
         "neuron": pop.neuron.to_dict() if neuron is _INLINE else neuron, "kind": pop.kind,
         "initial": {k: encode_value(v) for k, v in pop.initial.items()}}
    if pop.options:
        d["options"] = {k: encode_value(v) for k, v in pop.options.items()}
    if pop.stop_condition:
        d["stop_condition"] = pop.stop_condition
    return d


def pop_ref_to_dict(ref):
    return ref.population if ref.ranks is None else {"population": ref.population, "ranks": list(ref.ranks)}


def projection_from_dict(pr, where, pre, post, synapse, on_error=_raise):
    """``ProjectionSpec`` of a projection entry (``pre``/``post`` PopRefs and the synapse resolved)."""
    target = pr["target"] if isinstance(pr["target"], str) else tuple(pr["target"])
    try:
        connector = connector_from_dict(pr.get("connector"), f"{where}.connector")
    except AnnstudioError as e:
        on_error(f"{where}.connector", e)
        connector = None
    initial = initial_from_dict(pr.get("initial"), where, on_error=on_error)
    return ProjectionSpec(pr["name"], pre, post, target, synapse, connector, initial, pr.get("kind", "standard"),
                          dict(pr.get("options") or {}))


def projection_to_dict(proj, synapse=_INLINE):
    """The entry of ``proj``; ``synapse``: the type's name (or None), by default written inline."""
    if synapse is _INLINE:
        synapse = proj.synapse.to_dict() if proj.synapse is not None else None
    d = {"name": proj.name, "pre": pop_ref_to_dict(proj.pre), "post": pop_ref_to_dict(proj.post),
         "target": proj.target if isinstance(proj.target, str) else list(proj.target), "synapse": synapse,
         "connector": connector_to_dict(proj.connector), "initial": {k: encode_value(v) for k, v in proj.initial.items()},
         "kind": proj.kind}
    if proj.options:
        d["options"] = dict(proj.options)
    return d


def connector_to_dict(c):
    """The entry of a ``ConnectorSpec`` (None stays None); the defaults are written out."""
    if c is None:
        return None
    args = {k: v for k, v in c.params.items() if k not in ("weights", "delays")}
    weights = c.params.get("weights")
    if scipy.sparse.issparse(weights):
        coo = weights.tocoo()
        weights = {"rows": coo.row.tolist(), "cols": coo.col.tolist(), "values": coo.data.tolist(),
                   "shape": list(coo.shape)}
    else:
        weights = encode_value(weights)
    return {"method": c.method, "weights": weights, "delays": encode_value(c.params.get("delays")), "args": args}


def monitor_to_dict(m):
    d = {"name": m.name, "target": m.target, "kind": m.kind, "variables": list(m.variables),
         "ranks": None if m.ranks is None else list(m.ranks), "period": m.period, "start": m.start}
    if m.stream:                  # written only when set: documents without streaming stay as they were
        d["stream"] = m.stream
    return d


# --------------------------------------------------------------------------- protocol
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


def step_from_dict(st, where, sizes, targets):
    """``Step`` of a protocol entry; ``sizes``: population sizes, ``targets``: every set-able name."""
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
    if action in MONITOR_ACTIONS:
        return Step(action, target=st["monitor"], label=label)
    flags = tuple(k for k in RESET_FLAGS if st.get(k, RESET_DEFAULTS[k]))
    return Step("reset", flags=flags, label=label)


def encode_value(value):
    """A decoded value (float, ndarray, Distribution, Segments) in its JSON form."""
    if isinstance(value, Segments):
        return {"segments": [{"value": encode_value(v), **({} if r is None else {"ranks": list(r)})}
                             for r, v in value.parts]}
    if isinstance(value, np.ndarray):
        return {"array": value.tolist()}
    if hasattr(value, "to_dict"):
        return value.to_dict()
    return value


def step_to_dict(step):
    """The protocol entry of a ``Step`` (the inverse of ``step_from_dict``)."""
    d = {"action": step.action}
    if step.action == "set":
        d.update(target=step.target, variable=step.variable, value=encode_value(step.value))
    elif step.action == "simulate":
        d["duration"] = step.duration
    elif step.action == "simulate_until":
        pop = step.population if isinstance(step.population, str) else list(step.population)
        d.update(max_duration=step.max_duration, population=pop, operator=step.operator)
    elif step.action in MONITOR_ACTIONS:
        d["monitor"] = step.target
    else:
        d.update({k: k in step.flags for k in RESET_FLAGS})
    if step.label:
        d["label"] = step.label
    return d
