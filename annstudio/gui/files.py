"""Project files for the studio (no Qt): reading and saving through the
project format (``annstudio.project.format``: strict JSON, migrations, schema
check, atomic save), recent files, autosave and crash recovery, and the
examples gallery listing.

State (recent files, autosaves) lives in ``$ANNSTUDIO_STATE_DIR`` or the
platform's user state folder.  An autosave records its writer's pid; at
start-up, autosaves of processes that are no longer running are offered
for recovery; a clean close deletes the window's autosave.  Gallery files are recognised
(``is_example``) so the studio opens them as untitled copies; ``new_seed`` seeds new projects.
"""
import hashlib
import json
import os
import secrets
import time
from pathlib import Path

import platformdirs

from ..project.document import ProjectDocument
from ..project.format import read_document, save_document
from ..project.gallery import GALLERY

MAX_RECENT = 10
EXAMPLES_DIR = GALLERY   # see annstudio.project.gallery


def state_dir():
    path = Path(os.environ.get("ANNSTUDIO_STATE_DIR") or platformdirs.user_state_dir("annstudio"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _atomic_write(path, text):
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def load_document(path):
    """A ``ProjectDocument`` for the file (raises located ``ProjectError``s)."""
    path = Path(path)
    return ProjectDocument(read_document(path), path=str(path))


def save_project(document, path):
    path = Path(path)
    save_document(document.to_dict(), path)
    return path


# ---------------------------------------------------------------------- recent files
def recent_files():
    try:
        items = json.loads((state_dir() / "recent.json").read_text())
    except (OSError, ValueError):
        return []
    return [p for p in items if isinstance(p, str) and Path(p).exists()]


def add_recent(path):
    path = str(Path(path).resolve())
    items = [path] + [p for p in recent_files() if p != path]
    _atomic_write(state_dir() / "recent.json", json.dumps(items[:MAX_RECENT]))


# ---------------------------------------------------------------------- autosave
def autosave_path(key):
    digest = hashlib.sha1(str(key).encode()).hexdigest()[:16]
    folder = state_dir() / "autosave"
    folder.mkdir(exist_ok=True)
    return folder / f"{digest}.json"


def write_autosave(document, key):
    record = {"path": document.path, "pid": os.getpid(), "saved_at": time.time(), "document": document.data}
    target = autosave_path(key)
    _atomic_write(target, json.dumps(record))
    return target


def discard_autosave(key):
    try:
        autosave_path(key).unlink()
    except OSError:
        pass


def _alive(pid):
    if pid == os.getpid():
        return True
    try:
        os.kill(int(pid), 0)
    except (OSError, ValueError, TypeError):
        return False
    return True


def pending_recoveries():
    """Autosaves left by studios that did not close cleanly: [(file, record)]."""
    folder = state_dir() / "autosave"
    out = []
    for file in sorted(folder.glob("*.json")) if folder.exists() else []:
        try:
            record = json.loads(file.read_text())
        except (OSError, ValueError):
            continue
        if isinstance(record, dict) and isinstance(record.get("document"), dict) and not _alive(record.get("pid")):
            out.append((file, record))
    return out


def recover(file, record):
    """The autosaved document (dirty, keeping its original path); the autosave is removed."""
    document = ProjectDocument(record["document"], path=record.get("path"))
    document.revision += 1          # unsaved
    try:
        Path(file).unlink()
    except OSError:
        pass
    return document


# ---------------------------------------------------------------------- examples
def new_seed():
    """A random seed for a new project (saved with it, so its runs repeat)."""
    return secrets.randbelow(2**31 - 1) + 1


def examples_folder(folder=None):
    return Path(folder or os.environ.get("ANNSTUDIO_EXAMPLES_DIR") or EXAMPLES_DIR)


def is_example(path):
    """True for a file of the shipped gallery (opened as an untitled copy, never overwritten)."""
    try:
        path = Path(path).resolve()
        return any(path.parent == Path(folder).resolve() for folder in {examples_folder(), Path(EXAMPLES_DIR)})
    except OSError:
        return False


def examples(folder=None):
    """[(path, name, summary)] of the example projects, in gallery order (``x-gallery``)."""
    folder = examples_folder(folder)
    out = []
    for path in sorted(folder.glob("*.json")) if folder.exists() else []:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("format") == "annstudio-project":
            gallery = data.get("x-gallery") if isinstance(data.get("x-gallery"), dict) else {}
            summary = str(gallery.get("summary") or data.get("description") or "")
            order = gallery.get("order", 1000)
            out.append((order if isinstance(order, (int, float)) else 1000, path,
                        str(data.get("name") or path.stem), summary))
    out.sort(key=lambda item: (item[0], item[2].lower()))
    return [(path, name, summary) for _, path, name, summary in out]
