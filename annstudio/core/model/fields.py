"""The one table of a neuron's and a synapse's fields.

Owns ``NEURON_FIELDS`` / ``SYNAPSE_FIELDS`` (``Field`` records: name, how a form edits it,
its label, its JSON Schema fragment) and ``NAME_FIELDS`` (``name``, ``description``, kept by
every type).  ``Neuron``/``Synapse`` (types.py) read and write project dicts through this
table; the studio's equation editor builds its form from it, the exporter and the report
print from it, and ``resources/project.schema.json``'s ``custom_neuron`` / ``custom_synapse``
are checked against ``schema_properties`` by a test.  Adding a field to a type means adding
one row here (and the matching keyword in types.py).
"""
from dataclasses import dataclass, field
from typing import Any

_OPTIONAL_TEXT = {"type": ["string", "null"], "maxLength": 100000}
_TEXT = {"$ref": "#/$defs/text"}


@dataclass(frozen=True)
class Field:
    """One field of a type.  ``kind``: ``text`` (equation text, parsed), ``number_or_text``
    (a number or an expression, e.g. ``refractory``) or ``choice`` (one of ``choices``).
    ``simulated`` is False for fields the engine keeps but does not simulate yet (a project
    that fills one is refused, never silently run without it)."""

    name: str
    kind: str
    label: str
    schema: dict = field(default_factory=lambda: dict(_OPTIONAL_TEXT))
    choices: tuple = ()
    default: Any = None
    simulated: bool = True


NAME_FIELDS = (
    Field("name", "meta", "Name", {"type": "string", "maxLength": 200}),
    Field("description", "meta", "Description", _TEXT),
)

NEURON_FIELDS = (
    Field("parameters", "text", "Parameters", _TEXT, default=""),
    Field("equations", "text", "Equations", _TEXT, default=""),
    Field("spike", "text", "Spike condition"),
    Field("reset", "text", "Reset"),
    Field("axon_spike", "text", "Axon spike", simulated=False),
    Field("axon_reset", "text", "Axon reset", simulated=False),
    Field("refractory", "number_or_text", "Refractory (ms)",
          {"type": ["number", "string", "null"], "maxLength": 1000}),
    Field("functions", "text", "Functions"),
)

SYNAPSE_FIELDS = (
    Field("parameters", "text", "Parameters", _TEXT, default=""),
    Field("equations", "text", "Equations", _TEXT, default=""),
    Field("psp", "text", "PSP"),
    Field("operation", "choice", "Operation", {"enum": ["sum", "max", "min", "mean"]},
          choices=("sum", "max", "min", "mean"), default="sum"),
    Field("pre_spike", "text", "Pre-spike"),
    Field("post_spike", "text", "Post-spike"),
    Field("pre_axon_spike", "text", "Pre-axon spike", simulated=False),
    Field("functions", "text", "Functions"),
    Field("pruning", "text", "Pruning"),
    Field("creating", "text", "Creating"),
    Field("type", "choice", "Kind", {"enum": ["rate", "spike", None]}, choices=(None, "rate", "spike")),
)

FIELDS = {"neurons": NEURON_FIELDS, "synapses": SYNAPSE_FIELDS}


def fields_of(section):
    """The field table of ``neurons`` or ``synapses``."""
    return FIELDS[section]


def field_names(section):
    return tuple(f.name for f in FIELDS[section])


def text_fields(section):
    """Fields whose text the equation parser reads (the ones a located error can point at)."""
    return tuple(f.name for f in FIELDS[section] if f.kind in ("text", "number_or_text"))


def unsimulated_problems(obj, section):
    """``(field, message)`` for each filled field of ``obj`` the engine does not simulate."""
    return [(f.name, f"{f.name} is not simulated by annstudio yet: leave it empty")
            for f in FIELDS[section] if not f.simulated and str(getattr(obj, f.name, "") or "").strip()]


def label_of(name):
    for table in (NEURON_FIELDS, SYNAPSE_FIELDS, NAME_FIELDS):
        for f in table:
            if f.name == name:
                return f.label
    return name


def schema_properties(section):
    """The JSON Schema ``properties`` of a custom type of ``section`` (what the schema file must say)."""
    return {f.name: f.schema for f in NAME_FIELDS + FIELDS[section]}
