"""``NetworkScene``: the canvas mirror of the document.

Follows the controller's change events (adds, removes, renames and restyles
nodes and arrows; moves nodes when the layout changes, e.g. on undo) and turns
gestures into commands: moving nodes, dragging an arrow from a node's port
(or shift-dragging a node) onto another node, dropping types from the palette.
It never edits the document directly.
"""
from PySide6.QtCore import QLineF, QPointF, Signal
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsLineItem, QGraphicsScene

from ...project import commands as C
from ...project.document import ref_population
from .. import catalog
from .items import NODE_H, NODE_W, PopulationNode, ProjectionEdge
from .layout import auto_layout, free_position


def default_population(document, neuron=None, kind="standard", size=100):
    name = document.unique_name("pop")
    item = {"name": name, "geometry": [size], "neuron": neuron, "kind": kind, "initial": {}, "options": {}}
    if kind == "poisson":
        item["neuron"] = None
        item["options"] = {"rates": 10.0}
    elif kind == "spike_source_array":
        item["neuron"] = None
        item["geometry"] = [1]
        item["options"] = {"spike_times": [[10.0, 20.0, 30.0]]}
    return item


def default_projection(document, pre, post, target="exc", synapse=None):
    return {"name": document.unique_name(f"{pre}_{post}"), "pre": pre, "post": post, "target": target,
            "synapse": synapse,
            "connector": {"method": "fixed_probability", "weights": 0.1, "delays": None,
                          "args": {"probability": 0.1}},
            "initial": {}}


class NetworkScene(QGraphicsScene):
    nodeActivated = Signal(str)          # double click on a population

    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.nodes, self.edges = {}, {}
        self.dark = False               # set by the view from its palette (arrow label colours)
        self._connect_from = None
        self._rubber_line = None
        self._syncing = False
        self.setSceneRect(-2000, -1500, 4000, 3000)
        controller.changed.connect(self._on_change)
        controller.replaced.connect(self.rebuild)
        self.rebuild()

    @property
    def document(self):
        return self.controller.document

    # ------------------------------------------------------------ mirroring
    def rebuild(self):
        self.clearSelection()
        for edge in list(self.edges.values()):
            self.removeItem(edge)
        for node in list(self.nodes.values()):
            self.removeItem(node)
        self.nodes.clear()
        self.edges.clear()
        missing = [p["name"] for p in self.document.items("populations")
                   if self.document.position(p["name"]) is None]
        placed = auto_layout(self.document, missing) if missing else {}
        for pop in self.document.items("populations"):
            self._add_node(pop, placed.get(pop["name"]))
        self._rebuild_edges()

    def _add_node(self, pop, fallback=None):
        node = PopulationNode(pop["name"])
        self.addItem(node)
        self.nodes[pop["name"]] = node
        pos = self.document.position(pop["name"]) or fallback
        if pos is None:
            pos = free_position(self.document)
        self._syncing = True
        node.setPos(QPointF(*pos))
        self._syncing = False
        self._restyle(pop["name"])
        return node

    def _restyle(self, name):
        pop = self.document.population(name)
        node = self.nodes.get(name)
        if pop is None or node is None:
            return
        kind = catalog.neuron_kind(self.document, pop)
        label = pop.get("neuron") if kind != "source" else {
            "poisson": "Poisson", "spike_source_array": "SpikeSourceArray"}.get(pop.get("kind"), pop.get("kind"))
        node.update_from(pop, kind, label or "?")

    def _rebuild_edges(self):
        for edge in list(self.edges.values()):
            edge.detach()
            self.removeItem(edge)
        self.edges.clear()
        pair_count = {}
        for proj in self.document.items("projections"):
            a, b = ref_population(proj.get("pre")), ref_population(proj.get("post"))
            if a not in self.nodes or b not in self.nodes:
                continue
            key = (a, b)
            index = pair_count.get(key, 0)
            pair_count[key] = index + 1
            edge = ProjectionEdge(proj["name"], self.nodes[a], self.nodes[b])
            reverse = (b, a) in pair_count or any(
                ref_population(p.get("pre")) == b and ref_population(p.get("post")) == a
                for p in self.document.items("projections"))
            edge.bend = index + (1.0 if reverse and a != b else 0.0)
            self.addItem(edge)
            self.edges[proj["name"]] = edge
            self._restyle_edge(proj)

    def _restyle_edge(self, proj):
        edge = self.edges.get(proj["name"])
        if edge is None:
            return
        synapse = proj.get("synapse") or "default"
        target = str(proj.get("target"))
        edge.update_from(proj, synapse, inhibitory=target.startswith("inh") or target in ("gaba", "I"))

    def _on_change(self, change):
        section, key = change.section, change.key
        if section == "populations":
            if change.action == "added":
                pop = self.document.population(key)
                if pop is not None and key not in self.nodes:
                    self._add_node(pop)
            elif change.action == "removed":
                node = self.nodes.pop(key, None)
                if node is not None:
                    self.removeItem(node)
                self._rebuild_edges()
            elif change.action == "renamed":
                node = self.nodes.pop(change.old, None)
                if node is not None:
                    node.name = change.new
                    self.nodes[change.new] = node
                    self._restyle(change.new)
            else:
                self._restyle(key)
        elif section == "projections":
            if change.action == "changed" and change.field not in ("pre", "post") and key in self.edges:
                self._restyle_edge(self.document.projection(key))
            else:
                self._rebuild_edges()
        elif section == "neurons":
            for name in list(self.nodes):
                self._restyle(name)
        elif section == "layout":
            node = self.nodes.get(key)
            pos = self.document.position(key)
            if node is not None and pos is not None and (node.pos().x(), node.pos().y()) != pos:
                self._syncing = True
                node.setPos(QPointF(*pos))
                self._syncing = False

    # ------------------------------------------------------------ gestures -> commands
    def nodes_released(self):
        moved = {}
        for name, node in self.nodes.items():
            pos = (round(node.pos().x(), 1), round(node.pos().y(), 1))
            if self.document.position(name) != pos:
                moved[name] = pos
        if moved:
            self.controller.push(C.move_nodes(moved))

    def node_activated(self, name):
        self.nodeActivated.emit(name)

    def node_at(self, scene_pos):
        for item in self.items(scene_pos):
            if isinstance(item, PopulationNode):
                return item
        return None

    def edge_at(self, scene_pos):
        for item in self.items(scene_pos):
            if isinstance(item, ProjectionEdge):
                return item
        return None

    def begin_connection(self, node, scene_pos):
        self._connect_from = node
        self._rubber_line = QGraphicsLineItem(QLineF(node.center(), scene_pos))
        self._rubber_line.setPen(QPen(QColor("#777777"), 1.5))
        self._rubber_line.setZValue(5)
        self.addItem(self._rubber_line)

    def mouseMoveEvent(self, event):
        if self._rubber_line is not None:
            self._rubber_line.setLine(QLineF(self._connect_from.center(), event.scenePos()))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event):
        if self._rubber_line is not None:
            self.removeItem(self._rubber_line)
            self._rubber_line = None
            source, self._connect_from = self._connect_from, None
            target = self.node_at(event.scenePos())
            if target is not None:
                self.connect_populations(source.name, target.name)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def connect_populations(self, pre, post, target="exc", synapse=None):
        item = default_projection(self.document, pre, post, target, synapse)
        self.controller.push(C.add_projection(self.document, item))
        return item["name"]

    def drop_type(self, section, name, scene_pos):
        """A palette drop: a neuron type on empty space adds a population, on a node
        changes its type; a synapse type on an arrow sets the projection's synapse."""
        children = []
        entry = catalog.reference_definition(self.document, section, name)
        if entry is not None:
            children.append(C.SetType(section, name, entry, text=f"Add type {name}"))
        if section == "synapses":
            edge = self.edge_at(scene_pos)
            if edge is None:
                self.controller.error.emit("Drop a synapse type onto a projection arrow")
                return False
            children.append(C.SetField("projections", edge.name, "synapse", name))
            return self.controller.push(C.Compound(f"Use synapse {name} in {edge.name}", children))
        node = self.node_at(scene_pos)
        if name in catalog.SOURCES:
            kind = {"PoissonPopulation": "poisson", "SpikeSourceArray": "spike_source_array"}[name]
            pop = default_population(self.document, kind=kind)
            children = []
        elif node is not None:
            children.append(C.SetField("populations", node.name, "neuron", name))
            return self.controller.push(C.Compound(f"Use neuron {name} in {node.name}", children))
        else:
            pop = default_population(self.document, neuron=name)
        pos = (scene_pos.x() - NODE_W / 2, scene_pos.y() - NODE_H / 2)
        children.append(C.add_population(self.document, pop, pos=pos))
        return self.controller.push(C.Compound(f"Add population {pop['name']}", children))

    def selected_names(self):
        pops = [i.name for i in self.selectedItems() if isinstance(i, PopulationNode)]
        projs = [i.name for i in self.selectedItems() if isinstance(i, ProjectionEdge)]
        return pops, projs

    def delete_selection(self):
        pops, projs = self.selected_names()
        if pops or projs:
            self.controller.push(C.remove_selection(self.document, pops, projs))

    def apply_auto_layout(self):
        positions = auto_layout(self.document)
        if positions:
            self.controller.push(C.Compound("Automatic layout", [C.move_nodes(positions)]))

    def select(self, name):
        self.clearSelection()
        item = self.nodes.get(name) or self.edges.get(name)
        if item is not None:
            item.setSelected(True)
