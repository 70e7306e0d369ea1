"""ANNarchy's tensorboard ``Logger`` (``extensions.tensorboard``): log a simulation's scalars, images,
histograms, figures and hyperparameters as tensorboard event files, through tensorboardX's ``SummaryWriter``.

tensorboardX is optional (``pip install 'annstudio[tensorboard]'``); without it, creating a ``Logger``
raises a :class:`ModelError` naming the extra.  Runs go to ``logdir/experiment``, or by default to
``logdir/<date>_<host>`` (e.g. ``runs/Apr22_12-11-22_machine``); reusing an experiment name appends to it.
"""
import os
import socket
from datetime import datetime

import numpy as np

from annstudio.core.errors import ModelError

__all__ = ["Logger"]


def _summary_writer():
    try:
        from tensorboardX import SummaryWriter
    except ImportError as err:
        raise ModelError("the tensorboard Logger needs tensorboardX: pip install 'annstudio[tensorboard]' "
                         "(or pip install tensorboardX)", where="Logger") from err
    return SummaryWriter


def _equalized(img, axes=None):
    img = np.asarray(img, dtype=float)
    low, high = img.min(axis=axes, keepdims=True), img.max(axis=axes, keepdims=True)
    span = np.where(high > low, high - low, 1.0)
    return (img - low) / span


class Logger:
    """``with Logger(logdir="runs/", experiment=None) as logger: logger.add_scalar("Accuracy", acc, trial)``.

    Close it at the end (or use it as a context manager): tensorboardX queues events in memory and writes
    them on ``flush()`` / ``close()``."""

    def __init__(self, logdir="runs/", experiment=None):
        writer = _summary_writer()
        self.logdir, self.experiment = os.fspath(logdir), experiment
        os.makedirs(self.logdir, exist_ok=True)
        run = experiment or f"{datetime.now().strftime('%b%d_%H-%M-%S')}_{socket.gethostname()}"
        self.currentlogdir = os.path.join(self.logdir, str(run))
        print("Logging in", self.currentlogdir)
        self._summary = writer(self.currentlogdir, max_queue=10, flush_secs=10)

    def add_scalar(self, tag, value, step=None):
        """One scalar value (e.g. an accuracy) at time index ``step``."""
        self._summary.add_scalar(tag, float(value), global_step=step)

    def add_scalars(self, tag, value, step=None):
        """Several scalars in one plot: ``value`` is a dict ``{label: number}``."""
        if not isinstance(value, dict):
            raise ModelError(f"add_scalars needs a dict of values, got {type(value).__name__}", where="Logger")
        self._summary.add_scalars(tag, {str(k): float(v) for k, v in value.items()}, global_step=step)

    def add_image(self, tag, img, step=None, equalize=False):
        """An image: (height, width) greyscale or (height, width, 3) colour, integers 0-255 or floats 0-1;
        ``equalize`` rescales it to [0, 1] with its min and max."""
        img = np.asarray(img)
        if img.ndim not in (2, 3) or (img.ndim == 3 and img.shape[2] != 3):
            raise ModelError(f"add_image needs a (h, w) or (h, w, 3) array, got shape {img.shape}", where="Logger")
        if equalize:
            img = _equalized(img)
        self._summary.add_image(tag, img, global_step=step, dataformats="HW" if img.ndim == 2 else "HWC")

    def add_images(self, tag, img, step=None, equalize=False, equalize_per_image=False):
        """Several images: (number, height, width) or (number, height, width, 3); ``equalize`` rescales them
        to [0, 1] with the global min/max, or each with its own if ``equalize_per_image``."""
        img = np.asarray(img)
        if img.ndim == 3:
            img = img[..., np.newaxis]
        if img.ndim != 4 or img.shape[3] not in (1, 3):
            raise ModelError(f"add_images needs a (n, h, w) or (n, h, w, 3) array, got shape {img.shape}",
                             where="Logger")
        if equalize:
            img = _equalized(img, axes=(1, 2, 3) if equalize_per_image else None)
        self._summary.add_images(tag, img, global_step=step, dataformats="NHWC")

    def add_parameters(self, params, metrics):
        """Hyperparameters (dict) and the metrics they gave (dict), for tensorboard's HPARAMS tab."""
        for name, values in (("params", params), ("metrics", metrics)):
            if not isinstance(values, dict):
                raise ModelError(f"add_parameters needs {name} as a dict", where="Logger")
        self._summary.add_hparams(params, metrics)

    def add_histogram(self, tag, hist, step=None):
        """A histogram of the values in ``hist`` (a list or array, e.g. weights)."""
        self._summary.add_histogram(tag, np.asarray(hist, dtype=float).ravel(), global_step=step)

    def add_figure(self, tag, figure, step=None, close=True):
        """A Matplotlib figure, rendered to an image (closed afterwards unless ``close=False``)."""
        figure.canvas.draw()
        rgba = np.asarray(figure.canvas.buffer_rgba())
        self._summary.add_image(tag, rgba[..., :3], global_step=step, dataformats="HWC")
        if close:
            import matplotlib.pyplot as plt
            plt.close(figure)

    def flush(self):
        """Write the queued events to disk now."""
        self._summary.flush()

    def close(self):
        self._summary.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.close()
