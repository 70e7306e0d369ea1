"""Monitors that stream their recordings to an HDF5 file (``Monitor(..., stream=...)``).

The numbers a streaming monitor writes (and ``get()`` reads back) are the numbers a monitor keeping its
records in memory returns, on every backend, for population and projection monitors and spikes, read in
several ``get()`` parts; a compiled backend's streamed numbers match the NumPy backend's; the file grows
during one long ``simulate()`` (the run is cut in chunks that each reach the file) while nothing
accumulates in memory; the memory check counts the disk instead of the RAM."""
import gc

import h5py
import numpy as np
import pytest
from backend_fixtures import setup_backend

import annstudio.engine as ann
from annstudio.core.errors import ModelError, SimulationError
from annstudio.core.model import resources
from annstudio.session import monitor_stream
from annstudio.session.simulation import Simulation

LIF = dict(parameters="tau = 10.0\nI = 1.5", equations="tau * dv/dt = -v + I + g_exc", spike="v > 1.0",
           reset="v = 0.0")
GROWING = dict(parameters="eta = 0.002", equations="", pre_spike="g_target += w\nw = clip(w + eta, 0.0, 1.0)")


def _network(paradigm, stream_dir=None, period=None):
    """A small spiking network with a plastic projection; monitors on v+spike and on w (streamed to
    ``stream_dir`` when given).  Returns the recordings of two runs read by two get() calls each."""
    setup_backend(paradigm, dt=0.1, seed=11)
    pop = ann.Population(40, ann.Neuron(**LIF), name="P")
    pop.v = np.linspace(0.0, 1.0, 40)
    proj = ann.Projection(pop, pop, "exc", ann.Synapse(**GROWING), name="C").connect_fixed_probability(0.2, 0.05)
    m = ann.Monitor(pop, ["v", "spike"], period=period,
                    stream=None if stream_dir is None else str(stream_dir / "pop.h5"))
    mw = ann.Monitor(proj, ["w"], period=1.0, stream=None if stream_dir is None else str(stream_dir / "w.h5"))
    ann.compile()
    assert ann.get_population("P")._net._sim.paradigm == paradigm
    out = []
    for duration in (30.0, 25.0):
        ann.simulate(duration)
        out.append((m.get(), mw.get("w")))
    ann.clear()
    gc.collect()
    return out


def _same(a, b, exact=True):
    close = np.array_equal if exact else (lambda x, y: np.allclose(x, y, rtol=1e-9, atol=1e-9))
    for (pa, wa), (pb, wb) in zip(a, b):
        assert pa["v"].shape == pb["v"].shape and pa["v"].shape[0] > 0
        assert close(pa["v"], pb["v"])
        assert pa["spike"] == pb["spike"] and sum(len(s) for s in pa["spike"].values()) > 0
        assert len(wa) == len(wb) > 0
        for ra, rb in zip(wa, wb):
            for da, db in zip(ra, rb):
                assert close(np.asarray(da, float), np.asarray(db, float))


def test_streamed_recording_equals_the_kept_one(paradigm, tmp_path):
    kept = _network(paradigm)
    streamed = _network(paradigm, tmp_path)
    _same(kept, streamed)
    w_first = np.concatenate([np.ravel(d) for d in kept[0][1][0]])
    w_last = np.concatenate([np.ravel(d) for d in kept[-1][1][-1]])
    assert not np.allclose(w_first, w_last)          # the weights do change: the projection stream is no constant
    with h5py.File(tmp_path / "pop.h5", "r") as f:   # the whole recording is in the file, in the documented layout
        assert f.attrs["annstudio_stream"] == 1 and f.attrs["target"] == "P"
        assert f["v"].shape == (550, 40) and f["steps"].shape == (550,)
        np.testing.assert_array_equal(f["v"][:300], kept[0][0]["v"])
        np.testing.assert_array_equal(f["steps"][:], np.arange(550))
        assert f["spike_steps"].shape == f["spike_ranks"].shape
        assert f["spike_steps"].shape[0] == sum(len(s) for part in kept for s in part[0]["spike"].values())
    with h5py.File(tmp_path / "w.h5", "r") as f:
        assert f["w"].shape == (55,)


def test_streamed_period_matches_the_kept_one(tmp_path):
    _same(_network("numpy", period=0.5), _network("numpy", tmp_path, period=0.5))


def test_compiled_streams_match_the_numpy_backend(compiled_paradigm, tmp_path):
    _same(_network("numpy"), _network(compiled_paradigm, tmp_path), exact=False)


def test_the_file_grows_during_one_long_simulate(paradigm, tmp_path, monkeypatch):
    """One ``simulate(100)`` call: the run is cut where ~FLUSH_BYTES of records wait, each part reaches the
    file, and the in-memory buffer stays empty."""
    monkeypatch.setattr(monitor_stream, "FLUSH_BYTES", 40 * 8 * 50)       # 50 records of 40 values
    monkeypatch.setattr(monitor_stream, "CHUNK_BYTES", 40 * 8 * 20)       # HDF5 chunks of 20 records
    setup_backend(paradigm, dt=0.1, seed=3)
    pop = ann.Population(40, ann.Neuron(**LIF), name="P")
    m = ann.Monitor(pop, ["v"], stream=str(tmp_path / "v.h5"))
    ann.compile()
    sim = pop._net._sim
    buf = sim.monitor_buffer(m._mid, drain=False)
    seen = []
    sim.every(100, lambda s: seen.append((s.step, buf.records_written, (tmp_path / "v.h5").stat().st_size,
                                          sum(len(c) for c in buf.values.values()))))
    runs, run = [], sim.backend.run
    monkeypatch.setattr(sim.backend, "run", lambda n: (runs.append(n), run(n)))
    ann.simulate(100.0)
    assert sum(runs) == 1000 and max(runs) == 50       # cut every 50 records (FLUSH_BYTES)
    steps, written, sizes, in_memory = (list(x) for x in zip(*seen))
    assert steps == list(range(100, 1001, 100))
    assert written == steps                            # every record up to the callback is on disk already
    assert sizes[-1] > sizes[0] and sizes == sorted(sizes)
    assert set(in_memory) == {0}
    v = m.get("v")
    assert v.shape == (1000, 40)
    ann.clear()


def test_streamed_get_reads_only_what_is_new(tmp_path):
    setup_backend("numpy", dt=1.0)
    pop = ann.Population(5, ann.Neuron(**LIF), name="P")
    m = ann.Monitor(pop, ["v"], stream=str(tmp_path / "v.h5"))
    ann.compile()
    ann.simulate(10.0)
    first = m.get("v", keep=True)
    ann.simulate(5.0)
    assert m.get("v").shape == (15, 5)                 # keep=True: the first part is still there
    ann.simulate(3.0)
    assert m.get("v").shape == (3, 5)
    ann.reset(populations=False, monitors=True)
    ann.simulate(2.0)
    assert m.get("v").shape == (2, 5)
    m.close_stream()
    with h5py.File(tmp_path / "v.h5", "r") as f:       # the file keeps every record
        assert f["v"].shape == (20, 5)
        np.testing.assert_array_equal(f["v"][:10], first)
    ann.clear()


def test_stream_argument_is_checked(tmp_path):
    setup_backend("numpy")
    pop = ann.Population(5, ann.Neuron(**LIF), name="P")
    with pytest.raises(ModelError, match="stream must be a file name"):
        ann.Monitor(pop, ["v"], stream=3)
    ann.Monitor(pop, ["v"], stream=str(tmp_path / "missing_dir" / "no.h5"))
    (tmp_path / "blocker").write_text("a file, not a folder")
    ann.Monitor(pop, ["v"], stream=str(tmp_path / "blocker" / "no.h5"))
    with pytest.raises(SimulationError, match="cannot write the recording file"):
        ann.compile()
    ann.clear()


def test_a_streamed_bomb_counts_the_disk_not_the_memory(tmp_path, monkeypatch):
    """COBA-sized recording (4000 neurons, 3 variables, 600 s at dt 0.1: 576 GB): kept in memory it is
    refused with a hint to stream; streamed, it is refused when the disk is too small, and the memory is
    not asked."""
    setup_backend("numpy", dt=0.1)
    pop = ann.Population(4000, ann.Neuron(**dict(LIF, equations="tau * dv/dt = -v + g_exc + g_inh")), name="P")
    ann.Monitor(pop, ["spike", "v", "g_exc", "g_inh"])
    ann.compile()
    with pytest.raises(SimulationError, match=r"576\.0 GB .* refused before running .*stream"):
        ann.simulate(600000.0)
    setup_backend("numpy", dt=0.1)
    pop = ann.Population(4000, ann.Neuron(**dict(LIF, equations="tau * dv/dt = -v + g_exc + g_inh")), name="P")
    m = ann.Monitor(pop, ["spike", "v", "g_exc", "g_inh"], stream=str(tmp_path / "coba.h5"))
    ann.compile()
    monkeypatch.setattr(resources, "free_disk", lambda path: 10 ** 9)
    with pytest.raises(SimulationError, match=r"write about 576\.0 GB .* 1\.0 GB is free there; refused"):
        ann.simulate(600000.0)
    sim = pop._net._sim
    monkeypatch.setattr(resources, "free_disk", lambda path: 10 ** 15)
    monkeypatch.setattr(resources, "available_memory", lambda: 10 ** 6)
    assert resources.recording_problem(sim._recordings(), 6_000_000, 0.1) is None
    ann.simulate(1.0)                                  # 10 records of 12 000 values: more than 1 MB, on disk
    assert m.get("v").shape == (10, 4000)
    ann.clear()


def test_projection_monitors_are_counted_before_running():
    """w of a 1000 x 1000 all-to-all projection for 600 s at dt 0.1: 1e6 synapses x 6e6 records x 8 bytes."""
    setup_backend("numpy", dt=0.1)
    pop = ann.Population(1000, ann.Neuron(**LIF), name="P")
    proj = ann.Projection(pop, pop, "exc", ann.Synapse(**GROWING), name="C").connect_all_to_all(0.01)
    m = ann.Monitor(proj, ["w"])
    ann.compile()
    n_syn = proj._net._sim.connectivity("C").size
    assert n_syn == 999000
    estimate = resources.human(n_syn * 6e6 * 8)
    with pytest.raises(SimulationError, match=rf"{estimate} during this run .* refused before running"):
        ann.simulate(600000.0)
    ann.simulate(0.2)
    assert len(m.get("w")) == 2
    ann.clear()


def test_simulation_level_stream_and_removal(tmp_path):
    """``Simulation.add_monitor(stream=...)`` directly; removing the monitor closes a complete file."""
    setup_backend("numpy", dt=1.0)
    ann.Population(3, ann.Neuron(**LIF), name="P")
    sim = Simulation(ann.get_population("P")._net.spec).compile(paradigm="numpy")
    mid = sim.add_monitor("population", "P", ["v", "spike"], stream=tmp_path / "s.h5", name="mine")
    sim.simulate(7.0)
    data = sim.monitor_data(mid)
    assert data["v"].shape == (7, 3) and data["_steps"].tolist() == list(range(7))
    sim.remove_monitor(mid)
    with h5py.File(tmp_path / "s.h5", "r") as f:
        assert f.attrs["monitor"] == "mine" and f["v"].shape == (7, 3)
    ann.clear()


def test_a_read_back_too_big_for_memory_is_refused_with_the_file(tmp_path, monkeypatch):
    setup_backend("numpy", dt=1.0)
    pop = ann.Population(100, ann.Neuron(**LIF), name="P")
    m = ann.Monitor(pop, ["v"], stream=str(tmp_path / "big.h5"))
    ann.compile()
    ann.simulate(50.0)                                  # 5000 values + 50 steps: 40.4 kB
    monkeypatch.setattr(monitor_stream, "available_memory", lambda: 60_000)
    with pytest.raises(SimulationError, match=r"needs about 40\.4 kB .* refused .*big\.h5.* with h5py"):
        m.get("v")
    monkeypatch.setattr(monitor_stream, "available_memory", lambda: 10 ** 9)
    assert m.get("v").shape == (50, 100)
    ann.clear()
