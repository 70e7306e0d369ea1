"""``ProtocolTable``: the run protocol as a table of typed cells, not text.

One row per step.  The *action* is a chooser (simulate, set, simulate until, reset, pause /
resume a monitor); the *target* a chooser of what that action may name (populations and
projections for ``set``, populations for ``simulate_until``, monitors for pause/resume); the
*variable* a chooser of the target's parameters and variables; the *value* a cell checked when
it is edited (a duration in ms above 0, or the number a ``set`` writes, or a distribution such as
``Uniform(0, 1)``); ``reset`` shows what it resets.  Each edit changes only its own step (a step's
other keys, e.g. its label or reset flags, are kept); a bad value stays in its cell, pink, the
panel says why in words ("not applied") and the document keeps its protocol.
``steps_changed(steps)`` carries the new protocol; ``invalid(sentence)`` the problem.
"""
import copy

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QComboBox, QHeaderView, QTableWidget, QTableWidgetItem

from . import catalog
from .typed_fields import parse_number
from .values import DISTRIBUTIONS, format_value, parse_value

ACTIONS = ("simulate", "set", "simulate_until", "reset", "pause_monitor", "resume_monitor")
COLUMNS = ("action", "target", "variable", "value")
DEFAULTS = {"simulate": {"action": "simulate", "duration": 100.0},
            "set": {"action": "set", "target": "", "variable": "", "value": 0.0},
            "simulate_until": {"action": "simulate_until", "max_duration": 100.0, "population": "",
                               "operator": "or"},
            "reset": {"action": "reset"},
            "pause_monitor": {"action": "pause_monitor", "monitor": ""},
            "resume_monitor": {"action": "resume_monitor", "monitor": ""}}
TIPS = {"action": "what this step does: simulate for a time, set a value, simulate until a population's "
                  "stop condition holds, reset, or pause / resume a monitor",
        "target": "the population, projection or monitor the step acts on",
        "variable": "the parameter or variable that 'set' changes",
        "value": "simulate: how long, in ms; set: the new value (a number, or e.g. Uniform(0, 1)); "
                 "reset: what it resets"}
PINK = QColor("#fde0dc")


def _target_key(action):
    return {"set": "target", "simulate_until": "population", "pause_monitor": "monitor",
            "resume_monitor": "monitor"}.get(action)


def _value_key(action):
    return {"simulate": "duration", "simulate_until": "max_duration", "set": "value"}.get(action)


def parse_duration(text):
    value = parse_number(text, what="the duration")
    if value <= 0:
        raise ValueError("the duration must be a positive number of ms")
    return value


def parse_set_value(text):
    s = text.strip()
    if s.split("(")[0].strip() in DISTRIBUTIONS:
        return parse_value(s)
    return parse_number(s, what="the value")


def _reset_text(step):
    what = [k for k, default in (("populations", True), ("projections", False), ("synapses", False),
                                 ("monitors", True)) if step.get(k, default)]
    return ", ".join(what) if what else "nothing"


class ProtocolTable(QTableWidget):
    steps_changed = Signal(object)
    invalid = Signal(str)

    def __init__(self, parent=None):
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(COLUMNS)
        for col, name in enumerate(COLUMNS):
            self.horizontalHeaderItem(col).setToolTip(TIPS[name])
        header = self.horizontalHeader()
        for col in range(len(COLUMNS) - 1):
            header.setSectionResizeMode(col, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.Stretch)
        self.verticalHeader().hide()
        self.steps, self.document = [], None
        self._filling = False
        self.itemChanged.connect(self._value_edited)

    # ------------------------------------------------------------ showing
    def show_steps(self, document, steps):
        self.document, self.steps = document, copy.deepcopy(list(steps))
        self._filling = True
        self.setRowCount(len(self.steps))
        for row, step in enumerate(self.steps):
            action = step.get("action", "simulate")
            chooser = self._combo(ACTIONS, action, f"action_{row}")
            chooser.activated.connect(lambda _i, r=row, c=chooser: self._action_chosen(r, c.currentText()))
            self.setCellWidget(row, 0, chooser)
            self._fill_target(row, step)
            self._fill_variable(row, step)
            key = _value_key(action)
            text = _reset_text(step) if action == "reset" else "" if key is None else format_value(step.get(key))
            item = QTableWidgetItem(text)
            if key is None:
                item.setFlags(item.flags() & ~Qt.ItemIsEditable)
            item.setToolTip(f"resets {text}" if action == "reset" else TIPS["value"])
            self.setItem(row, 3, item)
            if action == "reset":          # no target nor variable: what is reset reads across those cells
                shown = QTableWidgetItem(text)
                shown.setFlags(Qt.ItemIsEnabled)
                shown.setToolTip(item.toolTip())
                self.setItem(row, 1, shown)
                self.setSpan(row, 1, 1, 3)
            elif self.columnSpan(row, 1) > 1:
                self.setSpan(row, 1, 1, 1)
        self._filling = False

    def _combo(self, names, current, object_name, editable=False):
        box = QComboBox()
        box.setObjectName(object_name)
        box.addItems(list(names))
        if current and box.findText(current) < 0:
            box.addItem(current)              # a name the project does not know (its verdict says so)
        box.setCurrentText(current or "")
        box.setEditable(editable)
        return box

    def _targets(self, action):
        doc = self.document
        pops = [p["name"] for p in doc.items("populations")]
        if action == "set":
            return pops + [p["name"] for p in doc.items("projections")]
        if action == "simulate_until":
            return pops
        if action in ("pause_monitor", "resume_monitor"):
            return [m["name"] for m in doc.items("monitors")]
        return []

    def _variables(self, target):
        doc = self.document
        pop = doc.population(target)
        if pop is not None:
            return list(catalog.parameters_of(doc, pop)) + list(catalog.variables_of(doc, pop))
        proj = doc.projection(target)
        if proj is not None:
            a = doc.type_analysis("synapses", proj.get("synapse")) if isinstance(proj.get("synapse"), str) else None
            return ["w"] + ([n for n in list(a.parameters) + list(a.state) if n != "w"] if a is not None else [])
        return []

    def _fill_target(self, row, step):
        key = _target_key(step.get("action"))
        if key is None:
            self.setCellWidget(row, 1, None)
            self.setItem(row, 1, self._blank())
            return
        current = step.get(key)
        current = current[0] if isinstance(current, list) and len(current) == 1 else current
        box = self._combo(self._targets(step.get("action")), current if isinstance(current, str) else "",
                          f"target_{row}")
        box.activated.connect(lambda _i, r=row, b=box: self._set_key(r, key, b.currentText()))
        self.setCellWidget(row, 1, box)

    def _fill_variable(self, row, step):
        if step.get("action") != "set":
            self.setCellWidget(row, 2, None)
            self.setItem(row, 2, self._blank())
            return
        box = self._combo(self._variables(step.get("target")), step.get("variable") or "", f"variable_{row}")
        box.activated.connect(lambda _i, r=row, b=box: self._set_key(r, "variable", b.currentText()))
        self.setCellWidget(row, 2, box)

    @staticmethod
    def _blank():
        item = QTableWidgetItem("")
        item.setFlags(Qt.ItemIsEnabled)
        return item

    def cell_text(self, row, col):
        """What a cell shows (the chooser's text, or the cell's)."""
        widget = self.cellWidget(row, col)
        if isinstance(widget, QComboBox):
            return widget.currentText()
        item = self.item(row, col)
        return item.text() if item is not None else ""

    # ------------------------------------------------------------ editing
    def _emit(self, steps):
        self.steps = steps
        self.steps_changed.emit(copy.deepcopy(steps))

    def _action_chosen(self, row, action):
        if self.steps[row].get("action") == action:
            return
        steps = copy.deepcopy(self.steps)
        new = copy.deepcopy(DEFAULTS[action])
        if "label" in steps[row]:
            new["label"] = steps[row]["label"]
        old_target = steps[row].get(_target_key(steps[row].get("action")) or "")
        key = _target_key(action)
        if key is not None:
            choices = self._targets(action)
            new[key] = old_target if old_target in choices else (choices[0] if choices else "")
        if action == "set":
            variables = self._variables(new["target"])
            new["variable"] = variables[0] if variables else ""
        steps[row] = new
        self._emit(steps)

    def _set_key(self, row, key, value):
        if self.steps[row].get(key) == value:
            return
        steps = copy.deepcopy(self.steps)
        steps[row][key] = value
        if key == "target" and steps[row].get("action") == "set":
            variables = self._variables(value)
            if steps[row].get("variable") not in variables:
                steps[row]["variable"] = variables[0] if variables else ""
        self._emit(steps)

    def _value_edited(self, item):
        if self._filling or item.column() != 3 or item.row() >= len(self.steps):
            return
        row = item.row()
        action = self.steps[row].get("action")
        key = _value_key(action)
        if key is None:
            return
        try:
            value = parse_duration(item.text()) if key != "value" else parse_set_value(item.text())
        except ValueError as exc:
            self._filling = True
            item.setBackground(QBrush(PINK))
            self._filling = False
            self.invalid.emit(f"Protocol step {row + 1}, {'value' if key == 'value' else 'duration'}: {exc} "
                              "(not applied)")
            return
        self._filling = True
        item.setBackground(QBrush())
        self._filling = False
        steps = copy.deepcopy(self.steps)
        steps[row][key] = value
        self._emit(steps)

    def add_step(self):
        self._emit(copy.deepcopy(self.steps) + [copy.deepcopy(DEFAULTS["simulate"])])

    def remove_step(self):
        row = self.currentRow()
        if 0 <= row < len(self.steps):
            steps = copy.deepcopy(self.steps)
            del steps[row]
            self._emit(steps)
