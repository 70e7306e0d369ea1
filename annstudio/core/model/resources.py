"""Memory estimates made before anything is allocated: connectivity and recordings.

Owns
- ``available_memory()``: what this process may still allocate (the smallest of the
  system's available memory, the address-space limit and the cgroup limit), in bytes;
- ``synapse_estimate(pr, pre, post)``: the expected number of synapses of a projection
  from its connector's arguments alone (nothing is drawn);
- ``memory_footprint(spec, duration)``: ``{where: bytes}`` of the network's state, its
  synapses (``BYTES_PER_SYNAPSE`` plus 8 bytes per per-synapse variable) and its monitors'
  recordings over ``duration`` ms (8 bytes per recorded value; spikes are not counted);
- ``resource_problems(spec, duration, available=None)`` -> ``(errors, warnings)`` of
  ``(where, message, line)``: an error when the total exceeds the available memory, a
  warning above half of it, each message giving the estimate and the available memory.

The project validator (``project.validate.verdict``) and the session's ``compile`` ask it,
so validate, run, the studio's Build and scripts refuse a resource bomb before building it.
"""
import math
import os

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


def synapse_estimate(pr, pre, post):
    """Expected synapse count of projection ``pr`` (an upper bound for distance-based connectors)."""
    c = pr.connector
    if c is None:
        return 0
    p, m = c.params, c.method
    npre, npost = _count(pr.pre, pre.size), _count(pr.post, post.size)
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
        n = synapse_estimate(pr, pre, post)
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
    dt = float(spec.settings.dt or 1.0)
    steps = max(float(duration or 0.0), 0.0) / dt
    projs = {pr.name: pr for pr in spec.projections}
    for i, m in enumerate(spec.monitors):
        values = 0.0
        variables = [v for v in m.variables if v != "spike" and not str(v).startswith("spike")]
        if m.kind == "population" and m.target in pops:
            n = len(m.ranks) if m.ranks is not None else pops[m.target].size
            values = n * len(variables)
        elif m.target in projs:
            values = n_syn.get(m.target, 0.0) * len(variables)
        every = max(float(m.period or dt) / dt, 1.0)
        out[f"monitors[{i}]"] = values * steps / every * BYTES_PER_VALUE
    return out


def resource_problems(spec, duration=0.0, available=None):
    """``(errors, warnings)``: the estimate against the available memory (see the module docstring)."""
    foot = memory_footprint(spec, duration)
    total = sum(foot.values())
    available = available_memory() if available is None else available
    if total <= available / 2:
        return [], []
    where, biggest = max(foot.items(), key=lambda kv: kv[1])
    what = ("recording" if where.startswith("monitors") else "synapses" if where.startswith("projections")
            else "state")
    msg = (f"the network needs about {human(total)} ({what} of {where}: {human(biggest)}) and "
           f"{human(available)} of memory is available")
    if total > available:
        hint = ("record fewer variables or ranks, a longer period, or a shorter duration" if what == "recording"
                else "use fewer neurons or a sparser connector")
        return [(where, f"{msg}; refused before allocating ({hint})", None)], []
    return [], [(where, f"{msg}: more than half of it", None)]


def recording_problem(recordings, steps, dt, available=None):
    """A message when recordings ``[(values per record, period ms or None), ...]`` over ``steps`` steps of
    ``dt`` ms exceed the available memory (None when they fit); the session asks before each run."""
    total = 0.0
    for values, period in recordings:
        every = max(float(period or dt) / dt, 1.0)
        total += float(values) * float(steps) / every * BYTES_PER_VALUE
    available = available_memory() if available is None else available
    if total <= available:
        return None
    return (f"the monitors would record about {human(total)} during this run and {human(available)} of memory "
            "is available; refused before running (record fewer variables or ranks, use a longer period, "
            "simulate in shorter parts and read the monitors in between, or pause the monitors)")
