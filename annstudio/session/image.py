"""Image and video input populations (ANNarchy's ``extensions.image``).

``ImagePopulation(geometry=(h, w))`` is a rate-coded population whose ``r`` is an image: ``set_image(path)``
opens the file with Pillow, resizes it to ``(w, h)`` with bicubic interpolation and, for a 2-D geometry (or a
third dimension of 1), converts it to greyscale (``L``) after resizing; values are scaled to [0, 1].  A geometry
``(h, w, 3)`` keeps the RGB channels.  ``VideoPopulation`` grabs the frames of a camera (or a video file) through
OpenCV, processed the same way.  Pillow and OpenCV are optional: ``pip install annstudio[image]`` /
``annstudio[video]``; a missing one is named in the error.
"""
import os

import numpy as np

from annstudio.core.errors import ModelError
from annstudio.core.model.types import Neuron

from .population import Population

__all__ = ["ImagePopulation", "VideoPopulation"]


def _image_neuron():
    return Neuron(parameters="r = 0.0", equations="", name="Image",
                  description="Rate-coded input whose r is set from an image.")


def _check_geometry(geometry, where):
    geometry = tuple(int(g) for g in (geometry if isinstance(geometry, (tuple, list)) else (geometry,)))
    if len(geometry) not in (2, 3):
        raise ModelError(f"{where} needs a 2-D (h, w) or 3-D (h, w, channels) geometry, got {geometry}",
                         where=where)
    if len(geometry) == 3 and geometry[2] not in (1, 3):
        raise ModelError(f"the third dimension of an {where} must be 1 (greyscale) or 3 (colour), "
                         f"got {geometry[2]}", where=where)
    return geometry


def _pillow():
    try:
        from PIL import Image
    except ImportError as err:                               # pragma: no cover - Pillow comes with matplotlib
        raise ModelError("ImagePopulation needs Pillow: pip install 'annstudio[image]'",
                         where="ImagePopulation") from err
    return Image


class ImagePopulation(Population):
    """A rate-coded population showing an image: ``pop.set_image('photo.png')`` sets ``r``."""

    def __init__(self, geometry, name=None, copied=False, net=None):
        geometry = _check_geometry(geometry, "ImagePopulation")
        super().__init__(geometry, _image_neuron(), name=name, net=net)

    @property
    def _colour(self):
        return len(self.geometry) == 3 and self.geometry[2] == 3

    def set_image(self, image_name):
        """Load ``image_name``, resize it to the geometry (bicubic), greyscale unless the geometry has 3
        channels, scale to [0, 1] and make it the population's ``r``."""
        path = os.fspath(image_name)
        if not os.path.isfile(path):
            raise ModelError(f"the image {path!r} does not exist", where=f"{self.name}.set_image")
        Image = _pillow()
        try:
            with Image.open(path) as im:
                im.load()
                image = im.convert("RGB") if im.mode not in ("RGB", "L") else im.copy()
        except OSError as err:
            raise ModelError(f"cannot read the image {path!r}: {err}", where=f"{self.name}.set_image") from err
        h, w = self.geometry[0], self.geometry[1]
        image = image.resize((w, h), Image.BICUBIC)
        if not self._colour:
            image = image.convert("L")
        elif image.mode != "RGB":
            image = image.convert("RGB")
        self.r = (np.asarray(image, dtype=float) / 255.0).reshape(self.geometry)


class VideoPopulation(ImagePopulation):
    """A rate-coded population showing the frames of a camera: ``start_camera(port)``, then
    ``grab_image()`` at each step you want a new frame, ``release()`` at the end.  ``start_camera`` also
    accepts a video file name (OpenCV opens both)."""

    def __init__(self, geometry, opencv_version="4", name=None, copied=False, net=None):
        super().__init__(geometry, name=name, net=net)
        self._capture = None

    def start_camera(self, camera_port=0):
        try:
            import cv2
        except ImportError as err:
            raise ModelError("VideoPopulation needs OpenCV: pip install 'annstudio[video]' (opencv-python)",
                             where=f"{self.name}.start_camera") from err
        capture = cv2.VideoCapture(camera_port)
        if not capture.isOpened():
            raise ModelError(f"cannot open the camera or video {camera_port!r}", where=f"{self.name}.start_camera")
        self._cv2, self._capture = cv2, capture

    def grab_image(self):
        """Read one frame, resize it to the geometry, greyscale unless colour, and set ``r`` in [0, 1]."""
        if self._capture is None:
            raise ModelError("call start_camera() before grab_image()", where=f"{self.name}.grab_image")
        cv2 = self._cv2
        ok, frame = self._capture.read()
        if not ok:
            raise ModelError("the camera returned no frame", where=f"{self.name}.grab_image")
        h, w = self.geometry[0], self.geometry[1]
        frame = cv2.resize(frame, (w, h))
        frame = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB if self._colour else cv2.COLOR_BGR2GRAY)
        self.r = (np.asarray(frame, dtype=float) / 255.0).reshape(self.geometry)

    def release(self):
        if self._capture is not None:
            self._capture.release()
            self._capture = None
