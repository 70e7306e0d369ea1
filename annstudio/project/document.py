"""The editable project document: the project JSON (docs/project-format.md) as a
plain dict, with per-field change events.  No Qt here.

Owns
- ``ProjectDocument``: holds the JSON-compatible dict, read helpers (population,
  projection, type lookups, the projections touching a population, unique
  names), and the *low-level* mutations that commands call.  Every mutation
  emits one ``Change`` to the subscribed observers (plain callables).
- ``Change``: what changed: ``section`` (``populations``, ``projections``,
  ``monitors``, ``neurons``, ``synapses``, ``settings``, ``protocol``,
  ``layout``, ``meta``), ``key`` (item name or setting key), ``action``
  (``added``, ``removed``, ``changed``, ``renamed``) and ``field``.
- the dirty state: a revision counter against the revision last saved;
- what is known about the current revision, computed once and cached until the next
  change: ``verdict()`` (the one validator's answer, ``project.validate.verdict``) and
  ``type_object`` / ``type_analysis`` (each type built through the model's field table and
  parsed once, for the editor, the inspector's forms and the canvas).

Views never call the mutators directly: they push commands
(``annstudio.project.commands``) and follow the events.
"""
import copy
import json
from dataclasses import dataclass
from typing import Any, Optional

from ..core.model.records import pop_ref_name, type_from_dict
from .format import FORMAT, SCHEMA_VERSION

LIST_SECTIONS = ("populations", "projections", "monitors")
TYPE_SECTIONS = ("neurons", "synapses")

DEFAULT_SETTINGS = {"dt": 1.0, "seed": None, "paradigm": "openmp", "num_threads": 1,
                    "duration": 1000.0}


def new_project_dict(name="Untitled"):
    """An empty project in the current schema."""
    return {"format": FORMAT, "schema_version": SCHEMA_VERSION, "name": name, "description": "",
            "settings": dict(DEFAULT_SETTINGS), "neurons": {}, "synapses": {}, "populations": [],
            "projections": [], "monitors": [], "protocol": [], "layout": {}}


def normalise(data):
    """Fill the optional sections so readers need no ``get`` chains (a copy)."""
    out = new_project_dict()
    out.update(copy.deepcopy(data or {}))
    for key in ("neurons", "synapses", "layout"):
        if not isinstance(out.get(key), dict):
            out[key] = {}
    for key in LIST_SECTIONS + ("protocol",):
        if not isinstance(out.get(key), list):
            out[key] = []
    settings = dict(DEFAULT_SETTINGS)
    settings.update(out.get("settings") or {})
    out["settings"] = settings
    return out


ref_population = pop_ref_name        # population name of a projection's pre/post (a name or a view)


def renamed_ref(ref, old, new):
    """``ref`` with population ``old`` renamed to ``new`` (views keep their slice)."""
    if isinstance(ref, dict):
        if ref.get("population") == old:
            ref = dict(ref)
            ref["population"] = new
        return ref
    return new if ref == old else ref


@dataclass(frozen=True)
class Change:
    section: str
    key: Any = None
    action: str = "changed"
    field: Optional[Any] = None
    old: Any = None
    new: Any = None


class ProjectDocument:
    """The project being edited; observers get a ``Change`` after each mutation."""

    def __init__(self, data=None, path=None):
        self.data = normalise(data)
        self.path = path
        self._observers = []
        self.revision = 0
        self.saved_revision = 0
        self._cache = {}                 # key -> (revision, value): see verdict() / type_object()

    # ----------------------------------------------------------------- observers
    def subscribe(self, callback):
        self._observers.append(callback)
        return callback

    def unsubscribe(self, callback):
        if callback in self._observers:
            self._observers.remove(callback)

    def _emit(self, change):
        self.revision += 1
        for callback in list(self._observers):
            callback(change)

    # ----------------------------------------------------------------- dirty state
    @property
    def dirty(self):
        return self.revision != self.saved_revision

    def mark_saved(self, path=None):
        if path is not None:
            self.path = path
        self.saved_revision = self.revision
        self._emit_meta_only()

    def _emit_meta_only(self):
        for callback in list(self._observers):
            callback(Change("meta", "saved"))

    # ----------------------------------------------------------------- readers
    @property
    def name(self):
        return self.data.get("name") or "Untitled"

    @property
    def settings(self):
        return self.data["settings"]

    def items(self, section):
        return self.data[section]

    def find(self, section, name):
        """The item dict of a list section by name, or None."""
        for item in self.data[section]:
            if item.get("name") == name:
                return item
        return None

    def index_of(self, section, name):
        for i, item in enumerate(self.data[section]):
            if item.get("name") == name:
                return i
        return -1

    def population(self, name):
        return self.find("populations", name)

    def projection(self, name):
        return self.find("projections", name)

    def monitor(self, name):
        return self.find("monitors", name)

    def type_def(self, section, name):
        return self.data[section].get(name)

    def projections_of(self, population):
        """Names of the projections whose pre or post is ``population``."""
        return [p["name"] for p in self.data["projections"]
                if population in (ref_population(p.get("pre")), ref_population(p.get("post")))]

    def monitors_of(self, target):
        return [m["name"] for m in self.data["monitors"] if m.get("target") == target]

    def all_names(self):
        names = set()
        for section in LIST_SECTIONS:
            names.update(item.get("name") for item in self.data[section])
        return names

    def unique_name(self, prefix, section=None):
        taken = set(self.data[section]) if section in TYPE_SECTIONS else self.all_names()
        if prefix not in taken:
            return prefix
        i = 1
        while f"{prefix}{i}" in taken:
            i += 1
        return f"{prefix}{i}"

    def position(self, name):
        pos = self.data["layout"].get(name)
        if not pos:
            return None
        return float(pos.get("x", 0.0)), float(pos.get("y", 0.0))

    def to_dict(self):
        return copy.deepcopy(self.data)

    # ----------------------------------------------------------------- derived (cached per revision)
    def _cached(self, key, compute):
        hit = self._cache.get(key)
        if hit is not None and hit[0] == self.revision:
            return hit[1]
        value = compute()
        self._cache[key] = (self.revision, value)
        return value

    def remember_verdict(self, revision, value):
        """Keep a verdict computed elsewhere (the equation editor's background check) for ``revision``."""
        if revision == self.revision:
            self._cache["verdict"] = (revision, value)

    def verdict(self):
        """Every located problem of the document (``project.validate.verdict``), once per revision."""
        from .validate import verdict            # validate builds networks: imported when asked
        return self._cached("verdict", lambda: verdict(self.to_dict()))

    def _build_type(self, section, name):
        definition = self.type_def(section, name)
        if definition is None:
            return None, None
        try:
            obj = type_from_dict(section, definition, name=name)
            return obj, obj.analysis()
        except Exception:  # noqa: BLE001 - views ask this while typing: a parser problem is "no analysis"
            return None, None

    def type_object(self, section, name):
        """The ``Neuron``/``Synapse`` of a type entry, or None when it is missing or does not parse."""
        return self._cached(("type", section, name), lambda: self._build_type(section, name))[0]

    def type_analysis(self, section, name):
        """The parsed description of a type entry (cached per revision), or None."""
        return self._cached(("type", section, name), lambda: self._build_type(section, name))[1]

    def to_json(self):
        return json.dumps(self.data, indent=2)

    # ----------------------------------------------------------------- mutations (commands only)
    def insert_item(self, section, item, index=None):
        items = self.data[section]
        index = len(items) if index is None or index < 0 else min(index, len(items))
        items.insert(index, copy.deepcopy(item))
        self._emit(Change(section, item.get("name"), "added", new=index))
        return index

    def remove_item(self, section, name):
        """Remove and return ``(index, item)``."""
        index = self.index_of(section, name)
        if index < 0:
            raise KeyError(f"no {section[:-1]} named {name!r}")
        item = self.data[section].pop(index)
        self._emit(Change(section, name, "removed", old=index))
        return index, item

    def set_item_field(self, section, name, field, value):
        """Set ``item[field]`` (``field`` a key or a tuple path); returns the old value
        (``_MISSING`` when absent; passing ``_MISSING`` deletes the key)."""
        item = self.find(section, name)
        if item is None:
            raise KeyError(f"no {section[:-1]} named {name!r}")
        path = field if isinstance(field, tuple) else (field,)
        holder = item
        for key in path[:-1]:
            if not isinstance(holder.get(key), dict):
                holder[key] = {}
            holder = holder[key]
        old = holder.get(path[-1], MISSING)
        if value is MISSING:
            holder.pop(path[-1], None)
        else:
            holder[path[-1]] = copy.deepcopy(value)
        self._emit(Change(section, name, "changed", field=field, old=old, new=value))
        return old

    def rename_item(self, section, old, new):
        item = self.find(section, old)
        if item is None:
            raise KeyError(f"no {section[:-1]} named {old!r}")
        item["name"] = new
        self._emit(Change(section, old, "renamed", field="name", old=old, new=new))

    def set_type(self, section, name, definition):
        """Set (``definition`` a dict) or delete (``MISSING``) a neuron/synapse type."""
        types = self.data[section]
        old = types.get(name, MISSING)
        if definition is MISSING:
            types.pop(name, None)
            action = "removed"
        else:
            types[name] = copy.deepcopy(definition)
            action = "changed" if old is not MISSING else "added"
        self._emit(Change(section, name, action, old=old, new=definition))
        return old

    def set_type_field(self, section, name, field, value):
        definition = self.data[section][name]
        old = definition.get(field, MISSING)
        if value is MISSING:
            definition.pop(field, None)
        else:
            definition[field] = value
        self._emit(Change(section, name, "changed", field=field, old=old, new=value))
        return old

    def set_setting(self, key, value):
        old = self.data["settings"].get(key, MISSING)
        if value is MISSING:
            self.data["settings"].pop(key, None)
        else:
            self.data["settings"][key] = value
        self._emit(Change("settings", key, "changed", field=key, old=old, new=value))
        return old

    def set_position(self, name, pos):
        layout = self.data["layout"]
        old = self.position(name)
        if pos is None:
            layout.pop(name, None)
        else:
            layout[name] = {"x": float(pos[0]), "y": float(pos[1])}
        self._emit(Change("layout", name, "changed", old=old, new=pos))
        return old

    def set_protocol(self, steps):
        old = self.data["protocol"]
        self.data["protocol"] = copy.deepcopy(list(steps))
        self._emit(Change("protocol", None, "changed", old=old, new=steps))
        return old

    def set_meta(self, key, value):
        old = self.data.get(key, MISSING)
        self.data[key] = value
        self._emit(Change("meta", key, "changed", field=key, old=old, new=value))
        return old


class _Missing:
    def __repr__(self):
        return "MISSING"

    def __deepcopy__(self, memo):
        return self


MISSING = _Missing()
