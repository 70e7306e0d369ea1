"""One validator, one verdict: for every malformed project of the corpus (malformed_corpus.py),
``annstudio validate``, ``annstudio run``, the studio's Build (the worker's build path, no Qt),
the exporter and, for faults in a type's text, the equation editor's check give the same
verdict and the same located messages: the ones ``project.validate.verdict`` gives."""
import copy
import json

import pytest

from annstudio.cli import EXIT_INVALID, main
from annstudio.core.errors import AnnstudioError
from annstudio.core.model.checks import spec_problems
from annstudio.gui import catalog
from annstudio.gui.run.worker import build_project
from annstudio.project.document import ProjectDocument
from annstudio.project.export import export_script
from annstudio.project.format import InvalidProject, load_document
from annstudio.project.convert import build
from annstudio.project.runner import run_project
from annstudio.project.validate import Project, verdict

from malformed_corpus import cases, _small
from project_helpers import GALLERY, trimmed

CASES = cases()


def test_the_corpus_is_large_and_its_bases_are_valid():
    assert len(CASES) >= 100
    assert len({c.id for c in CASES}) == len(CASES)
    for doc in [_small()] + [trimmed(json.loads(p.read_text()), 5.0) for p in GALLERY]:
        assert verdict(doc).errors == [], doc["name"]


def _cli(args, capsys):
    code = main(args)
    lines = capsys.readouterr().err.splitlines()
    return code, lines[1:]          # below the "PATH: invalid project (N problem(s)):" header


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_every_door_gives_the_same_verdict(case, tmp_path, capsys):
    v = verdict(copy.deepcopy(case.doc))
    assert v.errors, "a malformed project must be refused"
    expected = [f"  {p}" for p in v.errors]
    path = tmp_path / "p.json"
    path.write_text(json.dumps(case.doc))

    assert _cli(["validate", str(path)], capsys) == (EXIT_INVALID, expected)
    out = tmp_path / "r.npz"
    assert _cli(["run", str(path), "--quiet", "--paradigm", "numpy", "--duration", "5", "--out", str(out)],
                capsys) == (EXIT_INVALID, expected)
    assert not out.exists()

    with pytest.raises(InvalidProject) as built:                  # the studio's Build
        build_project(copy.deepcopy(case.doc))
    assert [f"  {p}" for p in built.value.problems] == expected
    with pytest.raises(InvalidProject) as exported:               # the exporter
        export_script(copy.deepcopy(case.doc))
    assert [f"  {p}" for p in exported.value.problems] == expected

    if case.type_key is not None:                                 # the equation editor's check
        shown = catalog.type_problems(ProjectDocument(copy.deepcopy(case.doc)), *case.type_key)
        assert shown, "the editor must not show a check mark"
        assert [f"  {p}" for p in shown] == [e for e in expected if e.startswith(f"  {'.'.join(case.type_key)}")]


def test_the_two_shown_cases_are_located():
    by_id = {c.id: c for c in CASES}
    prob = verdict(by_id["small-probability_above_1"].doc).errors
    assert [(p.where, p.message) for p in prob] == [
        ("projections[0].connector.args.probability", "probability must be in [0, 1], got 1.5")]
    pruning = next(c for c in CASES if c.id.startswith("small-synapses-S-pruning"))
    assert pruning.doc["synapses"]["S"]["pruning"] == "w < : proba = 0.5"
    shown = catalog.type_problems(ProjectDocument(pruning.doc), "synapses", "S")
    assert [(p.where, p.line) for p in shown] == [("synapses.S.pruning", 1)]
    assert "syntax error" in shown[0].message


def test_editor_check_is_cached_per_revision():
    doc = ProjectDocument(_small())
    first = doc.verdict()
    assert doc.verdict() is first and doc.type_analysis("neurons", "LIF") is doc.type_analysis("neurons", "LIF")
    doc.set_type_field("synapses", "S", "pruning", "w < : proba = 0.5")
    assert doc.verdict() is not first
    assert [p.where for p in catalog.type_problems(doc, "synapses", "S")] == ["synapses.S.pruning"]
    assert doc.type_analysis("synapses", "S") is None


# refused although the engine would run them, silently doing something else than written
STRICTER = {
    "small-set_global_on_view",        # a view's population-wide parameter: set for the whole population
    "small-self_connections_text",     # "yes" read as True
    "small-number_pre_fraction",       # 2.5 synapses read as 2
    "small-gaussian_sigma_zero",       # weights all NaN (a division by zero)
}


def test_the_checks_refuse_what_the_engine_refuses():
    """``core.model.checks`` makes the engine's own preconditions early: every corpus case it refuses
    also fails when built and played with the checks bypassed (not a guess of what might fail)."""
    checked = 0
    for case in CASES:
        try:
            built = build(load_document(copy.deepcopy(case.doc)))     # header and schema first, as always
        except InvalidProject:
            continue
        if not spec_problems(built.spec, built.protocol) or case.id in STRICTER:
            continue
        checked += 1
        with pytest.raises((AnnstudioError, ValueError, KeyError)):       # the last two: crashes
            run_project(Project(case.doc, built), paradigm="numpy")
    assert checked >= 40


def test_what_the_engine_accepts_still_passes():
    """The checks are not stricter than they say: arrays of the right length, a fixed number of
    synapses, a stop condition with its mode all pass and run."""
    doc = _small()
    doc["projections"][0]["connector"].update(method="all_to_all", args={}, weights={"array": [0.2] * 100})
    doc["projections"][0]["initial"] = {"w": {"array": [0.1] * 100}}
    doc["populations"][0]["stop_condition"] = "v > 0.5 : any"
    doc["protocol"] += [{"action": "set", "target": "A", "variable": "I", "value": {"array": [1.0] * 20}},
                        {"action": "simulate_until", "max_duration": 5.0, "population": "A"}]
    v = verdict(doc)
    assert v.errors == []
    result = run_project(Project(v.data, v.built), paradigm="numpy")
    assert result.recordings
