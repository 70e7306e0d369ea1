"""The single-neuron lab panel: one neuron type, its F-I curve, step response and phase plane.

The computations are Qt-free (``session.neuron_lab`` / ``session.phase_plane``); this widget
owns the choosers and fields, shows the three plots and recomputes the visible one when a
parameter changes (after a short pause in typing), on a worker thread so the window stays live
(widget values are read here, the Qt-free computation runs there, the plots are drawn back
here).  The F-I curve compiles one population of
copies once per type and backend; changing parameters or currents only sets values.
"""
import threading

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (QComboBox, QFormLayout, QGridLayout, QHBoxLayout, QLabel, QScrollArea, QTabWidget,
                               QVBoxLayout, QWidget)

from ...core import library as _library
from ...core.library import units as _units
from ...core.errors import AnnstudioError
from ...session.neuron_lab import LAB_TYPES, NeuronLab
from ..typed_fields import NumberField

BACKENDS = (("NumPy", "numpy"), ("C++ (compiled)", "openmp"))
# units of the lab's own teaching types (the standard library's come from core.library.units)
LAB_UNITS = {"MorrisLecar": {"v": "mV", "I_ext": "uA/cm2", "C": "uF/cm2", "E_L": "mV", "E_Ca": "mV", "E_K": "mV",
                             "g_L": "mS/cm2", "g_Ca": "mS/cm2", "g_K": "mS/cm2", "V1": "mV", "V2": "mV",
                             "V3": "mV", "V4": "mV", "v_thresh": "mV"}}


def unit_of(name, neuron):
    """The documented unit of parameter/variable ``name`` of ``neuron`` ("" for a user's own type)."""
    unit = _units.unit_of(neuron, name)
    if not unit and neuron is LAB_TYPES.get(neuron.name):
        unit = LAB_UNITS.get(neuron.name, {}).get(name, "")
    return "" if unit == "1" else unit


def _with_unit(name, neuron):
    unit = unit_of(name, neuron)
    return f"{name} ({unit})" if unit else name


class NeuronLabPanel(QWidget):
    """``set_type(name)`` picks a type; ``computed`` is emitted with the tab's name after each update."""

    computed = Signal(str)
    _finished = Signal(object)          # (tab, lab, show, result) from the worker thread

    def __init__(self, controller=None, parent=None):
        super().__init__(parent)
        self.setObjectName("neuron_lab")
        self.controller = controller
        self.lab = None
        self.results = {}
        self._busy = self._pending = False
        self._finished.connect(self._done)
        self.type_box = QComboBox()
        self.type_box.setToolTip("The neuron type to study: the project's own types, the standard library, "
                                 "and the lab's two-variable teaching models")
        self.type_box.activated.connect(lambda _i: self.set_type(self.type_box.currentText()))
        self.backend_box = QComboBox()
        for label, key in BACKENDS:
            self.backend_box.addItem(label, key)
        self.backend_box.setToolTip("NumPy runs at once; C++ compiles once per type, then every sweep is fast")
        self.backend_box.activated.connect(lambda _i: self.set_type(self.type_box.currentText()))
        self.message = QLabel()
        self.message.setObjectName("lab_message")
        self.message.setWordWrap(True)
        self.params_form = QFormLayout()
        params_box = QWidget()
        params_box.setLayout(self.params_form)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(params_box)
        scroll.setMinimumWidth(220)
        self.param_fields = {}

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self._build_fi_tab()
        self._build_step_tab()
        self._build_phase_tab()
        self.tabs.currentChanged.connect(lambda _i: self.schedule())

        top = QHBoxLayout()
        top.addWidget(QLabel("Neuron type"))
        top.addWidget(self.type_box, 1)
        top.addWidget(QLabel("Backend"))
        top.addWidget(self.backend_box)
        body = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(QLabel("<b>Parameters</b>"))
        left.addWidget(scroll, 1)
        body.addLayout(left)
        body.addWidget(self.tabs, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(body, 1)
        layout.addWidget(self.message)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(250)
        self.timer.timeout.connect(self.compute)
        self.refresh_types()

    # ------------------------------------------------------------------ building
    def _colors(self):
        """(background, foreground) following the system palette (dark palettes get dark plots)."""
        dark = self.palette().window().color().lightness() < 128
        return ("#232629", "#dddddd") if dark else ("#ffffff", "#333333")

    def _plot(self, xlabel, ylabel):
        background, foreground = self._colors()
        plot = pg.PlotWidget(background=background)
        for axis in ("bottom", "left"):
            plot.getAxis(axis).setPen(foreground)
            plot.getAxis(axis).setTextPen(foreground)
        plot.setLabel("bottom", xlabel)
        plot.setLabel("left", ylabel)
        plot.showGrid(x=True, y=True, alpha=0.2)
        for axis in ("bottom", "left"):
            plot.getAxis(axis).enableAutoSIPrefix(False)
        return plot

    def _tab(self, title, fields, plot):
        page = QWidget()
        grid = QGridLayout()
        for k, (label, field) in enumerate(fields):
            grid.addWidget(QLabel(label), 0, 2 * k)
            grid.addWidget(field, 0, 2 * k + 1)
            if isinstance(field, NumberField):
                field.committed.connect(lambda _v: self.schedule())
        column = QVBoxLayout(page)
        column.addLayout(grid)
        column.addWidget(plot, 1)
        self.tabs.addTab(page, title)
        return page

    def _build_fi_tab(self):
        self.fi_min, self.fi_max = NumberField(0.0), NumberField(2.0)
        self.fi_points = NumberField(21, minimum=2, maximum=400, integer=True)
        self.fi_duration = NumberField(500.0, minimum=10.0, maximum=100000.0)
        for f, tip in ((self.fi_min, "smallest injected current"), (self.fi_max, "largest injected current"),
                       (self.fi_points, "number of currents: one copy of the neuron each, simulated together"),
                       (self.fi_duration, "simulated time per point (ms); the first 100 ms are left out")):
            f.setToolTip(tip)
        self.fi_plot = self._plot("injected current", "firing rate (Hz)")
        self.fi_curve = self.fi_plot.plot([], [], pen=pg.mkPen("#1f77b4", width=2), symbol="o", symbolSize=5,
                                          symbolBrush="#1f77b4")
        self._tab("F-I curve", (("from", self.fi_min), ("to", self.fi_max), ("points", self.fi_points),
                                ("duration (ms)", self.fi_duration)), self.fi_plot)

    def _build_step_tab(self):
        self.step_amp = NumberField(1.0)
        self.step_amp.setToolTip("current added during the step (unit of the current parameter)")
        self.step_on, self.step_off = NumberField(50.0, minimum=0.0), NumberField(250.0, minimum=0.0)
        self.step_duration = NumberField(300.0, minimum=1.0, maximum=100000.0)
        self.step_var = QComboBox()
        self.step_var.activated.connect(lambda _i: self.schedule())
        self.step_plot = self._plot("time (ms)", "v")
        self.step_curve = self.step_plot.plot([], [], pen=pg.mkPen("#d62728", width=1.5))
        self.step_spikes = pg.ScatterPlotItem(size=8, symbol="t1", brush="#333333")
        self.step_plot.addItem(self.step_spikes)
        self._tab("Step response", (("amplitude", self.step_amp), ("on (ms)", self.step_on),
                                    ("off (ms)", self.step_off), ("duration (ms)", self.step_duration),
                                    ("show", self.step_var)), self.step_plot)

    def _build_phase_tab(self):
        self.pp_x, self.pp_y = QComboBox(), QComboBox()
        for box in (self.pp_x, self.pp_y):
            box.activated.connect(lambda _i: self._phase_axes_changed())
        self.pp_xmin, self.pp_xmax = NumberField(-80.0), NumberField(40.0)
        self.pp_ymin, self.pp_ymax = NumberField(-20.0), NumberField(10.0)
        self.pp_current = NumberField(10.0)
        self.pp_current.setToolTip("injected current held constant in the phase plane")
        self.pp_plot = self._plot("v", "u")
        self.pp_field = self.pp_plot.plot([], [], pen=pg.mkPen("#9a9a9a", width=1), connect="pairs")
        self.pp_heads = pg.ScatterPlotItem(size=4, pen=None, brush="#7a7a7a")
        self.pp_plot.addItem(self.pp_heads)
        self.pp_null_x = pg.ScatterPlotItem(size=3, pen=None, brush="#1f77b4", name="dx/dt = 0")
        self.pp_null_y = pg.ScatterPlotItem(size=3, pen=None, brush="#ff7f0e", name="dy/dt = 0")
        self.pp_traj = self.pp_plot.plot([], [], pen=pg.mkPen("#2ca02c", width=2), name="trajectory")
        self.pp_legend = self.pp_plot.addLegend(offset=(-10, -10), brush=pg.mkBrush(self._colors()[0] + "d0"))
        for item in (self.pp_null_x, self.pp_null_y):
            self.pp_plot.addItem(item)
            self.pp_legend.addItem(item, item.name())
        self.pp_start = None
        self.pp_plot.scene().sigMouseClicked.connect(self._phase_clicked)
        self.pp_note = QLabel("Click in the plane to start a trajectory there.")
        page = self._tab("Phase plane", (("x", self.pp_x), ("y", self.pp_y), ("current", self.pp_current)),
                         self.pp_plot)
        limits = QHBoxLayout()
        for label, field in (("x from", self.pp_xmin), ("to", self.pp_xmax), ("y from", self.pp_ymin),
                             ("to", self.pp_ymax)):
            limits.addWidget(QLabel(label))
            limits.addWidget(field)
            field.committed.connect(lambda _v: self.schedule())
        page.layout().insertLayout(1, limits)
        page.layout().addWidget(self.pp_note)

    # ------------------------------------------------------------------ types and parameters
    def type_names(self):
        own = []
        if self.controller is not None:
            own = [n for n in self.controller.document.data["neurons"]
                   if self.controller.document.type_object("neurons", n) is not None]
        return own + sorted(_library.NEURONS) + list(LAB_TYPES)

    def refresh_types(self):
        current = self.type_box.currentText()
        self.type_box.clear()
        self.type_box.addItems(self.type_names())
        if current and self.type_box.findText(current) >= 0:
            self.type_box.setCurrentText(current)

    def _neuron(self, name):
        if self.controller is not None and name in self.controller.document.data["neurons"]:
            return self.controller.document.type_object("neurons", name)
        if name in LAB_TYPES:
            return LAB_TYPES[name]
        factory = _library.NEURONS.get(name)
        return factory() if factory else None

    def set_type(self, name):
        """Study type ``name``; returns False (with a message) when it cannot be used."""
        self.refresh_types()
        neuron = self._neuron(name)
        if neuron is None:
            self._say(f"There is no neuron type called {name!r}.", error=True)
            return False
        self.type_box.setCurrentText(name)
        try:
            self.lab = NeuronLab(neuron, paradigm=self.backend_box.currentData())
        except AnnstudioError as exc:
            self.lab = None
            self._say(f"{name} cannot be studied: {exc}", error=True)
            return False
        self._fill_params()
        self._fill_variables()
        self._set_ranges(name)
        self.schedule(0)
        return True

    def _fill_params(self):
        while self.params_form.rowCount():
            self.params_form.removeRow(0)
        self.param_fields = {}
        for name, value in self.lab.defaults().items():
            field = NumberField(value)
            field.setObjectName(f"param_{name}")
            unit = unit_of(name, self.lab.neuron)
            role = "the injected current" if name == self.lab.current else "a parameter"
            field.setToolTip(f"{name}: {role} of {self.lab.neuron.name}" + (f", in {unit}" if unit else ""))
            field.committed.connect(lambda v, n=name: self._param_changed(n, v))
            self.param_fields[name] = field
            self.params_form.addRow(name, field)

    def _fill_variables(self):
        odes = self.lab.ode_variables()
        state = [v for v in self.lab.analysis.state if not v.startswith(("g_", "alpha_"))]
        self.step_var.clear()
        self.step_var.addItems(state)
        for box, k in ((self.pp_x, 0), (self.pp_y, 1)):
            box.clear()
            box.addItems(odes)
            if len(odes) > k:
                box.setCurrentIndex(k)
        two = len(odes) >= 2
        self.tabs.setTabEnabled(2, two)
        self.tabs.setTabToolTip(2, "" if two else "needs two variables with a differential equation")

    def _set_ranges(self, name):
        ranges = {"Izhikevich": ((0.0, 20.0), (-80.0, 40.0, -20.0, 10.0), 10.0, 10.0),
                  "FitzHughNagumo": ((0.0, 1.5), (-2.5, 2.5, -1.0, 2.0), 0.5, 0.5),
                  "MorrisLecar": ((0.0, 200.0), (-70.0, 50.0, -0.1, 0.6), 100.0, 100.0)}
        if name.startswith(("EIF", "AdEx")):
            ranges[name] = ((0.0, 2.0), (-80.0, -30.0, -0.5, 1.0), 0.5, 1.0)
        fi, box, current, amp = ranges.get(name, ((0.0, 2.0), None, 1.0, 1.5))
        self.fi_min.set_value(fi[0])
        self.fi_max.set_value(fi[1])
        self.step_amp.set_value(amp)
        self.pp_current.set_value(current)
        if box:
            for field, value in zip((self.pp_xmin, self.pp_xmax, self.pp_ymin, self.pp_ymax), box):
                field.set_value(value)
        self.pp_start = None

    def _param_changed(self, name, value):
        if self.lab is not None:
            self.lab.set_params({name: value})
            self.schedule()

    def _phase_axes_changed(self):
        self.pp_start = None
        self.schedule()

    def _phase_clicked(self, event):
        if self.tabs.currentIndex() != 2 or self.lab is None:
            return
        vb = self.pp_plot.getPlotItem().getViewBox()
        point = vb.mapSceneToView(event.scenePos())
        self.pp_start = (point.x(), point.y())
        self.schedule(0)

    # ------------------------------------------------------------------ computing
    def schedule(self, delay=None):
        self.timer.start(self.timer.interval() if delay is None else delay)

    def _say(self, text, error=False):
        self.message.setStyleSheet("color: #b00020;" if error else "")
        self.message.setText(text)

    def compute(self):
        """Recompute the visible tab: the simulation runs on a worker thread (one at a time; a request
        made meanwhile runs when it ends), the plots are drawn here when it is done."""
        if self.lab is None:
            return
        if self._busy:
            self._pending = True
            return
        tab = self.tabs.tabText(self.tabs.currentIndex())
        make = {"F-I curve": self._fi_job, "Step response": self._step_job, "Phase plane": self._phase_job}[tab]
        lab = self.lab
        work, show = make(lab)
        self._busy, self._pending = True, False
        self._say(f"computing the {tab.lower()} of {lab.neuron.name}…")

        def run():
            try:
                result = work()
            except AnnstudioError as exc:
                result = exc
            except Exception as exc:  # noqa: BLE001 - anything the engine raises is reported in the panel
                result = AnnstudioError(f"{type(exc).__name__}: {exc}")
            try:
                self._finished.emit((tab, lab, show, result))
            except RuntimeError:          # the panel was closed meanwhile: nobody to show it to
                pass

        threading.Thread(target=run, name="annstudio-neuron-lab", daemon=True).start()

    def _done(self, payload):
        tab, lab, show, result = payload
        self._busy = False
        if lab is self.lab:
            if isinstance(result, AnnstudioError):
                self._say(str(result), error=True)
            else:
                show(result)
                self.computed.emit(tab)
        if self._pending or lab is not self.lab:
            self.schedule(0)

    def _fi_job(self, lab):
        currents = np.linspace(self.fi_min.value(), self.fi_max.value(), int(self.fi_points.value()))
        duration = self.fi_duration.value()
        return (lambda: lab.fi_curve(currents, duration=duration, transient=100.0)), self._show_fi

    def _show_fi(self, fi):
        self.results["fi"] = fi
        self.fi_curve.setData(fi.currents, fi.rates)
        name = self.lab.neuron.name
        self.fi_plot.setLabel("bottom", f"injected current: {_with_unit(fi.parameter, self.lab.neuron)}")
        self.fi_plot.setLabel("left", "firing rate (Hz)" if fi.unit == "Hz" else "steady output r")
        self.fi_plot.setYRange(0, max(1.0, float(np.max(fi.rates)) * 1.05))
        self._say(f"F-I curve of {name}: {len(fi.currents)} copies simulated together on "
                  f"{self.backend_box.currentText()} (compiled once; changing values rebuilds nothing).")

    def _step_job(self, lab):
        var = self.step_var.currentText() or None
        args = (self.step_amp.value(), self.step_on.value(), self.step_off.value(), self.step_duration.value())
        return (lambda: (var, args, lab.step_response(*args, variables=[var] if var else None))), self._show_step

    def _show_step(self, result):
        var, (amp, on, off, _duration), r = result
        self.results["step"] = r
        var = var or next(iter(r.traces))
        self.step_curve.setData(r.times, r.traces[var])
        top = float(np.nanmax(r.traces[var])) if r.times.size else 0.0
        self.step_spikes.setData(r.spike_times, np.full(r.spike_times.size, top))
        self.step_plot.setLabel("left", _with_unit(var, self.lab.neuron))
        self._say(f"{r.spike_times.size} spikes during the step of {amp:g} ({on:g}-{off:g} ms).")

    def _phase_job(self, lab):
        x, y = self.pp_x.currentText(), self.pp_y.currentText()
        xlim = (self.pp_xmin.value(), self.pp_xmax.value())
        ylim = (self.pp_ymin.value(), self.pp_ymax.value())
        current = self.pp_current.value() if lab.current else None
        start = self.pp_start or (xlim[0] + 0.1 * (xlim[1] - xlim[0]), ylim[0] + 0.5 * (ylim[1] - ylim[0]))

        def work():
            pp = lab.phase_plane(x, y, xlim, ylim, current=current)
            return pp, start, lab.trajectory(x, y, start, current=current, duration=300.0)
        return work, self._show_phase

    def _show_phase(self, result):
        pp, start, (tx, ty) = result
        x, y = pp.x, pp.y
        xlim, ylim = (pp.grid_x[0], pp.grid_x[-1]), (pp.grid_y[0], pp.grid_y[-1])
        self.results["phase"] = pp
        gx, gy = np.meshgrid(pp.grid_x, pp.grid_y)
        norm = np.hypot(pp.dx / (xlim[1] - xlim[0]), pp.dy / (ylim[1] - ylim[0]))
        with np.errstate(all="ignore"):
            scale = 0.025 / np.where(norm > 0, norm, np.inf)
        ex, ey = gx + pp.dx * scale, gy + pp.dy * scale
        seg_x = np.column_stack([gx.ravel(), ex.ravel()]).ravel()
        seg_y = np.column_stack([gy.ravel(), ey.ravel()]).ravel()
        ok = np.isfinite(seg_x) & np.isfinite(seg_y)
        ok = np.repeat(ok.reshape(-1, 2).all(axis=1), 2)
        self.pp_field.setData(seg_x[ok], seg_y[ok], connect="pairs")
        self.pp_heads.setData(seg_x[ok][1::2], seg_y[ok][1::2])      # the dot marks where an arrow points
        self.pp_null_x.setData(*pp.nullcline_x)
        self.pp_null_y.setData(*pp.nullcline_y)
        self.pp_legend.clear()
        self.pp_legend.addItem(self.pp_null_x, f"d{x}/dt = 0")
        self.pp_legend.addItem(self.pp_null_y, f"d{y}/dt = 0")
        self.results["trajectory"] = (tx, ty)
        tx, ty = np.r_[start[0], tx], np.r_[start[1], ty]
        jumps = np.nonzero(np.abs(np.diff(tx)) > 0.25 * (xlim[1] - xlim[0]))[0] + 1     # resets: not drawn
        self.pp_traj.setData(np.insert(tx, jumps, np.nan), np.insert(ty, jumps, np.nan), connect="finite")
        self.pp_legend.addItem(self.pp_traj, "trajectory (300 ms)")
        self.pp_plot.setLabel("bottom", _with_unit(x, self.lab.neuron))
        self.pp_plot.setLabel("left", _with_unit(y, self.lab.neuron))
        self.pp_plot.setXRange(*xlim, padding=0)
        self.pp_plot.setYRange(*ylim, padding=0)
        self._say(f"Phase plane of {self.lab.neuron.name}: d{x}/dt = {pp.rhs[0]}".replace("**", "^")[:300])
