"""``EquationEditor``: edits the text blocks of the project's neuron and
synapse types.

The form is built from the model's field table (``core.model.fields``): a code
editor per text field, a chooser per choice field.  Each keystroke is a merged
``SetTypeField`` command (so undo works per edit session); 200 ms after the last
keystroke the type is checked by the project's one validator (``catalog.type_problems``,
the verdict ``annstudio validate`` gives, cached per document revision, completed by
``all_problems.more_problems`` since the parser stops at a type's first error); every
problem is underlined at its token, on its block and line, and listed below.  The
as-you-type check runs off the GUI thread (``check_in_background``: one worker thread on a
copy of the document; a result for an older revision is abandoned, and a newer check
waits for the running one instead of piling up), so typing never waits for the analysis;
``validate()`` gives the same answer synchronously (choosing a type, tests).  Completion offers the type's names, the
math functions and ``t``/``dt``/``pre.``/``post.``.  Standard library types
are shown with their arguments and can be turned into an editable copy.
"""
import html
import re
import threading

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QLabel, QPushButton, QScrollArea,
                               QVBoxLayout, QWidget, QInputDialog)

from ...core.equations.expressions import FUNCTIONS
from ...core.model.fields import fields_of, label_of
from ...project import commands as C
from ...project.document import MISSING
from ...project.validate import verdict as project_verdict
from .. import catalog
from ..standard_view import add_standard_preview
from ..forms import CommitLineEdit
from .all_problems import more_problems
from .code_edit import CodeEdit
from .standard_args import StandardArgsForm
from .units_form import SetUnits, UnitsForm

OPERATIONS = next(f.choices for f in fields_of("synapses") if f.name == "operation")
KINDS = {"automatic": None, "rate-coded": "rate", "spiking": "spike"}


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
    _checked = Signal(object, object)  # (revision, Verdict) from the background check

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
        self.standard_args = None       # a StandardArgsForm while a standard type is shown
        self.operation = QComboBox()
        self.operation.addItems(OPERATIONS)
        self.operation.activated.connect(lambda _i: self._set_field("operation", self.operation.currentText()))
        self.kind = QComboBox()
        self.kind.setObjectName("synapse_kind")
        self.kind.addItems(list(KINDS))
        self.kind.activated.connect(lambda _i: self._set_field("type", KINDS[self.kind.currentText()] or ""))
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
        self.timer.timeout.connect(self.check_in_background)
        self._checking = False         # a background check is running
        self._pending = False          # the document changed while it ran
        self._checked.connect(self._on_checked)
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
            index = self._index_of(self.current)
            if index >= 0:
                self.chooser.setCurrentIndex(index)

    def _index_of(self, key):
        """The chooser's row of (section, name) (``findData`` misses tuples: the box then named
        another type than the one the form edits)."""
        return next((i for i in range(self.chooser.count()) if tuple(self.chooser.itemData(i) or ()) == tuple(key)),
                    -1)

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
        index = self._index_of(self.current)
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
        try:
            copied = catalog.standard_definition(section, definition["standard"], definition.get("args"))
        except Exception as exc:  # noqa: BLE001 - bad arguments: say so, copy nothing
            self.controller.error.emit(f"cannot copy {name}: {getattr(exc, 'message', None) or exc}")
            return
        if copied is None:
            self.controller.error.emit(f"the standard type {definition['standard']!r} is not available")
            return
        self.controller.push(C.SetType(section, name, copied, text=f"Make {name} editable"))
        self.show_type(section, name)

    # ------------------------------------------------------------ form
    def _build_form(self, definition):
        shared = (self.description, self.operation, self.kind)
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
        self.standard_args = None
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
            self.standard_args = StandardArgsForm(section, name, definition)
            self.standard_args.committed.connect(self._set_standard_args)
            self.form.addRow("Arguments", self.standard_args)
            add_standard_preview(self.form, section, name, definition)      # its equations, read-only
            self._add_units(section, name, definition.get("standard"))
            return
        for f in fields_of(section):
            if f.name == "operation":
                self.form.addRow(f.label, self.operation)
                self.operation.show()
                self.operation.setCurrentText(definition.get("operation") or "sum")
                continue
            if f.name == "type":
                self.form.addRow(f.label, self.kind)
                self.kind.show()
                self.kind.setCurrentText({v: k for k, v in KINDS.items()}.get(definition.get("type"), "automatic"))
                continue
            edit = CodeEdit(f.name)
            value = definition.get(f.name)
            edit.set_text_quiet("" if value is None else str(value))
            edit.edited.connect(lambda text, b=f.name: self._block_edited(b, text))
            self.edits[f.name] = edit
            self.form.addRow(f.label, edit)
        self._add_units(section, name)
        self._update_completions(())

    def _add_units(self, section, name, standard=None):
        """The neuron type's units (plots and exports), kept at the project's root."""
        self.units_form = None
        if section != "neurons":
            return
        self.units_form = UnitsForm(self.document, section, name, self.document.type_analysis(section, name),
                                    standard)
        self.units_form.committed.connect(lambda units: self.controller.push(SetUnits(name, units)))
        self.form.addRow("Units", self.units_form)

    def _on_change(self, change):
        if change.section == "meta" and change.key == "units" and self.current and self.current[0] == "neurons":
            shown = dict(self.units_form.units) if getattr(self, "units_form", None) is not None else None
            if shown != ((self.document.data.get("units") or {}).get(self.current[1]) or {}):
                self.show_type(*self.current)          # undo / redo of a unit
            return
        if change.section in ("neurons", "synapses") and change.action != "changed":
            self._fill_chooser()
            if self.current is None and self.chooser.count():      # the first type of a project: edit it
                self.show_type(*self.chooser.itemData(0))
            elif self.current and self.document.type_def(*self.current) is None:
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
        elif change.field == "operation":
            self.operation.setCurrentText(definition.get("operation") or "sum")
        elif change.field == "type":
            self.kind.setCurrentText({v: k for k, v in KINDS.items()}.get(definition.get("type"), "automatic"))
        self.timer.start()

    def _block_edited(self, block, text):
        kind = next(f.kind for f in fields_of(self.current[0]) if f.name == block)
        value = _refractory_value(text) if kind == "number_or_text" else text
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
    def check_in_background(self):
        """Start the as-you-type check on a worker thread (or mark it pending while one runs)."""
        self.timer.stop()
        if self.current is None:
            return
        if self._checking:
            self._pending = True
            return
        self._checking, self._pending = True, False
        revision, data = self.document.revision, self.document.to_dict()

        def work():
            try:
                result = project_verdict(data)
            except Exception as exc:           # never lose the GUI to a checker bug: show it as a problem
                result = exc
            try:
                self._checked.emit(revision, result)
            except RuntimeError:               # the editor was closed meanwhile: the result is abandoned
                pass

        threading.Thread(target=work, name="annstudio-type-check", daemon=True).start()

    def _on_checked(self, revision, result):
        self._checking = False
        if self._pending or revision != self.document.revision:     # stale: abandoned, check the latest
            self._pending = False
            self.check_in_background()
            return
        if isinstance(result, Exception):
            self._show_problem(None, f"the check failed: {result}")
            return
        if self.current is None:
            return
        self.document.remember_verdict(revision, result)     # Build and the other views reuse it
        self.validate()          # now answered from the cache, on this thread, in microseconds

    def _show_problem(self, where, message):
        self.status.setText(f"<span style='color:#c62828'>✗ {html.escape(where or 'project', quote=False)}: "
                            f"{html.escape(message, quote=False)}</span>")

    def _show(self, error, analysis):
        """Display ``error`` (a located Problem) or the summary of ``analysis``."""
        for edit in self.edits.values():
            edit.show_error(None, None)
        section, name = self.current
        if error is not None:
            prefix = f"{section}.{name}"
            problems = [p for p in getattr(self, "_problems", ()) if p.severity == "error"] or [error]
            marks, lines = {}, []
            for problem in problems:     # every error: its token (or line) underlined, listed below
                block = problem.where[len(prefix) + 1:].split(".")[0] if problem.where.startswith(prefix + ".") \
                    else ""
                if block in self.edits:
                    marks.setdefault(block, []).append((problem.line or 1, problem.message,
                                                        _quoted_token(problem.message)))
                where = label_of(block) if block else (problem.where or "project")
                lines.append(where + (f", line {problem.line}" if problem.line else "") + ": " + problem.message)
            for block, items in marks.items():
                self.edits[block].show_errors(items)
            self.status.setText("<span style='color:#c62828'>"
                                + "<br>".join(f"✗ {html.escape(line, quote=False)}" for line in lines) + "</span>")
        else:
            obj = self.document.type_object(section, name)
            self.status.setText(f"<span style='color:#2e7d32'>✓ {obj.type}-type {section[:-1]}: "
                                f"{len(analysis.parameters)} parameters, {len(analysis.state)} variables</span>")
            self._update_completions(analysis.names, analysis)
            self._refresh_units(analysis)
        self.last_error = error
        self.validated.emit(error)
        return error

    def _refresh_units(self, analysis):
        """A name added (or removed) while typing gets (or loses) its unit field at once."""
        form = getattr(self, "units_form", None)
        if form is None or form.names == UnitsForm.names_of(analysis):
            return
        section, name = self.current
        self.form.removeRow(form)
        self._add_units(section, name, form.standard)

    def validate(self):
        """Check the current type now (the project's verdict, narrowed to it); returns the first
        located ``Problem`` or None."""
        self.timer.stop()
        if self.current is None:
            return None
        section, name = self.current
        problems = self._all_problems(section, name)
        self._problems = problems
        analysis = self.document.type_analysis(section, name)
        error = problems[0] if problems else None
        if error is None and analysis is None:          # the file's header is broken: say so
            error = next(iter(self.document.verdict().errors), None)
        return self._show(error, analysis)

    def _all_problems(self, section, name):
        """The verdict's problems of the type plus the ones after its first parse error (the parser
        stops at the first: ``all_problems.more_problems``; those are found once per revision)."""
        problems = list(catalog.type_problems(self.document, section, name))
        errors = [p for p in problems if p.severity == "error"]
        if len(errors) != 1:
            return problems
        key = (self.document.revision, section, name, errors[0].where, errors[0].line, errors[0].message)
        cached = getattr(self, "_more_cache", None)
        if cached is None or cached[0] != key or cached[2] is not self.document:
            try:
                more = more_problems(section, name, self.document.type_def(section, name), errors[0],
                                     f"{section}.{name}")
            except Exception:  # noqa: BLE001 - the first error is still shown; the others are a bonus
                more = []
            cached = self._more_cache = (key, more, self.document)
        return problems + cached[1]

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


def _quoted_token(message):
    """The first name quoted in a message ('foo' in "unknown name 'foo'"), to underline it."""
    match = re.search(r"'([A-Za-z_][A-Za-z0-9_.]*)'", message or "")
    return match.group(1) if match else None
