"""Neuron and synapse types: the user's text forms, kept verbatim.

Parsing happens in ``annstudio.core.equations``; these objects only hold
the text (so projects, the GUI and the exporter show exactly what was typed)
plus a cached parse.
"""
from ..equations import analyse_neuron, analyse_synapse


def _text(value):
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return repr(value)
    return str(value)


class Neuron:
    """A neuron type (rate-coded when ``spike`` is empty, spiking otherwise)."""

    fields = ("parameters", "equations", "spike", "reset", "refractory", "axon_spike",
              "axon_reset", "functions")

    def __init__(self, parameters="", equations="", spike=None, axon_spike=None, reset=None,
                 axon_reset=None, refractory=None, functions=None, name=None, description=None,
                 extra_values=None):
        self.parameters = _text(parameters)
        self.equations = _text(equations)
        self.spike = _text(spike)
        self.axon_spike = _text(axon_spike)
        self.reset = _text(reset)
        self.axon_reset = _text(axon_reset)
        self.refractory = refractory
        self.functions = _text(functions)
        self.name = name or ("Spiking neuron" if self.spike.strip() else "Rate-coded neuron")
        self.description = description or ""
        self.extra_values = dict(extra_values or {})
        self._analysis = None

    @property
    def type(self):
        return "spike" if self.spike.strip() else "rate"

    def analysis(self):
        """The parsed, checked description (cached)."""
        if self._analysis is None:
            self._analysis = analyse_neuron(self)
        return self._analysis

    def to_dict(self):
        d = {k: getattr(self, k) for k in self.fields}
        d["name"] = self.name
        d["description"] = self.description
        return d

    def key(self):
        return tuple(repr(getattr(self, k)) for k in self.fields)

    def __eq__(self, other):
        return type(self) is type(other) and self.key() == other.key()

    def __hash__(self):
        return hash(self.key())

    def __repr__(self):
        return f"Neuron({self.name!r})"


class RateNeuron(Neuron):
    """Alias kept for ANNarchy 5 style scripts."""


class SpikeNeuron(Neuron):
    """Alias kept for ANNarchy 5 style scripts."""


class Synapse:
    """A synapse type: parameters, equations, psp / pre_spike / post_spike blocks."""

    fields = ("parameters", "equations", "psp", "operation", "pre_spike", "post_spike",
              "pre_axon_spike", "functions", "pruning", "creating")

    def __init__(self, parameters="", equations="", psp=None, operation="sum", pre_spike=None,
                 post_spike=None, pre_axon_spike=None, functions=None, pruning=None, creating=None,
                 name=None, description=None, extra_values=None, type=None):
        self.parameters = _text(parameters)
        self.equations = _text(equations)
        self.psp = _text(psp)
        self.operation = operation or "sum"
        self.pre_spike = _text(pre_spike)
        self.post_spike = _text(post_spike)
        self.pre_axon_spike = _text(pre_axon_spike)
        self.functions = _text(functions)
        self.pruning = _text(pruning)
        self.creating = _text(creating)
        self.name = name or "Synapse"
        self.description = description or ""
        self.extra_values = dict(extra_values or {})
        self._type = type
        self._analysis = {}

    @property
    def type(self):
        if self._type:
            return self._type
        return "spike" if (self.pre_spike.strip() or self.post_spike.strip()) else "rate"

    def analysis(self, kind=None):
        """Parsed description for a rate-coded or spiking projection (cached)."""
        kind = kind or self.type
        if kind not in self._analysis:
            self._analysis[kind] = analyse_synapse(self, kind)
        return self._analysis[kind]

    def to_dict(self):
        d = {k: getattr(self, k) for k in self.fields}
        d["name"] = self.name
        d["description"] = self.description
        return d

    def key(self):
        return tuple(repr(getattr(self, k)) for k in self.fields)

    def __eq__(self, other):
        return type(self) is type(other) and self.key() == other.key()

    def __hash__(self):
        return hash(self.key())

    def __repr__(self):
        return f"Synapse({self.name!r})"
