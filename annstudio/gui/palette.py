"""The palette: neuron types, input sources and synapse types to drag onto the
canvas (or onto an arrow).  Lists the project's own types, the standard
library (when present) and the built-in templates; double-click adds one.
Each entry has the icon of its kind (spiking, rate-coded, input, synapse) and
a tooltip saying what it is (the library's own description, with its units)."""
from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QTreeWidget, QTreeWidgetItem

from . import catalog
from .icons import KIND_ICONS, icon
from .canvas.view import PALETTE_MIME


class Palette(QTreeWidget):
    activated_type = Signal(str, str)      # section, name

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.setHeaderHidden(True)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragOnly)
        self.setObjectName("palette")
        self.itemDoubleClicked.connect(self._double_clicked)
        controller.changed.connect(self._on_change)
        controller.replaced.connect(self.refresh)
        self.refresh()

    def _on_change(self, change):
        if change.section in ("neurons", "synapses") and change.action != "changed":
            self.refresh()

    def refresh(self):
        self.clear()
        doc = self.controller.document
        groups = [
            ("Project neurons", "neurons", list(doc.data["neurons"])),
            ("Standard neurons", "neurons", [n for n in catalog.library_names("neurons")
                                             if n not in doc.data["neurons"]]),
            ("Templates", "neurons", [n for n in catalog.TEMPLATES["neurons"] if n not in doc.data["neurons"]]),
            ("Inputs", "neurons", list(catalog.SOURCES)),
            ("Project synapses", "synapses", list(doc.data["synapses"])),
            ("Standard synapses", "synapses", [n for n in catalog.library_names("synapses")
                                               if n not in doc.data["synapses"]]),
            ("Synapse templates", "synapses", [n for n in catalog.TEMPLATES["synapses"]
                                               if n not in doc.data["synapses"]]),
        ]
        for title, section, names in groups:
            if not names:
                continue
            group = QTreeWidgetItem(self, [title])
            group.setFlags(Qt.ItemIsEnabled)
            group.setForeground(0, QBrush(QColor("#666666")))
            for name in names:
                item = QTreeWidgetItem(group, [name])
                item.setData(0, Qt.UserRole, f"{section}:{name}")
                item.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable | Qt.ItemIsDragEnabled)
                item.setToolTip(0, self._tooltip(section, name))
                item.setIcon(0, icon(KIND_ICONS[self._kind(section, name)]))
            group.setExpanded(True)

    def _kind(self, section, name):
        if section == "synapses":
            return "synapse"
        if name in catalog.SOURCES:
            return "source"
        factory = catalog.library_factory(section, name)
        if name not in self.controller.document.data["neurons"] and factory is not None:
            return factory().type
        definition = self.controller.document.type_def(section, name) or catalog.TEMPLATES[section].get(name) or {}
        if "standard" in definition:
            return catalog.neuron_kind(self.controller.document, {"neuron": name})
        return "spike" if str(definition.get("spike") or "").strip() else "rate"

    def _tooltip(self, section, name):
        doc = self.controller.document
        definition = doc.type_def(section, name) or catalog.TEMPLATES[section].get(name)
        if definition and definition.get("description"):
            return definition["description"]
        if name == "PoissonPopulation":
            return "Input: neurons that fire at random times with a given mean rate (Hz). Drag onto the canvas."
        if name == "SpikeSourceArray":
            return "Input: neurons that fire at the times you list (ms). Drag onto the canvas."
        factory = catalog.library_factory(section, name)
        if factory is not None and factory.__doc__:
            what = " ".join(factory.__doc__.split())
            return f"{name}: {what} Drag onto the " + ("canvas." if section == "neurons" else "arrow of a projection.")
        return f"{name}: drag onto the canvas" if section == "neurons" else f"{name}: drag onto an arrow"

    def mimeData(self, items):
        data = QMimeData()
        if items and items[0].data(0, Qt.UserRole):
            data.setData(PALETTE_MIME, items[0].data(0, Qt.UserRole).encode())
        return data

    def mimeTypes(self):
        return [PALETTE_MIME]

    def _double_clicked(self, item, column):
        key = item.data(0, Qt.UserRole)
        if key:
            section, _, name = key.partition(":")
            self.activated_type.emit(section, name)
