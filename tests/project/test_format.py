"""Project files: strict reading, schema, migrations, round trips and atomic saving."""
import json

import pytest

from annstudio.project import format as fmt
from annstudio.project.convert import build
from annstudio.project.format import InvalidProject, canonical_json, document_digest, save_document
from annstudio.project.validate import check_document, load_project

from project_helpers import GALLERY


def test_schema_is_a_valid_draft_2020_12_schema():
    assert fmt.schema()["$schema"].endswith("2020-12/schema")


@pytest.mark.parametrize("path", GALLERY, ids=lambda p: p.stem)
def test_gallery_files_are_schema_valid_and_canonical(path):
    data = fmt.read_document(path)
    assert fmt.schema_problems(data) == []
    assert canonical_json(data) == path.read_text(encoding="utf-8"), "gallery files are saved in canonical form"


def test_round_trip_document_file_document(tmp_path, small_doc):
    project = check_document(small_doc)
    path = project.save(tmp_path / "p.json")
    again = load_project(path)
    assert again.data == project.data
    assert again.digest == project.digest
    assert canonical_json(again.data) == path.read_text(encoding="utf-8")
    # the network description is the same too
    a, b = build(project.data).spec, build(again.data).spec
    assert [p.name for p in a.populations] == [p.name for p in b.populations]
    assert a.populations[1].initial["I"] == b.populations[1].initial["I"]
    assert a.projections[0].connector == b.projections[0].connector


@pytest.mark.parametrize("path", GALLERY, ids=lambda p: p.stem)
def test_gallery_round_trip(tmp_path, path):
    data = fmt.read_document(path)
    out = tmp_path / path.name
    save_document(data, out)
    assert fmt.read_document(out) == data
    assert document_digest(fmt.read_document(out)) == document_digest(data)


def test_digest_ignores_layout_and_key_order(small_doc):
    d1 = document_digest(small_doc)
    small_doc["layout"] = {"A": {"x": 99.0, "y": 1.0}}
    assert document_digest(small_doc) == d1
    reordered = dict(reversed(list(small_doc.items())))
    assert document_digest(reordered) == d1
    small_doc["settings"]["seed"] = 8
    assert document_digest(small_doc) != d1


def test_atomic_save_keeps_a_backup_and_never_writes_invalid(tmp_path, small_doc):
    path = tmp_path / "p.json"
    save_document(small_doc, path)
    first = path.read_bytes()
    small_doc["name"] = "second"
    save_document(small_doc, path)
    assert (tmp_path / "p.json.bak").read_bytes() == first
    assert json.loads(path.read_text())["name"] == "second"
    before = path.read_bytes()
    small_doc["populations"][0]["geometry"] = -1
    with pytest.raises(InvalidProject) as err:
        save_document(small_doc, path)
    assert err.value.problems[0].where == "populations[0].geometry"
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.json", "p.json.bak"], "no temporary file left"


def test_failed_write_leaves_the_previous_file(tmp_path, small_doc, monkeypatch):
    path = tmp_path / "p.json"
    save_document(small_doc, path)
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise OSError("disk full")
    monkeypatch.setattr(fmt.os, "replace", boom)
    with pytest.raises(OSError):
        save_document(small_doc, path)
    assert path.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_future_version_is_refused(small_doc):
    small_doc["schema_version"] = fmt.SCHEMA_VERSION + 1
    with pytest.raises(InvalidProject) as err:
        check_document(small_doc)
    assert err.value.problems[0].where == "schema_version"
    assert "newer" in err.value.problems[0].message


def test_migrations_run_one_function_per_bump_in_order(small_doc):
    calls = []

    def m1(d):
        calls.append(1)
        d = dict(d)
        d["renamed"] = d.pop("name")
        return d

    def m2(d):
        calls.append(2)
        d = dict(d)
        d["title"] = d.pop("renamed")
        return d
    out = fmt.migrate(small_doc, {1: m1, 2: m2})
    assert calls == [1, 2]
    assert out["schema_version"] == 3 and out["title"] == "small" and "name" not in out
    assert small_doc["schema_version"] == 1, "the input is not modified"
    assert fmt.migrate(small_doc) == small_doc, "version 1 is current: nothing to migrate"


def test_every_schema_problem_is_reported_with_its_path(small_doc):
    small_doc["populations"][0]["geometry"] = "big"
    small_doc["settings"]["dt"] = -1
    small_doc["monitors"][0]["period"] = "often"
    with pytest.raises(InvalidProject) as err:
        check_document(small_doc)
    wheres = {p.where for p in err.value.problems}
    assert {"populations[0].geometry", "settings.dt", "monitors[0].period"} <= wheres


def test_equation_errors_name_block_and_line(small_doc):
    small_doc["neurons"]["LIF"]["equations"] = "tau * dv/dt = -v + I\nu = v +* 2"
    with pytest.raises(InvalidProject) as err:
        check_document(small_doc)
    p = err.value.problems[0]
    assert (p.where, p.line) == ("neurons.LIF.equations", 2)
    assert str(p).startswith("neurons.LIF.equations, line 2: ")


def test_inline_types_are_located_inside_the_population(small_doc):
    small_doc["populations"][0]["neuron"] = {"parameters": "tau = 10.0", "equations": "tau * dr/dt = 1 +",
                                             "spike": ""}
    with pytest.raises(InvalidProject) as err:
        check_document(small_doc)
    assert str(err.value.problems[0]).startswith("populations[0].neuron.equations, line 1: ")


def test_several_semantic_problems_are_all_reported(small_doc):
    small_doc["projections"][0]["pre"] = "Nope"
    small_doc["monitors"][1]["target"] = "Missing"
    small_doc["protocol"][1]["target"] = "Ghost"
    with pytest.raises(InvalidProject) as err:
        check_document(small_doc)
    wheres = {p.where for p in err.value.problems}
    assert {"projections[0].pre", "monitors[1].target", "protocol[1].target"} <= wheres


def test_strict_json(tmp_path):
    for text, where in [('{"format": "annstudio-project", "format": "x"}', ""),
                        ('{"a": NaN}', ""), ('{"a": 1', "line 1, column 8")]:
        with pytest.raises(InvalidProject) as err:
            fmt.parse_text(text)
        assert err.value.problems[0].where == where
