"""Result files: HDF5 round trip with its attributes, NWB checked by pynwb's validator, ``convert``."""
import json

import h5py
import numpy as np
import pytest

from annstudio import cli
from annstudio.project.results import Results, ResultsError, load, save
from annstudio.project.runner import run_project
from annstudio.project.validate import check_document
from project_helpers import ROOT, trimmed


@pytest.fixture
def results(small_doc):
    """The small project at dt = 0.5 ms, ``v`` recorded every 2.5 ms, paused for a while, plus STDP weights."""
    small_doc["settings"]["dt"] = 0.5
    small_doc["monitors"][0]["period"] = 2.5
    small_doc["protocol"] = [{"action": "simulate", "duration": 20.0},
                             {"action": "pause_monitor", "monitor": "mA"},
                             {"action": "simulate", "duration": 10.0},
                             {"action": "resume_monitor", "monitor": "mA"},
                             {"action": "simulate", "duration": 20.0}]
    project = check_document(small_doc)
    return Results.from_run(run_project(project), project.spec), project


def _stdp():
    project = check_document(trimmed(json.loads((ROOT / "projects" / "stdp.json").read_text()), 100.0))
    return Results.from_run(run_project(project), project.spec)


def test_record_times_follow_period_and_pause(results):
    res, _ = results
    t, v = res.trace("mA", "v")
    assert len(t) == len(v) > 0
    assert np.allclose(np.diff(t)[np.diff(t) < 5], 2.5)             # every 2.5 ms while recording
    assert not np.any((t > 20.0) & (t < 30.0)), "nothing recorded while paused"
    times, ranks = res.spikes("mA")
    assert np.array_equal(times, res.recordings["mA.spike.times"] * 0.5)


def test_hdf5_round_trips_every_recording_with_its_attributes(tmp_path, results):
    res, project = results
    path = save(res, tmp_path / "r.h5")
    with h5py.File(path, "r") as f:
        assert f.attrs["project_digest"] == project.digest and f.attrs["seed"] == 7
        assert f.attrs["dt"] == 0.5 and f.attrs["dt_unit"] == "ms"
        assert f.attrs["annstudio_version"] and json.loads(f.attrs["units"])["spike_times"] == "ms"
        spikes = f["monitors/mA/spike"]
        assert spikes["times"].attrs["unit"] == "ms"
        assert np.array_equal(spikes["times"][()], res.spikes("mA")[0])            # ms, not steps
        assert np.array_equal(spikes["ranks"][()], res.spikes("mA")[1])
        assert np.array_equal(f["monitors/mA/v/times"][()], res.trace("mA", "v")[0])
        assert f["monitors/mA"].attrs["target"] == "A" and f["monitors/mA"].attrs["size"] == 20
    back = load(path)
    assert sorted(back.recordings) == sorted(res.recordings)
    for key, value in res.recordings.items():
        assert np.array_equal(back.recordings[key], value), key
    for mon in res.monitors:
        if "v" in res.monitors[mon]:
            assert np.array_equal(back.trace(mon, "v")[0], res.trace(mon, "v")[0])
    assert back.metadata["project_digest"] == project.digest and back.dt == 0.5


def test_hdf5_keeps_plastic_weights(tmp_path):
    res = _stdp()
    back = load(save(res, tmp_path / "stdp.h5"))
    assert np.array_equal(back.weights["proj"], res.weights["proj"]) and res.weights["proj"].size == 1000
    assert np.array_equal(back.recordings["m_w.w"], res.recordings["m_w.w"])


def test_nwb_passes_pynwb_validation_and_reads_back(tmp_path, results):
    import pynwb                # the annstudio[nwb] extra, declared in the test extra too
    res, _ = results
    path = save(res, tmp_path / "r.nwb")
    assert pynwb.validate(path=str(path)) == []
    times, ranks = res.spikes("mA")
    with pynwb.NWBHDF5IO(str(path), "r") as io:
        nwb = io.read()
        units = nwb.units.to_dataframe()
        assert len(units) == 20 + 10                        # one unit per recorded neuron of mA and mB
        row = units[(units.monitor == "mA") & (units["rank"] == 3)].iloc[0]
        assert np.allclose(row.spike_times, times[ranks == 3] / 1000.0)           # NWB times are seconds
        ts = nwb.acquisition["mA.v"]
        assert np.array_equal(ts.data[:], res.trace("mA", "v")[1])
        assert np.allclose(ts.timestamps[:], res.trace("mA", "v")[0] / 1000.0)


def test_nwb_with_weights_validates(tmp_path):
    import pynwb
    path = save(_stdp(), tmp_path / "stdp.nwb")
    assert pynwb.validate(path=str(path)) == []
    with pynwb.NWBHDF5IO(str(path), "r") as io:
        assert io.read().processing["weights"]["proj"].data.shape == (1, 1000)


def test_cli_convert(tmp_path, small_file, capsys):
    npz = tmp_path / "r.npz"
    assert cli.main(["run", str(small_file), "--out", str(npz), "--quiet"]) == 0
    assert cli.main(["convert", str(npz), str(tmp_path / "r.h5")]) == 0
    a, b = load(npz), load(tmp_path / "r.h5")
    assert sorted(a.recordings) == sorted(b.recordings)
    for key in a.recordings:
        assert np.array_equal(a.recordings[key], b.recordings[key]), key
    assert np.array_equal(a.trace("mA", "v")[0], b.trace("mA", "v")[0])
    assert cli.main(["convert", str(tmp_path / "r.h5"), str(tmp_path / "r.nwb")]) == 0
    capsys.readouterr()
    assert cli.main(["convert", str(tmp_path / "missing.npz"), str(tmp_path / "x.h5")]) == cli.EXIT_FILE
    assert cli.main(["convert", str(npz), str(tmp_path / "x.csv")]) == cli.EXIT_OUTPUT
    (tmp_path / "junk.h5").write_bytes(b"not hdf5")
    assert cli.main(["convert", str(tmp_path / "junk.h5"), str(tmp_path / "x.npz")]) == cli.EXIT_FILE
    err = capsys.readouterr().err
    assert "missing.npz: no such file" in err and "junk.h5: not a readable" in err and "Traceback" not in err


def test_unknown_results_format(tmp_path, results):
    with pytest.raises(ResultsError, match="unknown results format"):
        save(results[0], tmp_path / "r.mat")


def test_nwb_without_pynwb_is_refused_before_the_run(tmp_path, small_file, monkeypatch, capsys):
    import importlib.util
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pynwb" else real(name, *a))
    ran = []
    monkeypatch.setattr(cli, "run_project", lambda *a, **k: ran.append(1))
    assert cli.main(["run", str(small_file), "--out", str(tmp_path / "r.nwb"), "--quiet"]) == cli.EXIT_OUTPUT
    assert "pip install 'annstudio[nwb]'" in capsys.readouterr().err and not ran
