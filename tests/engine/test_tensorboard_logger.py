"""The tensorboard ``Logger`` (ANNarchy's extensions.tensorboard) writes event files tensorboard can read.

The files are read back here with a TFRecord reader (length, CRC, payload, CRC) and tensorboardX's own
protobuf ``Event`` message, and the values (scalars, decoded PNG pixels, histogram counts) are checked
against what was logged from a simulation.
"""
import io
import struct
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from tensorboardX.proto.event_pb2 import Event

import annstudio.engine as ann
from annstudio.engine.extensions.tensorboard import Logger


def read_events(directory):
    """Every ``Event`` in the tfevents files under ``directory``, keyed by the file's folder."""
    out = {}
    for path in sorted(Path(directory).rglob("events.out.tfevents.*")):
        data, pos, events = path.read_bytes(), 0, []
        while pos < len(data):
            (length,) = struct.unpack("<Q", data[pos:pos + 8])
            payload = data[pos + 12:pos + 12 + length]
            pos += 12 + length + 4
            event = Event()
            event.ParseFromString(payload)
            events.append(event)
        out.setdefault(path.parent.relative_to(directory).as_posix(), []).extend(events)
    return out


def values(events):
    return [(e.step, v) for e in events for v in e.summary.value]


def test_logger_writes_readable_events(tmp_path):
    ann.clear()
    net = ann.Network(dt=1.0, seed=3)
    pop = net.create(geometry=(4, 5), neuron=ann.LeakyIntegrator(tau=10.0, B=1.0))
    net.compile()
    image = np.arange(20.0).reshape(4, 5)
    with Logger(logdir=tmp_path, experiment="trial1") as logger:
        for trial in range(3):
            net.simulate(10.0)
            logger.add_scalar("Activity/mean_r", pop.r.mean(), trial)
            logger.add_scalars("Activity/extremes", {"min": pop.r.min(), "max": pop.r.max()}, trial)
        logger.add_image("Activity/r", image, 3, equalize=True)
        logger.add_images("Weights", np.stack([image, 2 * image]), 3, equalize=True, equalize_per_image=True)
        logger.add_histogram("Activity/histogram", pop.r, 3)
    assert logger.currentlogdir == str(tmp_path / "trial1")
    events = read_events(tmp_path)
    scalars = [(s, v.simple_value) for s, v in values(events["trial1"]) if v.tag == "Activity/mean_r"]
    expected_r = 1.0 - 0.9 ** (10 * np.arange(1, 4))        # explicit Euler: tau dr/dt + r = B, dt 1
    assert [s for s, _ in scalars] == [0, 1, 2]
    np.testing.assert_allclose([v for _, v in scalars], expected_r, rtol=1e-6)
    maxima = [v.simple_value for _, v in values(events["trial1/Activity/extremes/max"])]
    np.testing.assert_allclose(maxima, expected_r, rtol=1e-6)
    assert "trial1/Activity/extremes/min" in events
    (img,) = [v.image for _, v in values(events["trial1"]) if v.tag == "Activity/r"]
    pixels = np.asarray(Image.open(io.BytesIO(img.encoded_image_string)))
    assert (img.height, img.width) == (4, 5)
    np.testing.assert_allclose(pixels.reshape(4, 5, -1)[..., 0], np.round(image / 19.0 * 255), atol=1)
    (imgs,) = [v.image for _, v in values(events["trial1"]) if v.tag == "Weights"]
    assert imgs.height == 4 and imgs.width > 5                # the two equalized images tiled side by side
    (histo,) = [v.histo for _, v in values(events["trial1"]) if v.tag == "Activity/histogram"]
    assert histo.num == 20 and histo.min == pytest.approx(expected_r[-1], rel=1e-6)
    assert histo.sum == pytest.approx(20 * expected_r[-1], rel=1e-6)


def test_logger_default_run_folder_and_bad_input(tmp_path):
    logger = Logger(logdir=tmp_path / "runs")
    try:
        assert Path(logger.currentlogdir).parent == tmp_path / "runs"
        with pytest.raises(ann.ModelError, match="dict"):
            logger.add_scalars("x", [1.0, 2.0])
        with pytest.raises(ann.ModelError, match="shape"):
            logger.add_image("x", np.zeros((3, 3, 2)))
        logger.add_scalar("x", 1.5, 0)
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        figure = plt.figure(figsize=(2, 1), dpi=50)
        logger.add_figure("figure", figure, 1)
        assert not plt.fignum_exists(figure.number)          # closed after rendering
    finally:
        logger.close()
    logged = values(read_events(tmp_path / "runs").popitem()[1])
    assert [v.simple_value for _, v in logged if v.tag == "x"] == [1.5]
    assert [(v.image.width, v.image.height) for _, v in logged if v.tag == "figure"] == [(100, 50)]


def test_logger_without_tensorboardx_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorboardX", None)
    with pytest.raises(ann.ModelError, match=r"annstudio\[tensorboard\]"):
        Logger(logdir=tmp_path)
