"""Numerical integration: ODE statements -> target-neutral update statements.

Semantics (ANNarchy's, measured on ANNarchy 4.8): statements run in
declaration order and an assignment takes effect at once; consecutive ODEs
form a block whose new values are all computed from the values current before
the block (coupled midpoint/RK4/implicit systems of the block are solved
together; the exponential method freezes the other variables), then assigned
together right after the block, so later statements see the new values.
``min``/``max`` bounds clip each assignment.

The result is a tuple of :class:`Update` (``target = expr``), where targets
starting with ``_`` are per-element temporaries.  Every backend prints this
list as is.
"""
from dataclasses import dataclass

import sympy as sp

from ..errors import EquationError

T = sp.Symbol("t")
DT = sp.Symbol("dt")
DELTA = sp.Symbol("_delta_t")


@dataclass(frozen=True)
class Update:
    target: str
    expr: object


def _bounded(name, expr, decl):
    if decl is not None:
        if decl.max is not None:
            expr = sp.Min(expr, decl.max)
        if decl.min is not None:
            expr = sp.Max(expr, decl.min)
    return expr


def _linear_parts(f, x, where, line, method):
    a = sp.diff(f, x)
    if x in a.free_symbols:
        raise EquationError(f"the {method} method needs an equation linear in '{x}'", where=where, line=line)
    b = sp.simplify(f - a * x) if sp.count_ops(f) < 60 else sp.expand(f - a * x)
    if x in b.free_symbols:
        raise EquationError(f"the {method} method needs an equation linear in '{x}'", where=where, line=line)
    return a, b


def integrate(statements, analysis, where=""):
    """Lower a block's statements (see module docstring) to a tuple of Updates."""
    decl = {v.name: v for v in analysis.variables}
    out = []
    i, n = 0, len(statements)
    while i < n:
        s = statements[i]
        if not s.is_ode:
            out.append(Update(s.target, _bounded(s.target, s.expr, decl.get(s.target))))
            i += 1
            continue
        block = []
        while i < n and statements[i].is_ode:
            if statements[i].method != "event-driven":
                block.append(statements[i])
            i += 1
        out.extend(_block_updates(block, decl, where))
    return tuple(out)


def _block_updates(block, decl, where):
    """Consecutive ODEs: every new value from the old values, then all assigned (and clipped)."""
    out = []
    done = set()
    for s in block:
        x = sp.Symbol(s.target)
        new = sp.Symbol(f"_new_{s.target}")
        if s.method == "explicit":
            out.append(Update(new.name, x + DT * s.expr))
        elif s.method == "exponential":
            a, b = _linear_parts(s.expr, x, where, s.line, "exponential")
            if a == 0:
                out.append(Update(new.name, x + DT * s.expr))
            else:
                out.append(Update(new.name, x + (1 - sp.exp(a * DT)) * (-b / a - x)))
        elif s.method not in done:
            done.add(s.method)
            out.extend(_group_updates([o for o in block if o.method == s.method], s.method, where))
    for s in block:
        out.append(Update(s.target, _bounded(s.target, sp.Symbol(f"_new_{s.target}"), decl.get(s.target))))
    return out


def _group_updates(group, method, where):
    xs = [sp.Symbol(s.target) for s in group]
    fs = [s.expr for s in group]
    if method == "implicit":
        news = [sp.Symbol(f"_new_{s.target}") for s in group]
        eqs = [sp.Eq(n, x + DT * f.xreplace(dict(zip(xs, news))))
               for n, x, f in zip(news, xs, fs)]
        for e, s in zip(eqs, group):
            for n in news:
                if sp.diff(e.lhs - e.rhs, n).has(*news):
                    raise EquationError(f"the implicit method needs equations linear in the variables "
                                        f"(ODE of '{s.target}')", where=where, line=s.line)
        sol = sp.solve(eqs, news, dict=True)
        if not sol:
            raise EquationError("the implicit system has no solution", where=where, line=group[0].line)
        return [Update(n.name, sol[0][n]) for n in news]
    out = []
    k1 = [sp.Symbol(f"_k1_{s.target}") for s in group]
    out += [Update(k.name, f) for k, f in zip(k1, fs)]

    def stage(ks, c, name):
        sub = {x: x + c * DT * k for x, k in zip(xs, ks)}
        sub[T] = T + c * DT
        syms = [sp.Symbol(f"_{name}_{s.target}") for s in group]
        return syms, [Update(sym.name, f.xreplace(sub)) for sym, f in zip(syms, fs)]

    if method == "midpoint":
        k2, ups = stage(k1, sp.Rational(1, 2), "k2")
        out += ups
        out += [Update(f"_new_{s.target}", x + DT * k) for s, x, k in zip(group, xs, k2)]
        return out
    k2, ups = stage(k1, sp.Rational(1, 2), "k2")
    out += ups
    k3, ups = stage(k2, sp.Rational(1, 2), "k3")
    out += ups
    k4, ups = stage(k3, 1, "k4")
    out += ups
    out += [Update(f"_new_{s.target}", x + DT / 6 * (a + 2 * b + 2 * c + d))
            for s, x, a, b, c, d in zip(group, xs, k1, k2, k3, k4)]
    return out


def event_driven_update(stmt, where=""):
    """Exact solution of ``dx/dt = a*x + b`` over an interval ``_delta_t`` since the last event."""
    x = sp.Symbol(stmt.target)
    a, b = _linear_parts(stmt.expr, x, where, stmt.line, "event-driven")
    if a.has(sp.Symbol("t")) or b.has(sp.Symbol("t")):
        raise EquationError("event-driven equations cannot depend on t", where=where, line=stmt.line)
    if a == 0:
        return x + b * DELTA
    return (x + b / a) * sp.exp(a * DELTA) - b / a
