"""Simulation settings (dt, seed, paradigm, threads, duration) and the
protocol (a table of steps), edited through commands.  Each setting says what it
means and its unit (tooltip); a bad value is explained in words on the panel and
not applied."""
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from ..project import commands as C
from .forms import CommitLineEdit, button_row
from .protocol_table import ProtocolTable
from .typed_fields import parse_number


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
        "paradigm": "numpy: no compiler needed; openmp: compiled C++ (fast); cuda: an NVIDIA GPU",
        "precision": "float64: double precision (default); float32: single precision, half the memory and "
                     "faster rate-coded sums, about 7 significant digits"}


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
        self.precision = QComboBox()
        self.precision.setObjectName("setting_precision")
        self.precision.addItems(["float64", "float32"])
        self.precision.activated.connect(lambda _i: self._set("precision", self.precision.currentText()))
        self.precision.setToolTip(TIPS["precision"])
        for key, edit in self.fields.items():
            edit.setObjectName(f"setting_{key}")
            edit.committed.connect(lambda v, k=key: self._set(k, v))
            edit.committed.connect(lambda _v: self.message.hide())
            edit.invalid.connect(lambda text, k=key: self._say(f"{k.replace('num_', '')}: {text} (not applied)"))
        form = QFormLayout()
        for label, key in (("dt (ms)", "dt"), ("Seed", "seed"), ("Paradigm", "paradigm"),
                           ("Threads", "num_threads"), ("Precision", "precision"), ("Duration (ms)", "duration")):
            row_label = QLabel(label)
            row_label.setToolTip(TIPS[key])
            form.addRow(row_label, {"paradigm": self.paradigm, "precision": self.precision}.get(key) or self.fields[key])
        self.table = ProtocolTable()
        self.table.setObjectName("protocol_table")
        self.table.steps_changed.connect(self._protocol_edited)
        self.table.invalid.connect(self._say)
        buttons = button_row(("Add step", self.table.add_step), ("Remove step", self.table.remove_step))
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
            QTimer.singleShot(0, self, self.refresh)

    def refresh(self):
        self._pending = False
        settings = self.document.settings
        for key, edit in self.fields.items():
            value = settings.get(key)
            edit.set_text_quiet("" if value is None else repr(value))
        self.paradigm.setCurrentText(settings.get("paradigm") or "openmp")
        self.precision.setCurrentText(settings.get("precision") or "float64")
        steps = list(self.document.items("protocol"))
        if self.table.document is not self.document or self.table.steps != steps:
            self.table.show_steps(self.document, steps)      # a bad value being corrected is kept otherwise

    def _set(self, key, value):
        self.controller.push(C.SetSetting(key, value))

    def _protocol_edited(self, steps):
        self.message.hide()
        self.controller.push(C.SetProtocol(steps))
