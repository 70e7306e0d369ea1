"""ANNarchy 5's declaration objects (``Parameter``, ``Variable``) and their text forms.

ANNarchy 5 lets a neuron or synapse give its parameters as a dict (plain values, or
``Parameter(value, locality, type)``) and its equations as a list mixing strings and
``Variable(equation, init, min, max, method, locality, type)``.  annstudio keeps one form
for types, the text form (what projects store and the exporter writes): ``declarations_text``
turns these objects into the equivalent text lines, with the flags the text parser reads.
In the dict form a plain value is global (one value per population or projection), as in
ANNarchy 5; a ``Variable`` is local unless told otherwise.
"""
import re

from ..errors import ModelError
from .distributions import Distribution

LOCALITIES = ("global", "semiglobal", "local")
TYPES = {"float": "float", "int": "int", "bool": "bool", float: "float", int: "int", bool: "bool"}
METHODS = ("explicit", "implicit", "semiimplicit", "exponential", "midpoint", "rk4", "event-driven")


def _locality(locality, where):
    loc = {"population": "global", "projection": "global", "postsynaptic": "semiglobal"}.get(locality, locality)
    if loc not in LOCALITIES:
        raise ModelError(f"unknown locality {locality!r}", where=where, hint="global, semiglobal or local")
    return loc


def _type(value, where):
    if value not in TYPES:
        raise ModelError(f"unknown type {value!r}", where=where, hint="float, int or bool")
    return TYPES[value]


class Parameter:
    """A parameter of a neuron or synapse given in the dict form: value, locality, type."""

    def __init__(self, value, locality="global", type="float"):
        self.value = value
        self.locality = _locality(locality, "Parameter")
        self.type = _type(type, "Parameter")

    def __repr__(self):
        return f"Parameter(value={self.value!r}, locality={self.locality!r}, type={self.type!r})"

    def __eq__(self, other):
        return isinstance(other, Parameter) and repr(self) == repr(other)

    __hash__ = None


class Variable:
    """A variable of a neuron or synapse: its equation and flags (init, min, max, method, locality, type)."""

    def __init__(self, equation, init=None, min=None, max=None, method=None, locality="local", type="float"):
        if not isinstance(equation, str) or not equation.strip():
            raise ModelError("a Variable needs its equation as a non-empty string", where="Variable")
        if method is not None and method not in METHODS:
            raise ModelError(f"unknown numerical method {method!r}", where="Variable",
                             hint=", ".join(METHODS))
        self.equation, self.init, self.min, self.max, self.method = equation, init, min, max, method
        self.locality = _locality(locality, "Variable")
        self.type = _type(type, "Variable")

    def __repr__(self):
        return (f"Variable(equation={self.equation!r}, init={self.init!r}, min={self.min!r}, max={self.max!r}, "
                f"method={self.method!r}, locality={self.locality!r}, type={self.type!r})")

    def __eq__(self, other):
        return isinstance(other, Variable) and repr(self) == repr(other)

    __hash__ = None


def _value_text(value, where):
    if isinstance(value, Distribution):      # drawn when the population/projection is created (``draws``)
        return "0.0"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Distribution)):
        return repr(value) if not isinstance(value, float) else repr(float(value))
    if hasattr(value, "__float__") and not isinstance(value, str):
        return repr(float(value))
    raise ModelError(f"a declared value must be a number, a bool or a random distribution, not {value!r}",
                     where=where)


def _locality_flag(locality, kind):
    if locality == "local":
        return []
    if kind == "neuron":
        if locality == "semiglobal":
            raise ModelError("a neuron attribute is local or global, not semiglobal", where="Neuron")
        return ["population"]
    return ["projection"] if locality == "global" else ["postsynaptic"]


def draws(parameters, equations):
    """``{name: distribution}`` of the dict/``Variable`` declarations whose value is random: the text
    holds 0.0 for them and ``Network.create``/``connect`` draw them for the new object."""
    out = {}
    if isinstance(parameters, dict):
        for name, value in parameters.items():
            value = value.value if isinstance(value, Parameter) else value
            if isinstance(value, Distribution):
                out[name] = value
    items = equations if isinstance(equations, (list, tuple)) else [equations]
    for item in items:
        if isinstance(item, Variable) and isinstance(item.init, Distribution):
            lhs = item.equation.split("=")[0]
            ode = re.search(r"\bd([A-Za-z_]\w*)\s*/\s*dt\b", lhs)
            out[ode.group(1) if ode else lhs.strip()] = item.init
    return out


def _line(text, flags):
    return f"{text} : {', '.join(flags)}" if flags else text


def parameters_text(parameters, kind):
    """The text lines of a dict of parameters (plain values are global)."""
    lines = []
    for name, value in parameters.items():
        decl = value if isinstance(value, Parameter) else Parameter(value)
        flags = _locality_flag(decl.locality, kind)
        if decl.type != "float":
            flags.append(decl.type)
        lines.append(_line(f"{name} = {_value_text(decl.value, f'parameter {name!r}')}", flags))
    return "\n".join(lines)


def variable_text(var, kind):
    """The text line of one ``Variable``."""
    flags = []
    if var.init is not None:
        flags.append(f"init = {_value_text(var.init, 'Variable init')}")
    if var.min is not None:
        flags.append(f"min = {var.min!r}" if not isinstance(var.min, str) else f"min = {var.min}")
    if var.max is not None:
        flags.append(f"max = {var.max!r}" if not isinstance(var.max, str) else f"max = {var.max}")
    if var.method is not None:
        flags.append(var.method)
    if var.type != "float":
        flags.append(var.type)
    flags += _locality_flag(var.locality, kind)
    return _line(var.equation.strip(), flags)


def equations_text(equations, kind):
    """The text of an equation list mixing strings and ``Variable``s (or of one ``Variable``)."""
    items = equations if isinstance(equations, (list, tuple)) else [equations]
    lines = []
    for item in items:
        if isinstance(item, Variable):
            lines.append(variable_text(item, kind))
        elif isinstance(item, str):
            lines.append(item)
        else:
            raise ModelError(f"an equation must be a string or a Variable, not {type(item).__name__}",
                             where=kind.capitalize())
    return "\n".join(lines)


def declarations_text(value, field, kind):
    """Text of a type's ``parameters``/``equations`` field given in ANNarchy 5's object forms;
    None when ``value`` is not one of those forms (strings go through unchanged)."""
    if field == "parameters" and isinstance(value, dict):
        return parameters_text(value, kind)
    if field == "equations" and isinstance(value, (list, tuple, Variable)):
        return equations_text(value, kind)
    return None
