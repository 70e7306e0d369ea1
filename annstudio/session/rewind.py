"""What ``reset()`` does beyond restoring values: time back to 0 and, in ANNarchy 5, the generators reseeded.

Measured on real ANNarchy: after ``reset()`` both 4.8.2.6 and 5.0.4.1 report ``t = 0`` and step 0;
5.0.4.1's ``Network.reset(reseed_rng=True)`` (its default) makes a PoissonPopulation emit the same spikes
as after compile, 4.8.2.6's ``reset()`` does not reseed.  Everything counted in steps is shifted with the
clock: monitors' recording phases, periodic callbacks (``every``), the start steps kept for
``Monitor.times()``; the spike history of ``compute_firing_rate`` and BOLD monitors starts again; a
SpikeSourceArray restarted by ``clear()`` replays from time 0 (ANNarchy 5.0.4.1, measured).  Spikes waiting
in a delay queue are dropped, at ``reset()`` and at a SpikeSourceArray's ``clear()`` (5.0.4.1, measured:
tests/engine/test_reset_delays.py); the compiled backends restart their counter-based draws.
"""
import copy

import numpy as np


def rewind(net, sim, reseed_rng):
    """Set the clock of ``net``'s compiled simulation ``sim`` back to step 0."""
    from . import firing_rate
    shift = sim.step
    sim._drain()
    sim.backend.step = 0
    for mid, buf in sim._monitors.items():
        buf.offset = max(0, buf.offset - shift)
        sim.backend.set_monitor_offset(sim._bmid[mid], buf.offset)
    for entry in sim._periodic.values():
        entry[0] = max(1, entry[0] - shift)
    for mon in getattr(net, "_monitors", ()):
        for p in getattr(mon, "_periods", {}).values():
            p["start"] = [max(0, s - shift) for s in p["start"]]
            p["stop"] = [None if s is None else max(0, s - shift) for s in p["stop"]]
        if getattr(mon, "_t_start", None) is not None:
            mon._t_start = 0
    for t in firing_rate.trackers(net):
        t.rewind()
    for pop in getattr(net, "_populations", ()):
        if pop.__dict__.get("_origin"):             # a SpikeSourceArray restarted by clear(): from 0 again
            object.__setattr__(pop, "_origin", 0)
            pop.spike_times = pop._spec.options["spike_times"]
    drop_travelling(sim, reseed_rng)
    if reseed_rng:
        reseed(net, sim)


def drop_travelling(sim, reseed=False):
    """What every ``reset()`` does to the backend: the spikes waiting in delay queues are dropped (and, with
    ``reseed``, the compiled backends restart their counter-based draws)."""
    restart = getattr(sim.backend, "restart", None)
    if restart is not None:
        restart(None, bool(reseed))


def move_clock(net, sim, step):
    """``set_time`` / ``set_current_step``: the clock jumps to ``step``; recording phases and periodic callbacks
    stay where they are in absolute steps (what ``reset()`` re-anchors at 0, a jump does not), and the steps
    a monitor was active before the jump stay counted (``Monitor.mean_fr`` and friends)."""
    monitors = [m for m in getattr(net, "_monitors", ()) if getattr(m, "_t_start", None) is not None]
    for mon in monitors:
        mon._account(sim)
    sim.backend.step = int(step)
    for mon in monitors:
        mon._t_start = int(step)


def remember(net, sim):
    """Keep the state the backend's generator starts from (at compile), for ``reseed``."""
    rng = getattr(sim.backend, "rng", None)
    net.__dict__["_rng_start"] = copy.deepcopy(rng.bit_generator.state) if isinstance(rng, np.random.Generator) \
        else None


def reseed(net, sim):
    """Restart the NumPy backend's random generator where it started at compile (the compiled backends
    restart theirs in ``restart``)."""
    state = net.__dict__.get("_rng_start")
    rng = getattr(sim.backend, "rng", None)
    if state is not None and isinstance(rng, np.random.Generator):
        rng.bit_generator.state = copy.deepcopy(state)
