"""Helpers for the GUI tests: a small test project and user gestures sent as
real Qt events (mouse drags on the canvas, drops from the palette)."""
import copy

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QMouseEvent
from PySide6.QtWidgets import QApplication

from annstudio.gui.catalog import TEMPLATES
from annstudio.project.document import ProjectDocument


def spiking_project(size=200, duration=2000.0, dt=0.5, paradigm="numpy", input_rate=None):
    """A small recurrent LIF network with a live-tunable input current ``I``."""
    d = {"format": "annstudio-project", "schema_version": 1, "name": "Test LIF network",
         "description": "LIF network used by the GUI tests.",
         "settings": {"dt": dt, "seed": 1, "paradigm": paradigm, "num_threads": 1, "duration": duration},
         "neurons": {"LIF": copy.deepcopy(TEMPLATES["neurons"]["LIF"])}, "synapses": {},
         "populations": [{"name": "exc", "geometry": [size], "neuron": "LIF", "kind": "standard",
                          "initial": {"v": {"distribution": "Uniform", "args": [0.0, 1.0]}}, "options": {}}],
         "projections": [{"name": "rec", "pre": "exc", "post": "exc", "target": "exc", "synapse": None,
                          "connector": {"method": "fixed_probability", "weights": 0.02, "delays": None,
                                        "args": {"probability": 0.1}}, "initial": {}}],
         "monitors": [{"name": "m_exc", "target": "exc", "kind": "population", "variables": ["spike", "v"],
                       "ranks": None, "period": None, "start": True}],
         "protocol": [], "layout": {"exc": {"x": 0.0, "y": 0.0}}}
    return d



# ---------------------------------------------------------------------- gestures
def _send_mouse(widget, kind, pos, button=Qt.LeftButton, buttons=Qt.LeftButton, modifiers=Qt.NoModifier):
    local = QPointF(pos)
    event = QMouseEvent(kind, local, QPointF(widget.mapToGlobal(pos)), button, buttons, modifiers)
    QApplication.sendEvent(widget, event)


def drag_on_canvas(view, scene_from, scene_to, modifiers=Qt.NoModifier, steps=5):
    """Press at ``scene_from``, move in steps, release at ``scene_to`` (scene coordinates)."""
    vp = view.viewport()
    a, b = view.mapFromScene(scene_from), view.mapFromScene(scene_to)
    _send_mouse(vp, QEvent.MouseButtonPress, a, modifiers=modifiers)
    for i in range(1, steps + 1):
        p = QPoint(int(a.x() + (b.x() - a.x()) * i / steps), int(a.y() + (b.y() - a.y()) * i / steps))
        _send_mouse(vp, QEvent.MouseMove, p, button=Qt.NoButton, modifiers=modifiers)
    _send_mouse(vp, QEvent.MouseButtonRelease, b, buttons=Qt.NoButton, modifiers=modifiers)


def click_on_canvas(view, scene_pos, modifiers=Qt.NoModifier):
    vp = view.viewport()
    p = view.mapFromScene(scene_pos)
    _send_mouse(vp, QEvent.MouseButtonPress, p, modifiers=modifiers)
    _send_mouse(vp, QEvent.MouseButtonRelease, p, buttons=Qt.NoButton, modifiers=modifiers)


def drop_from_palette(palette, view, label, scene_pos):
    """Drag the palette entry ``label`` and drop it at ``scene_pos`` on the canvas."""
    items = palette.findItems(label, Qt.MatchExactly | Qt.MatchRecursive)
    assert items, f"{label!r} is not in the palette"
    mime = palette.mimeData([items[0]])
    vp = view.viewport()
    pos = QPointF(view.mapFromScene(scene_pos))
    for cls in (QDragEnterEvent, QDragMoveEvent):
        try:   # PySide6 6.12 takes a QPointF; 6.11 and older a QPoint
            event = cls(pos, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
        except TypeError:
            event = cls(pos.toPoint(), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
        QApplication.sendEvent(vp, event)
    drop = QDropEvent(pos, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(vp, drop)
    return drop.isAccepted()


def open_lif_equations(window, qtbot, project=None):
    """Load ``project`` (default: the small spiking project) and show its LIF type in the equation editor
    (returned)."""
    window.controller.set_document(ProjectDocument(spiking_project() if project is None else project))
    window.show_workspace()
    window.tabs.setCurrentWidget(window.equations)
    window.equations.show_type("neurons", "LIF")
    qtbot.wait(5)
    return window.equations


# ---------------------------------------------------------------------- typing into forms
def type_into(field, text):
    """Select what a typed field (or a line edit) holds, type ``text`` (an empty text deletes) and press Return."""
    from PySide6.QtTest import QTest
    edit = field.edit if hasattr(field, "edit") else field
    edit.setFocus()
    edit.selectAll()
    if text:
        QTest.keyClicks(edit, text)
    else:
        QTest.keyClick(edit, Qt.Key_Delete)
    QTest.keyClick(edit, Qt.Key_Return)


def choose(combo, text):
    """Pick ``text`` in a combo box as a user does (``activated`` is emitted)."""
    combo.setCurrentText(text)
    combo.activated.emit(combo.currentIndex())


def inspector_page(window, qtbot, kind, name):
    """Select population/projection ``name`` on the canvas; the inspector's page for it."""
    window.scene.select(name)
    qtbot.waitUntil(lambda: window.inspector.current == (kind, name))
    qtbot.wait(5)
    return getattr(window.inspector, kind)
