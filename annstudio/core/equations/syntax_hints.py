"""Helpful messages for the syntax errors C, C++ and Python habits produce in equations.

``syntax_hint(text)`` looks at an expression that ``ast.parse`` refused and returns
``(message, hint)``: what was found and what to write instead (``/* */`` comments, C casts,
``->``, ``1.0f`` literals, ``++``/``--``, ``!x``, ``x ? a : b``, ``:=``, empty parentheses);
``(None, None)`` when nothing familiar is recognised.
"""
import re

_PATTERNS = (
    (re.compile(r"/\s*\*|\*\s*/"), "found a C comment '/* ... */'",
     "equations use '#' for comments, to the end of the line"),
    (re.compile(r"->"), "found '->' (C pointer access)", "use a plain variable name, or pre.x / post.x in synapses"),
    (re.compile(r"\(\s*(double|float|int|long|bool|unsigned|char)\s*\)\s*\w"), "found a C cast",
     "remove the cast; every value is a double (use floor() or round() for integers)"),
    (re.compile(r"\b\d+(\.\d*)?([eE][-+]?\d+)?[fFlLuU]\b|\b\d*\.\d+[fF]\b"), "found a C number suffix (like 1.0f)",
     "write the number without a suffix, e.g. 1.0"),
    (re.compile(r"(\+\s*\+|-\s*-)\s*($|\)|;)"), "found '++' or '--'", "write 'x += 1' in a reset or 'x = x + 1'"),
    (re.compile(r"(^|[^<>=!])!(?!=)"), "found '!' (C negation)", "write 'not x'"),
    (re.compile(r"\?"), "found 'c ? a : b' (C conditional)", "write 'if c then a else b' or ite(c, a, b)"),
    (re.compile(r":="), "found ':='", "write '=' for an assignment"),
    (re.compile(r"\(\s*\)"), "found empty parentheses", "put an expression inside them"),
    (re.compile(r"\b\d+\s+\d+"), "found two numbers in a row", "put an operator (+, -, *, /) between them"),
)


EARLY = 4      # the first patterns are never valid: checked before parsing


def syntax_hint(text, early=False):
    """``(message, hint)`` for a refused expression ``text`` (``(None, None)`` if not recognised);
    ``early``: only the forms that are never valid (checked before parsing)."""
    for pattern, found, hint in _PATTERNS[:EARLY] if early else _PATTERNS:
        if pattern.search(text):
            return f"syntax error: {found}", hint
    return None, None
