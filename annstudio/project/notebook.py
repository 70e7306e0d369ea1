"""The notebook API: load a project, run its protocol, get the recordings in ms, plot them.

Owns ``load_project(path)`` -> ``NotebookProject`` (``annstudio.load_project`` hands callers
here) and ``Recordings``:

- ``NotebookProject.run(duration=None, seed=None, paradigm=None)`` plays the project's protocol
  through ``runner.run_project`` (one ``session.protocol.ProtocolRun``, as ``annstudio run`` does)
  and returns ``Recordings``;
- ``Recordings.spikes(mon)`` -> (times in ms, ranks), ``Recordings.trace(mon, var)`` -> (times in
  ms, values), ``.weights`` (plastic projections after the run), ``.metadata``;
  ``to_dataframe()`` gives a pandas ``DataFrame`` in long form (columns ``monitor``, ``variable``,
  ``time_ms``, ``neuron``, ``value``; a spike is a row with value 1) -- pandas is optional and
  imported only here; ``plot()`` returns the matplotlib figure ``annstudio run --plot`` draws
  (a notebook shows it inline); ``save(path)`` writes ``.npz``/``.h5``/``.nwb``.
"""
from pathlib import Path

import numpy as np

from . import results as _results
from .plot import draw_figure
from .runner import run_project
from .validate import load_project as _load_validated


class Recordings:
    """The recordings of one run, in physical time (see the module docstring)."""

    def __init__(self, results):
        self.results = results

    @property
    def metadata(self):
        return self.results.metadata

    @property
    def weights(self):
        return self.results.weights

    @property
    def monitors(self):
        """``{monitor: [variables]}`` ("spike" for spike recordings)."""
        return self.results.monitors

    def spikes(self, monitor):
        return self.results.spikes(monitor)

    def trace(self, monitor, variable):
        return self.results.trace(monitor, variable)

    def __repr__(self):
        parts = ", ".join(f"{m}: {'/'.join(v)}" for m, v in self.monitors.items())
        return f"<Recordings {self.metadata.get('simulated_ms', 0.0):g} ms ({parts})>"

    def to_dataframe(self):
        """A long-form pandas DataFrame of every spike and every recorded value (needs pandas)."""
        try:
            import pandas as pd      # optional: only this method needs it
        except ImportError:
            raise ImportError("to_dataframe() needs pandas: pip install pandas") from None
        frames = []
        for mon, variables in self.monitors.items():
            for var in variables:
                if var == "spike":
                    t, ranks = self.spikes(mon)
                    frames.append(pd.DataFrame({"monitor": mon, "variable": "spike", "time_ms": t,
                                                "neuron": ranks, "value": np.ones(len(t))}))
                    continue
                t, values = self.trace(mon, var)
                if values.dtype == object:
                    continue
                flat = values.reshape(len(values), -1) if values.ndim > 1 else values[:, None]
                ranks = (self.metadata.get("monitors", {}).get(mon) or {}).get("ranks")
                neurons = np.asarray(ranks if ranks and len(ranks) == flat.shape[1] else np.arange(flat.shape[1]))
                frames.append(pd.DataFrame({"monitor": mon, "variable": var, "time_ms": np.repeat(t, flat.shape[1]),
                                            "neuron": np.tile(neurons, len(t)), "value": flat.ravel()}))
        columns = ["monitor", "variable", "time_ms", "neuron", "value"]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)

    def plot(self):
        """The run's matplotlib figure (rasters, rates, traces, weights)."""
        return draw_figure(self.results)

    def save(self, path):
        """Write the recordings as ``.npz``, ``.h5`` or ``.nwb`` (by extension)."""
        return _results.save(self.results, path)


class NotebookProject:
    """A validated project file, ready to run (``load_project``)."""

    def __init__(self, project):
        self.project = project
        self.last = None

    @property
    def name(self):
        return self.project.name

    def __repr__(self):
        spec = self.project.spec
        return (f"<annstudio project {self.name!r}: {len(spec.populations)} populations, "
                f"{len(spec.projections)} projections, {len(spec.monitors)} monitors>")

    def run(self, duration=None, seed=None, paradigm=None, num_threads=None):
        """Play the protocol once (``duration`` caps it, in ms); returns ``Recordings``."""
        result = run_project(self.project, paradigm=paradigm, num_threads=num_threads, duration=duration, seed=seed)
        self.last = Recordings(_results.Results.from_run(result, self.project.spec))
        return self.last

    def plot(self):
        """The figure of the last run (runs the protocol first if it has not run yet)."""
        return (self.last or self.run()).plot()


def load_project(path):
    """Load and validate ``path`` (an annstudio project file) for a notebook; invalid files raise
    ``InvalidProject`` listing every located problem."""
    return NotebookProject(_load_validated(Path(path)))
