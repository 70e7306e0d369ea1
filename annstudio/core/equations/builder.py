"""The machinery shared by neuron and synapse analysis: ``Builder`` and its helpers.

A ``Builder`` reads one type's text blocks against a :class:`Scope` (the
network's functions and constants): it collects declarations, resolves names,
records random draws, global operations and pre/post references, and turns
statements into sympy.  ``located`` turns sympy's internal errors into located
``EquationError``s.  ``analysis.py`` drives it block by block.
"""
import difflib
import re

import sympy as sp

from ..errors import EquationError
from .blocks import METHODS, split_assignment, split_block
from .decls import Analysis, GlobalOpDecl, RandomDecl, Statement, VarDecl
from .names import check_name
from .expressions import RESERVED, ExpressionContext, derivative_symbol, preprocess, to_sympy
from .scope import EMPTY, NAME_RE as _NAME_RE, parse_functions


def number(text, where, line, what):
    ctx = ExpressionContext(where, line, {})
    value = to_sympy(preprocess(text, where, line), ctx)
    if value in (sp.true, sp.false):
        return 1.0 if value == sp.true else 0.0
    if not value.is_number:
        raise EquationError(f"{what} must be a number", where=where, line=line, text=text)
    try:
        return float(value)
    except TypeError:
        raise EquationError(f"{what} must be a real number", where=where, line=line, text=text) from None


def _dtype(flags):
    if "int" in flags:
        return "int"
    if "bool" in flags:
        return "bool"
    return "double"


def _locality(flags, kind, where, line):
    if kind == "neuron":
        if "postsynaptic" in flags or "projection" in flags:
            raise EquationError("'postsynaptic'/'projection' flags are for synapses; use 'population'",
                                where=where, line=line)
        return "global" if ("population" in flags or "global" in flags) else "local"
    if "population" in flags:
        raise EquationError("'population' is a neuron flag; synapses use 'postsynaptic' or 'projection'",
                            where=where, line=line)
    if "projection" in flags or "global" in flags:
        return "global"
    if "postsynaptic" in flags or "semiglobal" in flags:
        return "semiglobal"
    return "local"


def _lhs_name(lhs, where, line, text):
    """Name defined by a statement's left-hand side; (name, is_ode)."""
    m = re.search(r"\bd([A-Za-z_]\w*)\s*/\s*dt\b", lhs)
    if m:
        return m.group(1), True
    if not _NAME_RE.fullmatch(lhs):
        raise EquationError(f"the left-hand side '{lhs}' must be a variable name or contain 'dx/dt'",
                            where=where, line=line, text=text)
    return lhs, False


class Builder:
    """Shared machinery for neuron and synapse analysis."""

    def __init__(self, model, kind, type_, scope=EMPTY):
        self.model = model
        self.scope = scope
        self.kind = kind
        self.type = type_
        self.label = f"{'Neuron' if kind == 'neuron' else 'Synapse'} '{model.name}'"
        self.decls = {}
        self.randoms = []
        self.global_ops = {}
        self.targets = []
        self.pre_refs = []
        self.post_refs = []
        self.lines = {}                     # variable -> line of its equation (for located errors)
        shared = scope.functions()
        self.functions = {**shared, **parse_functions(model.functions, f"{self.label}, functions", known=shared)}

    def where(self, block):
        return f"{self.label}, {block}"

    # -- declarations -------------------------------------------------------------------
    def parameters(self):
        where = self.where("parameters")
        for raw in split_block(self.model.parameters, where):
            lhs, op, rhs = split_assignment(raw.text, where, raw.line)
            if op != "=" or not _NAME_RE.fullmatch(lhs):
                raise EquationError("a parameter is declared as 'name = value'", where=where, line=raw.line,
                                    text=raw.text)
            self._check_new_name(lhs, where, raw.line)
            value = number(rhs, where, raw.line, f"the value of parameter '{lhs}'")
            for key, _ in raw.values:
                if key != "init":
                    raise EquationError(f"'{key}=' is not allowed on a parameter", where=where, line=raw.line)
            if any(f in METHODS for f in raw.flags):
                raise EquationError("numerical methods are not allowed on parameters", where=where,
                                    line=raw.line)
            self.decls[lhs] = VarDecl(lhs, "parameter", _locality(raw.flags, self.kind, where, raw.line),
                                      _dtype(raw.flags), value)

    def _check_new_name(self, name, where, line):
        if name in RESERVED or name.startswith("_"):
            raise EquationError(f"'{name}' is a reserved name and cannot be declared", where=where, line=line)
        check_name(name, "parameter name", where, line)
        if name in self.decls and not self.decls[name].implicit:
            raise EquationError(f"'{name}' is declared twice", where=where, line=line)

    def declare_variables(self, raws, block):
        where = self.where(block)
        order, seen, seen_kind = [], {}, {}
        for raw in raws:
            lhs, op, rhs = split_assignment(raw.text, where, raw.line)
            name, is_ode = _lhs_name(lhs, where, raw.line, raw.text)
            kind = "ode" if is_ode else ("set" if op == "=" else "update")
            if name in seen and (kind != "update" or seen_kind[name] == "ode"):
                raise EquationError(f"'{name}' is defined twice in {block} (lines {seen[name]} and {raw.line})",
                                    where=where, line=raw.line, text=raw.text,
                                    hint="keep one equation per variable")
            if name not in seen or kind != "update":
                seen[name], seen_kind[name] = raw.line, kind
            self.lines.setdefault(name, raw.line)
            if name in self.decls and self.decls[name].role == "parameter":
                raise EquationError(f"'{name}' is a parameter and cannot be assigned in equations",
                                    where=where, line=raw.line, text=raw.text,
                                    hint="declare it without a value in parameters or rename it")
            if name in RESERVED or name.startswith("_"):
                raise EquationError(f"'{name}' is a reserved name", where=where, line=raw.line)
            check_name(name, "variable name", where, raw.line)
            values = dict(raw.values)
            init_text = str(values.get("init", "")).strip()
            if init_text in self.decls and self.decls[init_text].role == "parameter":   # init = a parameter
                init = self.decls[init_text].init
            else:
                init = number(values["init"], where, raw.line, "init") if "init" in values else 0.0
            method = next((f for f in raw.flags if f in METHODS), "explicit")
            if method == "event-driven" and self.kind != "synapse":
                raise EquationError("'event-driven' is only allowed in spiking synapses", where=where,
                                    line=raw.line)
            if name in self.decls and not self.decls[name].implicit:
                prev = self.decls[name]
                init = prev.init if "init" not in values else init
            order.append((raw, name, is_ode, op, lhs, rhs, method))
            self.decls[name] = VarDecl(name, "variable", _locality(raw.flags, self.kind, where, raw.line),
                                       _dtype(raw.flags), init, values.get("min"), values.get("max"), method)
        return order

    def finish_bounds(self, block):
        where = self.where(block)
        for name, d in list(self.decls.items()):
            if isinstance(d.min, str) or isinstance(d.max, str):
                ctx = self.context(where, None, allow_random=False)
                lo = to_sympy(preprocess(d.min, where), ctx) if isinstance(d.min, str) else d.min
                hi = to_sympy(preprocess(d.max, where), ctx) if isinstance(d.max, str) else d.max
                if lo is not None and hi is not None and lo.is_number and hi.is_number and \
                        lo.is_real and hi.is_real and bool(lo > hi):
                    raise EquationError(f"min={lo} is greater than max={hi} for '{name}'", where=where,
                                        line=self.lines.get(name), hint="swap them")
                self.decls[name] = VarDecl(d.name, d.role, d.locality, d.dtype, d.init, lo, hi, d.method,
                                           d.implicit, d.auto_reset)

    # -- expressions --------------------------------------------------------------------
    def symbols(self):
        names = {n: sp.Symbol(n) for n in sorted(self.scope.constants)}
        names.update({n: sp.Symbol(n) for n in self.decls})
        names["t"] = sp.Symbol("t")
        names["dt"] = sp.Symbol("dt")
        if self.kind == "neuron" and "rank" not in names:   # the neuron's index in its population (ANNarchy)
            names["rank"] = sp.Symbol("rank")
        return names

    def context(self, where, line, allow_random=True, extra=None):
        names = self.symbols()
        if extra:
            names.update(extra)
        ctx = ExpressionContext(where, line, names, functions=self.functions,
                                allow_pre_post=self.kind == "synapse", pre_post_check=self._pre_post,
                                on_sum=self._sum if self.kind == "neuron" else None,  # spiking too (hybrid networks)
                                on_global=self._global, on_random=self._random if allow_random else None)
        return ctx

    def _sum(self, target):
        if target not in self.targets:
            self.targets.append(target)
        return sp.Symbol(f"sum__{target}")

    def _pre_post(self, side, name):
        refs = self.pre_refs if side == "pre" else self.post_refs
        key = name.replace("(", "__").replace(")", "")
        if key not in refs:
            refs.append(key)
        return sp.Symbol(f"{side}__{key}")

    def _global(self, op, side, var):
        if side is None and var not in self.decls:
            raise EquationError(f"{op}() of unknown variable '{var}'", where=self.label)
        sym = f"_{op}__{side + '__' if side else ''}{var}"
        self.global_ops.setdefault(sym, GlobalOpDecl(sym, op, var, side))
        if side:
            self._pre_post(side, var)
        return sp.Symbol(sym)

    def _random(self, dist, args):
        for a in args:
            if not a.is_number:
                free = {str(s) for s in a.free_symbols}
                if any(s.startswith(("pre__", "post__", "_rand")) for s in free):
                    raise EquationError(f"arguments of {dist}() may only use constants and parameters",
                                        where=self.label)
        sym = f"_rand_{len(self.randoms)}"
        self.randoms.append(RandomDecl(sym, dist, tuple(args)))
        return sp.Symbol(sym)

    def expression(self, text, block, line, allow_random=True, extra=None):
        where = self.where(block)
        with located(where, line, text):
            return to_sympy(preprocess(text, where, line), self.context(where, line, allow_random, extra))

    def statements(self, order, block, allow_ode=True):
        out = []
        for item in order:
            with located(self.where(block), item[0].line, item[0].text):
                out.append(self._statement(item, block, allow_ode))
        return tuple(out)

    def _statement(self, item, block, allow_ode):
        where = self.where(block)
        raw, name, is_ode, op, lhs, rhs, method = item
        if is_ode:
            if not allow_ode:
                raise EquationError("differential equations are not allowed here", where=where,
                                    line=raw.line)
            if op != "=":
                raise EquationError(f"an ODE cannot use '{op}'", where=where, line=raw.line, text=raw.text)
            d = derivative_symbol(name)
            extra = {f"__d_{name}": d}
            left = self.expression(lhs, block, raw.line, extra=extra)
            right = self.expression(rhs, block, raw.line, extra=extra)
            expr = left - right
            coeff = sp.diff(expr, d)
            if coeff == 0 or d in coeff.free_symbols:
                raise EquationError(f"not an ODE: cannot solve for d{name}/dt (it must appear linearly)",
                                    where=where, line=raw.line, text=raw.text)
            if any(str(s).startswith("__d_") and s != d for s in expr.free_symbols):
                raise EquationError("only one derivative per equation", where=where, line=raw.line)
            rhs_expr = -(expr.subs(d, 0)) / coeff
            return Statement(name, rhs_expr, True, method, raw.line, raw.text, block)
        value = self.expression(rhs, block, raw.line)
        cur = sp.Symbol(name)
        if op != "=":
            value = {"+=": lambda: cur + value, "-=": lambda: cur - value, "*=": lambda: cur * value,
                     "/=": lambda: cur / value}[op]()
        return Statement(name, value, False, method, raw.line, raw.text, block)

    def assignments(self, text, block, allowed_targets, extra_targets=()):
        """Parse a reset / pre_spike / post_spike block of assignments."""
        where = self.where(block)
        raws = split_block(text, where)
        order = []
        for raw in raws:
            lhs, op, rhs = split_assignment(raw.text, where, raw.line)
            name, is_ode = _lhs_name(lhs, where, raw.line, raw.text)
            if is_ode:
                raise EquationError("differential equations are not allowed here", where=where, line=raw.line)
            if name not in allowed_targets and name not in extra_targets:
                known = sorted(set(allowed_targets) | set(extra_targets))
                close = difflib.get_close_matches(name, known, n=1)
                raise EquationError(f"cannot assign '{name}': it is not a variable of this model",
                                    where=where, line=raw.line, text=raw.text,
                                    hint=f"did you mean '{close[0]}'?" if close else None)
            order.append((raw, name, False, op, lhs, rhs, "explicit"))
        return self.statements(order, block, allow_ode=False)

    def result(self, **kw):
        return Analysis(name=self.model.name, kind=self.kind, type=self.type,
                        variables=tuple(self.decls.values()), targets=tuple(self.targets),
                        randoms=tuple(self.randoms), global_ops=tuple(self.global_ops.values()),
                        pre_refs=tuple(self.pre_refs), post_refs=tuple(self.post_refs), **kw)


class located:
    """Turn sympy's TypeErrors (a condition used as a number...) into located EquationErrors."""

    def __init__(self, where, line, text=None):
        self.where, self.line, self.text = where, line, text

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if kind is None or issubclass(kind, EquationError):
            return False
        if issubclass(kind, (TypeError, ValueError, AttributeError, ZeroDivisionError, RecursionError,
                             KeyError, NotImplementedError)):
            msg = str(exc)
            if any(k in msg for k in ("Boolean", "Relational", "GreaterThan", "LessThan")):
                raise EquationError("a condition (true/false) cannot be used as a number here", where=self.where,
                                    line=self.line, text=self.text,
                                    hint="use ite(condition, a, b) or 'if condition then a else b'") from None
            raise EquationError(f"cannot process this statement ({type(exc).__name__}: {msg})",
                                where=self.where, line=self.line, text=self.text) from None
        return False
