"""Bounds on constant folding: numbers stay inside double range, towers are refused unevaluated.

The expression walker (``expressions.py``) calls these before sympy folds constants:
``guard_power(base, exponent)`` estimates ``|base| ** exponent`` through logarithms of floats
(``10**10**10``, ``9**9**9**9`` are refused in microseconds, never computed);
``guard_function(name, args)`` does the same for ``exp``/``sinh``/``cosh``;
``guard_literal`` refuses literals outside double range and ``check_constants(expr)``
refuses any folded constant that is infinite, NaN, complex or beyond double range, so
nothing the checker could refuse reaches a compiler.  Each returns a message or None; the
caller raises the located ``EquationError``.
"""
import math

import sympy as sp

MAX_DOUBLE_LOG10 = 308.25          # log10(1.7976931348623157e308)
MAX_COMPLEXITY = 20000             # sympy nodes in one folded expression

TOO_LARGE = "the number is infinite or too large for a double (above 1.8e308)"


def _log10_abs(x):
    """log10 of |x| for a sympy number, without evaluating anything large (None: unknown/zero)."""
    try:
        if isinstance(x, sp.Integer):
            v = abs(int(x))
            return None if v == 0 else (len(str(v)) - 1 if v.bit_length() > 1000 else math.log10(v))
        if isinstance(x, sp.Rational):
            p, q = abs(int(x.p)), int(x.q)
            return None if p == 0 else math.log10(p) - math.log10(q)
        if isinstance(x, sp.Float):
            m = abs(x)
            if m == 0:
                return None
            return float(sp.log(m, 10).evalf(8)) if m > 1e300 or m < 1e-300 else math.log10(float(m))
    except (OverflowError, ValueError, TypeError):
        return float("inf")
    return None


def _value(x):
    try:
        return float(x)
    except (TypeError, OverflowError, ValueError):
        return None


def guard_literal(value):
    """A Python literal from the text (int or float)."""
    if isinstance(value, float) and not math.isfinite(value):
        return TOO_LARGE
    if isinstance(value, int) and value.bit_length() > 1030:
        return TOO_LARGE
    return None


def guard_power(base, exponent):
    """``base ** exponent`` when both are numbers: a message when the result leaves double range."""
    if not (getattr(base, "is_number", False) and getattr(exponent, "is_number", False)):
        if getattr(exponent, "is_number", False) and _value(exponent) is not None and abs(_value(exponent)) > 1e6:
            return "an exponent above 1e6 overflows a double"
        return None
    e = _value(exponent)
    if e is None or not math.isfinite(e):
        return "the exponent is too large or not a real number"
    lb = _log10_abs(base)
    if lb is None:
        if e < 0:
            return "0 raised to a negative power is infinite"
        return None
    if abs(lb * e) > MAX_DOUBLE_LOG10:
        return "the power " + ("is too large for a double (above 1.8e308)" if lb * e > 0
                               else "underflows a double (below 1e-308)")
    if (base.is_negative or False) and not exponent.is_integer:
        return "a negative number raised to a fractional power is complex"
    return None


def guard_function(name, args):
    """``exp``/``sinh``/``cosh``/``pow`` of numbers leaving double range."""
    if name in ("pow", "power") and len(args) == 2:
        return guard_power(*args)
    if name in ("exp", "sinh", "cosh") and len(args) == 1 and getattr(args[0], "is_number", False):
        v = _value(args[0])
        if v is None or abs(v) > 709.0:
            return f"{name}() of this number is too large for a double"
    return None


def check_constants(expr):
    """A message when a folded constant of ``expr`` is infinite, NaN, complex or out of range."""
    if not isinstance(expr, sp.Basic):
        return None
    if expr.count_ops(visual=False) > MAX_COMPLEXITY:
        return f"the expression is too complex (more than {MAX_COMPLEXITY} operations after expansion)"
    if expr.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        return ("the expression contains an infinite or undefined constant (a division by zero, or a number "
                "infinite or too large for a double)")
    if expr.has(sp.I):
        return "the expression contains a complex number (e.g. the square root or logarithm of a negative number)"
    for atom in expr.atoms(sp.Number):
        lb = _log10_abs(atom)
        if lb is not None and lb > MAX_DOUBLE_LOG10:
            return TOO_LARGE
    for node in sp.preorder_traversal(expr):
        if isinstance(node, (sp.Pow, sp.Function)) and node.is_number and node.is_extended_real is False:
            return ("the expression contains a complex number (e.g. the square root or logarithm of a "
                    "negative number)")
    return None


class OutOfBounds(ValueError):
    """A substitution that would fold a constant beyond double range."""


def substitute(expr, mapping):
    """``expr`` with ``mapping`` substituted, rebuilt bottom-up with ``guard_power``/``guard_function``
    checked before each power or exponential is folded (a user function called with huge arguments
    cannot build a tower); raises ``OutOfBounds`` with the message."""
    if expr in mapping:
        return mapping[expr]
    if not expr.args:
        return expr
    args = [substitute(a, mapping) for a in expr.args]
    if isinstance(expr, sp.Pow):
        msg = guard_power(args[0], args[1])
    elif isinstance(expr, (sp.exp, sp.sinh, sp.cosh)):
        msg = guard_function(type(expr).__name__, args)
    else:
        msg = None
    if msg:
        raise OutOfBounds(msg)
    return expr.func(*args)
