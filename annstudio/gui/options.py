"""The options of the input population kinds as typed fields (no JSON), for the inspector.

``KIND_OPTIONS[kind]``: the options a kind offers beyond its rate / spike times (which have their own
editors), each ``(key, label, tip, parse)``; ``parse(text)`` gives the project value, ``MISSING`` for
an empty field (the option is removed: the engine's default), or raises ``ValueError`` with a
sentence.  An option the project holds that is not listed here is shown as text and parsed as JSON
(``parse_other``), also refused in words when it does not parse.
"""
import json

from ..project.document import MISSING
from .typed_fields import parse_number, parse_number_list


def _optional(parse):
    def inner(text):
        return MISSING if not text.strip() else parse(text)
    return inner


def _ms(what, positive=False):
    def parse(text):
        value = parse_number(text, minimum=0.0, what=what)
        if positive and value <= 0:
            raise ValueError(f"{what} must be above 0 ms")
        return value
    return parse


def _repeat_period(text):
    value = parse_number(text, what="the period")
    if value != -1 and value <= 0:
        raise ValueError("the period is a positive number of ms (or -1: play once)")
    return value


def _schedule(text):
    values = parse_number_list(text, what="the schedule", minimum=0.0)
    if len(values) == 1:
        return values[0]
    if any(b <= a for a, b in zip(values, values[1:])):
        raise ValueError("the schedule's times must increase")
    return values


def _rate_rows(text):
    s = text.strip()
    try:
        value = json.loads(s)
    except ValueError:
        raise ValueError("write one row of rates (Hz) per step, e.g. [[10, 20], [0, 5]]") from None
    rows = value if isinstance(value, list) else None
    if not rows or not all(isinstance(r, list) and r and all(isinstance(x, (int, float)) and not isinstance(x, bool)
                                                             and x >= 0 for x in r) for r in rows):
        raise ValueError("write one row of rates (Hz, not below 0) per step, e.g. [[10, 20], [0, 5]]")
    return rows


KIND_OPTIONS = {
    "poisson": [("refractory", "refractory (ms)", "dead time after each spike, in ms; empty: none",
                 _optional(_ms("the refractory period")))],
    "spike_source_array": [("period", "repeat every (ms)",
                            "the spike times start again every this many ms; empty: play them once",
                            _optional(_ms("the period", positive=True)))],
    "timed_array": [("rates", "rates (Hz) per step", "one row of rates (Hz) per step of the schedule, "
                     "one value per neuron, e.g. [[10, 20], [0, 5]]", _rate_rows),
                    ("schedule", "schedule (ms)", "when each row starts: one step length in ms, or the "
                     "start times of the rows (increasing)", _optional(_schedule)),
                    ("period", "period (ms)", "the rows start again every this many ms; -1: play once",
                     _optional(_repeat_period))],
}


def option_rows(kind, options):
    """``[(key, label, tip, parse, text)]`` for the options of ``kind`` (the known ones first, then any
    other the project holds, as JSON text)."""
    known = KIND_OPTIONS.get(kind, [])
    out = [(key, label, tip, parse, format_option(options.get(key))) for key, label, tip, parse in known]
    names = {key for key, *_ in known} | {"rates", "spike_times"}
    out += [(key, key.replace("_", " "), f"option {key} of this population", parse_other, format_option(value))
            for key, value in options.items() if key not in names]
    return out


def format_option(value):
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list) and all(isinstance(x, (int, float)) for x in value):
        return ", ".join(f"{x:g}" for x in value)
    return value if isinstance(value, str) else json.dumps(value)


def parse_other(text):
    s = text.strip()
    if not s:
        return MISSING
    try:
        return json.loads(s)
    except ValueError:
        if s[0] in "[{\"":
            raise ValueError("this is not a valid list or value: check the brackets and commas") from None
        return s
