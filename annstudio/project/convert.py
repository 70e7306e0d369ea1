"""From a checked project document (a dict) to the engine's network description.

Owns
- ``build(data)`` -> ``Built``: the ``NetworkSpec`` (settings, populations, projections,
  monitors), the protocol as ``Step`` records, the resolved neuron/synapse types by name;
  each record is read by ``core.model.records`` (types through the one field table, value
  forms, views, connectors, steps); this module resolves names across sections;
- locating every problem at its path inside the file: an ``EquationError`` raised while
  parsing ``neurons.LIF`` becomes ``neurons.LIF.equations, line 3: ...`` and one inside an
  inline type ``populations[2].neuron.equations, line 3: ...``.

Equations stay text here; they are parsed by ``annstudio.core.equations`` (a whitelist
walk over ``ast``), never evaluated.  Problems are collected, not raised one by one.
"""
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from ..core import library
from ..core.errors import AnnstudioError, EquationError
from ..core.model import NetworkSpec, Settings
from ..core.model.spec import precision_name
from ..core.model.fields import unsimulated_problems
from ..core.model.records import (CONNECTOR_DEFAULTS, Step, decode_plain, decode_value, geometry_of,
                                  monitor_from_dict, pop_ref_from_dict, population_from_dict,
                                  projection_from_dict, step_from_dict, type_from_dict)
from ..session.population import lower_spike_times, uses_spike_times, with_spike_times
from .format import InvalidProject, Problem

MAX_NEURONS = 50_000_000
SPECIAL_KINDS = ("poisson", "spike_source_array", "timed_array", "homogeneous_correlated")
__all__ = ["Built", "Step", "build", "build_type", "decode_plain", "decode_value", "geometry_of",
           "CONNECTOR_DEFAULTS", "MAX_NEURONS"]


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


# --------------------------------------------------------------------------- types
def _declare_units(declared, neurons, col):
    """The root ``units`` ({type: {name: unit}}): checked against the types' names and kept on the
    built types (``neuron.units``), for plot labels and the results' files; never simulated."""
    for tname, units in (declared or {}).items():
        model = neurons.get(tname)
        if model is None:
            col.add(f"units.{tname}", f"no neuron type named {tname!r} in this project")
            continue
        names = set(model.analysis().names)
        for var in units:
            if var not in names:
                col.add(f"units.{tname}.{var}", f"{tname} has no parameter or variable named {var!r}")
        model.units = {var: unit for var, unit in units.items() if var in names and unit}


def build_type(section, name, d, where, col):
    """A Neuron/Synapse from a custom or standard definition, parsed; None on problems."""
    try:
        model = type_from_dict(section, d, name=name, where=where)
        # t_pre / t_post: read as pre.t_last_spike / post.t_last_spike (lower_spike_times, below)
        (with_spike_times(model) if section == "synapses" and uses_spike_times(model) else model).analysis()
        unsimulated = unsimulated_problems(model, section)
        for field_name, message in unsimulated:
            col.add(f"{where}.{field_name}", message, 1)
        return None if unsimulated else model
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
    inline_name = "_".join("".join(c if c.isalnum() else " " for c in where.rsplit(".", 1)[0]).split())
    return build_type(section, inline_name, value, where, col)      # populations[0] -> populations_0


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
    try:
        return pop_ref_from_dict(ref, where, sizes)
    except AnnstudioError as e:
        col.error(where, e)
        return None


def build(data):
    """Document -> ``Built``; raises ``InvalidProject`` listing every located problem."""
    col = _Collector()
    s = data.get("settings", {})
    settings = Settings(dt=float(s.get("dt", 1.0)), seed=s.get("seed"), paradigm=s.get("paradigm", "openmp"),
                        num_threads=int(s.get("num_threads", 1)),
                        structural_plasticity=bool(s.get("structural_plasticity", False)))
    try:                                  # "float64" (default) or "float32": single-precision state and kernels
        settings.precision = precision_name(s.get("precision", "float64"), where="settings.precision")
    except AnnstudioError as e:
        col.error("settings.precision", e)
    types = {}
    for section in ("neurons", "synapses"):
        types[section] = {}
        for name, d in data.get(section, {}).items():
            model = build_type(section, name, d, f"{section}.{name}", col)
            if model is not None:
                types[section][name] = model
    known = types
    _declare_units(data.get("units"), types["neurons"], col)
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
        populations.append(population_from_dict(p, where, neuron, col.error))

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
        if pre is None or post is None:
            continue
        projections.append(projection_from_dict(pr, where, pre, post, synapse, col.error))

    monitors = []
    targets = set(sizes) | names
    for i, m in enumerate(data.get("monitors", [])):
        where = f"monitors[{i}]"
        kind = m.get("kind") or ("projection" if m["target"] in names else "population")
        pool = names if kind == "projection" else set(sizes)
        if m["target"] not in pool:
            col.add(f"{where}.target", f"unknown {kind} {m['target']!r}")
            continue
        try:
            monitors.append(monitor_from_dict(m, where, kind, sizes.get(m["target"])))
        except AnnstudioError as e:
            col.error(f"{where}.ranks", e)

    protocol = []
    for i, st in enumerate(data.get("protocol", [])):
        where = f"protocol[{i}]"
        if "monitor" in st and st["monitor"] not in {m["name"] for m in data.get("monitors", [])}:
            col.add(f"{where}.monitor", f"unknown monitor {st['monitor']!r}")     # pause_/resume_monitor
            continue
        try:
            protocol.append(step_from_dict(st, where, sizes, targets))
        except AnnstudioError as e:
            col.error(where, e)

    if col.problems:
        raise InvalidProject(col.problems)
    spec = lower_spike_times(NetworkSpec(settings, populations, projections, monitors))
    return Built(spec, protocol, types["neurons"], types["synapses"], s.get("duration"))
