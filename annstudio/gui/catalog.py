"""What the palette offers and how a project's type entries reach the model.

Owns the list of neuron and synapse types the studio knows: the standard library
(``annstudio.core.library``), a few text templates that are always available, and the
project's own types; and the helpers the views ask about a type (entries are read by the
model's ``records.type_from_dict``, through its one field table): its kind,
names, parameters, variables and defaults (from ``ProjectDocument.type_analysis``, parsed
once per document revision) and its problems (``type_problems``: the one validator's
verdict, ``project.validate.verdict``, narrowed to the type).
"""
from ..core import library as _library
from ..core.errors import AnnstudioError
from ..core.model.records import type_from_dict

# Always-available starting points, copied into the project when used.
TEMPLATES = {
    "neurons": {
        "LIF": {"parameters": "tau = 10.0 : population\nv_rest = 0.0\nv_thresh = 1.0\nI = 1.2",
                "equations": "tau * dv/dt = v_rest - v + I + g_exc - g_inh",
                "spike": "v > v_thresh", "reset": "v = v_rest", "refractory": 2.0,
                "functions": "", "description": "Leaky integrate-and-fire neuron (template)."},
        "RateNeuron": {"parameters": "tau = 10.0 : population\nbaseline = 0.0",
                       "equations": "tau * dr/dt + r = baseline + sum(exc) - sum(inh) : min=0.0",
                       "spike": "", "reset": "", "refractory": None, "functions": "",
                       "description": "Rate-coded leaky integrator (template)."},
    },
    "synapses": {
        "Hebbian": {"parameters": "eta = 0.01 : projection", "equations": "dw/dt = eta * pre.r * post.r : min=0.0",
                    "psp": "", "operation": "sum", "pre_spike": "", "post_spike": "", "functions": "",
                    "description": "Plain Hebbian learning (template, rate-coded)."},
    },
}
SOURCES = ("PoissonPopulation", "SpikeSourceArray")


def library_names(section):
    """Names of the standard types in the library."""
    return sorted(_library.NEURONS if section == "neurons" else _library.SYNAPSES)


def library_factory(section, name):
    return (_library.NEURONS if section == "neurons" else _library.SYNAPSES).get(name)


def build_type(section, name, definition):
    """The engine ``Neuron``/``Synapse`` for a project entry, not parsed (raises on bad input)."""
    if definition is None:
        raise AnnstudioError(f"unknown {section[:-1]} type {name!r}")
    return type_from_dict(section, definition, name=name)


def standard_definition(section, name, args=None):
    """The editable entry of a library type built with ``args`` (for "make an editable copy")."""
    factory = library_factory(section, name)
    if factory is None:
        return None
    out = factory(**(args or {})).to_dict()
    out.pop("name", None)
    return out


def type_problems(document, section, name):
    """The located errors of one type entry: the project's verdict narrowed to ``section.name``."""
    return document.verdict().problems_in(f"{section}.{name}")


def neuron_kind(document, population):
    """``spike``, ``rate`` or ``source`` for a population dict (never raises)."""
    if population.get("kind", "standard") != "standard":
        return "source"
    name = population.get("neuron")
    if not isinstance(name, str):
        return "rate"
    obj = document.type_object("neurons", name)
    if obj is not None:
        return obj.type
    definition = document.type_def("neurons", name) or {}
    return "spike" if str(definition.get("spike") or "").strip() else "rate"


def type_names(document, section):
    """Every type name usable in the project (its own ones first)."""
    own = list(document.data[section])
    return own + [n for n in library_names(section) if n not in own]


def reference_definition(document, section, name):
    """Project entry for ``name``; library and template names become entries to add."""
    if name in document.data[section]:
        return None
    if name in library_names(section):
        return {"standard": name, "args": {}}
    if name in TEMPLATES[section]:
        return dict(TEMPLATES[section][name])
    return None


def _analysis(document, section, name):
    return document.type_analysis(section, name) if isinstance(name, str) else None


def parameters_of(document, population):
    """Parameter names of a population's neuron type (for live controls)."""
    a = _analysis(document, "neurons", population.get("neuron"))
    return tuple(a.parameters) if a is not None else ()


def variables_of(document, population):
    a = _analysis(document, "neurons", population.get("neuron"))
    if a is None:
        return ("r",) if population.get("kind") == "poisson" else ()
    return tuple(a.state)


def defaults_of(document, population):
    """Declared initial values of a population's neuron type: {name: number}."""
    a = _analysis(document, "neurons", population.get("neuron"))
    out = {}
    for decl in (a.variables if a is not None else ()):
        try:
            out[decl.name] = float(decl.init)
        except (TypeError, ValueError):
            pass
    return out
