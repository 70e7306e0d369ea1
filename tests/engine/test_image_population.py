"""``ImagePopulation`` / ``VideoPopulation`` (ANNarchy's extensions.image) against ANNarchy's numbers.

Reference numbers: ANNarchy 5.0.4.1 (peer venv) ran ``ImagePopulation(geometry=...)``, ``compile()`` and
``set_image('test.png')`` on the 16x12 RGB PNG that ``make_image`` writes (numpy ``default_rng(3)``
integers), and printed ``r``: the sums and rows below.  Its ``r`` equals Pillow's bicubic resize to (w, h),
then ``convert('L')`` for a 2-D geometry, divided by 255 (max difference 0.0 on all three geometries).
"""
import sys
import types

import numpy as np
import pytest

import annstudio.engine as ann
from annstudio.engine.extensions.image import ImagePopulation, VideoPopulation
from backend_fixtures import setup_backend

from PIL import Image as PIL  # noqa: N812  (Pillow: the image extra, in the test extra)

ANNARCHY_GREY_SUM, ANNARCHY_COLOUR_SUM, ANNARCHY_SAME_SUM = 24.717647058823527, 53.58823529411765, 98.85098039215686
ANNARCHY_GREY_ROW0 = [0.5725490196078431, 0.5450980392156862, 0.41568627450980394, 0.3137254901960784,
                      0.30196078431372547, 0.3607843137254902, 0.49019607843137253, 0.4392156862745098]
ANNARCHY_COLOUR_00 = [0.7137254901960784, 0.4666666666666667, 0.32941176470588235]
ANNARCHY_COLOUR_46 = [0.6666666666666666, 0.6196078431372549, 0.4196078431372549]


def make_image(tmp_path):
    pixels = np.random.default_rng(3).integers(0, 256, size=(12, 16, 3), dtype=np.uint8)
    path = tmp_path / "test.png"
    PIL.fromarray(pixels).save(path)
    return path, pixels


def test_set_image_matches_annarchy(paradigm, tmp_path):
    path, _ = make_image(tmp_path)
    setup_backend(paradigm, dt=1.0)
    grey, colour, same = (ImagePopulation(geometry=(6, 8)), ImagePopulation(geometry=(5, 7, 3)),
                          ImagePopulation(geometry=(12, 16)))
    grey.set_image(path)                        # before compile ...
    ann.compile()
    colour.set_image(str(path))                 # ... and after
    same.set_image(path)
    ann.simulate(2.0)                           # r is a parameter: the step keeps it
    assert grey.r.shape == (6, 8) and colour.r.shape == (5, 7, 3)
    assert grey.r.sum() == pytest.approx(ANNARCHY_GREY_SUM, rel=1e-12)
    assert colour.r.sum() == pytest.approx(ANNARCHY_COLOUR_SUM, rel=1e-12)
    assert same.r.sum() == pytest.approx(ANNARCHY_SAME_SUM, rel=1e-12)
    np.testing.assert_allclose(grey.r[0], ANNARCHY_GREY_ROW0, rtol=1e-12)
    np.testing.assert_allclose(colour.r[0, 0], ANNARCHY_COLOUR_00, rtol=1e-12)
    np.testing.assert_allclose(colour.r[4, 6], ANNARCHY_COLOUR_46, rtol=1e-12)


def test_image_population_through_network_and_errors(tmp_path):
    path, pixels = make_image(tmp_path)
    net = ann.Network(dt=1.0)
    pop = net.create(ImagePopulation(geometry=(12, 16, 1)))
    pop.set_image(path)
    grey = np.asarray(PIL.fromarray(pixels).convert("L"), dtype=float) / 255.0
    np.testing.assert_allclose(pop.r[..., 0], grey)          # same size: no resampling, only greyscale
    with pytest.raises(ann.ModelError, match="1 \\(greyscale\\) or 3"):
        ImagePopulation(geometry=(4, 4, 2))
    with pytest.raises(ann.ModelError, match="does not exist"):
        pop.set_image(tmp_path / "missing.png")
    (tmp_path / "bad.png").write_text("not an image")
    with pytest.raises(ann.ModelError, match="cannot read"):
        pop.set_image(tmp_path / "bad.png")


class _FakeCapture:
    """Stands in for cv2.VideoCapture: one known BGR frame."""

    def __init__(self, frame):
        self.frame, self.released = frame, False

    def isOpened(self):
        return True

    def read(self):
        return True, self.frame.copy()

    def release(self):
        self.released = True


def test_video_population_grabs_frames(monkeypatch):
    ann.clear()
    frame = np.random.default_rng(5).integers(0, 256, size=(6, 8, 3), dtype=np.uint8)   # BGR, already 6x8
    capture = _FakeCapture(frame)
    fake = types.SimpleNamespace(
        VideoCapture=lambda port: capture, resize=lambda img, size: img,
        COLOR_BGR2RGB="rgb", COLOR_BGR2GRAY="grey",
        cvtColor=lambda img, code: img[..., ::-1] if code == "rgb" else img.astype(float).mean(axis=2))
    monkeypatch.setitem(sys.modules, "cv2", fake)
    colour, grey = VideoPopulation(geometry=(6, 8, 3)), VideoPopulation(geometry=(6, 8))
    with pytest.raises(ann.ModelError, match="start_camera"):
        colour.grab_image()
    colour.start_camera(0)
    grey.start_camera(0)
    colour.grab_image()
    grey.grab_image()
    np.testing.assert_allclose(colour.r, frame[..., ::-1] / 255.0)
    np.testing.assert_allclose(grey.r, frame.mean(axis=2) / 255.0)
    colour.release()
    assert capture.released


def test_video_population_names_opencv_when_missing(monkeypatch):
    ann.clear()
    monkeypatch.setitem(sys.modules, "cv2", None)            # import cv2 raises ImportError
    with pytest.raises(ann.ModelError, match=r"annstudio\[video\]"):
        VideoPopulation(geometry=(4, 4)).start_camera(0)
