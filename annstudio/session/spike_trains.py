"""Recorded spikes as ANNarchy's ``Monitor.get('spike')`` returns them: a dict rank -> list of step indices.

The recording arrives as two int64 arrays (step, rank), one entry a spike.  Building the dict the obvious
way (``zip(steps.tolist(), ranks.tolist())``) makes two Python ints a spike, ~80 bytes a spike at the peak,
which was the peak of a whole large run (COBA 40 000, 1 s: 0.9 M spikes).  Here every distinct step is one
int object, shared by every list that holds it (ints are immutable: nothing a user can tell apart), and the
lists are filled from a NumPy object array by slicing: ~9 bytes a spike kept, ~18 at the peak.
"""
import numpy as np


def spike_dict(steps, ranks, keys):
    """``{rank: [step, ...]}`` with a key for every rank in ``keys`` (in that order; an empty list when it
    did not spike) and each rank's steps in recording order."""
    out = {int(r): [] for r in keys}
    steps = np.asarray(steps, dtype=np.int64).reshape(-1)
    ranks = np.asarray(ranks, dtype=np.int64).reshape(-1)
    if not steps.size:
        return out
    if int(ranks.min()) < 0:
        raise ValueError("negative rank in a spike recording")
    counts = np.bincount(ranks)                          # spikes per rank
    order = np.argsort(ranks, kind="stable")            # rank ascending, recording order within a rank
    lo, hi = int(steps.min()), int(steps.max())
    if hi - lo < 4 * steps.size:                         # one int object per step of the span
        objs = np.empty(hi - lo + 1, dtype=object)
        objs[:] = range(lo, hi + 1)
        pick = steps[order]
        pick -= lo
    else:                                                # few spikes over a long span: per distinct step
        distinct, which = np.unique(steps, return_inverse=True)
        objs = np.empty(distinct.size, dtype=object)
        objs[:] = distinct.tolist()
        pick = which.reshape(-1)[order]
        del which
    del order
    vals = objs[pick]                                    # references to the shared ints
    del pick, objs
    a = 0
    for r in np.flatnonzero(counts).tolist():
        b = a + int(counts[r])
        out[r] = vals[a:b].tolist()
        a = b
    return out
