"""The one rule for every name that can reach generated code or an exported script.

Types, populations, projections, monitors, parameters, variables, functions, their
arguments, constants and targets are all checked by ``name_problem`` / ``check_name``:
an ASCII identifier (``[A-Za-z_][A-Za-z0-9_]*``) of at most ``MAX_NAME_LENGTH``
characters that is neither a C++ nor a Python keyword nor a name the generated code or
the runtimes reserve.  Non-ASCII text gets a message naming the character (Unicode
look-alikes such as full-width letters are refused, never normalised).

``describe_char`` names a character for messages (``'ｔ' (U+FF54 FULLWIDTH LATIN SMALL
LETTER T)``).  Nothing here prints a name into code; the code generators print indices
and prefixed identifiers only.
"""
import keyword
import re
import unicodedata

from ..errors import EquationError

MAX_NAME_LENGTH = 64
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

CPP_KEYWORDS = frozenset("""
alignas alignof and and_eq asm auto bitand bitor bool break case catch char char8_t char16_t char32_t class
compl concept const consteval constexpr constinit const_cast continue co_await co_return co_yield decltype
default delete do double dynamic_cast else enum explicit export extern false float for friend goto if inline
int long mutable namespace new noexcept not not_eq nullptr operator or or_eq private protected public register
reinterpret_cast requires return short signed sizeof static static_assert static_cast struct switch template
this thread_local throw true try typedef typeid typename union unsigned using virtual void volatile wchar_t
while xor xor_eq main
""".split())
PYTHON_KEYWORDS = frozenset(keyword.kwlist) | frozenset(getattr(keyword, "softkwlist", ()))
# names the generated code, the runtimes and the exported script use themselves
RUNTIME_NAMES = frozenset("""
net self NULL std printf system exit abort malloc free memcpy annstudio INFINITY NAN
""".split())


def describe_char(ch):
    """``'x' (U+0078 LATIN SMALL LETTER X)`` for messages."""
    name = unicodedata.name(ch, "")
    if not name:
        name = "a control character" if unicodedata.category(ch).startswith("C") else "an unnamed character"
    shown = ch if ch.isprintable() and not unicodedata.category(ch).startswith(("C", "Z")) else ""
    return (f"{shown!r} " if shown else "") + f"(U+{ord(ch):04X}, {name})"


def first_non_ascii(text):
    """The first character of ``text`` outside printable ASCII (tab excepted), or None."""
    for ch in text:
        if not (" " <= ch <= "~" or ch == "\t"):
            return ch
    return None


def first_hidden(text):
    """The first invisible character of ``text`` (a control character other than tab, or a format character
    such as a bidi override or a zero-width space), or None."""
    for ch in text:
        if ch != "\t" and (ch < " " or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")):
            return ch
    return None


def name_problem(name, what="name", prefixed=False):
    """Why ``name`` cannot be used as a ``what`` (a sentence), or None when it can.  ``prefixed``: the name
    only ever appears behind a prefix (targets: ``g_in``, ``sum__in``), so keywords are harmless there
    (``sum(in)`` is a common ANNarchy target)."""
    if not isinstance(name, str):
        return f"the {what} must be text, got {type(name).__name__}"
    if not name.strip():
        return f"the {what} is empty"
    if len(name) > MAX_NAME_LENGTH:
        return f"the {what} has {len(name)} characters; at most {MAX_NAME_LENGTH} are allowed"
    bad = next((ch for ch in name if not ("0" <= ch <= "9" or "a" <= ch.lower() <= "z" or ch == "_")), None)
    if bad is not None:
        shown = describe_char(bad) if ord(bad) > 126 or ord(bad) < 32 else repr(bad)
        return (f"the {what} {_show(name)} contains {shown}: names use ASCII letters, digits and '_' "
                "(no spaces, quotes, punctuation or look-alike letters)")
    if not IDENTIFIER.match(name):
        return f"the {what} {_show(name)} must start with a letter or '_'"
    if prefixed:
        return None
    if name in PYTHON_KEYWORDS or keyword.iskeyword(name):
        return f"the {what} {name!r} is a Python keyword"
    if name in CPP_KEYWORDS:
        return f"the {what} {name!r} is a C++ keyword"
    if name in RUNTIME_NAMES:
        return f"the {what} {name!r} is reserved by the generated code"
    if name.startswith("__") or "__" in name:
        return f"the {what} {name!r} contains '__', which is reserved by the generated code"
    return None


def _show(name):
    text = name if len(name) <= 40 else name[:40] + "..."
    return ascii(text)


def check_name(name, what="name", where=None, line=None, error=EquationError):
    """Raise ``error`` (located at ``where``/``line``) when ``name`` breaks the rule; returns ``name``."""
    problem = name_problem(name, what)
    if problem:
        raise error(problem, where=where, line=line,
                    hint=f"rename it, e.g. '{name}_x'" if "keyword" in problem or "reserved" in problem
                    else None)
    return name
