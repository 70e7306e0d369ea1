"""``TimeBar``: scroll the plots over the whole recorded run, during and after it.

A horizontal scroll bar over simulated time (ms, from 0 to the latest time recorded), a
"Follow" button and a label.  While following, the bar tracks the run's end and the plots
show the live page; dragging the bar (or ``show_from``) shows ``window`` ms from the chosen
time instead, without stopping the run; "Follow" goes back to the live page.  What is shown
is limited to what the live feed still holds (its memory bound, see ``run.feed``).
"""
import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QScrollBar, QWidget


UPDATES_PER_S = 2


class TimeBar(QWidget):
    moved = Signal(object)             # first ms shown, or None: follow the run

    def __init__(self, parent=None):
        super().__init__(parent)
        self.window_ms = 1000.0
        self.extent = 0.0
        self.start = None
        self.bar = QScrollBar(Qt.Orientation.Horizontal)
        self.bar.setRange(0, 0)
        self.bar.setToolTip("Scroll back over the recorded run (during and after it)")
        self.bar.valueChanged.connect(self._scrolled)
        self.follow = QPushButton("Follow")
        self.follow.setCheckable(True)
        self.follow.setChecked(True)
        self.follow.setToolTip("Show the newest recordings as the run goes on")
        self.follow.toggled.connect(self._follow_toggled)
        self.label = QLabel("t = 0 ms")
        self.label.setMinimumWidth(170)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("time"))
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.label)
        layout.addWidget(self.follow)
        self._quiet = False
        self._updated = 0.0

    def set_window(self, window_ms):
        self.window_ms = float(window_ms)
        self._update_range()

    def set_extent(self, t_ms, force=False):
        """The latest recorded time (ms); during a run at most ``UPDATES_PER_S`` times a second
        of wall time (the bar is not repainted on every frame)."""
        now = time.perf_counter()
        if not force and now - self._updated < 1.0 / UPDATES_PER_S:
            return
        self._updated = now
        if t_ms != self.extent or force:
            self.extent = float(t_ms)
            self._update_range()

    def _update_range(self):
        self._quiet = True
        try:
            top = max(0, int(self.extent - self.window_ms + 0.999))
            self.bar.setRange(0, top)
            self.bar.setPageStep(max(1, int(self.window_ms)))
            self.bar.setSingleStep(max(1, int(self.window_ms / 10)))
            if self.start is None:
                self.bar.setValue(top)
                self.label.setText(f"live: t = {self.extent:.0f} ms")
            else:
                self.bar.setValue(int(self.start))
        finally:
            self._quiet = False

    def show_from(self, start_ms):
        """Show ``window`` ms from ``start_ms`` (None: follow the run)."""
        if start_ms is None:
            self.follow.setChecked(True)
            self._set_start(None)
            return
        self.follow.blockSignals(True)
        self.follow.setChecked(False)
        self.follow.blockSignals(False)
        self._set_start(max(0.0, float(start_ms)))

    def _set_start(self, start):
        self.start = start
        self._update_range()
        if start is not None:
            self.label.setText(f"t = {start:g} – {start + self.window_ms:g} ms")
        self.moved.emit(start)

    def _scrolled(self, value):
        if self._quiet:
            return
        self.show_from(float(value))

    def _follow_toggled(self, on):
        if on:
            self._set_start(None)
        elif self.start is None:
            self._set_start(float(self.bar.value()))
