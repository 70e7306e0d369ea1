"""Expression printers shared by the backends (sympy printer subclasses).

Every backend prints the IR's sympy expressions with a subclass of one of
sympy's code printers and overrides only what differs for its target.  Both
the NumPy and the C++ printers keep sympy's term and factor order and its
``a*b/(c*d)`` form, so a given expression is evaluated in the same order (and
gives the same float64 result) on every backend.

Symbols are printed through ``symbol_name`` so each backend decides how a
variable is addressed (``v`` -> ``v`` in NumPy, ``v[i]`` in C++).
"""
import sympy as sp
from sympy.printing.numpy import NumPyPrinter


MULTIPLIED_POWERS = (3, 4)


def multiplied_power(base, n):
    """``x**n`` for n in MULTIPLIED_POWERS as left-to-right products ``((x*x)*x)``, printed alike for NumPy, C++
    and CUDA (the same roundings everywhere).  It is how ANNarchy computes ``power(x, n)`` (repeated
    multiplication); its ``x^3`` calls ``pow``, which may differ in the last bit.  A libm ``pow`` per synapse
    and step cost most of a plastic rate network's time (ANNarchy's Miconi example: ~9x its kernel)."""
    out = f"({base})"
    for _ in range(n - 1):
        out = f"({out}*({base}))"
    return out


class NumpyExprPrinter(NumPyPrinter):
    """Prints for evaluation with ``numpy`` bound as ``numpy`` (vectorised over elements)."""

    def __init__(self, symbol_name=None):
        super().__init__({"fully_qualified_modules": True, "inline": True, "allow_unknown_functions": False})
        self.symbol_name = symbol_name or (lambda name: name)

    def _print_Symbol(self, expr):
        return self.symbol_name(expr.name)

    def _nested(self, func, args):
        args = [self._print(a) for a in args]
        out = args[0]
        for a in args[1:]:
            out = f"numpy.{func}({out}, {a})"
        return out

    def _print_Pow(self, expr):
        base, exp = expr.args
        if exp in MULTIPLIED_POWERS:          # ((x*x)*x): ANNarchy's power(), and no pow() call in the kernels
            return multiplied_power(self._print(base), int(exp))
        return super()._print_Pow(expr)

    def _print_Min(self, expr):
        return self._nested("minimum", expr.args)

    def _print_Max(self, expr):
        return self._nested("maximum", expr.args)

    def _print_Piecewise(self, expr):
        out = None
        for value, cond in reversed(expr.args):
            if cond == sp.true and out is None:
                out = self._print(value)
            else:
                out = f"numpy.where({self._print(cond)}, {self._print(value)}, {out if out is not None else 'numpy.nan'})"
        return out

    def _print_Fmod(self, expr):
        return f"numpy.fmod({self._print(expr.args[0])}, {self._print(expr.args[1])})"

    def _print_Heaviside0(self, expr):
        return f"numpy.heaviside({self._print(expr.args[0])}, 0.0)"

    def _print_Float(self, expr):
        return repr(float(expr))   # shortest text that round-trips: the same double on every backend

    def _print_Abs(self, expr):
        return f"numpy.fabs({self._print(expr.args[0])})"

    def _print_BooleanTrue(self, expr):
        return "True"

    def _print_BooleanFalse(self, expr):
        return "False"

    def _print_floor(self, expr):
        return f"numpy.floor({self._print(expr.args[0])})"

    def _print_ceiling(self, expr):
        return f"numpy.ceil({self._print(expr.args[0])})"
