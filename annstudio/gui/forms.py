"""Small form widgets shared by the inspector and the settings panel.

``CommitLineEdit`` commits on Enter/focus-out through a parse function and
shows a parse error in red without touching the document; ``set_text_quiet``
refreshes a field from the document without re-committing.
"""
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton


class CommitLineEdit(QLineEdit):
    committed = Signal(object)       # the parsed value
    invalid = Signal(str)

    def __init__(self, parse=str, parent=None):
        super().__init__(parent)
        self.parse = parse
        self._shown = ""
        self.editingFinished.connect(self._commit)

    def set_text_quiet(self, text):
        self._shown = text
        if not self.hasFocus() or self.text() == text:
            self.setText(text)
        self._set_error(None)

    def _commit(self):
        if self.text() == self._shown:
            return
        try:
            value = self.parse(self.text())
        except (ValueError, TypeError) as exc:
            self._set_error(str(exc))
            self.invalid.emit(str(exc))
            return
        self._set_error(None)
        self._shown = self.text()
        self.committed.emit(value)

    def _set_error(self, message):
        self.setStyleSheet("" if message is None else "QLineEdit { background: #fde0dc; }")
        self.setToolTip(message or "")


def parse_geometry(text):
    parts = [p for p in text.replace("×", "x").replace(",", "x").split("x") if p.strip()]
    if not parts:
        raise ValueError("write a size such as 100 or 20x20")
    dims = [int(p) for p in parts]
    if any(d <= 0 for d in dims) or len(dims) > 3:
        raise ValueError("geometry: one to three positive sizes")
    return dims


def format_geometry(geometry):
    if isinstance(geometry, (int, float)):
        return str(int(geometry))
    return "x".join(str(int(g)) for g in geometry or [])


def parse_name(text):
    text = text.strip()
    if not text.isidentifier():
        raise ValueError("a name is letters, digits and _ and starts with a letter")
    return text


def parse_float(text):
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("use a finite number")
    return value


def button_row(*buttons):
    """A left-aligned row of push buttons, given as (label, slot) pairs."""
    row = QHBoxLayout()
    for label, slot in buttons:
        button = QPushButton(label)
        button.clicked.connect(slot)
        row.addWidget(button)
    row.addStretch(1)
    return row
