"""The inspector: edits the selected population or projection through commands.

Population: name, size/geometry, neuron type, input options, initial values,
recording.  Projection: name, target, synapse, connector with its parameters,
weights, delays, recording of weights.  Fields refresh from change events;
a value that does not parse stays red in its field and changes nothing.
"""
import json

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QLabel, QScrollArea, QSizePolicy, QStackedWidget,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget, QHeaderView)

from ..project import commands as C
from ..project.document import MISSING, ref_population
from . import catalog
from .forms import CommitLineEdit, format_geometry, parse_float, parse_geometry, parse_name
from .monitor_form import MonitorForm
from .values import format_value, parse_value

CONNECTOR_ARGS = {
    "all_to_all": ("allow_self_connections", "force_multiple_weights"),
    "one_to_one": ("force_multiple_weights",),
    "fixed_probability": ("probability", "allow_self_connections", "force_multiple_weights"),
    "fixed_number_pre": ("number", "allow_self_connections", "force_multiple_weights"),
    "fixed_number_post": ("number", "allow_self_connections", "force_multiple_weights"),
    "gaussian": ("amp", "sigma", "allow_self_connections"),
    "dog": ("amp_pos", "sigma_pos", "amp_neg", "sigma_neg", "allow_self_connections"),
    "from_matrix": (),
    "from_sparse": (),
}
BOOL_ARGS = ("allow_self_connections", "force_multiple_weights")


def _json_or_empty(text):
    return {} if not text.strip() else json.loads(text)


class PopulationPage(QWidget):
    def __init__(self, controller):
        super().__init__()
        self.controller, self.name = controller, None
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold; font-size: 13px;")
        self.name_edit = CommitLineEdit(parse_name)
        self.name_edit.committed.connect(self._rename)
        self.geometry_edit = CommitLineEdit(parse_geometry)
        self.geometry_edit.setObjectName("geometry")
        self.geometry_edit.committed.connect(lambda v: self._set("geometry", v))
        self.neuron = QComboBox()
        self.neuron.activated.connect(self._neuron_chosen)
        self.options = CommitLineEdit(_json_or_empty)
        self.options.setToolTip('JSON, e.g. {"rates": 20.0}')
        self.options.committed.connect(lambda v: self._set("options", v))
        self.initial = QTableWidget(0, 3)
        self.initial.setHorizontalHeaderLabels(["name", "initial value", "default"])
        self.initial.horizontalHeader().setSectionResizeMode(1, QHeaderView.Stretch)
        self.initial.verticalHeader().hide()
        self.initial.itemChanged.connect(self._initial_changed)
        self.initial.setMinimumHeight(140)
        self.monitor = MonitorForm(controller)
        form = QFormLayout()
        form.addRow("Name", self.name_edit)
        form.addRow("Size / geometry", self.geometry_edit)
        form.addRow("Neuron type", self.neuron)
        form.addRow("Options", self.options)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(form)
        hint = QLabel("Initial values: a number, Uniform(a, b), Normal(m, s) or JSON; empty = the default.")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        layout.addWidget(self.initial)
        layout.addWidget(self.monitor)
        layout.addStretch(1)
        self._filling = False

    @property
    def document(self):
        return self.controller.document

    def show_population(self, name):
        self.name = name
        self.refresh()

    def refresh(self):
        pop = self.document.population(self.name)
        if pop is None:
            return
        self._filling = True
        kind = catalog.neuron_kind(self.document, pop)
        label = {"spike": "spiking", "rate": "rate-coded", "source": "input"}.get(kind, kind)
        self.title.setText(f"Population {self.name}  ({label})")
        self.name_edit.set_text_quiet(self.name)
        self.geometry_edit.set_text_quiet(format_geometry(pop.get("geometry")))
        self.neuron.clear()
        is_source = pop.get("kind", "standard") != "standard"
        self.neuron.setEnabled(not is_source)
        if is_source:
            self.neuron.addItem(pop.get("kind"))
        else:
            names = catalog.type_names(self.document, "neurons") + [
                n for n in catalog.TEMPLATES["neurons"] if n not in self.document.data["neurons"]]
            self.neuron.addItems(names)
            self.neuron.setCurrentText(pop.get("neuron") or "")
        self.options.set_text_quiet(json.dumps(pop.get("options") or {}))
        initial = pop.get("initial") or {}
        names = list(catalog.parameters_of(self.document, pop)) + list(catalog.variables_of(self.document, pop))
        names += [n for n in initial if n not in names]
        self.initial.setRowCount(len(names))
        defaults = catalog.defaults_of(self.document, pop)
        for row, var in enumerate(names):
            key = QTableWidgetItem(var)
            key.setFlags(Qt.ItemIsEnabled)
            self.initial.setItem(row, 0, key)
            self.initial.setItem(row, 1, QTableWidgetItem(format_value(initial.get(var))))
            default = QTableWidgetItem(format_value(defaults.get(var)))
            default.setFlags(Qt.ItemIsEnabled)
            default.setForeground(Qt.gray)
            self.initial.setItem(row, 2, default)
        self.monitor.show_for(self.name, "population")
        self._filling = False

    def _set(self, field, value):
        self.controller.push(C.SetField("populations", self.name, field, value))

    def _rename(self, new):
        if new != self.name and self.controller.push(C.RenameItem("populations", self.name, new)):
            self.name = new
        self.refresh()

    def _neuron_chosen(self, _index):
        name = self.neuron.currentText()
        pop = self.document.population(self.name)
        if pop is None or name == pop.get("neuron"):
            return
        children = []
        entry = catalog.reference_definition(self.document, "neurons", name)
        if entry is not None:
            children.append(C.SetType("neurons", name, entry))
        children.append(C.SetField("populations", self.name, "neuron", name))
        self.controller.push(C.Compound(f"Use neuron {name} in {self.name}", children))

    def _initial_changed(self, item):
        if self._filling or item.column() != 1:
            return
        var = self.initial.item(item.row(), 0).text()
        try:
            value = parse_value(item.text(), allow_none=True)
        except ValueError as exc:
            self.controller.error.emit(f"{self.name}.{var}: {exc}")
            self.refresh()
            return
        self._set(("initial", var), MISSING if value is None else value)


class ProjectionPage(QWidget):
    def __init__(self, controller):
        super().__init__()
        self.controller, self.name = controller, None
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold; font-size: 13px;")
        self.name_edit = CommitLineEdit(parse_name)
        self.name_edit.committed.connect(self._rename)
        self.ends = QLabel()
        self.target = CommitLineEdit(lambda t: t.strip() or "exc")
        self.target.setObjectName("target")
        self.target.committed.connect(lambda v: self._set("target", v))
        self.synapse = QComboBox()
        self.synapse.activated.connect(self._synapse_chosen)
        self.method = QComboBox()
        self.method.addItems(list(CONNECTOR_ARGS))
        self.method.activated.connect(lambda _i: self._set(("connector", "method"), self.method.currentText()))
        self.weights = CommitLineEdit(parse_value)
        self.weights.setObjectName("weights")
        self.weights.committed.connect(lambda v: self._set(("connector", "weights"), v))
        self.delays = CommitLineEdit(lambda t: parse_value(t, allow_none=True))
        self.delays.setPlaceholderText("none (one step)")
        self.delays.committed.connect(lambda v: self._set(("connector", "delays"), v))
        self.args_box = QWidget()
        self.args_form = QFormLayout(self.args_box)
        self.args_form.setContentsMargins(0, 0, 0, 0)
        self.monitor = MonitorForm(controller)
        form = QFormLayout()
        form.addRow("Name", self.name_edit)
        form.addRow("Pre → post", self.ends)
        form.addRow("Target", self.target)
        form.addRow("Synapse", self.synapse)
        form.addRow("Connector", self.method)
        form.addRow("", self.args_box)
        form.addRow("Weights", self.weights)
        form.addRow("Delays", self.delays)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(form)
        layout.addWidget(self.monitor)
        layout.addStretch(1)

    @property
    def document(self):
        return self.controller.document

    def show_projection(self, name):
        self.name = name
        self.refresh()

    def refresh(self):
        proj = self.document.projection(self.name)
        if proj is None:
            return
        connector = proj.get("connector") or {}
        self.title.setText(f"Projection {self.name}")
        self.name_edit.set_text_quiet(self.name)
        self.ends.setText(f"{ref_population(proj.get('pre'))} → {ref_population(proj.get('post'))}")
        self.target.set_text_quiet(str(proj.get("target")))
        self.synapse.clear()
        self.synapse.addItems(["(default)"] + catalog.type_names(self.document, "synapses") + [
            n for n in catalog.TEMPLATES["synapses"] if n not in self.document.data["synapses"]])
        self.synapse.setCurrentText(proj.get("synapse") or "(default)")
        self.method.setCurrentText(connector.get("method", "all_to_all"))
        self.weights.set_text_quiet(format_value(connector.get("weights")))
        self.delays.set_text_quiet(format_value(connector.get("delays")))
        self._fill_args(connector)
        self.monitor.show_for(self.name, "projection")

    def _fill_args(self, connector):
        while self.args_form.rowCount():
            self.args_form.removeRow(0)
        args = connector.get("args") or {}
        for arg in CONNECTOR_ARGS.get(connector.get("method"), ()):
            if arg in BOOL_ARGS:
                box = QCheckBox()
                box.setChecked(bool(args.get(arg, arg == "allow_self_connections" and False)))
                box.toggled.connect(lambda on, a=arg: self._set(("connector", "args", a), bool(on)))
                self.args_form.addRow(arg.replace("_", " "), box)
            else:
                edit = CommitLineEdit(parse_float)
                edit.setObjectName(f"arg_{arg}")
                edit.set_text_quiet("" if args.get(arg) is None else repr(args.get(arg)))
                edit.committed.connect(lambda v, a=arg: self._set(("connector", "args", a),
                                                                  int(v) if a == "number" else v))
                self.args_form.addRow(arg, edit)

    def _set(self, field, value):
        self.controller.push(C.SetField("projections", self.name, field, value))

    def _rename(self, new):
        if new != self.name and self.controller.push(C.RenameItem("projections", self.name, new)):
            self.name = new
        self.refresh()

    def _synapse_chosen(self, _index):
        name = self.synapse.currentText()
        value = None if name == "(default)" else name
        proj = self.document.projection(self.name)
        if proj is None or value == proj.get("synapse"):
            return
        children = []
        entry = catalog.reference_definition(self.document, "synapses", name) if value else None
        if entry is not None:
            children.append(C.SetType("synapses", name, entry))
        children.append(C.SetField("projections", self.name, "synapse", value))
        self.controller.push(C.Compound(f"Use synapse {name} in {self.name}", children))


class Inspector(QScrollArea):
    """Shows the page of the current selection and keeps it in step with the document."""

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)   # fields shrink to the dock
        self.stack = QStackedWidget()
        # the pages follow the dock's width instead of widening the scroll area
        self.stack.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.empty = QLabel("Select a population or a projection on the canvas.")
        self.empty.setAlignment(Qt.AlignCenter)
        self.empty.setWordWrap(True)
        self.population = PopulationPage(controller)
        self.projection = ProjectionPage(controller)
        for page in (self.empty, self.population, self.projection):
            self.stack.addWidget(page)
        self.setWidget(self.stack)
        self.current = None
        self._pending = False
        controller.changed.connect(self._on_change)
        controller.replaced.connect(lambda: self.show_item(None))

    def show_item(self, kind_and_name):
        self.current = kind_and_name
        if kind_and_name is None:
            self.stack.setCurrentWidget(self.empty)
        elif kind_and_name[0] == "population":
            self.population.show_population(kind_and_name[1])
            self.stack.setCurrentWidget(self.population)
        else:
            self.projection.show_projection(kind_and_name[1])
            self.stack.setCurrentWidget(self.projection)

    def _on_change(self, change):
        if self.current is None:
            return
        kind, name = self.current
        if change.action == "renamed" and change.old == name:
            self.current = (kind, change.new)
            name = change.new
        doc = self.controller.document
        exists = doc.population(name) if kind == "population" else doc.projection(name)
        if exists is None:
            self.show_item(None)
        elif change.section != "layout" and not self._pending:
            # refresh after the signal that caused the change has returned
            # (rebuilding a table inside its own itemChanged signal is unsafe)
            self._pending = True
            QTimer.singleShot(0, self._refresh_now)

    def _refresh_now(self):
        self._pending = False
        if self.current is not None:
            self.show_item(self.current)
