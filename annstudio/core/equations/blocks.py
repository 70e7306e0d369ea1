"""Splitting a block of text into statements: lines, ``;``, comments and flags."""
import difflib
import re
from dataclasses import dataclass

from ..errors import EquationError
from .names import describe_char, first_hidden, first_non_ascii

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
    for lineno, line in _join_branches(text, where):
        for stmt in _split_top(colon_conditionals(line), ";"):
            if not stmt.strip():
                continue
            out.append(_parse_flags(stmt, lineno, where))
            if len(out) > MAX_STATEMENTS:
                raise EquationError(f"more than {MAX_STATEMENTS} statements", where=where, line=lineno)
    return out


_BRANCH_WORD = re.compile(r"(?<![\w.])(if|elif|else|then)(?!\w)")
_OPENS_BRANCH = re.compile(r"(?<![\w.])(if|elif|else)(?!\w)[^:]*:\s*$")


def strip_comments(text):
    """``text`` without its ``#`` comments (each line up to its first ``#``)."""
    return "\n".join(line.split("#", 1)[0] for line in str(text).splitlines())


def _join_branches(text, where):
    """(first line number, text) of each logical line: ANNarchy's conditional written over several lines
    (a line ending with ``if ...:`` / ``else:``, or a line starting with ``else``/``elif``) is one line."""
    merged = []
    for lineno, line in enumerate(str(text).splitlines(), start=1):
        hidden = first_hidden(line)            # bidi overrides, zero-width and control characters: even in comments
        if hidden is not None:
            raise EquationError(f"invisible character {describe_char(hidden)} is not allowed (it can make the text "
                                "read differently from what is parsed)", where=where, line=lineno,
                                hint="delete it and retype the surrounding text")
        line = line.split("#", 1)[0]
        bad = first_non_ascii(line)
        if bad is not None:
            raise EquationError(f"character {describe_char(bad)} is not allowed: equations are written in ASCII",
                                where=where, line=lineno, hint="retype it with a plain keyboard letter or symbol"
                                if bad.isalnum() else "comments after '#' may use any character")
        if merged and (_OPENS_BRANCH.search(merged[-1][1]) or
                       (re.match(r"\s*(else|elif)(?!\w)", line) and _BRANCH_WORD.search(merged[-1][1]))):
            merged[-1] = (merged[-1][0], merged[-1][1].rstrip() + " " + line.strip())
        else:
            merged.append((lineno, line))
    return merged


def colon_conditionals(text):
    """ANNarchy's ``if c: a else: b`` (``elif c:`` too) -> ``if c then a else b``: the ':' closing an
    ``if``/``elif`` condition becomes ``then``, the one right after ``else`` goes; other ':' (flags) stay."""
    if not _BRANCH_WORD.search(text):
        return text
    out, pending, i = [], 0, 0
    while i < len(text):
        m = _BRANCH_WORD.match(text, i) if i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "_.") else None
        if m:
            word, i = m.group(1), m.end()
            if word == "else":
                k = i
                while k < len(text) and text[k] in " \t":
                    k += 1
                if k < len(text) and text[k] == ":":
                    i = k + 1
                out.append("else ")
            elif word == "then":
                pending = max(0, pending - 1)
                out.append("then")
            else:
                pending += 1
                out.append("else if" if word == "elif" else "if")
            continue
        if text[i] == ":" and pending:
            pending -= 1
            out.append(" then ")
        else:
            out.append(text[i])
        i += 1
    return "".join(out)


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
                if any(k == key for k, _ in values):
                    raise EquationError(f"the flag '{key}=' is given twice", where=where, line=lineno,
                                        text=stmt.strip(), hint="keep one of them")
                values.append((key, m.group(2).strip()))
            elif flag in KNOWN_FLAGS:
                if flag in flags:
                    raise EquationError(f"the flag '{flag}' is given twice", where=where, line=lineno,
                                        text=stmt.strip())
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
