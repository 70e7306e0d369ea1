"""``EquationEditor``: edits the text blocks of the project's neuron and
synapse types.

Each keystroke is a merged ``SetTypeField`` command (so undo works per edit
session); validation runs through the engine's parser 200 ms after the last
keystroke; an ``EquationError`` is underlined on its block and line with the
message (and hint) shown below.  Completion offers the type's names, the
math functions and ``t``/``dt``/``pre.``/``post.``.  Standard library types
are shown with their arguments and can be turned into an editable copy.
"""
import json

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QLabel, QPushButton, QScrollArea,
                               QVBoxLayout, QWidget, QInputDialog)

from ...core.equations.expressions import FUNCTIONS
from ...core.errors import EquationError
from ...project import commands as C
from ...project.document import MISSING
from .. import catalog
from ..forms import CommitLineEdit
from .code_edit import CodeEdit

BLOCK_LABELS = {"parameters": "Parameters", "equations": "Equations", "spike": "Spike condition",
                "reset": "Reset", "refractory": "Refractory (ms)", "functions": "Functions",
                "psp": "PSP", "pre_spike": "Pre-spike", "post_spike": "Post-spike"}
OPERATIONS = ("sum", "max", "min", "mean")


def _refractory_value(text):
    text = text.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return text


class EquationEditor(QWidget):
    validated = Signal(object)        # None when the type parses, else the error

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.current = None            # (section, name)
        self.last_error = None
        self.chooser = QComboBox()
        self.chooser.setObjectName("type_chooser")
        self.chooser.setMinimumWidth(220)
        self.chooser.activated.connect(self._chosen)
        new_neuron = QPushButton("New neuron type")
        new_neuron.clicked.connect(lambda: self.new_type("neurons"))
        new_synapse = QPushButton("New synapse type")
        new_synapse.clicked.connect(lambda: self.new_type("synapses"))
        self.copy_button = QPushButton("Make editable copy")
        self.copy_button.clicked.connect(self._make_copy)
        top = QHBoxLayout()
        top.addWidget(QLabel("Type"))
        top.addWidget(self.chooser, 1)
        top.addWidget(new_neuron)
        top.addWidget(new_synapse)
        top.addWidget(self.copy_button)
        self.description = CommitLineEdit(str)
        self.description.committed.connect(lambda v: self._set_field("description", v))
        self.standard_args = CommitLineEdit(lambda t: json.loads(t or "{}"))
        self.standard_args.committed.connect(self._set_standard_args)
        self.operation = QComboBox()
        self.operation.addItems(OPERATIONS)
        self.operation.activated.connect(lambda _i: self._set_field("operation", self.operation.currentText()))
        self.edits = {}
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignRight | Qt.AlignTop)
        self.status = QLabel()
        self.status.setObjectName("equation_status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.addLayout(self.form)
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.status)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(200)
        self.timer.timeout.connect(self.validate)
        controller.changed.connect(self._on_change)
        controller.replaced.connect(self._on_replaced)
        self._on_replaced()

    @property
    def document(self):
        return self.controller.document

    # ------------------------------------------------------------ type choice
    def _fill_chooser(self):
        self.chooser.clear()
        for section, label in (("neurons", "Neuron"), ("synapses", "Synapse")):
            for name in self.document.data[section]:
                self.chooser.addItem(f"{label}: {name}", (section, name))
        if self.current is not None:
            index = self.chooser.findData(self.current)
            if index >= 0:
                self.chooser.setCurrentIndex(index)

    def _on_replaced(self):
        self.current = None
        self._fill_chooser()
        if self.chooser.count():
            self.show_type(*self.chooser.itemData(0))
        else:
            self._build_form(None)

    def _chosen(self, index):
        data = self.chooser.itemData(index)
        if data:
            self.show_type(*data)

    def show_type(self, section, name):
        if self.document.type_def(section, name) is None:
            return
        self.current = (section, name)
        index = self.chooser.findData(self.current)
        if index >= 0:
            self.chooser.setCurrentIndex(index)
        self._build_form(self.document.type_def(section, name))
        self.validate()

    def new_type(self, section, name=None):
        if name is None:
            suggestion = self.document.unique_name("MyNeuron" if section == "neurons" else "MySynapse", section)
            name, ok = QInputDialog.getText(self, "New type", "Name of the new type:", text=suggestion)
            if not ok or not name.strip():
                return
            name = name.strip()
        if self.document.type_def(section, name) is not None:
            self.controller.error.emit(f"a {section[:-1]} type named {name!r} exists already")
            return
        template = catalog.TEMPLATES[section]["LIF" if section == "neurons" else "Hebbian"]
        if self.controller.push(C.SetType(section, name, dict(template, description=""),
                                          text=f"New {section[:-1]} type {name}")):
            self.show_type(section, name)

    def _make_copy(self):
        if self.current is None:
            return
        section, name = self.current
        definition = self.document.type_def(section, name)
        if not definition or "standard" not in definition:
            return
        copied = catalog.standard_definition(section, definition["standard"])
        if copied is None:
            self.controller.error.emit(f"the standard type {definition['standard']!r} is not available")
            return
        self.controller.push(C.SetType(section, name, copied, text=f"Make {name} editable"))
        self.show_type(section, name)

    # ------------------------------------------------------------ form
    def _build_form(self, definition):
        shared = (self.description, self.standard_args, self.operation)
        while self.form.rowCount():
            row = self.form.takeRow(0)
            for item in (row.labelItem, row.fieldItem):
                widget = item.widget() if item is not None else None
                if widget is None:
                    continue
                widget.hide()
                widget.setParent(None)           # shared widgets are kept and re-added
                if widget not in shared:
                    widget.deleteLater()
        self.edits = {}
        self.copy_button.setVisible(bool(definition and "standard" in definition))
        if definition is None:
            self.status.setText("No type to edit: add one with “New neuron type”.")
            return
        section, name = self.current
        self.form.addRow("Description", self.description)
        self.description.show()
        self.description.set_text_quiet(definition.get("description") or "")
        if "standard" in definition:
            self.form.addRow("Standard type", QLabel(definition["standard"]))
            self.form.addRow("Arguments (JSON)", self.standard_args)
            self.standard_args.show()
            self.standard_args.set_text_quiet(json.dumps(definition.get("args") or {}))
            return
        blocks = catalog.NEURON_BLOCKS if section == "neurons" else catalog.SYNAPSE_BLOCKS
        for block in blocks:
            if block == "operation":
                self.form.addRow("Operation", self.operation)
                self.operation.show()
                self.operation.setCurrentText(definition.get("operation") or "sum")
                continue
            edit = CodeEdit(block)
            value = definition.get(block)
            edit.set_text_quiet("" if value is None else str(value))
            edit.edited.connect(lambda text, b=block: self._block_edited(b, text))
            self.edits[block] = edit
            self.form.addRow(BLOCK_LABELS.get(block, block), edit)
        self._update_completions(())

    def _on_change(self, change):
        if change.section in ("neurons", "synapses") and change.action != "changed":
            self._fill_chooser()
            if self.current and self.document.type_def(*self.current) is None:
                self._on_replaced()
            elif self.current == (change.section, change.key):
                self.show_type(*self.current)
            return
        if self.current is None or (change.section, change.key) != self.current:
            return
        definition = self.document.type_def(*self.current)
        if change.field is None or change.field == "standard":
            self.show_type(*self.current)
            return
        edit = self.edits.get(change.field)
        if edit is not None:
            value = definition.get(change.field)
            edit.set_text_quiet("" if value is None else str(value))   # undo/redo
        self.timer.start()

    def _block_edited(self, block, text):
        value = _refractory_value(text) if block == "refractory" else text
        section, name = self.current
        self.controller.push(C.SetTypeField(section, name, block, value))
        self.timer.start()

    def _set_field(self, field, value):
        if self.current is not None:
            section, name = self.current
            self.controller.push(C.SetTypeField(section, name, field, value if value != "" else MISSING))

    def _set_standard_args(self, args):
        section, name = self.current
        definition = dict(self.document.type_def(section, name), args=args)
        self.controller.push(C.SetType(section, name, definition, text=f"Set arguments of {name}"))

    # ------------------------------------------------------------ validation
    def validate(self):
        """Parse the current type now; returns the error or None."""
        self.timer.stop()
        if self.current is None:
            return None
        section, name = self.current
        for edit in self.edits.values():
            edit.show_error(None, None)
        error = None
        try:
            obj = catalog.build_type(section, name, self.document.type_def(section, name))
            analysis = obj.analysis()
        except EquationError as exc:
            error = exc
            block = (exc.where or "").rsplit(",", 1)[-1].strip()
            edit = self.edits.get(block)
            if edit is not None:
                edit.show_error(exc.line or 1, exc.message)
            where = f"{BLOCK_LABELS.get(block, block)}, line {exc.line}" if exc.line else (exc.where or "")
            hint = f" — {exc.hint}" if exc.hint else ""
            self.status.setText(f"<span style='color:#c62828'>✗ {where}: {exc.message}{hint}</span>")
        except Exception as exc:  # noqa: BLE001 - never let a parser problem escape
            error = exc
            self.status.setText(f"<span style='color:#c62828'>✗ {exc}</span>")
        else:
            self.status.setText(f"<span style='color:#2e7d32'>✓ {obj.type}-type {section[:-1]}: "
                                f"{len(analysis.parameters)} parameters, {len(analysis.state)} variables</span>")
            self._update_completions(analysis.names, analysis)
        self.last_error = error
        self.validated.emit(error)
        return error

    def _update_completions(self, names, analysis=None):
        words = list(names) + list(FUNCTIONS) + ["t", "dt", "pos", "Uniform", "Normal", "init", "min", "max"]
        if self.current and self.current[0] == "synapses":
            words += ["pre.", "post.", "w", "g_target"]
        for edit in self.edits.values():
            edit.set_completions(words)
            if analysis is not None:
                edit.highlighter.set_names(analysis.parameters, analysis.state)

    def error_block(self):
        """(block, line) of the underlined error, or None (for tests and status)."""
        for block, edit in self.edits.items():
            if edit.error_line is not None:
                return block, edit.error_line
        return None
