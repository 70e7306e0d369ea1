"""Headless runs of a project: build the network, play its protocol, collect recordings.

Owns
- ``run_project(project, ...)`` -> ``RunResult``: the project's protocol played once by the
  session's ``ProtocolRun`` (which compiles the network for the requested paradigm, attaches
  the monitors in document order and gives the recordings in their canonical form, the one the
  exported script saves), with a progress callback; the seed made explicit first;
- ``save_results(result, path)``: an ``.npz`` written atomically, with a JSON metadata
  record (``__metadata__``: project digest, annstudio version, seed, paradigm, timings).

``duration`` (``annstudio run --duration``) caps the simulated time: the protocol is
played until that much time has been simulated, the last step cut short.
"""
import io
import json
import platform
import time
from dataclasses import dataclass, field

import numpy as np

from .. import __version__
from ..session.monitor_stream import close_streams
from ..session.protocol import ProtocolRun
from .format import write_atomic
from .results import plastic_projections


@dataclass
class RunResult:
    recordings: dict
    metadata: dict = field(default_factory=dict)
    record_steps: dict = field(default_factory=dict)   # monitor -> step of each record (ProtocolRun.record_steps)
    weights: dict = field(default_factory=dict)        # plastic projection -> its weights after the run


def _effective_seed(seed):
    if seed is not None:
        return int(seed)
    return int(np.random.SeedSequence().generate_state(1)[0])


def run_project(project, paradigm=None, num_threads=None, duration=None, chunk_ms=None, progress=None,
                seed=None):
    """Run ``project`` (a ``validate.Project``) headless; ``progress(done_ms, total_ms, label)``."""
    spec = project.spec
    settings = spec.settings
    settings.seed = _effective_seed(seed if seed is not None else settings.seed)
    if paradigm:
        settings.paradigm = paradigm
    if num_threads:
        settings.num_threads = int(num_threads)
    stream_dir = project.path.resolve().parent if project.path else None     # "stream" files: beside the project
    run = ProtocolRun(spec, project.protocol, duration=project.built.duration, limit=duration,
                      stream_dir=stream_dir)

    t_start = time.perf_counter()
    run.compile()
    build_s = time.perf_counter() - t_start
    t_run = time.perf_counter()
    if progress:
        progress(0.0, run.total, "")
    for p in run.play(chunk_ms):
        if progress:
            progress(p.done, run.total, p.label)
    run_s = time.perf_counter() - t_run
    recordings = run.recordings()
    close_streams(run.sim)
    metadata = {
        "annstudio_version": __version__,
        "project": project.name,
        "project_path": str(project.path) if project.path else None,
        "project_digest": project.digest,
        "seed": settings.seed,
        "paradigm": run.sim.paradigm,
        "num_threads": settings.num_threads,
        "precision": getattr(settings, "precision", "float64"),
        "dt": settings.dt,
        "simulated_ms": float(run.sim.t),
        "planned_ms": run.total,
        "protocol_steps": len(run.steps),
        "streams": {m.name: m.stream for m in spec.monitors if m.stream},     # recordings written to these files
        "timings": {"build_s": round(build_s, 6), "run_s": round(run_s, 6),
                    "total_s": round(time.perf_counter() - t_start, 6)},
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "platform": platform.platform(),
    }
    weights = {name: run.sim.weights(name) for name in plastic_projections(spec)}
    return RunResult(recordings, metadata, run.record_steps(), weights)


def save_results(result, path):
    """Write recordings + metadata to ``path`` (.npz) atomically."""
    buffer = io.BytesIO()
    arrays = dict(result.recordings)
    arrays["__metadata__"] = np.array(json.dumps(result.metadata))
    np.savez_compressed(buffer, **arrays)
    return write_atomic(path, buffer.getvalue(), backup=False)


def load_results(path):
    """(recordings, metadata) from a file written by ``save_results`` or an exported script."""
    with np.load(path, allow_pickle=False) as z:
        recordings = {k: z[k] for k in z.files if not k.startswith("__")}   # results.py adds __steps__/__weights__
        metadata = json.loads(str(z["__metadata__"])) if "__metadata__" in z.files else {}
    return recordings, metadata
