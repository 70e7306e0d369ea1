"""Safe translation of one expression's text into a sympy expression.

The text is never evaluated: it is tokenised, lightly rewritten
(``d<x>/dt``, ``if ... then ... else ...``, ``^``) and parsed with
``ast.parse(mode="eval")``, whose tree is walked over a whitelist of node
types, names and functions.  Anything else raises ``EquationError``.
Constant folding is bounded (``bounds.py``: powers and exponentials are estimated before sympy
evaluates them; infinite, NaN, complex and out-of-range constants are refused) and C habits get a
hint (``syntax_hints.py``).
"""
import ast
import difflib
import io
import keyword
import re
import tokenize

import sympy as sp

from ..errors import EquationError
from .bounds import OutOfBounds, check_constants, guard_function, guard_literal, guard_power, substitute
from .syntax_hints import syntax_hint

MAX_EXPRESSION_LENGTH = 5000
MAX_DEPTH = 60


class RandomDraw(sp.Function):
    """Placeholder for a random number drawn anew per element and step; never printed."""


class Fmod(sp.Function):
    """C-style floating modulo (fmod), kept symbolic so each backend prints its own."""
    nargs = 2


class Heaviside0(sp.Function):
    """Heaviside step with H(0) = 0, printed per backend."""
    nargs = 1


def _clip(x, a, b):
    return sp.Min(sp.Max(x, a), b)


# name -> (sympy callable, allowed arity set)
FUNCTIONS = {
    "exp": (sp.exp, {1}), "log": (sp.log, {1}), "log10": (lambda x: sp.log(x, 10), {1}),
    "log2": (lambda x: sp.log(x, 2), {1}), "sqrt": (sp.sqrt, {1}),
    "sin": (sp.sin, {1}), "cos": (sp.cos, {1}), "tan": (sp.tan, {1}),
    "asin": (sp.asin, {1}), "acos": (sp.acos, {1}), "atan": (sp.atan, {1}),
    "atan2": (sp.atan2, {2}), "sinh": (sp.sinh, {1}), "cosh": (sp.cosh, {1}),
    "tanh": (sp.tanh, {1}), "fabs": (sp.Abs, {1}), "abs": (sp.Abs, {1}),
    "floor": (sp.floor, {1}), "ceil": (sp.ceiling, {1}), "round": (lambda x: sp.floor(x + sp.Rational(1, 2)), {1}),
    "pow": (sp.Pow, {2}), "power": (sp.Pow, {2}), "fmin": (sp.Min, {2}), "fmax": (sp.Max, {2}),
    "min": (sp.Min, {2}), "max": (sp.Max, {2}),
    "pos": (lambda x: sp.Max(x, 0), {1}), "positive": (lambda x: sp.Max(x, 0), {1}),
    "neg": (lambda x: sp.Min(x, 0), {1}), "negative": (lambda x: sp.Min(x, 0), {1}),
    "clip": (_clip, {3}), "modulo": (Fmod, {2}), "fmod": (Fmod, {2}),
    "Heaviside": (Heaviside0, {1}), "heaviside": (Heaviside0, {1}),
    "ite": (lambda c, a, b: sp.Piecewise((a, c), (b, True)), {3}),
}
RANDOM_DISTRIBUTIONS = {"Uniform": 2, "Normal": 2, "LogNormal": 2, "Exponential": 1,
                        "Gamma": 2, "DiscreteUniform": 2, "Binomial": 2}
GLOBAL_OPERATIONS = ("mean", "max", "min", "norm1", "norm2")
CONSTANTS = {"pi": sp.pi, "true": sp.true, "false": sp.false, "True": sp.true, "False": sp.false}
RESERVED = set(FUNCTIONS) | set(RANDOM_DISTRIBUTIONS) | {"sum", "t", "dt", "pre", "post", "and", "or",
                                                         "not", "if", "then", "else"} | set(CONSTANTS)

_DERIV_RE = re.compile(r"\bd([A-Za-z_][A-Za-z0-9_]*)\s*/\s*dt\b")
_FORBIDDEN_CHARS = re.compile(r"[\"'`\\;{}\[\]@$#?]")


def derivative_symbol(name):
    return sp.Symbol(f"__d_{name}")


def _outer_tokens(tokens, start):
    """(index, token) of the tokens from ``start`` on that stand at the starting bracket level, ending
    with the bracket that closes the enclosing level (if there is one)."""
    depth = 0
    for j in range(start, len(tokens)):
        t = tokens[j]
        if t in "([":
            depth += 1
        elif t in ")]":
            if depth == 0:
                yield j, t
                return
            depth -= 1
        elif depth == 0:
            yield j, t


def _rewrite_if_then_else(tokens, where, line):
    """Rewrite ``if c then a else b`` (nestable) into ``ite(c, a, b)`` over a token list."""
    out = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok == "if":
            depth_if = 0
            then_at = else_at = None
            for j, t in _outer_tokens(tokens, i + 1):
                if t == "if":
                    depth_if += 1
                elif t == "then" and depth_if == 0 and then_at is None:
                    then_at = j
                elif t == "else":
                    if depth_if == 0 and then_at is not None:
                        else_at = j
                        break
                    depth_if -= 1
            if then_at is None or else_at is None:
                raise EquationError("'if' needs both 'then' and 'else'", where=where, line=line)
            # the else branch extends to the end of the enclosing parenthesis level (or a comma in it)
            k = next((j for j, t in _outer_tokens(tokens, else_at + 1) if t in (")", "]", ",")), len(tokens))
            cond = _rewrite_if_then_else(tokens[i + 1:then_at], where, line)
            a = _rewrite_if_then_else(tokens[then_at + 1:else_at], where, line)
            b = _rewrite_if_then_else(tokens[else_at + 1:k], where, line)
            out += ["ite", "("] + cond + [","] + a + [","] + b + [")"]
            i = k
        else:
            out.append(tok)
            i += 1
    return out


def _tokens(text, where, line):
    try:
        toks = [t for t in tokenize.generate_tokens(io.StringIO(text).readline)
                if t.type not in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER,
                                  tokenize.INDENT, tokenize.DEDENT)]
    except (tokenize.TokenError, IndentationError, SyntaxError) as exc:
        msg = str(exc.args[0]) if exc.args else "cannot read expression"
        if "EOF" in msg or "multi-line" in msg:
            msg = "unbalanced parentheses"
        raise EquationError(msg, where=where, line=line, text=text) from None
    for t in toks:
        if t.type == tokenize.STRING:
            raise EquationError("strings are not allowed in equations", where=where, line=line, text=text)
        if t.type == tokenize.ERRORTOKEN and t.string.strip():
            raise EquationError(f"unexpected character {t.string!r}", where=where, line=line, text=text)
    return [t.string for t in toks]


def preprocess(text, where=None, line=None):
    """Text -> Python-expression text with derivatives, ``^`` and if/then/else rewritten."""
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise EquationError(f"expression longer than {MAX_EXPRESSION_LENGTH} characters",
                            where=where, line=line)
    bad = _FORBIDDEN_CHARS.search(text)
    if bad:
        raise EquationError(f"character {bad.group()!r} is not allowed in equations",
                            where=where, line=line, text=text)
    found, hint = syntax_hint(text, early=True)
    if found:
        raise EquationError(found, where=where, line=line, text=text, hint=hint)
    text = _DERIV_RE.sub(lambda m: f"__d_{m.group(1)}", text)
    text = text.replace("^", "**").replace("&&", " and ").replace("||", " or ")
    if text.count("(") != text.count(")"):
        raise EquationError("unbalanced parentheses", where=where, line=line, text=text)
    tokens = _tokens(text, where, line)
    for i in range(len(tokens) - 3):   # sum(in): a target named like a Python keyword
        if tokens[i] == "sum" and tokens[i + 1] == "(" and tokens[i + 3] == ")" and keyword.iskeyword(tokens[i + 2]):
            tokens[i + 2] = "_kw_" + tokens[i + 2]
    if "if" in tokens:
        tokens = _rewrite_if_then_else(tokens, where, line)
    return " ".join(tokens)


class ExpressionContext:
    """What names an expression may use and how to turn them into symbols.

    ``resolve(name)`` returns a sympy expression or None; ``resolve_attr(obj,
    name)`` handles ``pre.x`` / ``post.x``; ``call(name, args)`` handles
    ``sum(...)``, global operations, random draws and user functions.
    """

    def __init__(self, where, line, names, functions=None, allow_pre_post=False,
                 pre_post_check=None, on_sum=None, on_global=None, on_random=None):
        self.where = where
        self.line = line
        self.names = names                  # name -> sympy expr
        self.functions = functions or {}    # user functions: name -> (args, expr)
        self.allow_pre_post = allow_pre_post
        self.pre_post_check = pre_post_check
        self.on_sum = on_sum
        self.on_global = on_global
        self.on_random = on_random

    def error(self, message, hint=None):
        raise EquationError(message, where=self.where, line=self.line, hint=hint)

    def unknown(self, name):
        known = list(self.names) + list(FUNCTIONS) + list(self.functions)
        close = difflib.get_close_matches(name, known, n=1)
        self.error(f"unknown name '{name}'", hint=f"did you mean '{close[0]}'?" if close else None)


_BOOLEAN_TYPES = (sp.core.relational.Relational, sp.logic.boolalg.BooleanAtom, sp.logic.boolalg.BooleanFunction)


def _is_bool(x):
    return isinstance(x, _BOOLEAN_TYPES)


def is_condition(x):
    """True when ``x`` is a condition (a comparison, a logical combination, true/false)."""
    return _is_bool(x)


def _num(x, ctx):
    if _is_bool(x):
        ctx.error("a condition (true/false) cannot be used as a number here",
                  hint="use ite(condition, a, b) or 'if condition then a else b'")
    return x


def _cond(x, ctx, what):
    if not (_is_bool(x) or isinstance(x, sp.Symbol)):
        ctx.error(f"'{what}' needs conditions (comparisons), not numbers")
    return x


_BINOPS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
           ast.Div: lambda a, b: a / b, ast.Pow: lambda a, b: a ** b, ast.Mod: lambda a, b: Fmod(a, b)}
_CMPOPS = {ast.Lt: sp.Lt, ast.LtE: sp.Le, ast.Gt: sp.Gt, ast.GtE: sp.Ge, ast.Eq: sp.Eq, ast.NotEq: sp.Ne}


def to_sympy(text, ctx):
    """Parse ``text`` (already preprocessed) into a sympy expression under ``ctx``."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        found, hint = syntax_hint(text)
        ctx.error(found or (f"syntax error: {exc.msg}" if exc.msg else "syntax error"), hint=hint)
    try:
        expr = _walk(tree.body, ctx, 0)
    except EquationError:
        raise
    except ZeroDivisionError:
        ctx.error("division by zero in a constant", hint="check the denominators")
    except (TypeError, ValueError, AttributeError) as exc:
        if "Boolean" in str(exc) or "GreaterThan" in str(exc) or "LessThan" in str(exc) or "Relational" in str(exc):
            ctx.error("a condition (true/false) cannot be used as a number here",
                      hint="use ite(condition, a, b) or 'if condition then a else b'")
        ctx.error(f"invalid expression ({exc})")
    except RecursionError:
        ctx.error("expression nested too deeply")
    problem = check_constants(expr)
    if problem:
        ctx.error(problem)
    return expr


def _walk(node, ctx, depth):
    if depth > MAX_DEPTH:
        ctx.error("expression nested too deeply")
    d = depth + 1
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool):
            return sp.true if node.value else sp.false
        if isinstance(node.value, (int, float)):
            if guard_literal(node.value):
                ctx.error(guard_literal(node.value))
            return sp.Float(node.value) if isinstance(node.value, float) else sp.Integer(node.value)
        ctx.error(f"constant {node.value!r} is not a number")
    if isinstance(node, ast.Name):
        name = node.id
        if name in ctx.names:
            return ctx.names[name]
        if name in CONSTANTS:
            return CONSTANTS[name]
        if name in FUNCTIONS or name in ctx.functions:
            ctx.error(f"function '{name}' used without arguments")
        ctx.unknown(name)
    if isinstance(node, ast.BinOp):
        op = _BINOPS.get(type(node.op))
        if op is None:
            ctx.error(f"operator {type(node.op).__name__} is not allowed")
        left, right = _num(_walk(node.left, ctx, d), ctx), _num(_walk(node.right, ctx, d), ctx)
        if isinstance(node.op, ast.Pow) and guard_power(left, right):
            ctx.error(guard_power(left, right), hint="write the number in floating-point form within double range")
        return op(left, right)
    if isinstance(node, ast.UnaryOp):
        v = _walk(node.operand, ctx, d)
        if isinstance(node.op, ast.USub):
            return -_num(v, ctx)
        if isinstance(node.op, ast.UAdd):
            return _num(v, ctx)
        if isinstance(node.op, ast.Not):
            return sp.Not(_cond(v, ctx, "not"))
        ctx.error("operator not allowed")
    if isinstance(node, ast.BoolOp):
        name = "and" if isinstance(node.op, ast.And) else "or"
        vals = [_cond(_walk(v, ctx, d), ctx, name) for v in node.values]
        return sp.And(*vals) if isinstance(node.op, ast.And) else sp.Or(*vals)
    if isinstance(node, ast.Compare):
        left = _num(_walk(node.left, ctx, d), ctx)
        parts = []
        for op, comp in zip(node.ops, node.comparators):
            right = _num(_walk(comp, ctx, d), ctx)
            cls = _CMPOPS.get(type(op))
            if cls is None:
                ctx.error("comparison not allowed")
            parts.append(cls(left, right, evaluate=False) if cls in (sp.Eq, sp.Ne) else cls(left, right))
            left = right
        return parts[0] if len(parts) == 1 else sp.And(*parts)
    if isinstance(node, ast.Attribute):
        if isinstance(node.value, ast.Name) and node.value.id in ("pre", "post"):
            if not ctx.allow_pre_post:
                ctx.error(f"'{node.value.id}.{node.attr}' is only allowed in synapses")
            return ctx.pre_post_check(node.value.id, node.attr)
        ctx.error("attribute access is not allowed")
    if isinstance(node, ast.Call):
        return _call(node, ctx, d)
    if isinstance(node, ast.IfExp):
        return sp.Piecewise((_walk(node.body, ctx, d), _cond(_walk(node.test, ctx, d), ctx, "if")),
                            (_walk(node.orelse, ctx, d), True))
    ctx.error(f"'{type(node).__name__}' is not allowed in equations")


def _call(node, ctx, d):
    if node.keywords:
        ctx.error("keyword arguments are not allowed in equations")
    func = node.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
            and func.value.id in ("pre", "post") and func.attr == "sum":
        if not ctx.allow_pre_post:
            ctx.error("pre/post are only allowed in synapses")
        if len(node.args) != 1 or not isinstance(node.args[0], ast.Name):
            ctx.error("sum() takes one target name")
        return ctx.pre_post_check(func.value.id, f"sum({node.args[0].id})")
    if not isinstance(func, ast.Name):
        ctx.error("only named functions can be called")
    name = func.id
    if name == "sum":
        if len(node.args) != 1 or not isinstance(node.args[0], ast.Name):
            ctx.error("sum() takes one target name, e.g. sum(exc)")
        if ctx.on_sum is None:
            ctx.error("sum(target) is only allowed in rate-coded neurons")
        target = node.args[0].id
        return ctx.on_sum(target[4:] if target.startswith("_kw_") else target)
    if name in GLOBAL_OPERATIONS and name not in ("min", "max") or \
            (name in ("min", "max") and len(node.args) == 1):
        if len(node.args) != 1:
            ctx.error(f"{name}() takes one variable")
        arg = node.args[0]
        if ctx.on_global is None:
            ctx.error(f"global operation {name}() is not allowed here")
        if isinstance(arg, ast.Name):
            return ctx.on_global(name, None, arg.id)
        if isinstance(arg, ast.Attribute) and isinstance(arg.value, ast.Name) and arg.value.id in ("pre", "post"):
            return ctx.on_global(name, arg.value.id, arg.attr)
        ctx.error(f"{name}() takes the name of a variable")
    args = [_walk(a, ctx, d) for a in node.args]
    if name in RANDOM_DISTRIBUTIONS:
        if len(args) != RANDOM_DISTRIBUTIONS[name]:
            ctx.error(f"{name}() takes {RANDOM_DISTRIBUTIONS[name]} arguments")
        if ctx.on_random is None:
            ctx.error(f"random distribution {name}() is not allowed here")
        return ctx.on_random(name, tuple(args))
    if name in ctx.functions:
        params, body = ctx.functions[name]
        if len(args) != len(params):
            ctx.error(f"function '{name}' takes {len(params)} arguments, got {len(args)}")
        try:
            return substitute(body, dict(zip(params, args)))
        except OutOfBounds as exc:
            ctx.error(f"{exc} (in function '{name}')")
    if name in FUNCTIONS:
        fn, arity = FUNCTIONS[name]
        for i, a in enumerate(args):
            if name == "ite" and i == 0:
                _cond(a, ctx, "ite")
            else:
                _num(a, ctx)
        if len(args) not in arity:
            ctx.error(f"{name}() takes {sorted(arity)[0]} argument(s), got {len(args)}")
        if guard_function(name, args):
            ctx.error(guard_function(name, args))
        return fn(*args)
    ctx.unknown(name)
