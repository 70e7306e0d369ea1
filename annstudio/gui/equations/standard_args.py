"""``StandardArgsForm``: the arguments of a standard (library) type as typed fields, not JSON.

A project entry ``{"standard": "Izhikevich", "args": {"a": 0.02}}`` names a library type; its
arguments are the keyword arguments of the library's constructor (their names, defaults and
order come from its signature, so the form cannot drift from the library).  A number argument
is a ``NumberField`` labelled with its unit (``core.library.units``); a text argument (an
expression such as Izhikevich's ``conductance``) is a line of text, parsed by the engine's
equation parser, never run.  Every edit is checked by building the type from the new arguments:
a bad one keeps its text, shows the engine's sentence beneath the form ("not applied") and the
document keeps its arguments.  ``committed(args)`` carries the arguments that differ from the
library's defaults.
"""
import inspect

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from ...core.library.units import UNITS
from .. import catalog
from ..typed_fields import NumberField, ValidatedField


def standard_arguments(section, standard):
    """``[(name, default), ...]`` of a library type's constructor (empty when unknown)."""
    factory = catalog.library_factory(section, standard)
    if factory is None:
        return []
    try:
        params = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):
        return []
    return [(p.name, p.default) for p in params
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.default is not inspect.Parameter.empty]


def _text_or_default(text):
    return text.strip() or None


class StandardArgsForm(QWidget):
    committed = Signal(object)       # the new args dict

    def __init__(self, section, name, definition, parent=None):
        super().__init__(parent)
        self.section, self.name = section, name
        self.standard = definition.get("standard")
        self.args = dict(definition.get("args") or {})
        self.defaults = dict(standard_arguments(section, self.standard))
        units = UNITS.get(self.standard, {})
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        self.fields = {}
        for arg, default in self.defaults.items():
            value = self.args.get(arg, default)
            unit = units.get(arg, "")
            if isinstance(default, bool):
                continue                       # no library type has one; not offered rather than guessed
            if isinstance(default, (int, float)):
                field = NumberField(value if isinstance(value, (int, float)) else default, what=arg)
            else:
                field = ValidatedField(_text_or_default, "" if value is None else str(value), value)
                field.edit.setPlaceholderText("none" if default is None else str(default))
            field.setObjectName(f"std_{arg}")
            field.setToolTip(f"{arg}: argument of the standard {self.standard} type"
                             + (f", in {unit}" if unit else "") + f"; its default is "
                             + ("none" if default is None else f"{default:g}" if isinstance(default, float)
                                else str(default)))
            field.committed.connect(lambda v, a=arg: self._edited(a, v))
            self.fields[arg] = field
            form.addRow(f"{arg} ({unit})" if unit else arg, field)
        self.message = QLabel()
        self.message.setObjectName("standard_args_message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020; font-size: 11px;")
        self.message.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.message)
        if not self.fields:
            layout.addWidget(QLabel("(this type has no arguments)"))

    def error(self):
        if not self.message.isHidden():
            return self.message.text()
        return next((f.error() for f in self.fields.values() if f.error()), "")

    def _edited(self, arg, value):
        args = dict(self.args)
        if value is None or value == self.defaults.get(arg):
            args.pop(arg, None)
        else:
            args[arg] = value
        try:
            obj = catalog.build_type(self.section, self.name, {"standard": self.standard, "args": args})
            obj.analysis()
        except Exception as exc:  # noqa: BLE001 - the engine's sentence, shown in words, nothing applied
            text = getattr(exc, "message", None) or str(exc)
            self.message.setText(f"{arg}: {text} (not applied)")
            self.message.show()
            return
        self.message.hide()
        self.args = args
        self.committed.emit(args)

