"""Form editors for project values, so nobody types JSON: ``ValueEditor`` and ``SpikeTimesEditor``.

``ValueEditor`` edits one initial value (or a weight): *default* (nothing set), *constant* (a number),
*distribution* (a chooser with the distribution's named fields, optional min/max clipping) or
*per slice* (rows of ranks ``0-99`` and a number each: ``{"segments": [...]}``).  Each field checks
itself inline (``typed_fields``); ``committed(value)`` carries the project value (``None`` for the
default) only when every field of the form is valid.  ``SpikeTimesEditor``: one line of spike
times (ms) per neuron of a SpikeSourceArray.
"""
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton,
                               QVBoxLayout, QWidget)

from .typed_fields import NumberField, ValidatedField, parse_number, parse_number_list
from .values import parse_ranks

# distribution -> its named arguments, in the engine's order
DISTRIBUTIONS = {"Uniform": ("min", "max"), "Normal": ("mean", "sd"), "LogNormal": ("mu", "sigma"),
                 "Exponential": ("lambda",), "Gamma": ("shape", "scale"), "DiscreteUniform": ("min", "max"),
                 "Binomial": ("n", "p")}
MODES = ("default", "constant", "distribution", "per slice")


def mode_of(value):
    if value is None:
        return "default"
    if isinstance(value, dict) and "distribution" in value:
        return "distribution"
    if isinstance(value, dict) and "segments" in value:
        return "per slice"
    return "constant"


def _ranks_text(seg):
    if "slice" in seg:
        a, b = seg["slice"]
        return f"{a}-{b - 1}"
    return ", ".join(str(r) for r in seg.get("ranks", []))


def _parse_slice_ranks(text):
    ranks = parse_ranks(text)
    if ranks is None:
        raise ValueError("write the ranks of this slice, e.g. 0-99 or 0, 5, 9")
    lo, hi = min(ranks), max(ranks)
    return {"slice": [lo, hi + 1]} if ranks == list(range(lo, hi + 1)) else {"ranks": ranks}


class ValueEditor(QWidget):
    committed = Signal(object)

    def __init__(self, allow_default=True, allow_slices=True, parent=None, default_text="the type's declared value",
                 minimum=None, what="the value", default_label="default"):
        super().__init__(parent)
        self.default_text, self.minimum, self.what = default_text, minimum, what
        self.default_label = default_label          # how the chooser names "nothing set" (delays: "none")
        self.mode = QComboBox()
        self.mode.addItems([self._label(m) for m in MODES
                            if (allow_default or m != "default") and (allow_slices or m != "per slice")])
        self.mode.setToolTip("default: the type's declared value; constant: one number for every neuron; "
                             "distribution: a random draw per neuron; per slice: a number per range of ranks")
        self.mode.activated.connect(lambda _i: self._mode_chosen())
        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.mode)
        layout.addWidget(self.body)
        self.message = QLabel()               # a problem of the form as a whole (e.g. min above max)
        self.message.setObjectName("value_message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020; font-size: 11px;")
        self.message.hide()
        layout.addWidget(self.message)
        self.fields = {}
        self.slices = []
        self.value = None

    # -------------------------------------------------------------- showing
    def set_value(self, value):
        """Show a value from the document (nothing is committed)."""
        self.value = value
        self.message.hide()
        mode = mode_of(value)
        if mode == "constant" and not isinstance(value, (int, float)):
            mode = "from the file"         # an array or a sparse matrix: shown, not edited here
            if self.mode.findText(mode) < 0:
                self.mode.addItem(mode)
        elif self.mode.findText("from the file") >= 0:
            self.mode.removeItem(self.mode.findText("from the file"))
        if self.mode.findText(self._label(mode)) < 0:
            mode = self.current_mode(self.mode.itemText(0))
        self.mode.setCurrentText(self._label(mode))
        self._build(mode, value)

    def _label(self, mode):
        return self.default_label if mode == "default" else mode

    def current_mode(self, text=None):
        """The chosen mode (``default``, ``constant``, ``distribution``, ``per slice``, ``from the file``)."""
        text = self.mode.currentText() if text is None else text
        return "default" if text == self.default_label else text

    def _clear(self):
        while self.body_layout.count():
            item = self.body_layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
            elif item.layout():
                _delete_layout(item.layout())
        self.fields, self.slices = {}, []

    def _build(self, mode, value):
        self._clear()
        if mode == "from the file":
            self.body_layout.addWidget(QLabel(_describe_fixed(value)))
        elif mode == "constant":
            f = NumberField(value if isinstance(value, (int, float)) else 0.0, minimum=self.minimum, what=self.what)
            f.setObjectName("constant")
            f.committed.connect(lambda _v: self._commit())
            self.fields["value"] = f
            self.body_layout.addWidget(f)
        elif mode == "distribution":
            self._build_distribution(value if isinstance(value, dict) else {"distribution": "Uniform", "args": [0, 1]})
        elif mode == "per slice":
            segments = value.get("segments", []) if isinstance(value, dict) else []
            for seg in segments or [{"slice": [0, 1], "value": 0.0}]:
                self._add_slice(_ranks_text(seg), seg.get("value", 0.0))
            add = QPushButton("Add a slice")
            add.clicked.connect(lambda: (self._add_slice("", 0.0, at=len(self.slices))))
            self.body_layout.addWidget(add)
        else:
            self.body_layout.addWidget(QLabel(self.default_text))

    def _build_distribution(self, value):
        name = value.get("distribution", "Uniform")
        chooser = QComboBox()
        chooser.addItems(list(DISTRIBUTIONS))
        chooser.setCurrentText(name)
        chooser.setObjectName("distribution")
        chooser.activated.connect(lambda _i: self._distribution_chosen(chooser.currentText()))
        self.fields["distribution"] = chooser
        form = QFormLayout()
        form.addRow("distribution", chooser)
        args = list(value.get("args", []))
        for k, arg in enumerate(DISTRIBUTIONS.get(name, ())):
            minimum = 0.0 if arg in ("sd", "sigma", "lambda", "shape", "scale", "p", "n") else None
            maximum = 1.0 if arg == "p" else None
            f = NumberField(args[k] if k < len(args) else 0.0, minimum=minimum, maximum=maximum,
                            integer=name in ("DiscreteUniform", "Binomial") and arg != "p", what=arg)
            f.setObjectName(f"arg_{arg}")
            f.committed.connect(lambda _v: self._commit())
            self.fields[arg] = f
            form.addRow(arg, f)
        for clip in ("min", "max"):
            f = ValidatedField(lambda t, c=clip: None if not t.strip() else parse_number(t, what=c),
                               "" if value.get(clip) is None else f"{value[clip]:g}", value.get(clip))
            f.edit.setPlaceholderText("no clipping")
            f.setToolTip(f"draws {'below' if clip == 'min' else 'above'} this are set to it (optional)")
            f.committed.connect(lambda _v: self._commit())
            self.fields[f"clip_{clip}"] = f
            form.addRow(f"clip {clip}", f)
        box = QWidget()
        box.setLayout(form)
        form.setContentsMargins(0, 0, 0, 0)
        self.body_layout.addWidget(box)

    def _add_slice(self, ranks_text, value, at=None):
        row = QHBoxLayout()
        ranks = ValidatedField(_parse_slice_ranks, ranks_text)
        ranks.edit.setPlaceholderText("ranks, e.g. 0-99")
        number = NumberField(value if isinstance(value, (int, float)) else 0.0, minimum=self.minimum, what=self.what)
        for f in (ranks, number):
            f.committed.connect(lambda _v: self._commit())
        row.addWidget(QLabel("ranks"))
        row.addWidget(ranks, 2)
        row.addWidget(QLabel("value"))
        row.addWidget(number, 1)
        self.slices.append((ranks, number))
        self.body_layout.insertLayout(len(self.slices) - 1 if at is None else at, row)

    # -------------------------------------------------------------- committing
    def _mode_chosen(self):
        mode = self.current_mode()
        self._build(mode, None)
        self._commit()

    def _distribution_chosen(self, name):
        self._build("distribution", {"distribution": name, "args": [0.0] * len(DISTRIBUTIONS[name])})
        self._commit()

    def current_value(self):
        """The value the form describes; ValueError (in words) when a field is not valid."""
        mode = self.current_mode()
        if mode == "default":
            return None
        if mode == "from the file":
            return self.value
        if mode == "constant":
            return self._field_value(self.fields["value"])
        if mode == "distribution":
            name = self.fields["distribution"].currentText()
            out = {"distribution": name, "args": [self._field_value(self.fields[a]) for a in DISTRIBUTIONS[name]]}
            for clip in ("min", "max"):
                v = self._field_value(self.fields[f"clip_{clip}"], optional=True)
                if v is not None:
                    out[clip] = v
            _check_distribution(out, self.minimum, self.what)
            return out
        segments = []
        for ranks, number in self.slices:
            rk = self._field_value(ranks)
            segments.append({**rk, "value": self._field_value(number)})
        return {"segments": segments}

    @staticmethod
    def _field_value(field, optional=False):
        field.commit()
        if field.error():
            raise ValueError(field.error())
        text = field.text().strip()
        if not text:
            if optional:
                return None
        return field.parse(text)

    def _commit(self):
        try:
            value = self.current_value()
        except ValueError as exc:
            if not any(getattr(f, "error", lambda: "")() for f in self._all_fields()):
                self.message.setText(f"{exc} (not applied)")    # a problem no single field shows
                self.message.show()
            return                       # the field in question shows why, inline
        self.message.hide()
        self.value = value
        self.committed.emit(value)

    def error(self):
        """The sentence shown under the form or one of its fields ("" when every field is valid)."""
        if not self.message.isHidden():
            return self.message.text()
        return next((e for e in (getattr(f, "error", lambda: "")() for f in self._all_fields()) if e), "")

    def _all_fields(self):
        return [f for f in self.fields.values() if hasattr(f, "error")] + [f for pair in self.slices for f in pair]


def _describe_fixed(value):
    if isinstance(value, dict) and "rows" in value:
        return f"a sparse matrix of {len(value.get('values') or [])} values, from the file"
    array = value.get("array") if isinstance(value, dict) else value
    count = 0
    stack = [array]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        else:
            count += 1
    return f"an array of {count} values, from the file"


def _check_distribution(value, minimum, what):
    """Problems that need several fields of a distribution: ValueError in words."""
    name, args = value["distribution"], value["args"]
    if name in ("Uniform", "DiscreteUniform") and args[0] > args[1]:
        raise ValueError(f"{name}: min ({args[0]:g}) must not be above max ({args[1]:g})")
    if value.get("min") is not None and value.get("max") is not None and value["min"] > value["max"]:
        raise ValueError(f"clip min ({value['min']:g}) must not be above clip max ({value['max']:g})")
    if minimum is not None and name in ("Uniform", "DiscreteUniform") and args[0] < minimum \
            and (value.get("min") is None or value["min"] < minimum):
        raise ValueError(f"{what} cannot be below {minimum:g}: raise min, or set clip min to {minimum:g}")
    if minimum is not None and name == "Normal" and (value.get("min") is None or value["min"] < minimum):
        raise ValueError(f"{what} cannot be below {minimum:g}: a Normal draw can be; set clip min to {minimum:g}")


def _delete_layout(layout):
    while layout.count():
        item = layout.takeAt(0)
        if item.widget():
            item.widget().deleteLater()
        elif item.layout():
            _delete_layout(item.layout())


def parse_spike_times(text):
    """One line per neuron: ``10, 20, 30`` (ms, increasing)."""
    out = []
    for k, line in enumerate(text.splitlines() or [""], 1):
        times = parse_number_list(line, what=f"neuron {k - 1}'s spike times", minimum=0.0)
        if any(b < a for a, b in zip(times, times[1:])):
            raise ValueError(f"line {k}: spike times must increase")
        out.append(times)
    return out


class SpikeTimesEditor(QWidget):
    committed = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.edit = QPlainTextEdit()
        self.edit.setPlaceholderText("one line per neuron: 10, 20, 30 (ms)")
        self.edit.setMaximumHeight(90)
        self.apply = QPushButton("Apply spike times")
        self.apply.clicked.connect(self._commit)
        self.message = QLabel()
        self.message.setStyleSheet("color: #b00020; font-size: 11px;")
        self.message.setWordWrap(True)
        self.message.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for w in (self.edit, self.apply, self.message):
            layout.addWidget(w)

    def set_value(self, times):
        self.edit.setPlainText("\n".join(", ".join(f"{t:g}" for t in row) for row in (times or [])))
        self.message.hide()

    def error(self):
        return self.message.text() if not self.message.isHidden() else ""

    def _commit(self):
        try:
            value = parse_spike_times(self.edit.toPlainText())
        except ValueError as exc:
            self.message.setText(f"{exc} (not applied)")
            self.message.show()
            return
        self.message.hide()
        self.committed.emit(value)
