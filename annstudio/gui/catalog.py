"""What the palette offers and how a type name turns into an engine object.

Owns the list of neuron and synapse types the studio knows: the standard
library (``annstudio.core.library``, optional until it lands), a few text
templates that are always available, and the project's own types; plus the
helpers that build ``Neuron``/``Synapse`` objects from a project entry (for
validation, completion and the spiking/rate-coded look of nodes).
"""
from ..core.errors import AnnstudioError
from ..core.model import Neuron, Synapse

try:  # the standard library of types is written by another engineer
    from ..core import library as _library
except ImportError:  # pragma: no cover - depends on the tree
    _library = None

NEURON_BLOCKS = ("parameters", "equations", "spike", "reset", "refractory", "functions")
SYNAPSE_BLOCKS = ("parameters", "equations", "psp", "operation", "pre_spike", "post_spike", "functions")

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
    """Names of the standard types in the library (empty until it exists)."""
    if _library is None:
        return []
    table = getattr(_library, "NEURONS" if section == "neurons" else "SYNAPSES", {})
    return sorted(table)


def has_library():
    return _library is not None


def library_factory(section, name):
    if _library is None:
        return None
    table = getattr(_library, "NEURONS" if section == "neurons" else "SYNAPSES", {})
    return table.get(name)


def build_type(section, name, definition):
    """The engine ``Neuron``/``Synapse`` for a project entry (raises on bad input)."""
    if definition is None:
        raise AnnstudioError(f"unknown {section[:-1]} type {name!r}")
    if "standard" in definition:
        factory = library_factory(section, definition["standard"])
        if factory is None:
            raise AnnstudioError(f"the standard type {definition['standard']!r} is not available")
        return factory(**(definition.get("args") or {}))
    blocks = NEURON_BLOCKS if section == "neurons" else SYNAPSE_BLOCKS
    kwargs = {b: definition.get(b) for b in blocks if definition.get(b) not in (None, "")}
    if section == "neurons":
        return Neuron(name=name, description=definition.get("description"), **kwargs)
    return Synapse(name=name, description=definition.get("description"), **kwargs)


def standard_definition(section, name):
    """Editable text blocks of a library type (for "make an editable copy")."""
    factory = library_factory(section, name)
    if factory is None:
        return None
    obj = factory()
    blocks = NEURON_BLOCKS if section == "neurons" else SYNAPSE_BLOCKS
    out = {b: getattr(obj, b, "") for b in blocks}
    out["description"] = getattr(obj, "description", "")
    return out


def neuron_kind(document, population):
    """``spike``, ``rate`` or ``source`` for a population dict (never raises)."""
    kind = population.get("kind", "standard")
    if kind != "standard":
        return "source"
    name = population.get("neuron")
    definition = document.type_def("neurons", name) if name else None
    if definition is None:
        return "rate"
    if "standard" in definition:
        try:
            return build_type("neurons", name, definition).type
        except Exception:  # noqa: BLE001
            return "spike" if definition["standard"].startswith(("IF_", "Izh", "HH", "EIF", "Adaptive")) \
                else "rate"
    return "spike" if (definition.get("spike") or "").strip() else "rate"


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


def analysis_names(document, section, name):
    """Names a type declares (parameters and variables), or () when it does not parse."""
    try:
        obj = build_type(section, name, document.type_def(section, name))
        return tuple(obj.analysis().names)
    except Exception:  # noqa: BLE001
        return ()


def parameters_of(document, population):
    """Parameter names of a population's neuron type (for live controls)."""
    name = population.get("neuron")
    try:
        obj = build_type("neurons", name, document.type_def("neurons", name))
        return tuple(obj.analysis().parameters)
    except Exception:  # noqa: BLE001
        return ()


def variables_of(document, population):
    name = population.get("neuron")
    try:
        obj = build_type("neurons", name, document.type_def("neurons", name))
        return tuple(obj.analysis().state)
    except Exception:  # noqa: BLE001
        return ("r",) if population.get("kind") == "poisson" else ()


def defaults_of(document, population):
    """Declared initial values of a population's neuron type: {name: number}."""
    name = population.get("neuron")
    try:
        obj = build_type("neurons", name, document.type_def("neurons", name))
        out = {}
        for decl in obj.analysis().variables:
            try:
                out[decl.name] = float(decl.init)
            except (TypeError, ValueError):
                pass
        return out
    except Exception:  # noqa: BLE001
        return {}
