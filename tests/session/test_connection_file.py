"""connect_from_file / save_connectivity with files laid out as real ANNarchy writes them.

Measured: ANNarchy 5.0.4.1 and 4.8.2.6 (scratch venvs), dt = 0.5, pre 3 and post 2 Izhikevich neurons,
``fixed_probability(0.7, weights=Uniform(0, 1), delays=Uniform(1, 3))`` (proj1) and
``all_to_all(weights=0.5, delays=2.0)`` (proj0), ``proj.save_connectivity('x.data')`` and ``'x.npz'``;
the dictionaries below are what ``pickle.load`` read back (5.0.4.1 writes delays in ms, 4.8.2.6 in
steps; object arrays of per-dendrite lists), and ANNarchy's ``proj.delay`` printed the delays in ms.
"""
import gzip
import pickle

import numpy as np
import pytest

import annstudio.engine as ann

V5 = {"name": "proj1", "post_ranks": [0, 1], "pre_ranks": [[0, 1], [0, 1, 2]],
      "w": [[0.13114395932730716, 0.4828088892376272], [0.45869555701628517, 0.663192374860642, 0.5753977173820763]],
      "delay": [[3.0, 2.0], [2.0, 1.0, 1.0]], "max_delay": 6, "uniform_delay": -1, "size": 2, "nb_synapses": 5}
V48 = {"name": "proj1", "post_ranks": [0, 1], "pre_ranks": [[0, 2], [0]],
       "w": [[0.08564916714362436, 0.2368105065960997], [0.8012744652063969]],
       "delay": [[2, 3], [5]], "max_delay": 6, "uniform_delay": -1, "size": 2, "nb_synapses": 3}
V48_DELAY_MS = [[1.0, 1.5], [2.5]]                  # ANNarchy 4.8.2.6's proj.delay for the same projection
UNIFORM_V5 = {"name": "proj0", "post_ranks": [0, 1], "pre_ranks": [[0, 1, 2], [0, 1, 2]], "w": 0.5, "delay": 2.0,
              "max_delay": 4, "uniform_delay": 4, "size": 2, "nb_synapses": 6}
UNIFORM_V48 = dict(UNIFORM_V5, delay=4)             # 4.8.2.6: the uniform delay in steps


def _annarchy_layout(d):
    out = dict(d)
    for key in ("pre_ranks", "w", "delay"):
        if isinstance(d[key], list):
            arr = np.empty(len(d[key]), dtype=object)
            for i, row in enumerate(d[key]):
                arr[i] = list(row)
            out[key] = arr
    return out


def _write(path, d):
    d = _annarchy_layout(d)
    if str(path).endswith(".npz"):
        np.savez_compressed(path, **d)
    else:
        with (gzip.open(path, "wb") if str(path).endswith(".gz") else open(path, "wb")) as f:
            pickle.dump(d, f)


def _net():
    net = ann.Network(dt=0.5)
    return net, net.create(3, ann.Izhikevich), net.create(2, ann.Izhikevich)


@pytest.mark.parametrize("ext", ["npz", "data", "gz"])
def test_reads_annarchy_files_of_both_versions(tmp_path, ext):
    for d, delays in ((V5, V5["delay"]), (V48, V48_DELAY_MS)):
        _write(tmp_path / f"p.{ext}", d)
        _write(tmp_path / f"u.{ext}", UNIFORM_V5 if d is V5 else UNIFORM_V48)
        net, pre, post = _net()
        proj = net.connect(pre, post, "exc").from_file(str(tmp_path / f"p.{ext}"))
        uni = net.connect(pre, post, "inh")
        uni.connect_from_file(str(tmp_path / f"u.{ext}"))
        net.compile(paradigm="numpy")
        assert proj.pre_ranks == d["pre_ranks"] and list(proj.post_ranks) == d["post_ranks"]
        for got, want in zip(proj.w, d["w"]):
            np.testing.assert_allclose(got, want, rtol=0, atol=0)
        assert proj.delay == delays
        assert uni.nb_synapses == 6 and uni.delay == 2.0
        np.testing.assert_allclose(np.concatenate(uni.w), 0.5)


def test_save_connectivity_round_trip_in_annarchy5_format(tmp_path):
    _write(tmp_path / "p.npz", V5)
    net, pre, post = _net()
    proj = net.connect(pre, post, "exc").from_file(str(tmp_path / "p.npz"))
    net.compile(paradigm="numpy")
    for ext in ("npz", "data", "gz"):
        proj.save_connectivity(str(tmp_path / f"out.{ext}"))
    with open(tmp_path / "out.data", "rb") as f:
        saved = pickle.load(f)
    assert saved["post_ranks"] == [0, 1] and saved["uniform_delay"] == -1 and saved["nb_synapses"] == 5
    assert [list(r) for r in saved["delay"]] == V5["delay"] and saved["max_delay"] == 6
    for ext in ("npz", "gz"):
        net2, pre2, post2 = _net()
        again = net2.connect(pre2, post2, "exc").from_file(str(tmp_path / f"out.{ext}"))
        net2.compile(paradigm="numpy")
        assert again.pre_ranks == V5["pre_ranks"] and again.delay == V5["delay"]
        for got, want in zip(again.w, V5["w"]):
            np.testing.assert_allclose(got, want, rtol=0, atol=0)


class _Evil:
    def __reduce__(self):
        return (print, ("ran",))


def test_files_never_run_code_and_bad_files_are_located(tmp_path):
    with open(tmp_path / "evil.data", "wb") as f:
        pickle.dump(dict(V5, w=_Evil()), f)
    net, pre, post = _net()
    with pytest.raises(ann.ModelError, match="only data"):
        net.connect(pre, post, "exc").from_file(str(tmp_path / "evil.data"))
    with open(tmp_path / "other.data", "wb") as f:
        pickle.dump({"a": 1}, f)
    with pytest.raises(ann.ModelError, match="not a connectivity file"):
        net.connect(pre, post, "exc").from_file(str(tmp_path / "other.data"))
    with pytest.raises(ann.ModelError, match="cannot be loaded"):
        net.connect(pre, post, "exc").from_file(str(tmp_path / "x.mat"))
    _write(tmp_path / "big.npz", dict(V5, post_ranks=[0, 5]))
    net, pre, post = _net()
    net.connect(pre, post, "exc").from_file(str(tmp_path / "big.npz"))
    with pytest.raises(ann.AnnstudioError, match="do not fit"):
        net.compile(paradigm="numpy")
