"""The monitor part of the inspector: which variables of the selected
population (or projection) are recorded, for which neurons, at which period.

Checking a first variable adds a monitor, unchecking the last removes it;
every change is one command."""
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QGroupBox, QListWidget, QListWidgetItem

from ..project import commands as C
from . import catalog
from .forms import CommitLineEdit, parse_float
from .values import format_ranks, parse_ranks


def _optional_float(text):
    return None if not text.strip() else parse_float(text)


class MonitorForm(QGroupBox):
    def __init__(self, controller, parent=None):
        super().__init__("Recording (monitor)", parent)
        self.controller = controller
        self.target = None
        self.kind = "population"
        self.variables = QListWidget()
        self.variables.setMaximumHeight(110)
        self.variables.itemChanged.connect(self._variables_changed)
        self.ranks = CommitLineEdit(parse_ranks)
        self.ranks.setPlaceholderText("all (e.g. 0-9, 42)")
        self.ranks.committed.connect(lambda v: self._set("ranks", v))
        self.period = CommitLineEdit(_optional_float)
        self.period.setPlaceholderText("every step (ms)")
        self.period.committed.connect(lambda v: self._set("period", v))
        form = QFormLayout(self)
        form.addRow("Variables", self.variables)
        form.addRow("Neurons", self.ranks)
        form.addRow("Period", self.period)
        self._filling = False

    @property
    def document(self):
        return self.controller.document

    def monitor(self):
        names = self.document.monitors_of(self.target) if self.target else []
        return self.document.monitor(names[0]) if names else None

    def show_for(self, target, kind):
        self.target, self.kind = target, kind
        self.refresh()

    def refresh(self):
        if self.target is None:
            return
        self._filling = True
        monitor = self.monitor() or {}
        recorded = set(monitor.get("variables") or [])
        if self.kind == "population":
            pop = self.document.population(self.target) or {}
            names = (["spike"] if catalog.neuron_kind(self.document, pop) in ("spike", "source") else []) \
                + list(catalog.variables_of(self.document, pop))
        else:
            names = ["w"]
        names += [n for n in sorted(recorded) if n not in names]
        self.variables.clear()
        for name in names:
            item = QListWidgetItem(name)
            item.setFlags(Qt.ItemIsEnabled | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Checked if name in recorded else Qt.Unchecked)
            self.variables.addItem(item)
        self.ranks.set_text_quiet(format_ranks(monitor.get("ranks")))
        self.period.set_text_quiet("" if monitor.get("period") is None else repr(monitor.get("period")))
        self.ranks.setEnabled(bool(monitor))
        self.period.setEnabled(bool(monitor))
        self._filling = False

    def _checked(self):
        out = []
        for i in range(self.variables.count()):
            item = self.variables.item(i)
            if item.checkState() == Qt.Checked:
                out.append(item.text())
        return out

    def _variables_changed(self, _item):
        if self._filling:
            return
        checked = self._checked()
        monitor = self.monitor()
        if monitor is None and checked:
            name = self.document.unique_name(f"m_{self.target}")
            self.controller.push(C.InsertItem("monitors", {
                "name": name, "target": self.target, "kind": self.kind, "variables": checked,
                "ranks": None, "period": None, "start": True}, text=f"Record {', '.join(checked)} of {self.target}"))
        elif monitor is not None and not checked:
            self.controller.push(C.RemoveItem("monitors", monitor["name"], text=f"Stop recording {self.target}"))
        elif monitor is not None:
            self.controller.push(C.SetField("monitors", monitor["name"], "variables", checked,
                                            text=f"Record {', '.join(checked)} of {self.target}"))

    def _set(self, field, value):
        monitor = self.monitor()
        if monitor is not None:
            self.controller.push(C.SetField("monitors", monitor["name"], field, value))
