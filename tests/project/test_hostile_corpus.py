"""A hostile corpus of project files: injection through every name and text field, Unicode tricks,
huge numbers and exponent towers, duplicates, wrong types and resource bombs.  Every case gets a
located error from the one validator (``validate.verdict``) within 2 s per case; the resource bombs
are refused by ``annstudio validate`` and ``annstudio run`` with the estimate and the available memory
in the message; an audit hook proves no case runs a command or writes a file; a seeded fuzz of
project files finds no failure other than located errors; interrupted saves' temporary files are
removed on the next save or open."""
import copy
import json
import os
import random
import time

import pytest
from hostile_helpers import Watch, within

from annstudio import cli
from annstudio.core.equations.names import name_problem
from annstudio.core.model import resources
from annstudio.project.format import remove_stale_temporaries, read_text, save_document
from annstudio.project.validate import verdict
from project_helpers import ROOT, SMALL

MARKER = "PWNED_MARKER"
NAME_PAYLOADS = [
    f'x\nstatic int q = system("touch {MARKER}");', f'x */ system("touch {MARKER}"); /*',
    f"__import__('os').system('touch {MARKER}')", "#include <cstdlib>", 'a"b', "a{b}", "a;b", "a\\b",
    "a\x00b", "a b", "\u202eevil", "emoji\U0001F600", "", "   ", "a" * 5000, "\uff54\uff41\uff55",
    "lambda", "None", "class", "double", "1abc", "{{ x }}", "caf\u00e9",
]
TOWERS = ["10**10**10", "9**9**9**9", "1e308 * 10", "sqrt(-1)", "exp(1e6)", "1" + "0" * 400]


def _set(d, path, value):
    node = d
    keys = [int(k) if k.isdigit() else k for k in path.split("__")]
    for k in keys[:-1]:
        node = node[k]
    node[keys[-1]] = value
    return d


def _doc(**changes):
    d = copy.deepcopy(SMALL)
    for path, value in changes.items():
        _set(d, path, value)
    return d


def _renamed_type(payload):
    d = copy.deepcopy(SMALL)
    d["neurons"] = {payload: d["neurons"]["LIF"]}
    for p in d["populations"]:
        p["neuron"] = payload
    return d


def _renamed_population(payload):
    """Population A renamed everywhere it is referenced."""
    d = _doc(populations__0__name=payload, projections__0__pre={"population": payload, "slice": [0, 10]},
             monitors__0__target=payload, protocol__1__target=payload)
    d["layout"] = {}
    return d


# (case id, document, text expected in the located problem's path or message)
CASES = []
for i, p in enumerate(NAME_PAYLOADS):
    CASES += [
        (f"population_name_{i}", _renamed_population(p), "populations[0]"),
        (f"projection_name_{i}", _doc(projections__0__name=p), "projections[0]"),
        (f"monitor_name_{i}", _doc(monitors__0__name=p), "monitors[0]"),
        (f"type_key_{i}", _renamed_type(p), "neurons"),
        (f"type_name_field_{i}", _doc(neurons__LIF__name=p or "x y"), "neurons.LIF"),
        (f"parameter_{i}", _doc(neurons__LIF__parameters=f"tau = 10.0\nv_T = 1.0\nI = 1.2\n{p.lstrip('#')} = 1"),
         "neurons.LIF.parameters"),
        (f"setting_variable_{i}", _doc(protocol__1__variable=p), "protocol[1]"),
    ]
# targets only ever appear prefixed (g_in, sum__in): keywords are harmless there, anything else is refused
HARMLESS_TARGETS = [p for p in NAME_PAYLOADS if name_problem(p, prefixed=True) is None]
CASES += [(f"target_{i}", _doc(projections__0__target=p), "projections[0].target")
          for i, p in enumerate(NAME_PAYLOADS) if p not in HARMLESS_TARGETS]
for i, t in enumerate(TOWERS):
    CASES += [
        (f"tower_equations_{i}", _doc(neurons__LIF__equations=f"tau * dv/dt = -v + I + g_exc + {t}"),
         "neurons.LIF.equations, line 1"),
        (f"tower_parameters_{i}", _doc(neurons__LIF__parameters=f"tau = 10.0\nv_T = {t}\nI = 1.2"),
         "neurons.LIF.parameters, line 2"),
        (f"tower_init_{i}", _doc(neurons__LIF__equations=f"tau * dv/dt = -v + I + g_exc : init={t}"),
         "neurons.LIF.equations, line 1"),
        (f"tower_spike_{i}", _doc(neurons__LIF__spike=f"v > {t}"), "neurons.LIF.spike, line 1"),
        (f"tower_reset_{i}", _doc(neurons__LIF__reset=f"v = {t}"), "neurons.LIF.reset, line 1"),
        (f"tower_functions_{i}", _doc(neurons__LIF__functions=f"f(x) = x + {t}"), "neurons.LIF.functions, line 1"),
        (f"tower_stop_condition_{i}", _doc(populations__0__stop_condition=f"v > {t}"),
         "populations[0].stop_condition"),
    ]
CASES += [
    ("dup_ode", _doc(neurons__LIF__equations="tau * dv/dt = -v + I + g_exc\ntau * dv/dt = -v"),
     "neurons.LIF.equations, line 2"),
    ("dup_flag", _doc(neurons__LIF__equations="tau * dv/dt = -v + I + g_exc : min=0, min=1"),
     "neurons.LIF.equations, line 1"),
    ("min_above_max", _doc(neurons__LIF__equations="tau * dv/dt = -v + I + g_exc : min=1, max=0"),
     "neurons.LIF.equations, line 1"),
    ("nonbool_spike", _doc(neurons__LIF__spike="v + 1"), "neurons.LIF.spike, line 1"),
    ("blank_spike", _doc(neurons__LIF__spike="   "), "neurons.LIF.spike, line 1"),
    ("keyword_parameter", _doc(neurons__LIF__parameters="tau = 10.0\nv_T = 1.0\nI = 1.2\nyield = 2"),
     "neurons.LIF.parameters, line 4"),
    ("lookalike", _doc(neurons__LIF__parameters="tau = 10.0\nv_T = 1.0\n\uff29 = 1.2"),
     "neurons.LIF.parameters, line 3"),
    ("c_comment", _doc(neurons__LIF__equations="tau * dv/dt = -v + I + g_exc /* x */"),
     "neurons.LIF.equations, line 1"),
    ("probability_above_one", _doc(projections__0__connector__args={"probability": 1.5}),
     "projections[0].connector.args.probability"),
    ("probability_negative", _doc(projections__0__connector__args={"probability": -0.1}),
     "projections[0].connector.args.probability"),
    ("fixed_number_pre_too_many", _doc(projections__0__connector__method="fixed_number_pre",
                                       projections__0__connector__args={"number": 11}),
     "projections[0].connector.args.number"),
    ("negative_refractory", _doc(neurons__LIF__refractory=-2.0), "neurons.LIF.refractory"),
]


def _bomb_all_to_all():
    d = _doc(populations__0__geometry=400000, populations__1__geometry=400000,
             projections__0__pre="A")
    d["projections"][0]["connector"] = {"method": "all_to_all", "weights": 0.1, "delays": None, "args": {}}
    d["populations"][1].pop("initial")
    return d


def _bomb_recording():
    d = json.loads((ROOT / "projects" / "coba.json").read_text())
    d["monitors"][0]["variables"] = ["spike", "v", "g_exc", "g_inh"]
    d["protocol"] = [{"action": "simulate", "duration": 600000.0}]
    return d


def _bomb_probability():
    d = _bomb_all_to_all()
    d["projections"][0]["connector"] = {"method": "fixed_probability", "weights": 0.1, "delays": None,
                                        "args": {"probability": 0.5}}
    return d


BOMBS = [("all_to_all_400k", _bomb_all_to_all(), "projections[0]"),
         ("coba_recording_600s", _bomb_recording(), "monitors[0]"),
         ("fixed_probability_400k", _bomb_probability(), "projections[0]")]


def test_corpus_size():
    assert len(CASES) + len(BOMBS) >= 200
    assert len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case_id,doc,expected", CASES, ids=[c[0] for c in CASES])
def test_hostile_project_gets_a_located_error(tmp_path, monkeypatch, case_id, doc, expected):
    monkeypatch.chdir(tmp_path)
    Watch.start()
    try:
        with within(2.0):
            v = verdict(copy.deepcopy(doc))
    finally:
        Watch.active = False
    assert not Watch.events, Watch.events
    assert list(tmp_path.iterdir()) == []
    assert v.errors, case_id
    text = "\n".join(str(p) for p in v.errors)
    assert all(p.where for p in v.errors), text
    assert expected in text, text


@pytest.mark.parametrize("target", HARMLESS_TARGETS)
def test_keyword_targets_are_harmless(target):
    """A target named like a keyword is accepted (ANNarchy's sum(in)); it reaches code only as g_<target>."""
    assert target.isidentifier()
    v = verdict(_doc(projections__0__target=target))
    assert not v.errors or all(p.where for p in v.errors)
    assert any(target in w.message for w in v.warnings + v.errors)


@pytest.mark.parametrize("case_id,doc,where", BOMBS, ids=[b[0] for b in BOMBS])
def test_resource_bombs_are_refused_by_validate_and_run(tmp_path, capsys, case_id, doc, where):
    path = tmp_path / f"{case_id}.json"
    path.write_text(json.dumps(doc))
    out = tmp_path / "out.npz"
    for argv in (["validate", str(path)], ["run", str(path), "--out", str(out), "--paradigm", "numpy", "--quiet"]):
        with within(2.0):
            code = cli.main(argv)
        err = capsys.readouterr().err
        assert code == cli.EXIT_INVALID, err
        assert where in err and "refused before allocating" in err, err
        assert "of memory is available" in err and ("GB" in err or "TB" in err), err
    assert not out.exists()


def test_estimate_matches_the_arithmetic():
    """COBA recording v, g_exc, g_inh of 4000 neurons for 600 s at dt = 0.1: 3 * 4000 * 6e6 * 8 bytes."""
    v = verdict(_bomb_recording())
    assert "576.0 GB" in v.errors[0].message


def test_half_of_the_memory_is_a_warning(monkeypatch):
    doc = _doc()
    total = sum(resources.memory_footprint(verdict(doc).built.spec, 50.0).values())
    monkeypatch.setattr(resources, "available_memory", lambda: int(total * 1.5))
    v = verdict(doc)
    assert v.ok and any("more than half" in w.message for w in v.warnings), v.warnings
    monkeypatch.setattr(resources, "available_memory", lambda: int(total * 0.5))
    v = verdict(doc)
    assert not v.ok and "refused before allocating" in v.errors[0].message


def test_cli_refuses_hostile_names_without_traceback(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for i, payload in enumerate(NAME_PAYLOADS[:4]):
        path = tmp_path / f"case{i}.json"
        path.write_text(json.dumps(_doc(neurons__LIF__name=payload)))
        assert cli.main(["validate", str(path)]) == cli.EXIT_INVALID
        err = capsys.readouterr().err
        assert "Traceback" not in err and "name" in err
        path.unlink()
    assert sorted(os.listdir(tmp_path)) == []


# ----------------------------------------------------------------------- seeded fuzz of project files
VALUES = [None, True, -1, 0, 1, 2.5, 1e308, -1e308, 10 ** 30, "", " ", "x", "10**10**10", "v > 1",
          "tau = 10**10**10", "A", "B", "LIF", [], [1, 2], {}, {"distribution": "Uniform", "args": [1, 0]},
          "\u202e", "\uff41", "a" * 300] + NAME_PAYLOADS[:4]


def _leaves(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _leaves(v, path + (i,))
    yield path


@pytest.mark.parametrize("seed", range(6))
def test_fuzzed_projects_give_located_errors_only(seed):
    rng = random.Random(seed)
    paths = [p for p in _leaves(SMALL) if p and p[0] not in ("format", "schema_version")]
    for _ in range(25):
        d = copy.deepcopy(SMALL)
        for _ in range(rng.randint(1, 3)):
            path = rng.choice(paths)
            node = d
            try:
                for k in path[:-1]:
                    node = node[k]
                node[path[-1]] = copy.deepcopy(rng.choice(VALUES))
            except (KeyError, IndexError, TypeError):
                continue
        with within(2.0):
            v = verdict(d)
        for p in v.errors:
            assert isinstance(p.message, str) and p.message
        if not v.ok:
            assert any(p.where for p in v.errors) or v.errors[0].message


# ----------------------------------------------------------------------- temporary files of interrupted saves
def _leftovers(folder, name):
    old = time.time() - 3600
    made = []
    for suffix in ("abc123", "zz_9"):
        tmp = folder / f".{name}.{suffix}.tmp"
        tmp.write_text("partial")
        os.utime(tmp, (old, old))
        made.append(tmp)
    fresh = folder / f".{name}.fresh.tmp"       # a save in progress elsewhere: kept
    fresh.write_text("partial")
    other = folder / ".other.json.abc.tmp"      # another project's: kept
    other.write_text("partial")
    os.utime(other, (old, old))
    return made, fresh, other


def test_next_save_removes_temporaries_of_an_interrupted_save(tmp_path):
    path = tmp_path / "p.json"
    save_document(copy.deepcopy(SMALL), path)
    made, fresh, other = _leftovers(tmp_path, "p.json")
    save_document(copy.deepcopy(SMALL), path)
    assert not any(t.exists() for t in made)
    assert fresh.exists() and other.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([".other.json.abc.tmp", fresh.name, "p.json",
                                                                 "p.json.bak"])


def test_next_open_removes_temporaries_of_an_interrupted_save(tmp_path):
    path = tmp_path / "p.json"
    save_document(copy.deepcopy(SMALL), path)
    made, fresh, other = _leftovers(tmp_path, "p.json")
    read_text(path)
    assert not any(t.exists() for t in made) and fresh.exists() and other.exists()
    assert remove_stale_temporaries(path, older_than=0.0) == [fresh]
