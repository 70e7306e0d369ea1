"""ANN-to-SNN conversion (ANNarchy's extensions.ann_to_snn_conversion) from numpy weights and Keras files.

The converted spiking network must classify like the rate network it comes from: the reference is the
ANN's own numpy forward pass (``relu(x W1 + b1) W2 + b2``, argmax).  ANNarchy's converter itself needs
TensorFlow, which the peer venv lacks, so no ANNarchy numbers are used here.  The Keras files are written
by the test with h5py in the two layouts Keras saves (HDF5 ``model.h5`` and the ``.keras`` zip of Keras 3).
"""
import io
import json
import zipfile

import h5py
import numpy as np
import pytest

import annstudio.engine as ann
from annstudio.engine.extensions.ann_to_snn_conversion import ANNtoSNNConverter
from backend_fixtures import setup_backend

PROTOTYPES = np.array([[1, 1, 1, 0, 0, 0, 0, 0], [0, 0, 0, 1, 1, 1, 0, 0], [0, 0, 0, 0, 0, 1, 1, 1]], float)


def tiny_network():
    """8 inputs -> 6 ReLU units -> 3 classes, and 9 noisy samples of the 3 prototypes."""
    rng = np.random.default_rng(0)
    w1 = np.zeros((8, 6))
    w1[:3, 0:2], w1[3:6, 2:4], w1[5:, 4:6] = 0.6, 0.6, 0.6
    w1 += rng.normal(0, 0.05, w1.shape)
    w2 = np.where(np.kron(np.eye(3), np.ones((2, 1))) > 0, 1.0, -0.3)
    b1, b2 = np.full(6, -0.1), np.zeros(3)
    x = np.clip(PROTOTYPES[[0, 1, 2, 0, 1, 2, 1, 0, 2]] + rng.normal(0, 0.15, (9, 8)), 0, 1)
    return (w1, w2), (b1, b2), x


def forward(weights, biases, x):
    h = x
    for l, (w, b) in enumerate(zip(weights, biases)):
        h = h @ w + (0 if b is None else b)
        if l < len(weights) - 1:
            h = np.maximum(h, 0.0)
    return h


@pytest.mark.parametrize("read_out, extra", [("spike_count", {}), ("membrane_potential", {}),
                                             ("time_to_k_spikes", {"k": 10})])
def test_converted_network_classifies_like_the_ann(paradigm, read_out, extra):
    setup_backend(paradigm, dt=1.0, seed=1)
    weights, biases, x = tiny_network()
    expected = forward(weights, biases, x).argmax(axis=1)
    assert len(set(expected)) == 3                     # the samples cover the three classes
    converter = ANNtoSNNConverter(read_out=read_out, seed=1, **extra)
    net = converter.load_weights(weights, biases, show_info=False)
    assert net is converter.get_annarchy_network() and [p.size for p in net.get_populations()] == [8, 6, 3]
    assert converter.predict(x, duration_per_sample=200) == list(expected)


def test_biases_act_as_constant_currents(paradigm):
    setup_backend(paradigm, dt=1.0, seed=2)
    weights, biases = [np.eye(2) * 0.5, np.ones((2, 2))], [None, np.array([0.0, 0.6])]
    x = np.array([[1.0, 1.0], [0.5, 0.2]])
    assert list(forward(weights, biases, x).argmax(axis=1)) == [1, 1]
    converter = ANNtoSNNConverter(seed=2)
    converter.load_weights(weights, biases, show_info=False)
    assert converter.predict(x, 300, multiple=True) == [[1], [1]]    # without the bias: a tie
    converter.load_weights(weights, [None, None], show_info=False)
    tied = converter.predict(x, 300, multiple=True)
    assert all(len(t) == 2 for t in tied)


def test_intrinsically_bursting_encoding():
    setup_backend("numpy", dt=1.0, seed=1)
    weights, biases, x = tiny_network()
    converter = ANNtoSNNConverter(input_encoding="IB", seed=1)
    converter.load_weights(weights, biases, show_info=False)
    assert converter.predict(x, duration_per_sample=200) == list(forward(weights, biases, x).argmax(axis=1))


def _layer_config(biases):
    layers = [{"class_name": "InputLayer", "config": {"name": "input", "batch_shape": [None, 8]}}]
    for l, b in enumerate(biases):
        layers.append({"class_name": "Dense", "config": {"name": f"dense_{l}", "use_bias": b is not None,
                                                         "activation": "relu" if l == 0 else "softmax"}})
        if l == 0:
            layers.append({"class_name": "Dropout", "config": {"name": "dropout", "rate": 0.2}})
    return {"class_name": "Sequential", "config": {"name": "sequential", "layers": layers}}


def write_h5(path, weights, biases):
    """Keras 2's ``model.save('model.h5')`` layout: model_config, model_weights/<layer> with weight_names."""
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = json.dumps(_layer_config(biases))
        root = f.create_group("model_weights")
        for l, (w, b) in enumerate(zip(weights, biases)):
            group = root.create_group(f"dense_{l}")
            names = [f"dense_{l}/kernel:0"] + ([f"dense_{l}/bias:0"] if b is not None else [])
            group.attrs["weight_names"] = [n.encode() for n in names]
            group[names[0]] = w
            if b is not None:
                group[names[1]] = b


def write_keras3(path, weights, biases):
    """Keras 3's ``.keras`` zip: config.json and model.weights.h5 with layers/<name>/vars/<i>."""
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        for l, (w, b) in enumerate(zip(weights, biases)):
            group = f.create_group(f"layers/dense_{l}/vars")
            group["0"] = w
            if b is not None:
                group["1"] = b
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", json.dumps(_layer_config(biases)))
        archive.writestr("metadata.json", json.dumps({"keras_version": "3.0.0"}))
        archive.writestr("model.weights.h5", buffer.getvalue())


@pytest.mark.parametrize("writer, suffix", [(write_h5, "h5"), (write_keras3, "keras")])
def test_load_keras_files_without_keras(tmp_path, writer, suffix, capsys):
    setup_backend("numpy", dt=1.0, seed=1)
    weights, biases, x = tiny_network()
    path = tmp_path / f"model.{suffix}"
    writer(path, weights, biases)
    converter = ANNtoSNNConverter(seed=1)
    net = converter.load_keras_model(path)
    assert "Dense layer: dense_1, 3 neurons" in capsys.readouterr().out
    assert [p.name for p in net.get_populations()] == ["input", "dense_0", "dense_1"]
    assert converter.predict(x, duration_per_sample=200) == list(forward(weights, biases, x).argmax(axis=1))


def test_weight_normalization_and_errors(tmp_path):
    setup_backend("numpy", dt=1.0, seed=1)
    weights, biases, _ = tiny_network()
    converter = ANNtoSNNConverter(seed=1)
    factors = converter._normalize_weights([w.T for w in weights])
    expected = [2.0 / np.clip(weights[0], 0, None).sum(axis=0).max(), 3.0 / 2.0]   # Diehl et al. 2015
    np.testing.assert_allclose(factors, expected)
    net = converter.load_weights(weights, show_info=False, scale_factor=[1.0, 1.0])
    proj = net.get_projections()[1]
    np.testing.assert_allclose(np.asarray(proj.w, dtype=float).reshape(3, 6), weights[1].T / 2.0)
    assert net.get_populations()[1].vt == pytest.approx(0.95)      # hidden threshold 1 - 0.05 * depth
    with pytest.raises(ann.ModelError, match="read-out"):
        ANNtoSNNConverter(read_out="best")
    with pytest.raises(ann.ModelError, match="needs the k"):
        ANNtoSNNConverter(read_out="time_to_k_spikes")
    with pytest.raises(ann.ModelError, match="shape"):
        converter.load_weights([weights[0], weights[0]], show_info=False)
    with pytest.raises(ann.ModelError, match="load a model first"):
        ANNtoSNNConverter().predict(np.zeros((1, 8)))
    with pytest.raises(ann.ModelError, match="samples have 4 values"):
        converter.predict(np.zeros((1, 4)))
    with h5py.File(tmp_path / "conv.h5", "w") as f:
        f.attrs["model_config"] = json.dumps({"config": {"layers": [{"class_name": "Conv2D",
                                                                      "config": {"name": "conv"}}]}})
    with pytest.raises(ann.ModelError, match="Conv2D"):
        converter.load_keras_model(tmp_path / "conv.h5")
