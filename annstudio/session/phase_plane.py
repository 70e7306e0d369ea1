"""Phase plane of a two-variable neuron (no Qt): right-hand sides, nullclines, vector field.

The right-hand sides are the sympy expressions of the type's own analysis (the ones the IR is
lowered from): every assignment of the equations block is substituted, in order, into the ODEs
of the two chosen variables; the other state variables are held at their initial values
(conductances at 0), random draws at 0 (their mean for zero-mean noise), ``t`` at 0.

Nullclines: where an ODE is linear in the vertical variable, the closed form
``y = -f(x, 0) / (df/dy)`` is used; otherwise the sign changes of f are located on a fine grid
(along columns and rows) and refined by linear interpolation.  Results are plain arrays.
"""
from dataclasses import dataclass

import numpy as np
import sympy as sp

from annstudio.core.errors import SimulationError

_NUMPY = [{"Heaviside0": lambda x: np.where(np.asarray(x) > 0, 1.0, 0.0), "Fmod": np.fmod}, "numpy"]


@dataclass
class PhasePlane:
    x: str
    y: str
    grid_x: np.ndarray          # 1-D
    grid_y: np.ndarray          # 1-D
    dx: np.ndarray              # (len(grid_y), len(grid_x)) dx/dt on the grid
    dy: np.ndarray
    nullcline_x: tuple          # (xs, ys) points where dx/dt = 0
    nullcline_y: tuple          # (xs, ys) points where dy/dt = 0
    rhs: tuple                  # the two sympy right-hand sides (values substituted)


def right_hand_sides(analysis, x, y, params, dt=0.1):
    """(dx/dt, dy/dt) as sympy expressions of the symbols ``x`` and ``y`` only."""
    odes = {s.target: s for s in analysis.equations if s.is_ode}
    for name in (x, y):
        if name not in odes:
            raise SimulationError(f"{name!r} has no differential equation in {analysis.name}")
    if x == y:
        raise SimulationError("choose two different variables for the phase plane")
    values = {}
    for v in analysis.variables:
        if v.role == "parameter":
            values[sp.Symbol(v.name)] = float(params.get(v.name, v.init))
        elif v.name not in (x, y) and v.name not in {s.target for s in analysis.equations if not s.is_ode}:
            values[sp.Symbol(v.name)] = 0.0 if v.name.startswith(("g_", "alpha_")) else float(v.init)
    values.update({sp.Symbol("t"): 0.0, sp.Symbol("dt"): float(dt)})
    values.update({sp.Symbol(r.symbol): 0.0 for r in analysis.randoms})
    assigned = {}
    for s in analysis.equations:
        if not s.is_ode:
            assigned[sp.Symbol(s.target)] = s.expr.xreplace(assigned).xreplace(values)
    out = []
    for name in (x, y):
        expr = odes[name].expr.xreplace(assigned).xreplace(values)
        free = expr.free_symbols - {sp.Symbol(x), sp.Symbol(y)}
        if free:
            raise SimulationError(f"d{name}/dt depends on {', '.join(sorted(map(str, free)))}, "
                                  "which the phase plane cannot hold fixed")
        out.append(expr)
    return tuple(out)


def _vectorised(expr, x, y):
    f = sp.lambdify((sp.Symbol(x), sp.Symbol(y)), expr, modules=_NUMPY)
    return lambda a, b: np.broadcast_to(np.asarray(f(a, b), dtype=float), np.broadcast(a, b).shape)


def nullcline(expr, x, y, xs, ys):
    """Points (xs, ys) where ``expr`` = 0 in the window spanned by ``xs``, ``ys``."""
    sx, sy = sp.Symbol(x), sp.Symbol(y)
    slope = sp.diff(expr, sy)
    if not slope.has(sy) and slope != 0:                       # linear in y: closed form
        f = _vectorised(-expr.subs(sy, 0) / slope, x, y)
        with np.errstate(all="ignore"):
            yy = f(xs, np.zeros_like(xs))
        keep = np.isfinite(yy) & (yy >= ys[0]) & (yy <= ys[-1])
        return xs[keep], yy[keep]
    if not expr.has(sy) and expr.has(sx):                      # depends on x only: vertical lines
        roots = _roots_1d(_vectorised(expr, x, y)(xs, np.zeros_like(xs)), xs)
        return np.repeat(roots, len(ys)), np.tile(ys, len(roots))
    f = _vectorised(expr, x, y)
    gx, gy = np.meshgrid(xs, ys)
    with np.errstate(all="ignore"):
        z = f(gx, gy)
    px, py = [], []
    for j, col in enumerate(z.T):                              # along y at each x
        r = _roots_1d(col, ys)
        px.extend([xs[j]] * len(r))
        py.extend(r)
    for i, row in enumerate(z):                                # along x at each y
        r = _roots_1d(row, xs)
        px.extend(r)
        py.extend([ys[i]] * len(r))
    return np.asarray(px, dtype=float), np.asarray(py, dtype=float)


def _roots_1d(values, axis):
    values = np.asarray(values, dtype=float)
    a, b = values[:-1], values[1:]
    hit = np.isfinite(a) & np.isfinite(b) & (np.sign(a) != np.sign(b)) & (a != b)
    k = np.nonzero(hit)[0]
    frac = a[k] / (a[k] - b[k])
    return axis[k] + frac * (axis[k + 1] - axis[k])


def phase_plane(analysis, x, y, params, xlim, ylim, n_arrows=20, n_fine=400, dt=0.1):
    """Vector field on an ``n_arrows`` grid and both nullclines in the window ``xlim`` x ``ylim``."""
    if not (xlim[0] < xlim[1] and ylim[0] < ylim[1]):
        raise SimulationError("the phase-plane window needs min < max on both axes")
    fx, fy = right_hand_sides(analysis, x, y, params, dt)
    gx_, gy_ = np.linspace(*xlim, n_arrows), np.linspace(*ylim, n_arrows)
    gx, gy = np.meshgrid(gx_, gy_)
    with np.errstate(all="ignore"):
        dx, dy = _vectorised(fx, x, y)(gx, gy), _vectorised(fy, x, y)(gx, gy)
    fine_x, fine_y = np.linspace(*xlim, n_fine), np.linspace(*ylim, n_fine)
    return PhasePlane(x, y, gx_, gy_, np.array(dx), np.array(dy),
                      nullcline(fx, x, y, fine_x, fine_y), nullcline(fy, x, y, fine_x, fine_y), (fx, fy))
