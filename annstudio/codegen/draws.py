"""The one table of random distributions the compiled backends know, and their constant arguments.

Each entry names the distribution's code in the C++ runtime's ``ann::fill_draws`` (cpp/runtime/
annstudio_runtime.h), its per-element C++ function (``ann::draw_*``), its CUDA device function
(``ann_draw_*``, cuda/runtime/runtime.cuh) and how many arguments the CUDA function takes.  Streams are
target-specific (each runtime has its own generator), so they are numbered by the targets' printers.
"""
from dataclasses import dataclass

import sympy as sp

from annstudio.core.errors import BuildError


@dataclass(frozen=True)
class Distribution:
    code: int       # ann::fill_draws' code
    cpp: str        # ann::<cpp>(seed, it, idx, args...)
    cuda: str       # <cuda>(key, stream, elem, step, args...)
    nargs: int      # arguments the CUDA function reads


DISTRIBUTIONS = {
    "Uniform": Distribution(0, "draw_uniform", "ann_draw_uniform", 2),
    "Normal": Distribution(1, "draw_normal", "ann_draw_normal", 2),
    "LogNormal": Distribution(2, "draw_lognormal", "ann_draw_lognormal", 2),
    "Exponential": Distribution(3, "draw_exponential", "ann_draw_exponential", 1),
    "Gamma": Distribution(4, "draw_gamma", "ann_draw_gamma", 2),
    "DiscreteUniform": Distribution(5, "draw_discrete_uniform", "ann_draw_discrete_uniform", 2),
    "Binomial": Distribution(6, "draw_binomial", "ann_draw_binomial", 2),
}


def distribution(rd):
    """The table entry of a ``RandomDecl`` (a located error for one the compiled backends lack)."""
    try:
        return DISTRIBUTIONS[rd.dist]
    except KeyError:
        raise BuildError(f"unknown distribution {rd.dist}") from None


def constant_args(rd):
    """A random distribution's arguments as C++ double literals (they must be constants), after checking
    that the compiled backends know the distribution."""
    args = []
    for a in rd.args:
        a = sp.sympify(a)
        if a.free_symbols:
            raise BuildError(f"random distribution {rd.dist} needs constant arguments in the compiled backend")
        args.append(repr(float(a)))
    distribution(rd)
    return args
