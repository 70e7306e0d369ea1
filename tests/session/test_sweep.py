"""The sweep engine (annstudio.session.sweep): plan, seeds, values set at run time, executors, errors, stop."""
import copy
import uuid

import numpy as np
import pytest

from annstudio.core.errors import ModelError
from annstudio.project.runner import run_project
from annstudio.project.validate import check_document
from annstudio.session.executors import ProcessExecutor, SequentialExecutor
from annstudio.session.sweep import Sweep, parse_values, seed_tree
from sweep_helpers import assert_same_recordings, assert_same_table, sweep_doc


def _sweep(doc=None, vary=None, seeds=2, **kw):
    project = check_document(doc or sweep_doc())
    return Sweep(project.spec, vary=vary or {"A.I": [1.1, 1.6, 2.2], "AB.w": [0.1, 0.6]}, seeds=seeds,
                 protocol=project.protocol, duration=project.built.duration, **kw)


@pytest.fixture(scope="module")
def sequential():
    sweep = _sweep()
    return sweep, sweep.run(executor=SequentialExecutor())


def test_grid_with_seed_replicates_gives_one_row_per_run(sequential):
    sweep, result = sequential
    table = result.table
    assert result.total == 12 and result.executed == 12 and not result.failed and not result.stopped
    assert list(table["run"]) == list(range(12))
    assert list(table["A.I"]) == [1.1] * 4 + [1.6] * 4 + [2.2] * 4
    assert list(table["AB.w"]) == [0.1, 0.1, 0.6, 0.6] * 3
    seeds = seed_tree(7, 2)                     # the document's seed is the tree's entropy
    assert list(table["seed"]) == seeds * 6 and seeds[0] != seeds[1]
    for col in ("mA.rate", "mA.cv_isi", "mA.v.mean", "mB.rate", "mB.cv_isi"):
        assert col in table and table[col].shape == (12,)
    # the stronger drive makes A fire faster (same seed, same network otherwise)
    rate = table["mA.rate"].reshape(3, 2, 2)
    assert np.all(rate[0] < rate[1]) and np.all(rate[1] < rate[2])
    # B's only input is AB: its weight matters
    assert np.all(table["mB.rate"].reshape(3, 2, 2)[:, 1] >= table["mB.rate"].reshape(3, 2, 2)[:, 0])
    assert not np.array_equal(table["mB.rate"].reshape(3, 2, 2)[:, 1], table["mB.rate"].reshape(3, 2, 2)[:, 0])
    structured = result.structured()
    assert structured.dtype.names == tuple(table) and np.array_equal(structured["mA.rate"], table["mA.rate"])
    spikes = result.recordings[5]["mA.spike.times"]
    assert spikes.size and result.table["mA.rate"][5] == pytest.approx(spikes.size / (20 * 0.06))


def test_a_value_set_at_run_time_equals_the_value_built_in(sequential):
    """Each variant sets its value on the compiled network; a run of the document written with that value
    (no sweep involved) records the same spikes."""
    _sweep_obj, result = sequential
    for run in (4, 9):                  # A.I = 1.6 and 2.2 (A's recordings do not depend on AB)
        doc = sweep_doc()
        doc["populations"][0]["initial"]["I"] = float(result.table["A.I"][run])
        direct = run_project(check_document(doc), seed=int(result.table["seed"][run])).recordings
        for key in ("mA.spike.times", "mA.spike.ranks", "mA.v"):
            assert np.array_equal(direct[key], result.recordings[run][key]), key


def test_local_processes_and_any_order_give_the_same_arrays(sequential):
    sweep, reference = sequential
    with ProcessExecutor(2) as executor:
        parallel = sweep.run(executor=executor)
    assert_same_table(parallel.table, reference.table)
    assert_same_recordings(parallel.recordings, reference.recordings)
    assert len({o["worker"] for o in parallel.outcomes.values()}) == 2
    # the same points listed in reverse: each (values, replicate) row is unchanged
    points = [dict(p) for p in reversed(sweep.points)]
    backwards = _sweep(vary=None, points=points).run(executor=SequentialExecutor())
    for i, row in enumerate(backwards.table["run"]):
        j = (len(points) - 1 - i // 2) * 2 + i % 2
        for col in reference.table:
            if col not in ("run", "point"):
                assert np.array_equal(backwards.table[col][row], reference.table[col][j], equal_nan=True), col


def test_values_texts_and_bad_names_are_located_before_anything_runs():
    assert parse_values("1,2.5,4") == [1.0, 2.5, 4.0]
    assert parse_values("0:1:5") == [0.0, 0.25, 0.5, 0.75, 1.0]
    for text in ("", "a,b", "1:2", "1:2:0", "1,nan"):
        with pytest.raises(ModelError):
            parse_values(text)
    for vary, where in (({"Q.I": [1.0]}, "Q.I"), ({"A.J": [1.0]}, "A.J"), ({"A": [1.0]}, "A"),
                        ({"protocol.3.duration": [5.0]}, "protocol.3.duration"),
                        ({"duration": [-5.0]}, "duration"), ({"duration": [500.0]}, "duration")):
        with pytest.raises(ModelError) as info:
            _sweep(vary=vary)
        assert where in str(info.value)
    with pytest.raises(ModelError, match="seeds"):
        _sweep(seeds=0)


def test_duration_and_protocol_step_are_varied():
    doc = sweep_doc(80.0)
    result = _sweep(doc, vary={"duration": [20.0, 50.0]}, seeds=1).run(executor=SequentialExecutor())
    assert list(result.table["simulated_ms"]) == [20.0, 50.0]
    result = _sweep(doc, vary={"protocol.0.duration": [30.0, 70.0]}, seeds=1).run(executor=SequentialExecutor())
    assert list(result.table["simulated_ms"]) == [30.0, 70.0]
    assert result.recordings[1]["mA.spike.times"].size > result.recordings[0]["mA.spike.times"].size


def test_stop_cancels_the_pending_runs():
    sweep = _sweep()
    seen = []

    def first_only(outcome, done, total):
        seen.append(outcome["run"])
        sweep.stop()

    result = sweep.run(executor=SequentialExecutor(), on_result=first_only)
    assert seen == [0] and result.stopped and list(result.table["run"]) == [0]


def test_compiled_variants_share_one_kernel_build(cpp_paradigm):
    """A structure never built before: two worker processes, four values, one kernel build in all."""
    doc = copy.deepcopy(sweep_doc(40.0, paradigm=cpp_paradigm))
    doc["neurons"]["LIF"]["parameters"] += f"\nu{uuid.uuid4().hex[:10]} = 0.0"     # a fresh IR digest
    sweep = _sweep(doc, vary={"A.I": [1.1, 1.4, 1.8, 2.3]}, seeds=1)
    with ProcessExecutor(2) as executor:
        result = sweep.run(executor=executor)
    assert not result.failed and result.table["run"].size == 4
    assert sum(o["kernel_builds"] for o in result.outcomes.values()) == 1
    opens = {}
    for o in result.outcomes.values():               # each worker opens the library once, then reuses it
        opens[o["worker"]] = opens.get(o["worker"], 0) + o["kernel_loads"]
        assert o["timings"]["transfer_s"] >= 0 and o["timings"]["result_s"] >= 0
    assert set(opens.values()) == {1}
    assert {o["paradigm"] for o in result.outcomes.values()} == {"openmp"}
    assert np.all(np.diff(result.table["mA.rate"]) > 0)


def _izhikevich(seed):
    import annstudio.engine as ann
    ann.clear()
    ann.setup(dt=1.0, paradigm="numpy", seed=seed)
    pop = ann.Population(100, ann.Izhikevich, name="pop")
    pop.noise = 2.0
    ann.Projection(pop, pop, "exc").connect_fixed_probability(0.1, weights=0.5)
    return ann, pop


def test_a_script_network_is_swept_with_from_network():
    ann, pop = _izhikevich(42)
    ann.Monitor(pop, "spike")
    from annstudio.session.context import current_network
    result = Sweep.from_network(current_network(), vary={"pop.noise": [3.0, 6.0]}, duration=200.0) \
        .run(executor=SequentialExecutor())
    assert list(result.table["pop.noise"]) == [3.0, 6.0] and result.table["pop.rate"][1] > result.table["pop.rate"][0]
    # the same run written as a script: the run's seed, the value set after compile()
    ann, pop = _izhikevich(int(result.table["seed"][1]))
    ann.compile()
    pop.noise = 6.0
    m = ann.Monitor(pop, "spike")
    ann.simulate(200.0)
    spikes = m.get("spike")
    assert sum(len(v) for v in spikes.values()) == result.recordings[1]["pop.spike.times"].size


def test_an_input_rate_is_varied():
    doc = sweep_doc(200.0)
    doc["populations"][0] = {"name": "A", "geometry": 20, "neuron": None, "kind": "poisson", "initial": {},
                             "options": {"rates": 10.0}}
    doc["monitors"][0]["variables"] = ["spike"]
    rates = [10.0, 50.0, 100.0]
    result = _sweep(doc, vary={"A.rates": rates}, seeds=1).run(executor=SequentialExecutor())
    measured = result.table["mA.rate"]
    # Poisson counts: 20 neurons x 0.2 s at each rate; within 4 standard deviations
    assert np.all(np.abs(measured - rates) < 4 * np.sqrt(np.array(rates) / (20 * 0.2)))
    assert np.all(np.diff(result.table["mB.rate"]) > 0)          # more input, more output


def test_a_streamed_monitor_is_kept_per_variant_not_written_to_one_shared_file(tmp_path, monkeypatch):
    """Variants of a project whose monitor streams to a file keep that monitor's records with their own
    results (no file is written, so no variant overwrites another's), equal to the unstreamed sweep's."""
    monkeypatch.chdir(tmp_path)
    doc = sweep_doc()
    doc["monitors"][0]["stream"] = "rec/mA.h5"
    vary = {"A.I": [1.1, 2.2]}
    streamed = _sweep(doc, vary=vary, seeds=1).run(executor=SequentialExecutor())
    plain = _sweep(vary=vary, seeds=1).run(executor=SequentialExecutor())
    assert not (tmp_path / "rec").exists()
    assert streamed.recordings[0]["mA.v"].size and streamed.recordings[1]["mA.v"].size
    assert_same_recordings(streamed.recordings, plain.recordings)
    assert not np.array_equal(streamed.recordings[0]["mA.v"], streamed.recordings[1]["mA.v"])


def test_runs_sharing_a_seed_share_one_lowering_and_equal_fresh_runs(paradigm):
    """Points of one replicate share their seed, so a worker lowers the structure once per seed (equations,
    connectivity, initial draws) and gives each run its own copy of the data: every run then records what a
    run lowered afresh records, plastic weights, random initial values and Poisson input included."""
    from dataclasses import replace
    import annstudio.engine as ann
    from annstudio.session import sweep_run
    from annstudio.session.context import current_network
    ann.clear()
    ann.setup(dt=0.5, paradigm=paradigm, seed=11)
    inp = ann.PoissonPopulation(40, rates=60.0, name="inp")
    out = ann.Population(10, ann.Izhikevich, name="out")
    out.v = ann.Uniform(-70.0, -60.0)
    proj = ann.Projection(inp, out, "exc", ann.STDP(w_max=20.0), name="io")
    proj.connect_fixed_probability(0.5, weights=ann.Uniform(4.0, 12.0))
    ann.Monitor(out, ["spike", "v"])
    sweep = Sweep.from_network(current_network(), vary={"out.d": [2.0, 5.0, 8.0]}, seeds=2, duration=150.0)
    sweep_run._LOWERED.clear()
    shared = sweep.run(executor=SequentialExecutor())
    tasks = sweep.tasks()
    assert {(t.structure, t.seed, t.paradigm) for t in tasks} == set(sweep_run._LOWERED)   # one lowering per seed
    assert len(sweep_run._LOWERED) == 2
    fresh = {t.run: sweep_run.run_variant(replace(t, structure=None)) for t in tasks}
    assert not shared.failed and sum(shared.table["out.rate"]) > 0
    assert len(set(shared.table["out.rate"])) > 1          # the varied value matters
    assert_same_recordings(shared.recordings, {run: o["recordings"] for run, o in fresh.items()}, paradigm)
    for run, o in fresh.items():
        assert shared.outcomes[run]["summary"] == o["summary"]


def test_recordings_packed_for_the_wire_come_back_identical_and_smaller():
    from annstudio.session.sweep_run import PackedRecordings, pack_recordings
    rng = np.random.default_rng(3)
    ranks = np.sort(rng.integers(0, 4000, 60000)).astype(np.int64)
    times = rng.integers(0, 10000, 60000).astype(np.int64)
    rec = {"M.spike.ranks": ranks, "M.spike.times": times, "M.v": rng.normal(size=(10, 4)),
           "U.spike.ranks": ranks[::-1].copy(), "U.spike.times": times.copy()}      # not in rank order: sent as is
    packed, how = pack_recordings(rec)
    assert set(how) == {"M.spike.ranks", "M.spike.times"}
    assert packed["M.spike.times"].dtype == np.uint16 and packed["M.spike.ranks"].size == ranks.max() + 1
    sent = packed["M.spike.ranks"].nbytes + packed["M.spike.times"].nbytes
    assert sent < 0.25 * (ranks.nbytes + times.nbytes)
    assert packed["U.spike.ranks"] is rec["U.spike.ranks"]
    back = dict(PackedRecordings(packed, how))
    for name, value in rec.items():
        assert back[name].dtype == value.dtype and np.array_equal(back[name], value), name


def test_a_worker_run_is_packed_and_unpacks_to_the_run_itself():
    from annstudio.session.sweep_run import PackedRecordings, run_packed, run_variant
    task = _sweep(seeds=1).tasks()[4]
    packed = run_packed(task)
    plain = run_variant(task)
    assert "mA.spike.ranks" in packed["packed"] and packed["recordings"]["mA.spike.ranks"].size == 20
    back = dict(PackedRecordings(packed["recordings"], packed["packed"]))
    assert set(back) == set(plain["recordings"]) and plain["recordings"]["mA.spike.times"].size > 20
    for name, value in plain["recordings"].items():
        assert back[name].dtype == value.dtype and np.array_equal(back[name], value), name


def test_a_swept_runs_recordings_unpack_when_read():
    """Runs from workers keep their spikes packed in the sweep's result until read (a 1000-run sweep of COBA
    4000 seconds holds 150 MB instead of 1 GB); read, they are the run's arrays, and they pickle as a dict."""
    import pickle
    from annstudio.session.sweep_run import PackedRecordings, pack_recordings
    rng = np.random.default_rng(5)
    rec = {"M.spike.ranks": np.sort(rng.integers(0, 300, 5000)).astype(np.int64),
           "M.spike.times": rng.integers(0, 2000, 5000).astype(np.int64), "M.v": rng.normal(size=(4, 3))}
    lazy = PackedRecordings(*pack_recordings(rec))
    assert not lazy._read and len(lazy) == 3 and sorted(lazy) == sorted(rec)
    assert lazy["M.spike.times"].dtype == np.int64 and np.array_equal(lazy["M.spike.times"], rec["M.spike.times"])
    assert set(lazy._read) == {"M.spike.times"}                       # only what was read
    assert lazy["M.spike.times"] is lazy["M.spike.times"]            # unpacked once
    back = pickle.loads(pickle.dumps(lazy))
    assert type(back) is dict and all(np.array_equal(back[k], rec[k]) for k in rec)
    with pytest.raises(KeyError):
        lazy["M.r"]
    sweep = _sweep(seeds=1)
    with ProcessExecutor(2) as executor:
        result = sweep.run(executor=executor)
    assert all(isinstance(r, PackedRecordings) for r in result.recordings.values())
    assert_same_recordings(result.recordings, sweep.run(executor=SequentialExecutor()).recordings)
