"""The model owns the project dict <-> typed description mapping, through one field table:
round trips for every standard-library type and every gallery project's types and protocol
steps, and the JSON Schema agrees with the table."""
import json
from pathlib import Path

import pytest

from annstudio.core import library
from annstudio.core.errors import AnnstudioError
from annstudio.core.model import Neuron, Synapse
from annstudio.core.model.fields import field_names, fields_of, schema_properties, text_fields
from annstudio.core.model.records import (geometry_of, monitor_from_dict, monitor_to_dict, pop_ref_from_dict,
                                          population_from_dict, population_to_dict, projection_from_dict,
                                          projection_to_dict, step_from_dict, step_to_dict, type_from_dict)
from annstudio.project import format as fmt
from annstudio.project.convert import build

GALLERY = sorted((Path(__file__).resolve().parents[2] / "projects").glob("*.json"))
CLASSES = {"neurons": Neuron, "synapses": Synapse}


def _library_types():
    for section, table in (("neurons", library.NEURONS), ("synapses", library.SYNAPSES)):
        for name in sorted(table):
            yield pytest.param(section, name, id=f"{section}-{name}")


def _gallery_types():
    for path in GALLERY:
        data = json.loads(path.read_text())
        for section in ("neurons", "synapses"):
            for name, d in data.get(section, {}).items():
                yield pytest.param(section, name, d, id=f"{path.stem}-{section}-{name}")
        for key, section, field in (("populations", "neurons", "neuron"), ("projections", "synapses", "synapse")):
            for item in data.get(key, []):
                if isinstance(item.get(field), dict):
                    yield pytest.param(section, item["name"], item[field], id=f"{path.stem}-inline-{item['name']}")


def _same_text(a, b):
    return ("" if a is None else a) == ("" if b is None else b)


@pytest.mark.parametrize("section, name", list(_library_types()))
def test_library_type_round_trips(section, name):
    obj = (library.NEURONS if section == "neurons" else library.SYNAPSES)[name]()
    d = obj.to_dict()
    assert set(d) == set(field_names(section)) | {"name", "description"}
    again = CLASSES[section].from_dict(d)
    assert again == obj and again.name == obj.name and again.description == obj.description
    assert again.to_dict() == d
    assert again.type == obj.type
    assert again.analysis().names == obj.analysis().names


@pytest.mark.parametrize("section, name, d", list(_gallery_types()))
def test_gallery_type_round_trips(section, name, d):
    obj = type_from_dict(section, d, name=name)
    if "standard" in d:
        expected = (library.NEURONS if section == "neurons" else library.SYNAPSES)[d["standard"]](**d.get("args", {}))
        assert obj == expected
        return
    out = obj.to_dict()
    for key, value in d.items():
        if key in text_fields(section) and key != "refractory":
            assert _same_text(out[key], value), key
        elif key != "name":
            assert out[key] == value, key
    again = type_from_dict(section, out, name=name)
    assert again == obj and again.to_dict() == out
    obj.analysis()        # every gallery type parses


@pytest.mark.parametrize("path", GALLERY, ids=lambda p: p.stem)
def test_gallery_protocol_steps_round_trip(path):
    data = json.loads(path.read_text())
    sizes = {p["name"]: 1 for p in data.get("populations", [])}
    targets = set(sizes) | {p["name"] for p in data.get("projections", [])}
    for i, st in enumerate(data.get("protocol", [])):
        step = step_from_dict(st, f"protocol[{i}]", sizes, targets)
        assert step_from_dict(step_to_dict(step), f"protocol[{i}]", sizes, targets) == step


@pytest.mark.parametrize("section, definition", [("neurons", "custom_neuron"), ("synapses", "custom_synapse")])
def test_schema_agrees_with_the_field_table(section, definition):
    schema = fmt.schema()["$defs"][definition]
    assert schema["properties"] == schema_properties(section)
    assert schema["additionalProperties"] is False


def test_unknown_field_is_refused_with_its_place():
    with pytest.raises(AnnstudioError) as err:
        type_from_dict("synapses", {"equations": "", "prunning": "w < 0"}, name="S")
    assert err.value.where == "synapses.S" and "prunning" in err.value.message
    with pytest.raises(AnnstudioError) as err:
        type_from_dict("neurons", {"standard": "Izhikevich", "args": {"nope": 1}}, name="N")
    assert err.value.where == "neurons.N.args"


def test_every_synapse_text_field_is_parsed():
    """pruning/creating belong to the table, so a syntax error there is found (it was not)."""
    for field in (f.name for f in fields_of("synapses") if f.kind == "text" and f.simulated):
        bad = Synapse.from_dict({"equations": "dw/dt = -w", field: "w < : proba = 0.5"}, name="S")
        with pytest.raises(AnnstudioError):
            bad.analysis("rate" if field not in ("pre_spike", "post_spike", "pre_axon_spike") else "spike")


def _json(d):
    return json.dumps(d, sort_keys=True)


def _plain(value):
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


@pytest.mark.parametrize("path", GALLERY, ids=lambda p: p.stem)
def test_gallery_populations_projections_monitors_round_trip(path):
    data = fmt.read_document(path)
    spec = build(data).spec
    sizes = {p.name: p.size for p in spec.populations}
    for d, pop in zip(data["populations"], spec.populations, strict=True):
        out = population_to_dict(pop, neuron=d.get("neuron"))
        assert (out["name"], out["neuron"], out["kind"]) == (d["name"], d.get("neuron"), d.get("kind", "standard"))
        assert geometry_of(out["geometry"]) == geometry_of(d["geometry"])
        for key, value in (d.get("initial") or {}).items():
            if not (isinstance(value, dict) and "segments" in value):
                assert out["initial"][key] == _plain(value), key
        inline = population_to_dict(pop)                      # by default the type is written inline
        assert type_from_dict("neurons", inline["neuron"], name=pop.name) == pop.neuron
        again = population_from_dict(out, "p", pop.neuron)
        assert _json(population_to_dict(again, neuron=d.get("neuron"))) == _json(out)
    for d, proj in zip(data["projections"], spec.projections, strict=True):
        out = projection_to_dict(proj, synapse=d.get("synapse"))
        assert (out["name"], out["target"], out["synapse"]) == (d["name"], d["target"], d.get("synapse"))
        c = d.get("connector")
        assert out["connector"]["method"] == c["method"]
        assert {k: out["connector"]["args"][k] for k in c.get("args") or {}} == (c.get("args") or {})
        if not isinstance(c.get("weights"), dict) or "distribution" in c["weights"]:
            assert out["connector"]["weights"] == _plain(c.get("weights"))
        pre, post = (pop_ref_from_dict(out[k], k, sizes) for k in ("pre", "post"))
        assert (pre, post) == (proj.pre, proj.post)
        again = projection_from_dict(out, "x", pre, post, proj.synapse)
        assert _json(projection_to_dict(again, synapse=d.get("synapse"))) == _json(out)
    for d, mon in zip(data["monitors"], spec.monitors, strict=True):
        out = monitor_to_dict(mon)
        assert (out["name"], out["target"], out["variables"]) == (d["name"], d["target"], d["variables"])
        again = monitor_from_dict(out, "m", mon.kind, sizes.get(mon.target))
        assert monitor_to_dict(again) == out
