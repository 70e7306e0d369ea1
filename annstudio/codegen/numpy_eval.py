"""Expressions of the IR evaluated with NumPy: the printer's code objects, random draws, reductions.

Public because the session evaluates user conditions (stop conditions of ``simulate_until``,
structural plasticity's creating/pruning conditions) exactly as the NumPy backend evaluates
equations.  :func:`compile_expr` prints a sympy expression with :class:`NumpyExprPrinter` (only
whitelisted symbol names and numpy calls) and compiles it; :func:`evaluate` runs it over arrays
with floating-point warnings silenced (NaN and inf propagate, as in the compiled backends).
"""
import numpy as np

from annstudio.core.errors import SimulationError

from .printing import NumpyExprPrinter

_PRINTER = NumpyExprPrinter()
_GLOBALS = {"numpy": np, "__builtins__": {}}

REDUCERS = {"mean": np.mean, "max": np.max, "min": np.min, "norm1": lambda a: np.sum(np.abs(a)),
            "norm2": lambda a: np.sqrt(np.sum(a * a))}


def compile_expr(expr, label):
    """(code object, printed text) of a sympy expression; ``label`` names it in tracebacks."""
    text = _PRINTER.doprint(expr)
    return compile(text, f"<{label}>", "eval"), text


def compile_updates(updates, label):
    """``[(target, code)]`` of a list of IR ``Update``s."""
    return [(u.target, compile_expr(u.expr, f"{label}:{u.target}")[0]) for u in updates]


def evaluate(code, ns):
    """Value of a compiled expression in the namespace ``ns`` (arrays and scalars by symbol name)."""
    with np.errstate(all="ignore"):
        return eval(code, _GLOBALS, ns)  # noqa: S307 - code printed from whitelisted sympy expressions


def draw(rng, dist, args, n):
    """``n`` draws of a random distribution of the equations (``Uniform(a, b)``...) from ``rng``."""
    a = [float(x) for x in args]
    if dist == "Uniform":
        return rng.uniform(a[0], a[1], n)
    if dist == "Normal":
        return rng.normal(a[0], a[1], n)
    if dist == "LogNormal":
        return rng.lognormal(a[0], a[1], n)
    if dist == "Exponential":
        return rng.exponential(1.0 / a[0], n)
    if dist == "Gamma":
        return rng.gamma(a[0], a[1], n)
    if dist == "DiscreteUniform":
        return rng.integers(int(a[0]), int(a[1]) + 1, n).astype(float)
    if dist == "Binomial":
        return rng.binomial(int(a[0]), a[1], n).astype(float)
    raise SimulationError(f"unknown distribution {dist}")
