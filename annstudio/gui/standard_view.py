"""Read-only view of a standard (library) type's equations inside the equation editor's form.

A project entry ``{"standard": "Izhikevich", "args": {...}}`` names a library type; its text is
built by the library from the arguments.  ``add_standard_preview`` adds that text, block by block
(from the model's one field table), as read-only fields, with a line pointing at the editor's
"Make editable copy" button.  Nothing here edits the document.
"""
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QLabel, QPlainTextEdit

from . import catalog


def standard_blocks(section, name, definition):
    """``[(label, text), ...]`` of the non-empty blocks of a standard type entry (or [] when unknown)."""
    try:
        obj = catalog.build_type(section, name, definition)
    except Exception:  # noqa: BLE001 - a bad argument is the verdict's to report; show nothing here
        return []
    out = []
    for field in obj.table:
        value = getattr(obj, field.name, None)
        if field.kind == "text" and value not in (None, "") and str(value).strip():
            out.append((field.label, "\n".join(line.strip() for line in str(value).strip().splitlines())))
    return out


def add_standard_preview(form, section, name, definition):
    blocks = standard_blocks(section, name, definition)
    note = QLabel("A standard type: its equations are shown read-only. “Make editable copy” turns it into "
                  "your own type, with these equations, that you can change.")
    note.setWordWrap(True)
    note.setObjectName("standard_note")
    form.addRow(note)
    font = QFontDatabase.systemFont(QFontDatabase.FixedFont)
    for label, text in blocks:
        view = QPlainTextEdit(text)
        view.setReadOnly(True)
        view.setObjectName(f"standard_{label.lower()}")
        view.setFont(font)
        view.setMaximumHeight(min(220, 22 + 17 * (text.count("\n") + 1)))
        view.setStyleSheet("QPlainTextEdit { background: palette(window); }")
        form.addRow(f"{label} (read-only)", view)
    return blocks
