"""``CanvasView``: zoom (wheel, keys), pan (middle button or space + drag),
rubber-band selection, delete, copy/paste and drops from the palette."""
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QColor, QKeySequence, QPainter, QPen
from PySide6.QtWidgets import QApplication, QGraphicsView

from ..plots.base import is_dark
from . import clipboard
from .layout import free_position

PALETTE_MIME = "application/x-annstudio-type"


class CanvasView(QGraphicsView):
    def __init__(self, scene, parent=None):
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        self.setDragMode(QGraphicsView.RubberBandDrag)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self.setAcceptDrops(True)
        self._panning = None
        self.setObjectName("canvas")
        self.apply_palette()

    def apply_palette(self):
        """White, or dark grey under a dark system palette (the plots' colours), with a dot grid; the
        scene's ``dark`` tells the arrows how to colour their labels."""
        dark = is_dark(self)
        self.setBackgroundBrush(QColor("#232629") if dark else QColor("white"))
        self._grid = QColor("#3c4146") if dark else QColor("#d0d4da")
        scene = self.scene()
        if scene is not None and getattr(scene, "dark", None) != dark:
            scene.dark = dark
            for edge in getattr(scene, "edges", {}).values():
                edge.restyle()
            scene.update()

    def changeEvent(self, event):
        if event.type() in (QEvent.PaletteChange, QEvent.ApplicationPaletteChange):
            self.apply_palette()
        super().changeEvent(event)

    def drawBackground(self, painter, rect):
        """White (dark under a dark palette) with a dot grid (20 px) to place nodes against."""
        super().drawBackground(painter, rect)
        if self.transform().m11() < 0.4:
            return
        step = 20
        painter.setPen(QPen(self._grid, 0))
        left, top = int(rect.left()) - int(rect.left()) % step, int(rect.top()) - int(rect.top()) % step
        points = [QPointF(x, y) for x in range(left, int(rect.right()) + 1, step)
                  for y in range(top, int(rect.bottom()) + 1, step)]
        painter.drawPoints(points)

    # ---------------------------------------------------------------- zoom & pan
    def zoom(self, factor):
        current = self.transform().m11()
        factor = max(0.1 / current, min(factor, 5.0 / current))
        self.scale(factor, factor)

    def wheelEvent(self, event):
        self.zoom(1.15 if event.angleDelta().y() > 0 else 1 / 1.15)

    def fit_all(self):
        rect = self.scene().itemsBoundingRect()
        if not rect.isEmpty():
            self.fitInView(rect.adjusted(-60, -60, 60, 60), Qt.KeepAspectRatio)
            if self.transform().m11() > 1.3:
                self.resetTransform()
                self.centerOn(rect.center())

    def mousePressEvent(self, event):
        if event.button() == Qt.MiddleButton:
            self._panning = event.position()
            self.setCursor(Qt.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event):
        if self._panning is not None:
            delta = event.position() - self._panning
            self._panning = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - int(delta.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - int(delta.y()))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event):
        if self._panning is not None and event.button() == Qt.MiddleButton:
            self._panning = None
            self.unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event):
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            self.setDragMode(QGraphicsView.ScrollHandDrag)
        elif event.matches(QKeySequence.Delete) or event.key() in (Qt.Key_Delete, Qt.Key_Backspace):
            self.scene().delete_selection()
        elif event.matches(QKeySequence.Copy):
            self.copy_selection()
        elif event.matches(QKeySequence.Paste):
            self.paste()
        elif event.matches(QKeySequence.SelectAll):
            for item in self.scene().items():
                if item.flags() & item.GraphicsItemFlag.ItemIsSelectable:
                    item.setSelected(True)
        elif event.matches(QKeySequence.ZoomIn) or event.key() == Qt.Key_Plus:
            self.zoom(1.2)
        elif event.matches(QKeySequence.ZoomOut) or event.key() == Qt.Key_Minus:
            self.zoom(1 / 1.2)
        else:
            super().keyPressEvent(event)

    def keyReleaseEvent(self, event):
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            self.setDragMode(QGraphicsView.RubberBandDrag)
        super().keyReleaseEvent(event)

    # ---------------------------------------------------------------- clipboard
    def copy_selection(self):
        pops, _ = self.scene().selected_names()
        if pops:
            QApplication.clipboard().setText(clipboard.copy_selection(self.scene().document, pops))

    def paste(self):
        document = self.scene().document
        command = clipboard.paste_command(document, QApplication.clipboard().text())
        if command is not None:
            self.scene().controller.push(command)

    # ---------------------------------------------------------------- drops
    def dragEnterEvent(self, event):
        if event.mimeData().hasFormat(PALETTE_MIME):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event):
        if event.mimeData().hasFormat(PALETTE_MIME):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event):
        if not event.mimeData().hasFormat(PALETTE_MIME):
            return super().dropEvent(event)
        section, _, name = bytes(event.mimeData().data(PALETTE_MIME)).decode().partition(":")
        self.scene().drop_type(section, name, self.mapToScene(event.position().toPoint()))
        event.acceptProposedAction()

    def add_at_free_spot(self, section, name):
        """Keyboard/double-click alternative to dragging from the palette."""
        center = self.mapToScene(self.viewport().rect().center())
        x, y = free_position(self.scene().document, (center.x(), center.y()))
        return self.scene().drop_type(section, name, QPointF(x + 85, y + 32))
