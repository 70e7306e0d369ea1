"""Project files on disk: strict reading, schema validation, migrations, atomic saving.

Owns
- the format constants (``FORMAT``, ``SCHEMA_VERSION``) and size limits;
- ``read_document(path)``: bytes -> strict JSON (no NaN/Infinity, no duplicate keys,
  bounded size and nesting) -> version check -> migration -> JSON Schema check.
  Every problem is reported with its path inside the file (``populations[2].geometry``);
- ``MIGRATIONS``: one function per schema version bump (``{old_version: fn}``), applied
  in order; a version newer than ``SCHEMA_VERSION`` is refused;
- ``save_document(data, path)``: canonical JSON written to a temporary file in the same
  folder, flushed, fsynced and renamed over the target (the previous file stays intact
  until the rename and is kept as ``NAME.json.bak``); the ``.NAME.json.XXXX.tmp`` files an
  interrupted save leaves behind are removed on the next save or open (``remove_stale_temporaries``);
- ``canonical_json`` / ``document_digest``.

Nothing here builds networks or executes anything taken from the file.
"""
import copy
import hashlib
import json
import os
import tempfile
import time
from glob import escape as glob_escape
from dataclasses import dataclass
from pathlib import Path

import jsonschema

from ..core.errors import ProjectError

FORMAT = "annstudio-project"
SCHEMA_VERSION = 1
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_NESTING = 64
SCHEMA_PATH = Path(__file__).resolve().parents[1] / "resources" / "project.schema.json"   # package data


@dataclass(frozen=True)
class Problem:
    """One located problem: ``where`` is the path inside the file."""

    where: str
    message: str
    line: object = None
    severity: str = "error"     # "error" | "warning"

    def __str__(self):
        head = self.where or "project"
        if self.line is not None:
            head += f", line {self.line}"
        return f"{head}: {self.message}"


class InvalidProject(ProjectError):
    """A project that cannot be used; ``problems`` lists every located problem."""

    def __init__(self, problems, path=None):
        self.problems = list(problems)
        self.path = path
        first = self.problems[0] if self.problems else Problem("", "invalid project")
        more = f" (and {len(self.problems) - 1} more problem(s))" if len(self.problems) > 1 else ""
        super().__init__(first.message + more, where=first.where or None, line=first.line)


class ProjectFileError(ProjectError):
    """The file itself cannot be read (missing, a folder, too large, not UTF-8)."""


def format_path(parts):
    """``("populations", 2, "neuron")`` -> ``populations[2].neuron``."""
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        elif isinstance(p, str) and p.isidentifier():
            out += f".{p}" if out else p
        else:
            out += f"[{json.dumps(str(p))}]"
    return out


# --------------------------------------------------------------------------- schema
_SCHEMA = None


def schema():
    """The JSON Schema of the current version (loaded once, checked against its metaschema)."""
    global _SCHEMA
    if _SCHEMA is None:
        with open(SCHEMA_PATH, encoding="utf-8") as f:
            loaded = json.load(f)
        jsonschema.Draft202012Validator.check_schema(loaded)
        _SCHEMA = loaded
    return _SCHEMA


def _most_specific(error):
    """Descend into anyOf/oneOf alternatives to the error that says the most."""
    while error.context:
        depth = max(len(e.absolute_path) for e in error.context)
        if depth < len(error.absolute_path):
            break
        deepest = [e for e in error.context if len(e.absolute_path) == depth]
        # among alternatives at the same place, the one whose type matched says the most
        # ("-5 is less than the minimum of 1", not "-5 is not of type 'array'")
        fitting = [e for e in deepest if e.validator != "type"] or deepest
        error = jsonschema.exceptions.best_match(fitting)
    return error


def _schema_message(error):
    msg = error.message
    if len(msg) > 300:
        msg = msg[:300] + "..."
    return msg


def schema_problems(data):
    """Every JSON Schema violation of ``data`` as located Problems (sorted by path)."""
    validator = jsonschema.Draft202012Validator(schema())
    problems = []
    seen = set()
    for error in validator.iter_errors(data):
        error = _most_specific(error)
        where = format_path(error.absolute_path)
        key = (where, error.message)
        if key in seen:
            continue
        seen.add(key)
        problems.append(Problem(where, _schema_message(error)))
    problems.sort(key=lambda p: p.where)
    return problems


# --------------------------------------------------------------------------- migrations
MIGRATIONS = {
    # old_version: function(data) -> data at old_version + 1.  Schema 1 is the first
    # published version, so there is nothing to migrate yet; the next bump adds
    # ``1: _migrate_1_to_2`` here and never edits an existing entry.
}


def migrate(data, migrations=None):
    """Bring ``data`` (any supported version) to ``SCHEMA_VERSION``; returns a new dict."""
    migrations = MIGRATIONS if migrations is None else migrations
    target = max([SCHEMA_VERSION] + [v + 1 for v in migrations])
    data = copy.deepcopy(data)
    version = data.get("schema_version")
    while version < target:
        step = migrations.get(version)
        if step is None:
            raise InvalidProject([Problem("schema_version", f"no migration from version {version}")])
        data = step(data)
        version += 1
        data["schema_version"] = version
    return data


def check_version(data, current=None):
    """Problems with the header (``format``, ``schema_version``) or [] when readable."""
    current = SCHEMA_VERSION if current is None else current
    if not isinstance(data, dict):
        return [Problem("", f"a project is a JSON object, not {type(data).__name__}")]
    fmt = data.get("format")
    if fmt != FORMAT:
        return [Problem("format", f"not an annstudio project (format is {fmt!r}, expected {FORMAT!r})")]
    version = data.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int):
        return [Problem("schema_version", f"schema_version must be an integer, got {version!r}")]
    if version > current:
        return [Problem("schema_version", f"written by a newer annstudio (schema_version {version}); "
                        f"this version reads up to {current}: please upgrade annstudio")]
    if version < 1:
        return [Problem("schema_version", f"unknown schema_version {version}")]
    return []


# --------------------------------------------------------------------------- strict JSON
def _no_duplicates(pairs):
    out = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _no_constants(name):
    raise ValueError(f"{name} is not allowed (only finite numbers)")


def _nesting_depth_exceeds(text, limit):
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth -= 1
    return False


def parse_text(text):
    """Strict JSON text -> Python object; raises InvalidProject with line/column."""
    if _nesting_depth_exceeds(text, MAX_NESTING):
        raise InvalidProject([Problem("", f"JSON nested deeper than {MAX_NESTING} levels")])
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except json.JSONDecodeError as e:
        raise InvalidProject([Problem(f"line {e.lineno}, column {e.colno}", f"invalid JSON: {e.msg}")]) from None
    except ValueError as e:     # duplicate key or NaN: json reports no position for hooks
        raise InvalidProject([Problem("", f"invalid JSON: {e}")]) from None
    except RecursionError:
        raise InvalidProject([Problem("", "JSON nested too deeply")]) from None


def read_text(path):
    """Read a project file's text with size and encoding checks."""
    path = Path(path)
    if not path.exists():
        raise ProjectFileError("no such file", where=str(path))
    if not path.is_file():
        raise ProjectFileError("not a regular file", where=str(path))
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ProjectFileError(f"file is {size} bytes; projects are limited to {MAX_FILE_BYTES} bytes",
                               where=str(path))
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ProjectFileError(f"cannot read: {e.strerror or e}", where=str(path)) from None
    remove_stale_temporaries(path)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InvalidProject([Problem(f"byte {e.start}", "the file is not UTF-8 text")], path=path) from None


def load_document(data, path=None):
    """Check the header, migrate and schema-validate a parsed document; returns a new dict."""
    problems = check_version(data)
    if problems:
        raise InvalidProject(problems, path=path)
    data = migrate(data)
    problems = schema_problems(data)
    if problems:
        raise InvalidProject(problems, path=path)
    return data


def read_document(path):
    """Read, parse, migrate and schema-validate the file at ``path`` (a dict)."""
    data = parse_text(read_text(path))
    return load_document(data, path=path)


# --------------------------------------------------------------------------- saving
def _is_flat(value):
    return isinstance(value, list) and all(not isinstance(v, (list, dict)) for v in value) or \
        isinstance(value, dict) and len(value) <= 4 and all(not isinstance(v, (list, dict)) for v in value.values()) \
        and len(json.dumps(value)) <= 80


def _pretty(value, indent):
    if isinstance(value, (list, dict)) and (not value or _is_flat(value)):
        return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(", ", ": "))
    pad = "  " * (indent + 1)
    if isinstance(value, list):
        items = [pad + _pretty(v, indent + 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + "  " * indent + "]"
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(str(k), ensure_ascii=False)}: {_pretty(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + "  " * indent + "}"
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def canonical_json(data):
    """The text written to disk: UTF-8 JSON, 2-space indent, keys in document order; lists of
    numbers and small flat objects on one line (arrays of initial values stay readable)."""
    return _pretty(data, 0) + "\n"


def document_digest(data):
    """SHA-256 of the document (sorted keys, no whitespace, layout excluded)."""
    body = {k: v for k, v in data.items() if k != "layout"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


STALE_AFTER_S = 30.0      # a temporary file older than this belongs to no save in progress


def remove_stale_temporaries(path, older_than=STALE_AFTER_S):
    """Remove the ``.NAME.*.tmp`` files an interrupted save of ``path`` left beside it (and those of its
    backup); files younger than ``older_than`` seconds may belong to a save in progress and stay.
    Returns the removed paths; never raises."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    removed = []
    try:
        candidates = list(folder.glob(f".{glob_escape(path.name)}.*.tmp"))
    except OSError:
        return removed
    now = time.time()
    for tmp in candidates:
        try:
            if tmp.is_file() and not tmp.is_symlink() and now - tmp.stat().st_mtime >= older_than:
                tmp.unlink()
                removed.append(tmp)
        except OSError:
            pass
    return removed


def write_atomic(path, content, backup=True):
    """Write ``content`` (str or bytes) to ``path`` atomically (temporary file + fsync + rename).

    With ``backup``, an existing file is first copied to ``path + '.bak'``; the original
    is only replaced by the rename, so a crash leaves either the old or the new file."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    remove_stale_temporaries(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    tmp2 = None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content.encode("utf-8") if isinstance(content, str) else content)
            f.flush()
            os.fsync(f.fileno())
        if backup and path.is_file():
            bak = path.with_name(path.name + ".bak")
            fd2, tmp2 = tempfile.mkstemp(prefix=f".{bak.name}.", suffix=".tmp", dir=folder)
            with os.fdopen(fd2, "wb") as f:
                f.write(path.read_bytes())
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp2, bak)
        if path.exists():
            try:
                os.chmod(tmp, path.stat().st_mode & 0o777)
            except OSError:
                pass
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        for leftover in (tmp, tmp2):
            if leftover and os.path.exists(leftover):
                os.unlink(leftover)
        raise
    return path


def save_document(data, path, backup=True):
    """Validate (schema) and save ``data`` atomically; refuses to write an invalid document."""
    problems = check_version(data) or schema_problems(data)
    if problems:
        raise InvalidProject(problems, path=path)
    return write_atomic(path, canonical_json(data), backup=backup)
