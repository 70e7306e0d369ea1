"""Every error of one type, not only the first the parser stops at.

The engine's parser reports the first problem of a type.  ``more_problems`` finds the next ones:
it takes the located problem, neutralises its line in a copy of the type's entry (the right-hand
side becomes ``0``, a condition becomes one that never holds, so the names the line declares stay
declared and nothing else is reported because of it), builds the copy again with the project's
own type builder and repeats, at most ``LIMIT`` times.  Nothing is applied to the document; the
copy is parsed only, never run.
"""
import copy
import re

from ...core.model.fields import fields_of
from ...project.convert import _Collector, build_type

LIMIT = 12
_ASSIGN = re.compile(r"^(?P<lhs>[^=<>!:]*?[^=<>!:+\-*/])\s*(?P<op>\+=|-=|\*=|/=|=)(?!=)(?P<rhs>[^:]*)(?P<flags>:.*)?$")


def _neutral_line(block, line):
    """The same line, harmless: ``lhs = 0`` (flags kept first, then dropped), or None when it cannot
    be made harmless (the caller then stops)."""
    text = line.strip()
    if not text:
        return None
    match = _ASSIGN.match(text)
    if match is None:
        return "t < 0" if block in ("spike", "axon_spike") else ""
    lhs, op, flags = match.group("lhs").strip(), match.group("op"), match.group("flags") or ""
    if block == "functions":
        return f"{lhs} = 0"
    first = f"{lhs} {op} 0" + (f" {flags}" if flags else "")
    return first if first != text else f"{lhs} {op} 0"


def _blocks(section):
    return {f.name for f in fields_of(section) if f.kind in ("text", "number_or_text")}


def more_problems(section, name, definition, first, where_prefix):
    """The problems after ``first`` (a located ``Problem`` in ``where_prefix.BLOCK``, line L) in
    ``definition``: ``[Problem, ...]``, in the order they are found (``first`` not included)."""
    if not isinstance(definition, dict) or "standard" in definition:
        return []
    entry = copy.deepcopy(definition)
    tried, found, problem = {}, [], first
    for _ in range(LIMIT):
        block = problem.where[len(where_prefix) + 1:].split(".")[0] if problem.where.startswith(where_prefix + ".") \
            else ""
        if block not in _blocks(section) or not problem.line:
            break
        step = tried.get((block, problem.line), 0)     # 0: made harmless, 1: left out, 2: give up
        if step >= 2:
            break
        tried[(block, problem.line)] = step + 1
        if block == "refractory":
            entry[block] = None
        else:
            lines = str(entry.get(block) or "").split("\n")
            if not 1 <= problem.line <= len(lines):
                break
            harmless = _neutral_line(block, lines[problem.line - 1]) if step == 0 else ""
            lines[problem.line - 1] = harmless or ""
            entry[block] = "\n".join(lines)
        collector = _Collector()
        build_type(section, name, entry, where_prefix, collector)
        if not collector.problems:
            break
        problem = collector.problems[0]
        key = (problem.where, problem.line, problem.message)
        if all((p.where, p.line, p.message) != key for p in [first, *found]):
            found.append(problem)
    return found
