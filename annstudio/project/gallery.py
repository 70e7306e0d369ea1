"""The example gallery: the projects shipped in ``projects/`` and their short descriptions.

Owns ``gallery_entries()``: one ``GalleryEntry`` per ``projects/*.json`` (name, one-line
summary, description, path), read with the strict loader's first stages only (no build),
ordered by ``x-gallery.order``.  The studio's *File > Examples* and ``annstudio gallery``
list these.
"""
from dataclasses import dataclass
from pathlib import Path

from .format import InvalidProject, ProjectFileError, parse_text, read_text

def _gallery_dir():
    """The example projects: ``projects/`` of a source checkout (editable installs), else the copy a regular
    install puts in ``<prefix>/share/annstudio/projects`` (pyproject data-files)."""
    import sys
    for d in (Path(__file__).resolve().parents[2] / "projects", Path(sys.prefix) / "share" / "annstudio" / "projects"):
        if d.is_dir():
            return d
    return Path(__file__).resolve().parents[2] / "projects"


GALLERY = _gallery_dir()


@dataclass(frozen=True)
class GalleryEntry:
    path: Path
    name: str
    summary: str
    description: str
    order: int = 1000


def gallery_entries(folder=None):
    out = []
    for path in sorted(Path(folder or GALLERY).glob("*.json")):
        try:
            data = parse_text(read_text(path))
        except (InvalidProject, ProjectFileError):
            continue
        if not isinstance(data, dict):
            continue
        meta = data.get("x-gallery") or {}
        description = str(data.get("description") or "")
        summary = meta.get("summary") or description.split("\n", 1)[0]
        out.append(GalleryEntry(path, str(data.get("name") or path.stem), str(summary), description,
                                int(meta.get("order", 1000))))
    out.sort(key=lambda e: (e.order, e.path.name))
    return out
