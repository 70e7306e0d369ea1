"""Simulation settings (dt, seed, paradigm, threads, duration) and the
protocol (a table of steps), edited through commands.  Each setting says what it
means and its unit (tooltip); a bad value is explained in words on the panel and
not applied."""
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (QComboBox, QFormLayout, QLabel, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget, QHeaderView)

from ..project import commands as C
from .forms import CommitLineEdit, button_row
from .typed_fields import parse_number
from .values import format_value, parse_value

ACTIONS = ("simulate", "set", "simulate_until", "reset", "pause_monitor", "resume_monitor")
COLUMNS = ("action", "target", "variable", "value / duration")


def _positive(text):
    value = parse_number(text, what="it")
    if value <= 0:
        raise ValueError("it must be a positive number of ms")
    return value


def _seed(text):
    text = text.strip()
    return None if text in ("", "none", "None") else parse_number(text, minimum=0, integer=True, what="the seed")


def _threads(text):
    return parse_number(text, minimum=1, integer=True, what="the number of threads")


TIPS = {"dt": "the simulation time step, in ms (smaller is more exact and slower)",
        "seed": "fixes every random draw, so a run can be repeated exactly; empty: a new seed each run",
        "num_threads": "CPU threads of the compiled (openmp) backend",
        "duration": "how long a run lasts, in ms of model time, when the protocol is empty",
        "paradigm": "numpy: no compiler needed; openmp: compiled C++ (fast); cuda: an NVIDIA GPU"}


class SettingsPanel(QWidget):
    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.fields = {
            "dt": CommitLineEdit(_positive), "seed": CommitLineEdit(_seed),
            "num_threads": CommitLineEdit(_threads), "duration": CommitLineEdit(_positive),
        }
        self.fields["seed"].setPlaceholderText("random")
        self.paradigm = QComboBox()
        self.paradigm.addItems(["openmp", "numpy", "cuda"])
        self.paradigm.activated.connect(lambda _i: self._set("paradigm", self.paradigm.currentText()))
        self.message = QLabel()
        self.message.setObjectName("settings_message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        self.message.hide()
        self.paradigm.setToolTip(TIPS["paradigm"])
        for key, edit in self.fields.items():
            edit.setObjectName(f"setting_{key}")
            edit.committed.connect(lambda v, k=key: self._set(k, v))
            edit.committed.connect(lambda _v: self.message.hide())
            edit.invalid.connect(lambda text, k=key: self._say(f"{k.replace('num_', '')}: {text} (not applied)"))
        form = QFormLayout()
        for label, key in (("dt (ms)", "dt"), ("Seed", "seed"), ("Paradigm", "paradigm"),
                           ("Threads", "num_threads"), ("Duration (ms)", "duration")):
            row_label = QLabel(label)
            row_label.setToolTip(TIPS[key])
            form.addRow(row_label, self.paradigm if key == "paradigm" else self.fields[key])
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.table.verticalHeader().hide()
        self.table.itemChanged.connect(self._table_edited)
        buttons = button_row(("Add step", self._add_step), ("Remove step", self._remove_step))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(QLabel("Protocol (empty: simulate the duration above)"))
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self._filling = False
        self._pending = False
        controller.changed.connect(self._on_change)
        controller.replaced.connect(self.refresh)
        self.refresh()

    def _say(self, text):
        self.message.setText(text)
        self.message.show()

    @property
    def document(self):
        return self.controller.document

    def _on_change(self, change):
        if change.section in ("settings", "protocol") and not self._pending:
            self._pending = True
            QTimer.singleShot(0, self.refresh)

    def refresh(self):
        self._pending = False
        settings = self.document.settings
        for key, edit in self.fields.items():
            value = settings.get(key)
            edit.set_text_quiet("" if value is None else repr(value))
        self.paradigm.setCurrentText(settings.get("paradigm") or "openmp")
        self._filling = True
        steps = self.document.items("protocol")
        self.table.setRowCount(len(steps))
        for row, step in enumerate(steps):
            action = step.get("action", "simulate")
            value = step.get("duration") if action == "simulate" else step.get("max_duration") \
                if action == "simulate_until" else step.get("value")
            target = step.get("population") if action == "simulate_until" else step.get("target", step.get("monitor"))
            cells = (action, target or "", step.get("variable") or "", format_value(value))
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(str(text)))
        self._filling = False

    def _set(self, key, value):
        self.controller.push(C.SetSetting(key, value))

    def _rows(self):
        steps = []
        for row in range(self.table.rowCount()):
            cell = [self.table.item(row, c).text().strip() if self.table.item(row, c) else ""
                    for c in range(len(COLUMNS))]
            action = cell[0] if cell[0] in ACTIONS else "simulate"
            if action == "simulate":
                steps.append({"action": action, "duration": _positive(cell[3] or "100")})
            elif action == "set":
                steps.append({"action": action, "target": cell[1], "variable": cell[2],
                              "value": parse_value(cell[3])})
            elif action == "simulate_until":
                steps.append({"action": action, "max_duration": _positive(cell[3] or "100"),
                              "population": cell[1], "operator": "or"})
            elif action in ("pause_monitor", "resume_monitor"):
                steps.append({"action": action, "monitor": cell[1]})
            else:
                steps.append({"action": "reset"})
        return steps

    def _table_edited(self, _item):
        if self._filling:
            return
        try:
            steps = self._rows()
        except ValueError as exc:
            self.controller.error.emit(f"Protocol: {exc}")
            QTimer.singleShot(0, self.refresh)
            return
        self.controller.push(C.SetProtocol(steps))

    def _add_step(self):
        steps = list(self.document.items("protocol")) + [{"action": "simulate", "duration": 100.0}]
        self.controller.push(C.SetProtocol(steps))

    def _remove_step(self):
        row = self.table.currentRow()
        steps = list(self.document.items("protocol"))
        if 0 <= row < len(steps):
            del steps[row]
            self.controller.push(C.SetProtocol(steps))
