"""Copy and paste of canvas selections as JSON (pure Python, no Qt).

A copied selection holds the selected populations, the projections between
them, their monitors, positions and the custom types they use.  Pasting
renames clashing items, offsets positions and returns one compound command.
"""
import copy
import json

from ...project import commands as C
from ...project.document import ref_population, renamed_ref

MIME = "application/x-annstudio-selection"


def copy_selection(document, populations):
    names = set(populations)
    projections = [p for p in document.items("projections")
                   if ref_population(p.get("pre")) in names and ref_population(p.get("post")) in names]
    targets = names | {p["name"] for p in projections}
    data = {"populations": [document.population(n) for n in populations],
            "projections": projections,
            "monitors": [m for m in document.items("monitors") if m.get("target") in targets],
            "layout": {n: document.position(n) for n in populations if document.position(n)},
            "neurons": {}, "synapses": {}}
    for pop in data["populations"]:
        t = pop.get("neuron")
        if t and t in document.data["neurons"]:
            data["neurons"][t] = document.data["neurons"][t]
    for proj in projections:
        t = proj.get("synapse")
        if t and t in document.data["synapses"]:
            data["synapses"][t] = document.data["synapses"][t]
    return json.dumps(copy.deepcopy(data))


def paste_command(document, text, offset=(40.0, 40.0)):
    """A command adding the copied items (None when ``text`` is not a selection)."""
    try:
        data = json.loads(text)
    except (TypeError, ValueError):
        return None
    if not isinstance(data, dict) or not data.get("populations"):
        return None
    children, taken, renames = [], set(document.all_names()), {}

    def fresh(name):
        base, i = name, 1
        while name in taken:
            name = f"{base}_{i}"
            i += 1
        taken.add(name)
        return name

    for section in ("neurons", "synapses"):
        for name, definition in (data.get(section) or {}).items():
            if name not in document.data[section]:
                children.append(C.SetType(section, name, definition))
    for pop in data["populations"]:
        new = fresh(pop["name"])
        renames[pop["name"]] = new
        item = dict(pop, name=new)
        pos = (data.get("layout") or {}).get(pop["name"])
        pos = (pos[0] + offset[0], pos[1] + offset[1]) if pos else None
        children.append(C.add_population(document, item, pos=pos))
    for proj in data.get("projections") or []:
        new = fresh(proj["name"])
        renames[proj["name"]] = new
        item = dict(proj, name=new)
        for side in ("pre", "post"):
            old = ref_population(proj[side])
            item[side] = renamed_ref(proj[side], old, renames.get(old, old))
        children.append(C.add_projection(document, item))
    for mon in data.get("monitors") or []:
        item = dict(mon, name=fresh(mon["name"]), target=renames.get(mon.get("target"), mon.get("target")))
        children.append(C.InsertItem("monitors", item))
    return C.Compound(f"Paste {len(data['populations'])} population(s)", children)
