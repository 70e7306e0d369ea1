"""Undoable edits of a ``ProjectDocument``: plain-Python commands with
``apply(doc)`` / ``revert(doc)``, and a small undo stack.  No Qt here (the GUI
wraps each command in a ``QUndoCommand``).

A command records what it needs to revert when it is applied (old values,
removed items and their indices), so apply/revert/apply is exact.  Compound
edits are ``Compound`` parents of child commands: removing a population
removes its projections and monitors first; renaming a population rewrites
the projections, monitors, layout and protocol steps that name it.
"""
import copy

from .document import MISSING, ref_population, renamed_ref


class Command:
    """Base class: ``text`` is what the history view shows."""

    text = "edit"
    merge_key = None        # commands with the same non-None key may merge

    def apply(self, doc):
        raise NotImplementedError

    def revert(self, doc):
        raise NotImplementedError

    def merge(self, other):
        """Absorb ``other`` (already applied) into self; True when merged."""
        return False


class Compound(Command):
    """Children applied in order and reverted in reverse order."""

    def __init__(self, text, children=()):
        self.text = text
        self.children = list(children)

    def apply(self, doc):
        done = []
        try:
            for child in self.children:
                child.apply(doc)
                done.append(child)
        except Exception:
            for child in reversed(done):
                child.revert(doc)
            raise

    def revert(self, doc):
        for child in reversed(self.children):
            child.revert(doc)


class SetField(Command):
    """Set ``item[field]`` of a population/projection/monitor (``field`` may be a path tuple)."""

    def __init__(self, section, name, field, value, text=None):
        self.section, self.name, self.field = section, name, field
        self.value = copy.deepcopy(value)
        label = ".".join(field) if isinstance(field, tuple) else field
        self.text = text or f"Set {name}.{label}"
        self.merge_key = ("field", section, name, field)
        self.old = None

    def apply(self, doc):
        self.old = doc.set_item_field(self.section, self.name, self.field, self.value)

    def revert(self, doc):
        doc.set_item_field(self.section, self.name, self.field, self.old)

    def merge(self, other):
        if isinstance(other, SetField) and other.merge_key == self.merge_key:
            self.value = other.value
            return True
        return False


class SetTypeField(Command):
    """Change one text block of a neuron/synapse type (typing merges into one step)."""

    def __init__(self, section, name, field, value):
        self.section, self.name, self.field, self.value = section, name, field, value
        self.text = f"Edit {name} {field}"
        self.merge_key = ("type", section, name, field)
        self.old = None

    def apply(self, doc):
        self.old = doc.set_type_field(self.section, self.name, self.field, self.value)

    def revert(self, doc):
        doc.set_type_field(self.section, self.name, self.field, self.old)

    def merge(self, other):
        if isinstance(other, SetTypeField) and other.merge_key == self.merge_key:
            self.value = other.value
            return True
        return False


class SetType(Command):
    """Add, replace or (``definition=MISSING``) delete a neuron/synapse type."""

    def __init__(self, section, name, definition, text=None):
        self.section, self.name = section, name
        self.definition = copy.deepcopy(definition)
        self.text = text or (f"Remove type {name}" if definition is MISSING else f"Set type {name}")
        self.old = None

    def apply(self, doc):
        self.old = doc.set_type(self.section, self.name, self.definition)

    def revert(self, doc):
        doc.set_type(self.section, self.name, self.old)


class InsertItem(Command):
    def __init__(self, section, item, index=None, text=None):
        self.section, self.item, self.index = section, copy.deepcopy(item), index
        self.text = text or f"Add {item.get('name')}"
        self.at = None

    def apply(self, doc):
        if doc.find(self.section, self.item.get("name")) is not None:
            raise ValueError(f"the name {self.item.get('name')!r} is already used")
        self.at = doc.insert_item(self.section, self.item, self.index)

    def revert(self, doc):
        doc.remove_item(self.section, self.item.get("name"))


class RemoveItem(Command):
    def __init__(self, section, name, text=None):
        self.section, self.name = section, name
        self.text = text or f"Remove {name}"
        self.index = self.item = None

    def apply(self, doc):
        self.index, self.item = doc.remove_item(self.section, self.name)

    def revert(self, doc):
        doc.insert_item(self.section, self.item, self.index)


class SetPosition(Command):
    """Move one node; consecutive moves of the same node merge."""

    def __init__(self, name, pos):
        self.name, self.pos = name, (float(pos[0]), float(pos[1])) if pos is not None else None
        self.text = f"Move {name}"
        self.old = None

    def apply(self, doc):
        self.old = doc.set_position(self.name, self.pos)

    def revert(self, doc):
        doc.set_position(self.name, self.old)


def move_nodes(positions):
    """One undo step for moving several nodes: ``{name: (x, y)}``."""
    children = [SetPosition(name, pos) for name, pos in positions.items()]
    if len(children) == 1:
        return children[0]
    return Compound(f"Move {len(children)} nodes", children)


def add_population(doc, item, pos=None):
    children = [InsertItem("populations", item, text=f"Add population {item['name']}")]
    if pos is not None:
        children.append(SetPosition(item["name"], pos))
    return Compound(children[0].text, children)


def remove_population(doc, name):
    """Remove the projections and monitors that use it, its layout, then itself."""
    children = []
    for proj in doc.projections_of(name):
        children.extend(RemoveItem("monitors", m) for m in doc.monitors_of(proj))
        children.append(RemoveItem("projections", proj))
    children.extend(RemoveItem("monitors", m) for m in doc.monitors_of(name))
    if doc.position(name) is not None:
        children.append(SetPosition(name, None))
    children.append(RemoveItem("populations", name))
    return Compound(f"Remove population {name}", children)


def add_projection(doc, item):
    return InsertItem("projections", item, text=f"Add projection {item['name']}")


def remove_projection(doc, name):
    children = [RemoveItem("monitors", m) for m in doc.monitors_of(name)]
    children.append(RemoveItem("projections", name))
    return Compound(f"Remove projection {name}", children)


def remove_selection(doc, populations=(), projections=()):
    """One step removing several items (projections of removed populations once)."""
    children, gone = [], set()
    for name in populations:
        for proj in doc.projections_of(name):
            gone.add(proj)
    for name in projections:
        if name not in gone:
            children.append(remove_projection(doc, name))
    # each population removal is built against the document as it will be then
    return _Deferred("Remove selection", children,
                     [lambda d, n=n: remove_population(d, n) for n in populations])


class _Deferred(Compound):
    """A compound whose later children are built when applied (they depend on earlier ones)."""

    def __init__(self, text, children, factories):
        super().__init__(text, children)
        self._factories = factories
        self._built = False

    def apply(self, doc):
        if self._built:
            return super().apply(doc)
        for child in self.children:
            child.apply(doc)
        for factory in self._factories:
            child = factory(doc)
            child.apply(doc)
            self.children.append(child)
        self._built = True


class RenameItem(Command):
    """Rename a population/projection/monitor and every reference to it."""

    def __init__(self, section, old, new):
        self.section, self.old_name, self.new_name = section, old, new
        self.text = f"Rename {old} to {new}"

    def _rename(self, doc, old, new):
        if doc.find(self.section, new) is not None:
            raise ValueError(f"the name {new!r} is already used")
        doc.rename_item(self.section, old, new)
        if self.section == "populations":
            for proj in list(doc.items("projections")):
                for side in ("pre", "post"):
                    if ref_population(proj.get(side)) == old:
                        doc.set_item_field("projections", proj["name"], side,
                                           renamed_ref(proj[side], old, new))
            pos = doc.position(old)
            if pos is not None:
                doc.set_position(old, None)
                doc.set_position(new, pos)
        if self.section in ("populations", "projections"):
            for mon in list(doc.items("monitors")):
                if mon.get("target") == old:
                    doc.set_item_field("monitors", mon["name"], "target", new)
            steps = doc.items("protocol")
            if any(s.get("target") == old or s.get("population") == old for s in steps):
                new_steps = copy.deepcopy(steps)
                for step in new_steps:
                    for key in ("target", "population"):
                        if step.get(key) == old:
                            step[key] = new
                doc.set_protocol(new_steps)

    def apply(self, doc):
        self._rename(doc, self.old_name, self.new_name)

    def revert(self, doc):
        self._rename(doc, self.new_name, self.old_name)


class SetSetting(Command):
    def __init__(self, key, value):
        self.key, self.value = key, value
        self.text = f"Set {key} = {value}"
        self.merge_key = ("setting", key)
        self.old = None

    def apply(self, doc):
        self.old = doc.set_setting(self.key, self.value)

    def revert(self, doc):
        doc.set_setting(self.key, self.old)

    def merge(self, other):
        if isinstance(other, SetSetting) and other.key == self.key:
            self.value = other.value
            return True
        return False


class SetProtocol(Command):
    def __init__(self, steps):
        self.steps = copy.deepcopy(list(steps))
        self.text = "Edit protocol"
        self.old = None

    def apply(self, doc):
        self.old = doc.set_protocol(self.steps)

    def revert(self, doc):
        doc.set_protocol(self.old)


class SetMeta(Command):
    def __init__(self, key, value):
        self.key, self.value = key, value
        self.text = f"Set project {key}"
        self.old = None

    def apply(self, doc):
        self.old = doc.set_meta(self.key, self.value)

    def revert(self, doc):
        if self.old is MISSING:
            doc.set_meta(self.key, "")
        else:
            doc.set_meta(self.key, self.old)


class UndoStack:
    """A plain undo stack (the GUI uses QUndoStack over the same commands)."""

    def __init__(self, doc):
        self.doc = doc
        self.done, self.undone = [], []

    def push(self, command, merge=True):
        command.apply(self.doc)
        if merge and self.done and command.merge_key is not None and self.done[-1].merge(command):
            pass
        else:
            self.done.append(command)
        self.undone.clear()

    def undo(self):
        if self.done:
            command = self.done.pop()
            command.revert(self.doc)
            self.undone.append(command)

    def redo(self):
        if self.undone:
            command = self.undone.pop()
            command.apply(self.doc)
            self.done.append(command)

    @property
    def can_undo(self):
        return bool(self.done)

    @property
    def can_redo(self):
        return bool(self.undone)
