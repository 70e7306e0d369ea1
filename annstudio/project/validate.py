"""One entry point that turns a project file or document into a checked, buildable project.

Owns ``Project`` (the document, its path, the built network and the warnings) and
``load_project`` / ``check_document``: strict reading and schema (``format``), building and
reference checks (``convert``), graph checks (``graph``).  Errors raise ``InvalidProject``
with every located problem; warnings are kept on the result.
"""
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from .convert import Built, build
from .format import (InvalidProject, document_digest, load_document, parse_text, read_text,
                     save_document)
from .graph import auto_layout, graph_problems


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


def check_document(data, path=None, strict=False):
    """A parsed document -> ``Project``; raises ``InvalidProject`` (with ``strict``, warnings too)."""
    data = load_document(data, path=path)
    built = build(data)
    errors, warnings = graph_problems(data, built)
    if errors or (strict and warnings):
        raise InvalidProject(errors + (warnings if strict else []), path=path)
    return Project(data, built, warnings, Path(path) if path else None)


def load_project(path, strict=False):
    """Read, migrate, validate and build the project file at ``path``."""
    data = parse_text(read_text(path))
    try:
        return check_document(data, path=path, strict=strict)
    except InvalidProject as e:
        e.path = path
        raise
