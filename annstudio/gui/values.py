"""Text <-> project value conversion for the inspector's fields (no Qt).

A value is written as a number (``-65``), a distribution (``Uniform(0, 1)``,
``Normal(0.5, 0.1, min=0)``), an expression string in quotes, or raw JSON
(``{"array": [...]}``).  ``parse_value`` raises ``ValueError`` with a
message the inspector shows next to the field.
"""
import json
import re

DISTRIBUTIONS = ("Uniform", "DiscreteUniform", "Normal", "LogNormal", "Exponential", "Gamma", "Binomial")
_DIST_RE = re.compile(r"^\s*([A-Za-z]+)\s*\((.*)\)\s*$")


def _number(text):
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("use a finite number")
    return int(value) if re.fullmatch(r"\s*[-+]?\d+\s*", text) else value


def parse_value(text, allow_none=False):
    text = (text or "").strip()
    if not text:
        if allow_none:
            return None
        raise ValueError("a value is needed")
    if allow_none and text.lower() in ("none", "null", "-"):
        return None
    try:
        return _number(text)
    except ValueError:
        pass
    match = _DIST_RE.match(text)
    if match and match.group(1) in DISTRIBUTIONS:
        args, extra = [], {}
        for part in [p.strip() for p in match.group(2).split(",") if p.strip()]:
            if "=" in part:
                key, _, val = part.partition("=")
                if key.strip() not in ("min", "max"):
                    raise ValueError(f"unknown option {key.strip()!r} (use min= or max=)")
                extra[key.strip()] = _number(val)
            else:
                args.append(_number(part))
        return {"distribution": match.group(1), "args": args, **extra}
    if text[0] in "{[":
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise ValueError(f"not valid JSON: {exc}") from None
        return {"array": value} if isinstance(value, list) else value
    if text[0] in "\"'" and text[-1] == text[0]:
        return text[1:-1]
    raise ValueError(f"cannot read {text!r}: write a number, e.g. Uniform(0, 1), or JSON")


def format_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dict) and "distribution" in value:
        args = ", ".join(repr(a) for a in value.get("args", []))
        extra = "".join(f", {k}={value[k]!r}" for k in ("min", "max") if k in value)
        return f"{value['distribution']}({args}{extra})"
    return json.dumps(value)


def parse_ranks(text):
    """``"0-9, 20, 30"`` -> ``[0, ..., 9, 20, 30]``; empty -> None (all)."""
    text = (text or "").strip()
    if not text or text.lower() == "all":
        return None
    ranks = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part[1:]:
            a, _, b = part.partition("-")
            lo, hi = int(a), int(b)
            if hi < lo:
                raise ValueError(f"empty range {part!r}")
            ranks.extend(range(lo, hi + 1))
        else:
            ranks.append(int(part))
    if any(r < 0 for r in ranks):
        raise ValueError("ranks are non-negative")
    return ranks


def format_ranks(ranks):
    if not ranks:
        return ""
    ranks = sorted(ranks)
    out, start, prev = [], ranks[0], ranks[0]
    for r in ranks[1:] + [None]:
        if r is not None and r == prev + 1:
            prev = r
            continue
        out.append(str(start) if start == prev else f"{start}-{prev}")
        if r is not None:
            start = prev = r
    return ", ".join(out)
