"""CUDA expression printer: the C++ printer with the few device-side differences.

It inherits everything from :class:`annstudio.codegen.cpp.printer.CppExprPrinter`
(sympy's term and factor order, the reference printer's float digits, ``(x*x)``
squares, ternary ``Piecewise``, ``fmin``/``fmax``, booleans), so an expression is
evaluated in the same order on every backend.  Overridden here only:

- ``Heaviside0`` through the device helper ``ann_heaviside0``;
- integers and rationals print as double literals (``2.0``, ``(1.0/6.0)``);
- ``symbol_name`` defaults to the bare name (a kernel decides where a value lives).
"""
from annstudio.codegen.cpp.printer import CppExprPrinter, FloatCppExprPrinter


class CudaExprPrinter(CppExprPrinter):
    """``CudaExprPrinter(symbol_name).doprint(expr)`` -> one C++ expression (double precision)."""

    MIN_MAX = ("fmin", "fmax")     # the device's own

    def __init__(self, symbol_name=None):
        super().__init__(symbol_name or (lambda name: name))

    def _print_Heaviside0(self, expr):
        return f"ann_heaviside0({self._print(expr.args[0])})"

    def _print_Integer(self, expr):
        return f"{int(expr)}.0"

    def _print_Rational(self, expr):
        return f"({float(expr.p)!r}/{float(expr.q)!r})"


class FloatCudaExprPrinter(CudaExprPrinter, FloatCppExprPrinter):
    """Single precision: literals as floats (the C++ target's float printer's values), so that no operation
    is promoted to double; the device's own ``fmin``/``fmax`` and ``ann_heaviside0`` (float overloads)."""

    def _print_Integer(self, expr):
        return self._literal(float(int(expr)))

    def _print_Rational(self, expr):
        return self._literal(float(expr.p) / float(expr.q))
