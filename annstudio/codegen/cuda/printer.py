"""CUDA expression printer: sympy's C99 printer with the few CUDA/NumPy-parity overrides.

Keeps sympy's term and factor order (like the NumPy printer) so an expression is
evaluated in the same order on every backend.  Differences from the plain C99
printer, all chosen to give NumPy's float64 result:

- ``x**2`` prints as ``(x*x)`` (NumPy squares exactly; ``pow`` need not on a GPU);
- ``Mod`` is NumPy's modulo (sign of the divisor), ``Fmod`` is C's ``fmod``;
- ``Piecewise`` is one nested ternary; booleans are ``true``/``false``;
- symbols are printed through ``symbol_name`` (a kernel decides where a value lives).
"""
import sympy as sp
from sympy.printing.c import C99CodePrinter


class CudaExprPrinter(C99CodePrinter):
    """``CudaExprPrinter(symbol_name).doprint(expr)`` -> one C++ expression (double precision)."""

    def __init__(self, symbol_name=None):
        super().__init__({"allow_unknown_functions": False})
        self.symbol_name = symbol_name or (lambda name: name)

    def _print_Symbol(self, expr):
        return self.symbol_name(expr.name)

    def _print_Pow(self, expr):
        base, exp = expr.args
        if exp == 2:
            b = self._print(base)
            return f"({b}*{b})"
        if exp.is_Integer and exp > 2:
            return f"pow({self._print(base)}, {float(exp)!r})"
        return super()._print_Pow(expr)

    def _print_Piecewise(self, expr):
        out = None
        for value, cond in reversed(expr.args):
            if cond == sp.true and out is None:
                out = f"({self._print(value)})"
            else:
                out = f"(({self._print(cond)}) ? ({self._print(value)}) : {out if out is not None else 'NAN'})"
        return out

    def _print_Mod(self, expr):
        return f"ann_pymod({self._print(expr.args[0])}, {self._print(expr.args[1])})"

    def _print_Fmod(self, expr):
        return f"fmod({self._print(expr.args[0])}, {self._print(expr.args[1])})"

    def _print_Heaviside0(self, expr):
        return f"ann_heaviside0({self._print(expr.args[0])})"

    def _print_BooleanTrue(self, expr):
        return "true"

    def _print_BooleanFalse(self, expr):
        return "false"

    def _print_Integer(self, expr):
        return f"{int(expr)}.0"

    def _print_Rational(self, expr):
        return f"({float(expr.p)!r}/{float(expr.q)!r})"
