"""``UnitsForm``: the units of a neuron type's parameters and variables, for plots and exports.

The project keeps them at its root, ``"units": {"LIF": {"v": "mV"}}`` (docs/project-format.md):
the engine never reads them, the equations stay unit-free as in ANNarchy, and exported scripts do
not carry them.  One field per name of the type (its parameters, then its variables); an empty
field uses the standard model's documented unit (shown as the placeholder) or none.  A unit is
checked in words as it is typed (letters, digits, a few symbols, 32 characters at most); a bad one
stays in its field with the reason and is not applied.  ``SetUnits`` is the undoable command.
"""
import copy
import re

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from ...core.library.units import UNITS
from ...project.commands import Command
from ...project.document import MISSING
from ..typed_fields import ValidatedField

_UNIT = re.compile(r"^[A-Za-z0-9µΩ°%/*^.() _-]{0,32}$")


def parse_unit(text):
    s = text.strip()
    if not _UNIT.match(s):
        raise ValueError("a unit is at most 32 letters, digits, spaces and µ Ω ° % / * ^ . ( ) _ - "
                         "(e.g. mV, nA, ms, uS, Hz)")
    return s


class SetUnits(Command):
    """Set the units of neuron type ``name`` (``{}`` removes them) in the project's root ``units``."""

    def __init__(self, name, units):
        self.name, self.units = name, dict(units)
        self.text = f"Set the units of {name}"
        self.old = None

    def _write(self, doc, table):
        doc.set_meta("units", table)

    def apply(self, doc):
        old = doc.data.get("units", MISSING)
        self.old = copy.deepcopy(old)
        table = copy.deepcopy(old) if isinstance(old, dict) else {}
        if self.units:
            table[self.name] = self.units
        else:
            table.pop(self.name, None)
        self._write(doc, table)

    def revert(self, doc):
        self._write(doc, {} if self.old is MISSING else copy.deepcopy(self.old))


class UnitsForm(QWidget):
    committed = Signal(object)       # the type's new {name: unit}

    def __init__(self, document, section, name, analysis, standard=None, parent=None):
        super().__init__(parent)
        self.name, self.standard = name, standard
        declared = dict(((document.data.get("units") or {}).get(name)) or {})
        self.units = declared
        documented = UNITS.get(standard or "", {})
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        self.fields = {}
        names = self.names = self.names_of(analysis)
        for var in names:
            field = ValidatedField(parse_unit, declared.get(var, ""), declared.get(var, ""))
            field.setObjectName(f"unit_{var}")
            field.edit.setPlaceholderText(documented.get(var, "none"))
            field.edit.setMaximumWidth(120)
            field.setToolTip(f"the unit of {var} on plot axes and in exported data (not used by the simulation)")
            field.committed.connect(lambda v, n=var: self._edited(n, v))
            self.fields[var] = field
            form.addRow(var, field)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        note = QLabel("Units label the plots and exported data; the equations themselves are unit-free.")
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addLayout(form)
        if not self.fields:
            layout.addWidget(QLabel("(the type does not parse yet: fix it to give its names units)"))

    @staticmethod
    def names_of(analysis):
        """The names a type's units can be given: its parameters, then its other variables."""
        if analysis is None:
            return []
        return list(analysis.parameters) + [n for n in analysis.state if n not in analysis.parameters]

    def _edited(self, var, unit):
        units = dict(self.units)
        if unit:
            units[var] = unit
        else:
            units.pop(var, None)
        self.units = units
        self.committed.emit(units)
