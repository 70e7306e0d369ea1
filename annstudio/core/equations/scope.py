"""The names a network adds to every equation of its types: user functions and constants.

A :class:`Scope` is immutable, hashable data: the function definitions
(``"sigmoid(x) = 1/(1 + exp(-x))"``, in declaration order; a later definition of
a name replaces an earlier one) and the constant names.  A network description
owns one (``NetworkSpec.scope()``); ``analyse_neuron``/``analyse_synapse`` take it
as an argument and the type's cached analyses are keyed on it, so two networks
with different functions or constants never share an analysis.  Nothing here is
process state.

``parse_functions`` turns ``f(x, y) = expr`` lines into ``{name: (params, body)}``
(sympy), used for a scope's definitions and for a type's own ``functions`` block.
"""
import re
from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from ..errors import EquationError
from .blocks import split_assignment, split_block
from .expressions import RESERVED, ExpressionContext, preprocess, to_sympy
from .names import check_name

NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def parse_functions(text, where, known=None):
    """Parse ``f(x, y) = expr`` lines into {name: (params, body)}; bodies may call ``known`` functions
    and the functions defined on earlier lines."""
    funcs = dict(known or {})
    out = {}
    for raw in split_block(text, where):
        lhs, op, rhs = split_assignment(raw.text, where, raw.line)
        m = re.fullmatch(r"([A-Za-z_]\w*)\s*\(([^)]*)\)", lhs)
        if op != "=" or not m:
            raise EquationError("a function is defined as 'name(x, y) = expression'", where=where,
                                line=raw.line, text=raw.text)
        name = m.group(1)
        params = [p.strip() for p in m.group(2).split(",") if p.strip()]
        for p in params:
            if not NAME_RE.fullmatch(p):
                raise EquationError(f"bad argument name {p!r}", where=where, line=raw.line)
            check_name(p, "argument name", where, raw.line)
        if len(set(params)) != len(params):
            dup = next(p for p in params if params.count(p) > 1)
            raise EquationError(f"argument '{dup}' appears twice in '{name}'", where=where, line=raw.line)
        if name in RESERVED:
            raise EquationError(f"'{name}' is a reserved name", where=where, line=raw.line)
        check_name(name, "function name", where, raw.line)
        if name in out:
            raise EquationError(f"function '{name}' is defined twice in this block", where=where, line=raw.line,
                                hint="keep one definition")
        symbols = {p: sp.Symbol(p) for p in params}
        ctx = ExpressionContext(where, raw.line, symbols, functions=funcs)
        body = to_sympy(preprocess(rhs, where, raw.line), ctx)
        funcs[name] = out[name] = (tuple(symbols[p] for p in params), body)
    return out


def check_constant_name(name, where="Constant"):
    """A constant's name must be an identifier that is not reserved (raises a located EquationError)."""
    if not isinstance(name, str) or not NAME_RE.fullmatch(name) or name in RESERVED or name.startswith("_"):
        raise EquationError(f"{ascii(name)[:60]} cannot be used as the name of a constant", where=where)
    check_name(name, "constant name", where)
    return name


@lru_cache(maxsize=256)
def _parsed(definitions):
    funcs = {}
    for text in definitions:
        funcs.update(parse_functions(text, "add_function", known=funcs))
    return funcs


@dataclass(frozen=True)
class Scope:
    """Function definitions (texts, in order) and constant names visible to a network's equations."""

    definitions: tuple = ()
    constants: frozenset = frozenset()

    def __post_init__(self):
        object.__setattr__(self, "definitions", tuple(self.definitions))
        object.__setattr__(self, "constants", frozenset(self.constants))
        for name in self.constants:
            check_constant_name(name)

    def functions(self):
        """{name: (params, body)} of the definitions (parsed once per distinct scope)."""
        return dict(_parsed(self.definitions))

    def with_function(self, definition):
        """This scope plus ``definition`` (checked now: a bad definition raises a located EquationError)."""
        new = Scope(self.definitions + (str(definition),), self.constants)
        new.functions()
        return new

    def with_constant(self, name):
        return Scope(self.definitions, self.constants | {check_constant_name(name)})


EMPTY = Scope()
