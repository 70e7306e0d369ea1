"""The inspector: edits the selected population or projection through commands.

Population: name, size/geometry, neuron type, input options as typed fields (a Poisson
population's rate in Hz, a SpikeSourceArray's spike times per neuron, the other options of the input
kinds from ``options.py``), initial values as forms (``value_editor.ValueEditor``: default / constant
/ distribution with named fields / per slice), recording.  Projection: name, target, synapse,
connector with its typed arguments, weights and delays as the same choosers (constant /
distribution; delays also "none", never below 0), recording of weights.  Fields refresh from change events; a value that does not parse
stays pink in its field, a sentence on the page says why, and the document keeps its value.
"""
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QLabel, QScrollArea, QSizePolicy, QStackedWidget,
                               QVBoxLayout, QWidget)

from ..project import commands as C
from ..project.document import MISSING, ref_population
from . import catalog
from .forms import CommitLineEdit, format_geometry, parse_geometry, parse_name
from .monitor_form import MonitorForm
from .options import option_rows
from .typed_fields import ValidatedField, parse_number
from .value_editor import SpikeTimesEditor, ValueEditor, mode_of
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
_UNSHOWN = object()
BOOL_ARGS = ("allow_self_connections", "force_multiple_weights")
ARG_TIPS = {"probability": "chance (0 to 1) that each pre neuron connects to each post neuron",
            "number": "how many connections each neuron gets (a whole number)",
            "amp": "largest weight, at zero distance", "sigma": "width of the Gaussian, in units of the geometry",
            "amp_pos": "amplitude of the positive Gaussian", "sigma_pos": "width of the positive Gaussian",
            "amp_neg": "amplitude of the negative Gaussian", "sigma_neg": "width of the negative Gaussian"}


def _rate(text):
    """A Poisson rate: a number of Hz, or an expression of t (e.g. 10 + 5*sin(t/100))."""
    s = text.strip()
    if s and (s[0].isalpha() or any(c in s for c in "()*/")) and not s.lower().startswith(("nan", "inf")):
        return s
    value = parse_number(s, minimum=0.0, what="the rate")
    return value


def _message_label():
    label = QLabel()
    label.setObjectName("form_message")
    label.setWordWrap(True)
    label.setStyleSheet("color: #b00020;")
    label.hide()
    return label


def _show_message(label, text):
    label.setText(text)
    label.setVisible(bool(text))


class _ItemPage(QWidget):
    """What the population and projection pages share: the title, the name field, the message line and
    the commands that edit the shown item of ``SECTION``."""

    SECTION = None

    def __init__(self, controller):
        super().__init__()
        self.controller, self.name = controller, None
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold; font-size: 13px;")
        self.name_edit = CommitLineEdit(parse_name)
        self.name_edit.committed.connect(self._rename)
        self.message = _message_label()

    sweep_requested = Signal(str)       # "ITEM.NAME": a row label's "Sweep this parameter"

    def _sweep_label(self, text, variable):
        """A row label whose context menu offers "Sweep this parameter..." for ``ITEM.variable``."""
        label = QLabel(text)
        label.setContextMenuPolicy(Qt.ActionsContextMenu)
        self._add_sweep(label, "Sweep this parameter...", variable)
        return label

    def _add_sweep(self, widget, text, variable):
        action = QAction(text, widget)
        action.triggered.connect(lambda _c=False: self.sweep_requested.emit(f"{self.name}.{variable}"))
        widget.addAction(action)

    def _watch(self, edit, what):
        edit.invalid.connect(lambda text: _show_message(self.message, f"{what}: {text} (not applied)"))
        edit.committed.connect(lambda _v: _show_message(self.message, ""))

    @property
    def document(self):
        return self.controller.document

    def _show(self, name):
        self.name = name
        self.refresh()

    def _set(self, field, value):
        self.controller.push(C.SetField(self.SECTION, self.name, field, value))

    def _rename(self, new):
        if new != self.name and self.controller.push(C.RenameItem(self.SECTION, self.name, new)):
            self.name = new
        self.refresh()

    def _use_type(self, types, field, name, value):
        """Set the item's ``field`` to ``value`` (the type ``name``), adding the library or template
        definition of ``name`` to the project's ``types`` first where it is not there yet."""
        children = []
        entry = catalog.reference_definition(self.document, types, name) if value else None
        if entry is not None:
            children.append(C.SetType(types, name, entry))
        children.append(C.SetField(self.SECTION, self.name, field, value))
        self.controller.push(C.Compound(f"Use {field} {name} in {self.name}", children))


class PopulationPage(_ItemPage):
    sweep_requested = Signal(str)       # "POP.NAME": the label's "Sweep this parameter"
    SECTION = "populations"

    def __init__(self, controller):
        super().__init__(controller)
        self.geometry_edit = CommitLineEdit(parse_geometry)
        self.geometry_edit.setObjectName("geometry")
        self.geometry_edit.committed.connect(lambda v: self._set("geometry", v))
        self.neuron = QComboBox()
        self.neuron.activated.connect(self._neuron_chosen)
        for edit, what in ((self.name_edit, "name"), (self.geometry_edit, "size")):
            self._watch(edit, what)
        self.rate = ValidatedField(_rate)
        self.rate.setObjectName("rate")
        self.rate.setToolTip("mean firing rate of each neuron, in Hz (a number, or an expression of t in ms)")
        self.rate.committed.connect(lambda v: self._set(("options", "rates"), v))
        self.rate_label = self._sweep_label("rate (Hz)", "rates")
        self.spike_times = SpikeTimesEditor()
        self.spike_times.setObjectName("spike_times")
        self.spike_times.setToolTip("the times (ms) at which each neuron fires: one line per neuron")
        self.spike_times.committed.connect(lambda v: self._set(("options", "spike_times"), v))
        self.options_box = QWidget()
        self.options_form = QFormLayout(self.options_box)
        self.options_form.setContentsMargins(0, 0, 0, 0)
        self.initial_box = QWidget()
        self.initial_form = QFormLayout(self.initial_box)
        self.initial_form.setContentsMargins(0, 0, 0, 0)
        self.initial_editors = {}
        self.monitor = MonitorForm(controller)
        form = QFormLayout()
        form.addRow("Name", self.name_edit)
        form.addRow("Size / geometry", self.geometry_edit)
        form.addRow("Neuron type", self.neuron)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.options_box)
        heading = QLabel("<b>Initial values</b> (default: the type's declared value)")
        heading.setWordWrap(True)
        layout.addWidget(heading)
        layout.addWidget(self.initial_box)
        layout.addWidget(self.monitor)
        layout.addStretch(1)
        self._filling = False

    show_population = _ItemPage._show

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
        self._fill_options(pop)
        self._fill_initial(pop)
        self.monitor.show_for(self.name, "population")
        self._filling = False

    def _neuron_chosen(self, _index):
        name = self.neuron.currentText()
        pop = self.document.population(self.name)
        if pop is None or name == pop.get("neuron"):
            return
        self._use_type("neurons", "neuron", name, name)

    def _fill_options(self, pop):
        while self.options_form.rowCount():
            self.options_form.takeRow(0)          # the rate / spike-time editors are kept
        options = pop.get("options") or {}
        kind = pop.get("kind", "standard")
        if kind == "poisson":
            rates = options.get("rates")
            self.rate.set_quiet(format_value(rates).strip('"') if rates is not None else "", rates)
            self.options_form.addRow(self.rate_label, self.rate)
        elif kind == "spike_source_array":
            self.spike_times.set_value(options.get("spike_times") or [])
            self.options_form.addRow("spike times (ms)", self.spike_times)
        for key, label, tip, parse, text in option_rows(kind, options):      # typed, checked in words
            field = ValidatedField(parse, text, options.get(key))
            field.setObjectName(f"option_{key}")
            field.setToolTip(tip)
            field.edit.setPlaceholderText("none")
            field.committed.connect(lambda v, k=key: self._set(("options", k), v))
            field.invalid.connect(lambda text, lab=label: _show_message(self.message, f"{lab}: {text} (not applied)"))
            field.committed.connect(lambda _v: _show_message(self.message, ""))
            self.options_form.addRow(label, field)
        for widget in (self.rate, self.rate_label, self.spike_times):
            widget.setVisible(self.options_form.indexOf(widget) >= 0)
        self.options_box.setVisible(self.options_form.rowCount() > 0)

    def _fill_initial(self, pop):
        initial = pop.get("initial") or {}
        names = list(catalog.parameters_of(self.document, pop)) + list(catalog.variables_of(self.document, pop))
        names += [n for n in initial if n not in names]
        defaults = catalog.defaults_of(self.document, pop)
        if list(self.initial_editors) != names:
            while self.initial_form.rowCount():
                self.initial_form.removeRow(0)
            self.initial_editors = {}
            for var in names:
                editor = ValueEditor()
                editor.setObjectName(f"initial_{var}")
                editor.committed.connect(lambda v, n=var: self._set(("initial", n), MISSING if v is None else v))
                label = QLabel(var)
                label.setContextMenuPolicy(Qt.ActionsContextMenu)
                sweep = QAction("Sweep this parameter...", label)
                sweep.triggered.connect(lambda _c=False, n=var: self.sweep_requested.emit(f"{self.name}.{n}"))
                label.addAction(sweep)
                self.initial_editors[var] = editor
                self.initial_form.addRow(label, editor)
        for row, var in enumerate(names):
            editor = self.initial_editors[var]
            default = defaults.get(var)
            tip = f"{var}: initial value" + (f"; the type declares {default:g}" if default is not None else "")
            self.initial_form.itemAt(row, QFormLayout.LabelRole).widget().setToolTip(tip)
            editor.setToolTip(tip)
            if editor.value != initial.get(var) or editor.current_mode() != mode_of(initial.get(var)):
                editor.set_value(initial.get(var))


class ProjectionPage(_ItemPage):
    SECTION = "projections"

    def __init__(self, controller):
        super().__init__(controller)
        self.ends = QLabel()
        self.target = CommitLineEdit(lambda t: t.strip() or "exc")
        self.target.setObjectName("target")
        self.target.committed.connect(lambda v: self._set("target", v))
        self.synapse = QComboBox()
        self.synapse.activated.connect(self._synapse_chosen)
        self.method = QComboBox()
        self.method.addItems(list(CONNECTOR_ARGS))
        self.method.activated.connect(lambda _i: self._set(("connector", "method"), self.method.currentText()))
        self.weights = ValueEditor(allow_default=False, allow_slices=False, what="the weight")
        self.weights.setObjectName("weights")
        self.weights.committed.connect(lambda v: self._set(("connector", "weights"), v))
        self.delays = ValueEditor(allow_slices=False, default_text="one time step (dt)", minimum=0.0,
                                  what="the delay", default_label="none")
        self.delays.setObjectName("delays")
        self.delays.committed.connect(lambda v: self._set(("connector", "delays"), v))
        self.args_box = QWidget()
        self.args_form = QFormLayout(self.args_box)
        self.args_form.setContentsMargins(0, 0, 0, 0)
        self.monitor = MonitorForm(controller)
        self.weights.setToolTip("weight of each synapse: one number for all, or a random draw per synapse "
                                "(e.g. Uniform between min and max); its unit is the target's (nA, uS or a rate)")
        self.delays.setToolTip("synaptic delay in ms: none (one time step), a number or a random draw per synapse")
        for edit, what in ((self.name_edit, "name"), (self.target, "target")):
            self._watch(edit, what)
        form = QFormLayout()
        form.addRow("Name", self.name_edit)
        form.addRow("Pre → post", self.ends)
        form.addRow("Target", self.target)
        self.synapse_label = QLabel("Synapse")
        self.synapse_label.setContextMenuPolicy(Qt.ActionsContextMenu)     # "Sweep P...": its parameters
        form.addRow(self.synapse_label, self.synapse)
        form.addRow("Connector", self.method)
        form.addRow("", self.args_box)
        form.addRow(self._sweep_label("Weights", "w"), self.weights)
        form.addRow("Delays", self.delays)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.monitor)
        layout.addStretch(1)

    def show_projection(self, name):
        if name != self.name:                     # another projection: its values, not the last one's text
            for editor in (self.weights, self.delays):
                editor.value = _UNSHOWN
        self._show(name)

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
        for editor, key in ((self.weights, "weights"), (self.delays, "delays")):
            value = connector.get(key)
            if key == "weights" and value is None:
                value = 1.0                      # the connectors' default weight
            if editor.error() and editor.value == value:
                continue                         # the user's bad text stays, with its message
            if not editor.body_layout.count() or editor.value != value:
                editor.set_value(value)
        self._fill_args(connector)
        self.monitor.show_for(self.name, "projection")
        self._synapse_sweeps(proj.get("synapse"))

    def _synapse_sweeps(self, synapse):
        """The Synapse label's "Sweep P..." actions: one per parameter of the synapse type."""
        for action in self.synapse_label.actions():
            self.synapse_label.removeAction(action)
            action.deleteLater()
        a = self.document.type_analysis("synapses", synapse) if isinstance(synapse, str) else None
        for name in (a.parameters if a is not None else ()):
            if name != "w":                      # the Weights row offers w
                self._add_sweep(self.synapse_label, f"Sweep {name}...", name)

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
                edit = CommitLineEdit(lambda t, a=arg: parse_number(
                    t, minimum=0.0, maximum=1.0 if a == "probability" else None, integer=a == "number", what=a))
                edit.setObjectName(f"arg_{arg}")
                self._watch(edit, arg)
                edit.set_text_quiet("" if args.get(arg) is None else repr(args.get(arg)))
                edit.committed.connect(lambda v, a=arg: self._set(("connector", "args", a),
                                                                  int(v) if a == "number" else v))
                label = QLabel(arg)
                label.setToolTip(ARG_TIPS.get(arg, arg))
                self.args_form.addRow(label, edit)

    def _synapse_chosen(self, _index):
        name = self.synapse.currentText()
        value = None if name == "(default)" else name
        proj = self.document.projection(self.name)
        if proj is None or value == proj.get("synapse"):
            return
        self._use_type("synapses", "synapse", name, value)


class Inspector(QScrollArea):
    """Shows the page of the current selection and keeps it in step with the document."""

    sweep_requested = Signal(str)

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
        self.population.sweep_requested.connect(self.sweep_requested)
        self.projection.sweep_requested.connect(self.sweep_requested)
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
            QTimer.singleShot(0, self, self._refresh_now)

    def _refresh_now(self):
        self._pending = False
        if self.current is not None:
            self.show_item(self.current)
