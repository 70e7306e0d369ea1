"""Live parameters: sliders and fields that change a population's parameter or a
projection's weight in the running network at the next chunk (``Simulation.post_set``),
without recompiling.  The user picks which ``population.parameter`` / ``projection.w`` to
control; the choice is kept for the session, the project file is not changed.  A parameter
set per slice of the population (``segments``) gets one control per slice, showing that
slice's value and changing only its neurons."""
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QLabel, QPushButton, QSlider, QVBoxLayout,
                               QWidget)

from . import catalog
from .forms import CommitLineEdit, parse_float

STEPS = 1000


def control_values(document, target, parameter):
    """[(label, ranks or None, value)]: one control per slice of a parameter set per slice,
    else one for the whole population or projection."""
    proj = document.projection(target) if hasattr(document, "projection") else None
    if proj is not None:
        value = (proj.get("initial") or {}).get(parameter)
        if value is None and parameter == "w":
            value = (proj.get("connector") or {}).get("weights")
        return [(f"{target}.{parameter}", None, float(value) if isinstance(value, (int, float)) else 0.0)]
    pop = document.population(target) or {}
    value = (pop.get("initial") or {}).get(parameter)
    if isinstance(value, dict) and isinstance(value.get("segments"), list):
        out = []
        for seg in value["segments"]:
            sl, v = seg.get("slice"), seg.get("value")
            if isinstance(sl, list) and len(sl) == 2 and isinstance(v, (int, float)):
                out.append((f"{target}.{parameter} [{sl[0]}-{sl[1] - 1}]", list(range(int(sl[0]), int(sl[1]))),
                            float(v)))
        if out:
            return out
    return [(f"{target}.{parameter}", None, default_value(document, target, parameter))]


def default_value(document, population, parameter):
    pop = document.population(population) or {}
    value = (pop.get("initial") or {}).get(parameter)
    if isinstance(value, (int, float)):
        return float(value)
    if pop.get("kind") == "poisson" and parameter == "rates":
        rates = (pop.get("options") or {}).get("rates")
        return float(rates) if isinstance(rates, (int, float)) else 10.0
    try:
        decl = document.type_analysis("neurons", pop.get("neuron")).var(parameter)   # parsed once per revision
        return float(decl.init) if decl is not None else 0.0
    except Exception:  # noqa: BLE001
        return 0.0


class LiveControl(QWidget):
    changed = Signal(str, str, float, object)      # target, parameter, value, ranks (None: all)

    def __init__(self, population, parameter, value, parent=None, ranks=None):
        super().__init__(parent)
        self.population, self.parameter, self.ranks = population, parameter, ranks
        span = max(abs(value) * 2.0, 1.0)
        self.lo, self.hi = (min(0.0, value - span / 2), max(value + span, span)) if value >= 0 else (value - span, -value + span)
        self.slider = QSlider(Qt.Horizontal)
        self.slider.setRange(0, STEPS)
        self.field = CommitLineEdit(parse_float)
        self.field.setMaximumWidth(80)
        self.field.setObjectName(f"live_{population}_{parameter}")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.field)
        self.value = value
        self._show(value)
        self.slider.valueChanged.connect(self._slid)
        self.field.committed.connect(self.set_value)

    def _show(self, value):
        self.slider.blockSignals(True)
        self.slider.setValue(int(round((value - self.lo) / (self.hi - self.lo) * STEPS)))
        self.slider.blockSignals(False)
        self.field.set_text_quiet(f"{value:g}")

    def _slid(self, position):
        self.set_value(self.lo + (self.hi - self.lo) * position / STEPS)

    def set_value(self, value):
        value = float(value)
        if value < self.lo or value > self.hi:
            self.lo, self.hi = min(self.lo, value), max(self.hi, value)
        self.value = value
        self._show(value)
        self.changed.emit(self.population, self.parameter, value, self.ranks)


class LiveParameters(QWidget):
    """Controls for chosen parameters; ``changed(pop, param, value)`` goes to the run controller."""

    changed = Signal(str, str, float, object)      # target, parameter, value, ranks (None: all)

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.controls = {}
        self.chooser = QComboBox()
        self.chooser.setMinimumWidth(160)
        add = QPushButton("Add control")
        add.clicked.connect(lambda: self.add_control(*self.chooser.currentText().split(".", 1))
                            if "." in self.chooser.currentText() else None)
        top = QHBoxLayout()
        top.addWidget(self.chooser, 1)
        top.addWidget(add)
        self.form = QFormLayout()
        hint = QLabel("Changes apply to the running network at the next chunk, without recompiling.")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #666666;")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(hint)
        layout.addLayout(self.form)
        layout.addStretch(1)
        controller.changed.connect(lambda change: self.refresh_choices()
                                   if change.section in ("populations", "neurons") else None)
        controller.replaced.connect(self._reset)
        self.refresh_choices()

    def _reset(self):
        while self.form.rowCount():
            self.form.removeRow(0)
        self.controls = {}
        self.refresh_choices()

    def refresh_choices(self):
        doc = self.controller.document
        current = self.chooser.currentText()
        self.chooser.clear()
        for pop in doc.items("populations"):
            params = catalog.parameters_of(doc, pop)
            if pop.get("kind") == "poisson":
                params = ("rates",)
            for name in params:
                self.chooser.addItem(f"{pop['name']}.{name}")
        for proj in doc.items("projections"):
            self.chooser.addItem(f"{proj['name']}.w")
        if current:
            self.chooser.setCurrentText(current)

    def add_control(self, population, parameter, value=None):
        """Controls for ``population.parameter`` (one per slice when set per slice); returns the first."""
        key = (population, parameter)
        if key in self.controls:
            return self.controls[key]
        values = control_values(self.controller.document, population, parameter)
        if value is not None:
            values = [(label, ranks, float(value)) for label, ranks, _v in values]
        first = None
        for label, ranks, v in values:
            control = LiveControl(population, parameter, v, ranks=ranks)
            control.changed.connect(self.changed)
            control.setToolTip(f"{label}: applied to the running network from its next chunk")
            self.form.addRow(label, control)
            self.controls[(population, parameter) if first is None else (population, parameter, label)] = control
            first = first or control
        return first
