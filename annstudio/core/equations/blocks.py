"""Splitting a block of text into statements: lines, ``;``, comments and flags."""
import difflib
import re
from dataclasses import dataclass

from ..errors import EquationError

KNOWN_FLAGS = {"population", "postsynaptic", "projection", "int", "bool", "float", "explicit", "implicit",
               "exponential", "midpoint", "rk4", "event-driven", "unless_refractory", "semiglobal",
               "global"}
VALUE_FLAGS = {"init", "min", "max"}
METHODS = ("explicit", "implicit", "exponential", "midpoint", "rk4", "event-driven")
MAX_STATEMENTS = 500


@dataclass(frozen=True)
class RawStatement:
    line: int        # 1-based line in the block
    text: str        # the statement without its flags
    flags: tuple     # bare flags, in order
    values: tuple    # (("init", "-65.0"), ...)


def _split_top(text, sep):
    parts, depth, cur = [], 0, []
    for ch in text:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def split_block(text, where):
    """Split ``text`` into RawStatements; ``where`` names the model and block for errors."""
    if text is None:
        return []
    text = str(text)
    out = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0]
        for stmt in _split_top(line, ";"):
            if not stmt.strip():
                continue
            out.append(_parse_flags(stmt, lineno, where))
            if len(out) > MAX_STATEMENTS:
                raise EquationError(f"more than {MAX_STATEMENTS} statements", where=where, line=lineno)
    return out


def _parse_flags(stmt, lineno, where):
    parts = _split_top(stmt, ":")
    body = parts[0].strip()
    flags, values = [], []
    if len(parts) > 2:
        raise EquationError("more than one ':' in a statement", where=where, line=lineno, text=stmt.strip())
    if len(parts) == 2:
        for flag in _split_top(parts[1], ","):
            flag = flag.strip()
            if not flag:
                continue
            m = re.fullmatch(r"([A-Za-z_][\w-]*)\s*=\s*(.+)", flag)
            if m:
                key = m.group(1)
                if key not in VALUE_FLAGS:
                    close = difflib.get_close_matches(key, VALUE_FLAGS, n=1)
                    raise EquationError(f"unknown flag '{key}='", where=where, line=lineno, text=stmt.strip(),
                                        hint=f"did you mean '{close[0]}='?" if close else "flags taking a value: init=, min=, max=")
                values.append((key, m.group(2).strip()))
            elif flag in KNOWN_FLAGS:
                flags.append(flag)
            else:
                close = difflib.get_close_matches(flag, KNOWN_FLAGS | VALUE_FLAGS, n=1)
                raise EquationError(f"unknown flag '{flag}'", where=where, line=lineno, text=stmt.strip(),
                                    hint=f"did you mean '{close[0]}'?" if close else None)
    if not body:
        raise EquationError("empty statement before ':'", where=where, line=lineno, text=stmt.strip())
    methods = [f for f in flags if f in METHODS]
    if len(methods) > 1:
        raise EquationError(f"conflicting numerical methods {methods}", where=where, line=lineno)
    return RawStatement(lineno, body, tuple(flags), tuple(values))


_ASSIGN_RE = re.compile(r"(\+=|-=|\*=|/=|(?<![<>=!])=(?!=))")


def split_assignment(text, where, line):
    """Return (lhs, op, rhs) of a statement, op in '=', '+=', '-=', '*=', '/='."""
    m = _ASSIGN_RE.search(text)
    if not m:
        raise EquationError("expected an equation or assignment ('=' is missing)", where=where, line=line,
                            text=text)
    lhs, op, rhs = text[:m.start()].strip(), m.group(1), text[m.end():].strip()
    if _ASSIGN_RE.search(rhs):
        raise EquationError("more than one assignment in a statement", where=where, line=line, text=text)
    if not lhs or not rhs:
        raise EquationError("both sides of '=' are needed", where=where, line=line, text=text)
    return lhs, op, rhs
