"""Neuron and synapse types: the user's text forms, kept verbatim, and their project dicts.

Owns ``Neuron`` / ``Synapse`` (one ``_TypeText`` base): the text of each field of the one
field table (``fields.py``), a cached parse, and the mapping to and from a project's type
dict (``from_dict`` / ``to_dict``).  Parsing happens in ``annstudio.core.equations``; these
objects only hold the text (so projects, the GUI and the exporter show exactly what was
typed).
"""
from ..equations import EMPTY_SCOPE, analyse_neuron, analyse_synapse
from ..equations.names import check_name
from ..errors import ModelError
from .declarations import declarations_text, draws
from .fields import NEURON_FIELDS, SYNAPSE_FIELDS


def _text(value, field=None, kind=None):
    """The text of a field; ANNarchy 5's dict/list/``Variable`` forms become their text lines."""
    declared = declarations_text(value, field, kind) if field else None
    if declared is not None:
        return declared
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return "\n".join(value)                     # ANNarchy 5: a list of statements (reset=["v = c", "u += d"])
    return str(value)


class _TypeText:
    """What neurons and synapses share: the field table, dict mapping, identity."""

    table = ()
    section = ""

    @classmethod
    def field_names(cls):
        return tuple(f.name for f in cls.table)

    @classmethod
    def from_dict(cls, d, name=None):
        """The type of a custom project entry (``{"parameters": ..., "equations": ...}``);
        ``name`` is used when the entry has none.  Unknown keys are refused."""
        known = set(cls.field_names()) | {"name", "description"}
        unknown = sorted(set(d) - known)
        if unknown:
            raise TypeError(f"unknown {cls.section[:-1]} field(s): {', '.join(unknown)}")
        kwargs = {k: d[k] for k in cls.field_names() if d.get(k) is not None}
        return cls(name=d.get("name") or name, description=d.get("description"), **kwargs)

    def to_dict(self):
        """The project entry of this type (every field of the table, plus name and description)."""
        d = {k: getattr(self, k) for k in self.field_names()}
        d["name"] = self.name
        d["description"] = self.description
        return d

    def key(self):
        return tuple(repr(getattr(self, k)) for k in self.field_names())

    def __eq__(self, other):      # a library type equals the custom type with the same text
        return isinstance(other, _TypeText) and self.section == other.section and self.key() == other.key()

    def __hash__(self):
        return hash(self.key())

    def __repr__(self):
        return f"{type(self).__name__}({self.name!r})"


class Neuron(_TypeText):
    """A neuron type (rate-coded when ``spike`` is empty, spiking otherwise)."""

    table = NEURON_FIELDS
    section = "neurons"
    fields = tuple(f.name for f in NEURON_FIELDS)

    def __init__(self, parameters="", equations="", spike=None, axon_spike=None, reset=None,
                 axon_reset=None, refractory=None, functions=None, name=None, description=None,
                 extra_values=None):
        self.parameters = _text(parameters, "parameters", "neuron")
        self.equations = _text(equations, "equations", "neuron")
        self.spike = _text(spike)
        self.axon_spike = _text(axon_spike)
        self.reset = _text(reset)
        self.axon_reset = _text(axon_reset)
        self.refractory = refractory
        self.functions = _text(functions)
        self.name = check_name(name, "neuron type name", "Neuron(name=...)", error=ModelError) if name is not None \
            else ("SpikingNeuron" if self.spike.strip() else "RateNeuron")
        self.description = description or ""
        self.extra_values = dict(extra_values or {}, **draws(parameters, equations))
        self._analysis = {}

    @property
    def type(self):
        return "spike" if self.spike.strip() else "rate"

    def analysis(self, scope=None):
        """The parsed, checked description against ``scope`` (a network's functions and constants;
        default none), cached per scope."""
        scope = scope or EMPTY_SCOPE
        if scope not in self._analysis:
            self._analysis[scope] = analyse_neuron(self, scope)
        return self._analysis[scope]


class RateNeuron(Neuron):
    """Alias kept for ANNarchy 5 style scripts."""


class SpikeNeuron(Neuron):
    """Alias kept for ANNarchy 5 style scripts."""


class Synapse(_TypeText):
    """A synapse type: parameters, equations, psp / pre_spike / post_spike blocks."""

    table = SYNAPSE_FIELDS
    section = "synapses"
    fields = tuple(f.name for f in SYNAPSE_FIELDS)

    def __init__(self, parameters="", equations="", psp=None, operation="sum", pre_spike=None,
                 post_spike=None, pre_axon_spike=None, functions=None, pruning=None, creating=None,
                 name=None, description=None, extra_values=None, type=None):
        self.parameters = _text(parameters, "parameters", "synapse")
        self.equations = _text(equations, "equations", "synapse")
        self.psp = _text(psp)
        self.operation = operation or "sum"
        self.pre_spike = _text(pre_spike)
        self.post_spike = _text(post_spike)
        self.pre_axon_spike = _text(pre_axon_spike)
        self.functions = _text(functions)
        self.pruning = _text(pruning)
        self.creating = _text(creating)
        self.name = check_name(name, "synapse type name", "Synapse(name=...)", error=ModelError) \
            if name is not None else "Synapse"
        self.description = description or ""
        self.extra_values = dict(extra_values or {}, **draws(parameters, equations))
        self._type = type or None
        self._analysis = {}

    @property
    def type(self):
        if self._type:
            return self._type
        return "spike" if (self.pre_spike.strip() or self.post_spike.strip()) else "rate"

    def analysis(self, kind=None, scope=None):
        """Parsed description for a rate-coded or spiking projection against ``scope`` (cached)."""
        kind, scope = kind or self.type, scope or EMPTY_SCOPE
        if (kind, scope) not in self._analysis:
            self._analysis[kind, scope] = analyse_synapse(self, kind, scope)
        return self._analysis[kind, scope]

    def to_dict(self):
        d = super().to_dict()
        d["type"] = self._type           # the declared kind (None: decided by the blocks)
        return d

    def key(self):
        return super().key()[:-1] + (repr(self._type),)
