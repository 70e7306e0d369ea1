"""The one answer to "is this project valid, and where not".

Owns
- ``verdict(data)`` -> ``Verdict``: every located problem of a project dict (header and
  JSON Schema (``format``), building and references (``convert``), the checks the lowering,
  connectivity and protocol would make (``core.model.checks``), graph checks (``graph``)),
  split into errors and warnings, with the built network when there are no errors.  The
  equation editor (filtered to one type), ``annstudio validate``, ``annstudio run``, the
  studio's Build and the exporter all ask this function, so they give one verdict and one
  message per problem;
- ``Project`` (the document, its path, the built network and the warnings) and
  ``check_document`` / ``load_project``, which raise ``InvalidProject`` with the errors.
"""
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ..core.model.checks import spec_problems
from ..core.model.resources import resource_problems
from .convert import Built, build, build_type, _Collector
from .format import (InvalidProject, Problem, check_version, document_digest, migrate, parse_text, read_text,
                     save_document, schema_problems)
from .graph import auto_layout, graph_problems

TYPE_SECTIONS = ("neurons", "synapses")


@dataclass
class Project:
    data: dict
    built: Built
    warnings: list = field(default_factory=list)
    path: Optional[Path] = None

    @property
    def name(self):
        return self.data.get("name") or (self.path.stem if self.path else "Untitled")

    @property
    def spec(self):
        return self.built.spec

    @property
    def protocol(self):
        return self.built.protocol

    @property
    def digest(self):
        return document_digest(self.data)

    def layout(self):
        """Stored positions completed by the automatic layout."""
        return auto_layout(self.data)

    def total_duration(self):
        """Simulated time of the protocol (``simulate_until`` counts its maximum); with no
        protocol, ``settings.duration``."""
        if not self.protocol:
            return float(self.built.duration or 0.0)
        return sum(s.duration or s.max_duration or 0.0 for s in self.protocol)

    def save(self, path=None):
        path = Path(path or self.path)
        save_document(self.data, path)
        self.path = path
        return path


@dataclass
class Verdict:
    """Every located problem of one document; ``built`` is None when there are errors."""

    errors: list
    warnings: list = field(default_factory=list)
    data: Optional[dict] = None
    built: Optional[Built] = None

    @property
    def ok(self):
        return not self.errors

    def problems_in(self, prefix):
        """The errors located in ``prefix`` (``neurons.LIF``) or below it."""
        return [p for p in self.errors if p.where == prefix or p.where.startswith((prefix + ".", prefix + "["))]


def _type_problems(data, schema_errors):
    """Types whose entries passed the schema, built anyway (their problems are still worth showing
    while another part of the file is malformed)."""
    col = _Collector()
    for section in TYPE_SECTIONS:
        types = data.get(section)
        if not isinstance(types, dict):
            continue
        for name, d in types.items():
            where = f"{section}.{name}"
            if any(p.where == where or p.where.startswith(where + ".") for p in schema_errors):
                continue
            build_type(section, name, d, where, col)
    return col.problems


def verdict(data):
    """Every located problem of the project dict ``data`` (never raises ``InvalidProject``)."""
    header = check_version(data)
    if header:
        return Verdict(header)
    data = migrate(data)
    schema = schema_problems(data)
    if schema:
        return Verdict(schema + _type_problems(data, schema), data=data)
    try:
        built = build(data)
    except InvalidProject as e:
        return Verdict(e.problems, data=data)
    too_big, heavy = resource_problems(built.spec, _duration(built))      # first: a bomb is refused at once
    found = too_big or spec_problems(built.spec, built.protocol)
    errors = [Problem(where, message, line) for where, message, line in found]
    if errors:
        return Verdict(errors, data=data)
    errors, warnings = graph_problems(data, built)
    warnings = list(warnings) + [Problem(w, m, line, "warning") for w, m, line in heavy]
    return Verdict(errors, warnings, data, None if errors else built)


def _duration(built):
    """Simulated time of the protocol (``simulate_until`` counts its maximum), else ``settings.duration``."""
    if not built.protocol:
        return float(built.duration or 0.0)
    return sum(float(s.duration or s.max_duration or 0.0) for s in built.protocol if s.action.startswith("simulate"))


def check_document(data, path=None, strict=False):
    """A parsed document -> ``Project``; raises ``InvalidProject`` (with ``strict``, warnings too)."""
    v = verdict(data)
    if v.errors or (strict and v.warnings):
        raise InvalidProject(v.errors + (v.warnings if strict else []), path=path)
    return Project(v.data, v.built, v.warnings, Path(path) if path else None)


def load_project(path, strict=False):
    """Read, migrate, validate and build the project file at ``path``."""
    data = parse_text(read_text(path))
    try:
        return check_document(data, path=path, strict=strict)
    except InvalidProject as e:
        e.path = path
        raise
