"""The start screen: new/open buttons, the examples gallery (the ``projects/``
files with their descriptions) and recent files."""
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QLabel, QListWidget, QListWidgetItem, QVBoxLayout,
                               QWidget)

from . import files
from .forms import button_row


class StartPage(QWidget):
    openRequested = Signal(str)
    newRequested = Signal()
    openDialogRequested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("start_page")
        title = QLabel("<h1 style='margin:0'>annstudio</h1>"
                       "<p style='color:#555'>Build neuro-computational models on a canvas, edit their equations, "
                       "and watch them run.</p>")
        buttons = button_row(("New project", self.newRequested), ("Open…", self.openDialogRequested))
        self.examples = QListWidget()
        self.examples.setObjectName("examples")
        self.examples.setWordWrap(True)
        self.examples.setSpacing(4)
        self.examples.itemActivated.connect(self._activated)
        self.examples.itemDoubleClicked.connect(self._activated)
        self.recent = QListWidget()
        self.recent.setMaximumHeight(140)
        self.recent.itemActivated.connect(self._activated)
        self.recent.itemDoubleClicked.connect(self._activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 30, 40, 30)
        layout.addWidget(title)
        layout.addLayout(buttons)
        layout.addWidget(QLabel("<b>Examples</b> (double-click to open)"))
        layout.addWidget(self.examples, 1)
        layout.addWidget(QLabel("<b>Recent projects</b>"))
        layout.addWidget(self.recent)
        self.refresh()

    def refresh(self):
        self.examples.clear()
        for path, name, description in files.examples():
            text = f"{name}\n{description.strip().splitlines()[0] if description.strip() else ''}"
            item = QListWidgetItem(text.strip())
            item.setData(Qt.UserRole, str(path))
            item.setToolTip(description)
            self.examples.addItem(item)
        if not self.examples.count():
            self.examples.addItem(QListWidgetItem("No example projects found."))
        self.recent.clear()
        for path in files.recent_files():
            item = QListWidgetItem(path)
            item.setData(Qt.UserRole, path)
            self.recent.addItem(item)

    def _activated(self, item):
        path = item.data(Qt.UserRole)
        if path:
            self.openRequested.emit(path)
