"""Typed form fields that validate inline: a line edit with its message in words beneath it.

``ValidatedField`` parses its text when editing finishes (Enter, focus out) with a parse function
that raises ``ValueError`` with a sentence; a bad value keeps the text, turns the field pink and
shows the sentence under it (never only on hover, never discarded silently: the document keeps
its previous value and the message says so).  ``NumberField`` is the numeric case (bounds,
integers); ``parse_number`` / ``parse_number_list`` give the sentences the studio uses.
"""
import math

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

ERROR_STYLE = "QLineEdit { background: #fde0dc; color: #000; }"


def parse_number(text, minimum=None, maximum=None, integer=False, what="this field"):
    """A finite number from ``text``, or ValueError with a sentence a student understands."""
    s = str(text).strip()
    if not s:
        raise ValueError(f"{what} needs a number")
    try:
        value = float(s)
    except ValueError:
        raise ValueError(f"'{s}' is not a number: write e.g. 20, -65.5 or 2e-3") from None
    if not math.isfinite(value):
        raise ValueError("use a finite number")
    if integer:
        if value != int(value):
            raise ValueError(f"{what} needs a whole number, not {s}")
        value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{what} must be at least {minimum:g}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{what} must be at most {maximum:g}")
    return value


def parse_number_list(text, what="the list", minimum=None):
    """Numbers separated by commas or spaces (``10, 20.5, 40``)."""
    parts = [p for p in str(text).replace(",", " ").replace(";", " ").split() if p]
    values = []
    for k, part in enumerate(parts, 1):
        try:
            values.append(parse_number(part, minimum=minimum, what=what))
        except ValueError as exc:
            raise ValueError(f"value {k} of {what}: {exc}") from None
    return values


class ValidatedField(QWidget):
    """A line edit plus a message line.  ``committed(value)`` after a good edit; ``value()``
    is the last good value."""

    committed = Signal(object)
    invalid = Signal(str)

    def __init__(self, parse, text="", value=None, parent=None):
        super().__init__(parent)
        self.parse = parse
        self.edit = QLineEdit(text)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020; font-size: 11px;")
        self.message.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        layout.addWidget(self.edit)
        layout.addWidget(self.message)
        self._value = value
        self._shown = text
        self.edit.editingFinished.connect(self._commit)

    def setToolTip(self, text):                     # noqa: N802 - Qt spelling
        self.edit.setToolTip(text)
        super().setToolTip(text)

    def text(self):
        return self.edit.text()

    def setText(self, text):                        # noqa: N802 - Qt spelling; typed, then committed
        self.edit.setText(text)

    def value(self):
        return self._value

    def error(self):
        return self.message.text() if not self.message.isHidden() else ""

    def set_quiet(self, text, value):
        """Show ``text`` (a value from the document) without committing it."""
        self._shown, self._value = text, value
        self.edit.setText(text)
        self._show_error(None)

    def commit(self):
        self._commit()

    def _commit(self):
        text = self.edit.text()
        if text == self._shown and not self.error():
            return
        try:
            value = self.parse(text)
        except (ValueError, TypeError) as exc:
            self._show_error(f"{exc} (not applied)")
            self.invalid.emit(str(exc))
            return
        self._show_error(None)
        self._shown, self._value = text, value
        self.committed.emit(value)

    def _show_error(self, message):
        self.edit.setStyleSheet("" if message is None else ERROR_STYLE)
        self.message.setText(message or "")
        self.message.setVisible(message is not None)


class NumberField(ValidatedField):
    def __init__(self, value=0.0, minimum=None, maximum=None, integer=False, what="this field", parent=None):
        self.bounds = (minimum, maximum, integer, what)
        super().__init__(lambda t: parse_number(t, *self.bounds), _fmt(value), value, parent)
        self.edit.setMaximumWidth(110)

    def set_value(self, value):
        self.set_quiet(_fmt(value), value)


def _fmt(value):
    return f"{value:g}" if isinstance(value, float) else str(value)
