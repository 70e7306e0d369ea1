"""Memory estimates made before anything is allocated: connectivity and recordings.

Owns
- ``available_memory()``: what this process may still allocate (the smallest of the
  system's available memory, the address-space limit and the cgroup limit), in bytes;
- ``synapse_estimate(pr, pre, post)``: the expected number of synapses of a projection
  from its connector's arguments alone (nothing is drawn);
- ``memory_footprint(spec, duration)``: ``{where: bytes}`` of the network's state, its
  synapses (``BYTES_PER_SYNAPSE`` plus 8 bytes per per-synapse variable) and its monitors'
  recordings over ``duration`` ms (8 bytes per recorded value; spikes are not counted): a
  population monitor records ranks x variables values, a projection monitor the stored size of
  each variable (synapses for a per-synapse one such as ``w``, post neurons for a postsynaptic
  one, 1 for a projection-wide one); a monitor with ``stream`` counts nothing here;
- ``disk_footprint(spec, duration)``: ``{where: bytes}`` of the streaming monitors (their file);
- ``free_disk(path)``: free bytes of the file system that would hold ``path``;
- ``resource_problems(spec, duration, available=None, folder=None)`` -> ``(errors, warnings)`` of
  ``(where, message, line)``: an error when the total exceeds the available memory, a
  warning above half of it, each message giving the estimate and the available memory; an
  error when the streamed recordings exceed the free disk space (relative ``stream`` paths
  count in ``folder``, default the current folder);
- ``recording_problem(recordings, steps, dt)``: the same question before each run of a session.

The project validator (``project.validate.verdict``) and the session's ``compile`` ask it,
so validate, run, the studio's Build and scripts refuse a resource bomb before building it.
"""
import math
import os
import shutil
from pathlib import Path

import numpy as np

BYTES_PER_SYNAPSE = 8 + 12          # weight, pre index and row pointer share
BYTES_PER_VALUE = 8


def _read_int(path):
    try:
        with open(path, encoding="ascii") as f:
            text = f.read().strip()
        return None if text in ("", "max") else int(text)
    except (OSError, ValueError):
        return None


def available_memory():
    """Bytes this process may still allocate (a conservative reading of the limits that apply)."""
    limits = []
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    limits.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    if not limits:
        try:
            limits.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (ValueError, OSError, AttributeError):
            limits.append(8 * 1024 ** 3)
    try:
        import resource      # POSIX only
        soft = resource.getrlimit(resource.RLIMIT_AS)[0]
        if soft not in (resource.RLIM_INFINITY, -1) and soft > 0:
            limits.append(soft)
    except (ImportError, ValueError, OSError):
        pass
    cg = _read_int("/sys/fs/cgroup/memory.max")
    if cg:
        used = _read_int("/sys/fs/cgroup/memory.current") or 0
        limits.append(max(cg - used, 0))
    return int(min(limits))


def human(n):
    """``1.5 GB`` style text for a number of bytes."""
    n = float(n)
    for unit in ("bytes", "kB", "MB", "GB", "TB", "PB"):
        if n < 1000 or unit == "PB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000.0
    return f"{n:.1f} PB"


def _count(ref, size):
    return size if ref.ranks is None else len(ref.ranks)


def _number(x):
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool) and math.isfinite(x)


def synapse_estimate(pr, pre, post, counts=None):
    """Expected synapse count of projection ``pr`` (an upper bound for distance-based connectors; ``counts``:
    the estimates of the projections before it, which a copy shares)."""
    c = pr.connector
    if c is None:
        return 0
    p, m = c.params, c.method
    npre, npost = _count(pr.pre, pre.size), _count(pr.post, post.size)
    if m == "pooling":                  # every pre neuron in one post neuron's block
        return float(npre)
    if m == "convolution":              # each post neuron reaches one kernel's sites (of a bank: one filter's)
        w = p.get("weights")
        size = np.size(w) / (max(len(w), 1) if p.get("bank") and np.ndim(w) else 1)
        return float(npost) * size
    if m == "copy" and counts and p.get("projection") in counts:
        return counts[p.get("projection")]
    if m == "one_to_one":
        return min(npre, npost)
    if m == "fixed_probability":
        prob = p.get("probability")
        return float(npre) * npost * (min(max(float(prob), 0.0), 1.0) if _number(prob) else 1.0)
    if m in ("fixed_number_pre", "fixed_number_post"):
        number = p.get("number")
        number = max(float(number), 0.0) if _number(number) else 0.0
        return number * (npost if m == "fixed_number_pre" else npre)
    if m in ("from_matrix", "from_sparse"):
        w = p.get("weights")
        nnz = getattr(w, "nnz", None)
        return float(nnz if nnz is not None else np.size(w))
    return float(npre) * npost          # all_to_all, gaussian, dog, with_func: at most every pair


def _existing(path):
    p = Path(path).resolve()
    while not p.exists() and p.parent != p:
        p = p.parent
    return p


def free_disk(path):
    """Free bytes on the file system that holds (or would hold) ``path``."""
    try:
        return int(shutil.disk_usage(_existing(path)).free)
    except OSError:
        return 0


def _file_system(path):
    try:
        return os.stat(_existing(path)).st_dev
    except OSError:
        return str(path)


def _stream_path(m, folder):
    return Path(folder or ".") / m.stream


def _recorded_values(m, pops, projs, n_syn, scope):
    """Values one record of monitor ``m`` holds (see the module docstring)."""
    variables = [v for v in m.variables if v != "spike" and not str(v).startswith("spike")]
    if m.kind == "population":
        if m.target not in pops:
            return 0.0
        return float(len(m.ranks) if m.ranks is not None else pops[m.target].size) * len(variables)
    pr = projs.get(m.target)
    if pr is None:
        return 0.0
    loc = {}
    try:
        if pr.synapse is not None:
            pre = pops[pr.pre.population]
            loc = {d.name: d.locality for d in pr.synapse.analysis(pre.neuron.type, scope).variables}
    except Exception:           # an analysis error is reported by the checks: count every value per synapse
        pass
    post = pops.get(pr.post.population)
    n_post = _count(pr.post, post.size) if post is not None else 0
    sizes = {"global": 1.0, "semiglobal": float(n_post)}
    return sum(sizes.get(loc.get(v), n_syn.get(m.target, 0.0)) for v in variables)


def _state_bytes(analysis, n):
    return sum(n if d.locality == "local" else 1 for d in analysis.variables) * BYTES_PER_VALUE


def memory_footprint(spec, duration=0.0):
    """``{where: bytes}`` estimated for ``spec``'s state, synapses and recordings over ``duration`` ms."""
    out = {}
    pops = {p.name: p for p in spec.populations}
    scope = spec.scope()
    for i, p in enumerate(spec.populations):
        try:
            out[f"populations[{i}]"] = _state_bytes(p.neuron.analysis(scope), p.size)
        except Exception:       # an analysis error is reported by the checks; count the size only
            out[f"populations[{i}]"] = p.size * BYTES_PER_VALUE
    n_syn = {}
    for k, pr in enumerate(spec.projections):
        pre, post = pops.get(pr.pre.population), pops.get(pr.post.population)
        if pre is None or post is None:
            continue
        n = synapse_estimate(pr, pre, post, n_syn)
        n_syn[pr.name] = n
        per = BYTES_PER_SYNAPSE
        try:
            if pr.synapse is not None:
                a = pr.synapse.analysis(pre.neuron.type, scope)
                per += BYTES_PER_VALUE * sum(1 for d in a.variables if d.locality == "local" and d.name != "w")
        except Exception:
            pass
        delays = (pr.connector.params.get("delays") if pr.connector is not None else None)
        if delays is not None and not _number(delays) and np.size(delays) != 1:
            per += BYTES_PER_VALUE
        out[f"projections[{k}]"] = n * per
    for where, m, size in _recordings(spec, duration, n_syn):
        if not getattr(m, "stream", None):
            out[where] = size
    return out


def _synapse_counts(spec):
    pops = {p.name: p for p in spec.populations}
    out = {}
    for pr in spec.projections:
        pre, post = pops.get(pr.pre.population), pops.get(pr.post.population)
        if pre is not None and post is not None:
            out[pr.name] = synapse_estimate(pr, pre, post, out)
    return out


def _recordings(spec, duration, n_syn=None):
    """``[(where, monitor, bytes)]`` of every monitor recording over ``duration`` ms."""
    n_syn = _synapse_counts(spec) if n_syn is None else n_syn
    pops, projs = {p.name: p for p in spec.populations}, {pr.name: pr for pr in spec.projections}
    scope = spec.scope()
    dt = float(spec.settings.dt or 1.0)
    steps = max(float(duration or 0.0), 0.0) / dt
    out = []
    for i, m in enumerate(spec.monitors):
        values = _recorded_values(m, pops, projs, n_syn, scope)
        every = max(float(m.period or dt) / dt, 1.0)
        out.append((f"monitors[{i}]", m, values * steps / every * BYTES_PER_VALUE))
    return out


def disk_footprint(spec, duration=0.0):
    """``{where: bytes}`` of the streaming monitors' files over ``duration`` ms."""
    return {where: size for where, m, size in _recordings(spec, duration) if getattr(m, "stream", None)}


STREAM_HINT = ("stream the recording to disk: a monitor's \"stream\" field in a project, "
               "Monitor(..., stream='file.h5') in a script")


def _disk_problems(spec, duration, folder):
    """Errors of the streaming monitors whose files would not fit on their file system."""
    need = {}                   # file system -> [(where, path, bytes)]
    for where, m, size in _recordings(spec, duration):
        if getattr(m, "stream", None):
            path = _stream_path(m, folder)
            need.setdefault(_file_system(path.parent), []).append((where, path, size))
    errors = []
    for items in need.values():
        free = free_disk(items[0][1].parent)
        total = sum(size for _, _, size in items)
        if total > free:
            where, path, biggest = max(items, key=lambda x: x[2])
            errors.append((f"{where}.stream", f"the streamed recordings need about {human(total)} on disk "
                           f"({where} to {str(path.name)!r}: {human(biggest)}) and {human(free)} is free there; "
                           "refused before running (record fewer variables or ranks, a longer period, or a "
                           "shorter duration)", None))
    return errors


def resource_problems(spec, duration=0.0, available=None, folder=None):
    """``(errors, warnings)``: the estimate against the available memory and, for streaming monitors, the
    free disk space (see the module docstring)."""
    disk = _disk_problems(spec, duration, folder)
    foot = memory_footprint(spec, duration)
    total = sum(foot.values())
    available = available_memory() if available is None else available
    if total <= available / 2:
        return disk, []
    where, biggest = max(foot.items(), key=lambda kv: kv[1])
    what = ("recording" if where.startswith("monitors") else "synapses" if where.startswith("projections")
            else "state")
    msg = (f"the network needs about {human(total)} ({what} of {where}: {human(biggest)}) and "
           f"{human(available)} of memory is available")
    if total > available:
        hint = (f"record fewer variables or ranks, a longer period, or a shorter duration, or {STREAM_HINT}"
                if what == "recording" else "use fewer neurons or a sparser connector")
        return [(where, f"{msg}; refused before allocating ({hint})", None)] + disk, []
    return disk, [(where, f"{msg}: more than half of it", None)]


def recording_problem(recordings, steps, dt, available=None):
    """A message when recordings ``[(values per record, period ms or None[, folder]), ...]`` over ``steps``
    steps of ``dt`` ms exceed the available memory, or, for those streamed to a file in ``folder`` (not
    None), the free disk space there (None when they fit); the session asks before each run."""
    total, disk = 0.0, {}
    for values, period, *rest in recordings:
        every = max(float(period or dt) / dt, 1.0)
        size = float(values) * float(steps) / every * BYTES_PER_VALUE
        folder = rest[0] if rest else None
        if folder is None:
            total += size
        else:
            disk[str(folder)] = disk.get(str(folder), 0.0) + size
    for folder, size in disk.items():
        free = free_disk(folder)
        if size > free:
            return (f"the streaming monitors would write about {human(size)} to {folder!r} during this run and "
                    f"{human(free)} is free there; refused before running (record fewer variables or ranks, use "
                    "a longer period or simulate less)")
    available = available_memory() if available is None else available
    if total <= available:
        return None
    return (f"the monitors would record about {human(total)} during this run and {human(available)} of memory "
            "is available; refused before running (record fewer variables or ranks, use a longer period, "
            "simulate in shorter parts and read the monitors in between, pause the monitors, or "
            f"{STREAM_HINT})")
