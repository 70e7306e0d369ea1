"""Graphics items of the canvas: population nodes and projection arrows.

Items only draw and report gestures to their scene; they never edit the
document.  Spiking populations are drawn as orange rectangles with a spike
glyph, rate-coded ones as blue rounded boxes, input sources as green boxes.
"""
import math

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainterPath, QPainterPathStroker, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject, QGraphicsPathItem, QGraphicsSimpleTextItem

NODE_W, NODE_H = 170.0, 64.0
PORT_R = 7.0
STYLE = {
    "spike": {"fill": QColor("#fde2c4"), "border": QColor("#d9731a"), "radius": 4.0, "glyph": "⚡ spiking"},
    "rate": {"fill": QColor("#d6e6fb"), "border": QColor("#2f6db5"), "radius": 18.0, "glyph": "∿ rate-coded"},
    "source": {"fill": QColor("#d9f2d9"), "border": QColor("#2e8b3e"), "radius": 10.0, "glyph": "▸ input"},
}


class PopulationNode(QGraphicsObject):
    """A population: name, size and neuron type; a port on the right starts an arrow."""

    def __init__(self, name):
        super().__init__()
        self.name = name
        self.kind = "rate"
        self.subtitle = ""
        self.type_label = ""
        self.edges = []
        self.setFlags(QGraphicsItem.ItemIsMovable | QGraphicsItem.ItemIsSelectable
                      | QGraphicsItem.ItemSendsGeometryChanges)
        self.setAcceptHoverEvents(True)
        self.setZValue(1)
        self._hover = False

    def update_from(self, population, kind, type_label):
        self.prepareGeometryChange()
        self.kind = kind
        geometry = population.get("geometry") or [0]
        if isinstance(geometry, (int, float)):
            geometry = [geometry]
        size = 1
        for g in geometry:
            size *= int(g)
        shape = "×".join(str(int(g)) for g in geometry)
        self.subtitle = f"{size} neuron{'' if size == 1 else 's'}" + (f" ({shape})" if len(geometry) > 1 else "")
        self.type_label = type_label
        self.setToolTip(f"{self.name}\n{self.subtitle}\n{type_label} ({STYLE[kind]['glyph']})")
        self.update()

    def boundingRect(self):
        return QRectF(-4, -4, NODE_W + PORT_R * 2 + 8, NODE_H + 8)

    def body_rect(self):
        return QRectF(0, 0, NODE_W, NODE_H)

    def port_center(self):
        return QPointF(NODE_W, NODE_H / 2)

    def in_port(self, local_pos):
        return QLineF(local_pos, self.port_center()).length() <= PORT_R + 3

    def shape(self):
        path = QPainterPath()
        path.addRoundedRect(self.body_rect(), STYLE[self.kind]["radius"], STYLE[self.kind]["radius"])
        path.addEllipse(self.port_center(), PORT_R + 2, PORT_R + 2)
        return path

    def paint(self, painter, option, widget=None):
        style = STYLE[self.kind]
        painter.setRenderHint(painter.RenderHint.Antialiasing)
        pen = QPen(style["border"], 3.0 if self.isSelected() else 1.6)
        if self.isSelected():
            pen.setColor(QColor("#1a1a1a"))
        if self.kind == "source":
            pen.setStyle(Qt.DashLine)
        painter.setPen(pen)
        painter.setBrush(QBrush(style["fill"].lighter(104 if self._hover else 100)))
        painter.drawRoundedRect(self.body_rect(), style["radius"], style["radius"])
        painter.setPen(QColor("#1a1a1a"))
        font = QFont(painter.font())
        font.setBold(True)
        font.setPointSizeF(10.5)
        painter.setFont(font)
        painter.drawText(QRectF(10, 5, NODE_W - 20, 20), Qt.AlignLeft | Qt.AlignVCenter, self.name)
        font.setBold(False)
        font.setPointSizeF(8.5)
        painter.setFont(font)
        painter.drawText(QRectF(10, 24, NODE_W - 20, 17), Qt.AlignLeft | Qt.AlignVCenter, self.subtitle)
        painter.setPen(style["border"].darker(130))
        painter.drawText(QRectF(10, 41, NODE_W - 20, 17), Qt.AlignLeft | Qt.AlignVCenter,
                         f"{style['glyph']} · {self.type_label}")
        painter.setPen(QPen(style["border"], 1.4))
        painter.setBrush(QColor("white"))
        painter.drawEllipse(self.port_center(), PORT_R, PORT_R)

    def hoverEnterEvent(self, event):
        self._hover = True
        self.update()

    def hoverLeaveEvent(self, event):
        self._hover = False
        self.update()

    def itemChange(self, change, value):
        if change == QGraphicsItem.ItemPositionHasChanged:
            for edge in self.edges:
                edge.adjust()
        return super().itemChange(change, value)

    def mousePressEvent(self, event):
        if event.button() == Qt.LeftButton and (self.in_port(event.pos()) or event.modifiers() & Qt.ShiftModifier):
            self.scene().begin_connection(self, event.scenePos())
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event):
        super().mouseReleaseEvent(event)
        self.scene().nodes_released()

    def mouseDoubleClickEvent(self, event):
        self.scene().node_activated(self.name)
        super().mouseDoubleClickEvent(event)

    def center(self):
        return self.mapToScene(QPointF(NODE_W / 2, NODE_H / 2))


def _edge_anchor(node, toward):
    """Point where the line from the node's centre to ``toward`` leaves the node box."""
    c = node.center()
    dx, dy = toward.x() - c.x(), toward.y() - c.y()
    if dx == 0 and dy == 0:
        return c
    sx = (NODE_W / 2) / abs(dx) if dx else math.inf
    sy = (NODE_H / 2) / abs(dy) if dy else math.inf
    s = min(sx, sy)
    return QPointF(c.x() + dx * s, c.y() + dy * s)


class ProjectionEdge(QGraphicsPathItem):
    """An arrow pre → post labelled ``target · synapse``; parallel edges bend apart."""

    def __init__(self, name, source, dest):
        super().__init__()
        self.name, self.source, self.dest = name, source, dest
        self.bend = 0.0
        self.label = QGraphicsSimpleTextItem(self)
        self.label.setBrush(QColor("#333333"))
        font = self.label.font()
        font.setPointSizeF(8.5)
        self.label.setFont(font)
        self.setFlags(QGraphicsItem.ItemIsSelectable)
        self.setZValue(0)
        self.color = QColor("#555555")
        self._head = QPolygonF()
        source.edges.append(self)
        if dest is not source:
            dest.edges.append(self)

    def detach(self):
        for node in (self.source, self.dest):
            if self in node.edges:
                node.edges.remove(self)

    def update_from(self, projection, synapse_label, inhibitory):
        self.color = QColor("#c0392b") if inhibitory else QColor("#2c7a3f")
        pre = projection.get("pre")
        part = ""
        if isinstance(pre, dict) and pre.get("slice"):
            part = " [{}:{}]".format(*pre["slice"][:2])
        elif isinstance(pre, dict) and pre.get("ranks") is not None:
            part = f" [{len(pre['ranks'])} ranks]"
        self.label.setText(f"{projection.get('target')} · {synapse_label}{part}")
        self.restyle()
        self.setToolTip(f"{self.name}: {projection.get('target')} · {synapse_label}\n"
                        f"{(projection.get('connector') or {}).get('method', '?')}")
        self.adjust()

    def adjust(self):
        self.prepareGeometryChange()
        path = QPainterPath()
        if self.source is self.dest:
            c = self.source.center()
            top = QPointF(c.x() - NODE_W / 4, c.y() - NODE_H / 2)
            end = QPointF(c.x() + NODE_W / 4, c.y() - NODE_H / 2)
            lift = 50 + 34 * self.bend
            path.moveTo(top)
            path.cubicTo(top + QPointF(-20, -lift), end + QPointF(20, -lift), end)
            tip, before = end, end + QPointF(12, -20)
            rect = self.label.boundingRect()
            # to the right of the loop's top, clear of the (nested) arcs
            label_at = QPointF(c.x() + NODE_W / 4 + 16 + rect.width() / 2, c.y() - NODE_H / 2 - lift * 0.75)
        else:
            a, b = self.source.center(), self.dest.center()
            line = QLineF(a, b)
            normal = QPointF(-line.dy(), line.dx()) / max(line.length(), 1.0)
            mid = (a + b) / 2 + normal * (28.0 * self.bend)
            start, tip = _edge_anchor(self.source, mid), _edge_anchor(self.dest, mid)
            path.moveTo(start)
            path.quadTo(mid, tip)
            before = mid
            # beside the curve, on its outer side, clear of the line
            rect = self.label.boundingRect()
            side = 1.0 if self.bend >= 0 else -1.0
            clearance = 6 + abs(normal.x()) * rect.width() / 2 + abs(normal.y()) * rect.height() / 2
            label_at = (start + tip) / 2 * 0.5 + mid * 0.5 + normal * side * clearance
            label_at = self._clear_of_nodes(label_at, rect, normal * side)
        self.setPath(path)
        direction = QLineF(tip, before)
        direction.setLength(12)
        left, right = QLineF(direction), QLineF(direction)
        left.setAngle(direction.angle() + 25)
        right.setAngle(direction.angle() - 25)
        self._head = QPolygonF([tip, left.p2(), right.p2()])
        rect = self.label.boundingRect()
        self.label.setPos(label_at - QPointF(rect.width() / 2, rect.height() / 2))

    def _clear_of_nodes(self, at, rect, away):
        """Move a label centred at ``at`` along ``away`` until it overlaps neither end's node (two close
        nodes left the label of the arrow between them over the nodes' text)."""
        nodes = [n.sceneBoundingRect() for n in (self.source, self.dest)]
        for _ in range(40):
            box = QRectF(at.x() - rect.width() / 2, at.y() - rect.height() / 2, rect.width(), rect.height())
            if not any(box.intersects(n) for n in nodes):
                break
            at = at + away * 4.0
        return at

    def boundingRect(self):
        return super().boundingRect().united(self._head.boundingRect()).adjusted(-4, -4, 4, 4)

    def shape(self):
        stroker = QPainterPathStroker()
        stroker.setWidth(10)
        shape = stroker.createStroke(self.path())
        shape.addPolygon(self._head)
        return shape

    def _dark(self):
        scene = self.scene()
        return bool(getattr(scene, "dark", False))

    def restyle(self):
        """Label colour for the canvas's palette: darker than the arrow on light, lighter on dark."""
        self.label.setBrush(self.color.lighter(150) if self._dark() else self.color.darker(140))

    def paint(self, painter, option, widget=None):
        painter.setRenderHint(painter.RenderHint.Antialiasing)
        selected = QColor("#f0f0f0") if self._dark() else QColor("#1a1a1a")
        color = selected if self.isSelected() else self.color
        painter.setPen(QPen(color, 3.0 if self.isSelected() else 1.8))
        painter.setBrush(Qt.NoBrush)
        painter.drawPath(self.path())
        painter.setBrush(color)
        painter.drawPolygon(self._head)
