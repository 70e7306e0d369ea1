"""C++ expression printer: sympy's C99CodePrinter with the few target differences.

Like :class:`annstudio.codegen.printing.NumpyExprPrinter` it keeps sympy's term
and factor order (both inherit ``CodePrinter._print_Mul``/``_print_Add``), so an
expression is evaluated in the same order as in the NumPy reference; kernels are
compiled with ``-ffp-contract=off`` so no multiply-add is fused.  Symbols are
printed through ``symbol_name`` (the generator maps ``v`` to a register, ``w``
to ``w[j]``...).  ``x**2`` is printed ``(x*x)`` (NumPy squares arrays exactly
that way), ``x**3``/``x**4`` as products (``printing.multiplied_power``, as the NumPy printer), other powers with ``pow``; ``Piecewise`` as nested ternaries;
floats with the reference printer's digits (both then read the same double);
``Min``/``Max`` as nested ``ann::minnum``/``ann::maxnum`` (fmin/fmax bit for bit, inline) in NumPy's argument order;
with ``exp="ann::rexp"`` (event-driven decays) ``exp`` as the runtime's inline, vectorisable exp.
"""
import numpy as np
import sympy as sp
from sympy.printing.c import C99CodePrinter

from annstudio.codegen.printing import MULTIPLIED_POWERS, NumpyExprPrinter, multiplied_power
from annstudio.core.errors import BuildError

_REFERENCE = NumpyExprPrinter()


class CppExprPrinter(C99CodePrinter):
    def __init__(self, symbol_name, exp=None):
        super().__init__({"allow_unknown_functions": False})
        self.symbol_name = symbol_name
        self.exp = exp      # a function name printed for exp(x) instead of the C library's (e.g. ann::rexp)

    def _print_exp(self, expr):
        if self.exp is None:
            return super()._print_exp(expr)
        return f"{self.exp}({self._print(expr.args[0])})"

    def _print_Symbol(self, expr):
        return self.symbol_name(expr.name)

    def _print_Float(self, expr):
        # the same digits as the NumPy reference printer, so both evaluate the same double
        text = _REFERENCE._print_Float(expr)
        return text if any(c in text for c in ".eE") or "inf" in text or "nan" in text else text + ".0"

    def _print_Pow(self, expr):
        base, exp = expr.args
        if exp == 2:
            b = self._print(base)
            return f"(({b})*({b}))"
        if exp in MULTIPLIED_POWERS:
            return multiplied_power(self._print(base), int(exp))
        if exp == -1:
            return f"(1.0/({self._print(base)}))"
        if exp == sp.Rational(1, 2):
            return f"sqrt({self._print(base)})"
        return f"pow({self._print(base)}, {self._print(sp.Float(exp) if exp.is_Rational else exp)})"

    def _nested(self, func, args):
        out = self._print(args[0])
        for a in args[1:]:
            out = f"{func}({out}, {self._print(a)})"
        return out

    MIN_MAX = ("ann::minnum", "ann::maxnum")   # fmin/fmax, inline (annstudio_runtime.h)

    def _print_Min(self, expr):
        return self._nested(self.MIN_MAX[0], expr.args)

    def _print_Max(self, expr):
        return self._nested(self.MIN_MAX[1], expr.args)

    def _print_Piecewise(self, expr):
        out = None
        for value, cond in reversed(expr.args):
            if cond == sp.true and out is None:
                out = f"({self._print(value)})"
            else:
                out = f"(({self._print(cond)}) ? ({self._print(value)}) : {out if out is not None else 'NAN'})"
        return out

    def _print_Fmod(self, expr):
        return f"fmod({self._print(expr.args[0])}, {self._print(expr.args[1])})"

    def _print_Heaviside0(self, expr):
        x = self._print(expr.args[0])
        return f"(({x}) > 0.0 ? 1.0 : (({x}) < 0.0 ? 0.0 : (({x}) == 0.0 ? 0.0 : NAN)))"

    def _print_BooleanTrue(self, expr):
        return "true"

    def _print_BooleanFalse(self, expr):
        return "false"

    def _print_Not(self, expr):
        return f"(!({self._print(expr.args[0])}))"

    def _print_And(self, expr):
        return "(" + " && ".join(f"({self._print(a)})" for a in expr.args) + ")"

    def _print_Or(self, expr):
        return "(" + " || ".join(f"({self._print(a)})" for a in expr.args) + ")"

    def _print_Relational(self, expr):
        return f"(({self._print(expr.lhs)}) {expr.rel_op} ({self._print(expr.rhs)}))"

    def _print_ceiling(self, expr):
        return f"ceil({self._print(expr.args[0])})"

    def _print_Function(self, expr):
        if type(expr).__name__ == "RandomDraw":
            raise BuildError("a random draw reached the printer unlowered")
        return super()._print_Function(expr)

    def emptyPrinter(self, expr):
        raise BuildError(f"cannot print {expr!r} to C++")


class FloatCppExprPrinter(CppExprPrinter):
    """Single precision (``NetworkIR.precision == "float32"``): every literal is a ``float`` (the float32
    value NumPy rounds a Python float to in float32 arithmetic, printed exactly), so no operation is promoted
    to double; functions resolve to their float overloads (``annstudio_runtime_f32.h``)."""

    @staticmethod
    def _literal(value):
        f = float(np.float32(value))
        if not np.isfinite(f):
            return "NAN" if f != f else ("INFINITY" if f > 0 else "(-INFINITY)")
        text = str(np.float32(f))          # the shortest digits that give this float back
        return (text if any(c in text for c in ".eE") else text + ".0") + "f"

    def _print_Float(self, expr):
        return self._literal(float(expr))

    def _print_Rational(self, expr):
        return self._literal(float(expr.p) / float(expr.q))

    def _print_Pow(self, expr):
        base, exp = expr.args
        if exp == -1:
            return f"(1.0f/({self._print(base)}))"
        if exp.is_Rational and exp not in (2, sp.Rational(1, 2), *MULTIPLIED_POWERS):
            return f"pow({self._print(base)}, {self._literal(float(exp))})"
        return super()._print_Pow(expr)

    def _print_Heaviside0(self, expr):
        x = self._print(expr.args[0])
        return f"(({x}) > 0.0f ? 1.0f : (({x}) < 0.0f ? 0.0f : (({x}) == 0.0f ? 0.0f : NAN)))"

    def _print_Exp1(self, expr):
        return self._literal(float(sp.E))

    def _print_Pi(self, expr):
        return self._literal(float(sp.pi))


def cpp(expr, symbol_name, exp=None, single=False):
    """C++ text of ``expr``; ``single``: in float (single-precision kernels)."""
    return (FloatCppExprPrinter if single else CppExprPrinter)(symbol_name, exp).doprint(expr)
