"""Synapse rank arrays built with few temporaries (``connectivity.build_connectivity``'s heavy part).

A large projection's construction peak is made of arrays of a synapse's size: here the ranks of a
``fixed_probability`` connector are drawn straight into two int32 arrays, a chunk of draws at a time; a view's
ranks are a shift of the local ones; self-connections are dropped in place; and the post-major order is
checked a chunk at a time before any sort.  COBA 40 000 (3.2 M synapses): 48 -> 16 bytes a synapse at the
peak of a projection's construction.
"""
import numpy as np


def kept(arr, keep, chunk=1 << 18):
    """``arr[keep]``, moved to the front of ``arr`` itself a chunk at a time (a write never overtakes the read):
    every array here was made by this module or a connector, none is the caller's."""
    w = 0
    for a in range(0, arr.size, chunk):
        part = arr[a:a + chunk][keep[a:a + chunk]]
        arr[w:w + part.size] = part
        w += part.size
    return arr[:w]


def int_ranks(ranks):
    """A method's ranks as an integer array (int32 kept: 4 bytes a synapse)."""
    arr = np.asarray(ranks)
    return arr if arr.dtype.kind in "iu" and arr.dtype.itemsize >= 4 else arr.astype(np.int64)


def absolute(ranks, local):
    """Absolute ranks of ``local`` ranks of a side covering ``ranks``: ``local`` itself (a whole population),
    ``local`` shifted in place of a copy (a slice), else looked up."""
    first = range_start(ranks)
    if first is None:
        return ranks[local]
    if first == 0:
        return local
    return local + np.asarray(first, dtype=local.dtype) if int(first) + ranks.size < np.iinfo(local.dtype).max \
        else local.astype(np.int64) + first


CHUNK = 1 << 18      # geometric gaps drawn and turned into ranks this many at a time


def bernoulli_pairs(rng, n_rows, n_cols, p):
    """Every (row, col) pair kept independently with probability p, in row-major order.

    Successes of the Bernoulli sequence over all pairs are drawn as geometric gaps, so memory
    and time grow with the number of synapses, not with n_rows * n_cols.  The gaps come in batches (a
    batch: the expected number of successes left, plus 5 % and 64), each drawn and turned into (row, col)
    ranks a chunk at a time (the same draws: each gap is one variate of the stream), straight into the two
    rank arrays, int32 below 2**31 neurons: 8 bytes a synapse, and a chunk's temporaries."""
    total = n_rows * n_cols
    dtype = np.int32 if max(n_rows, n_cols) < 2 ** 31 else np.int64
    if p <= 0.0 or total == 0:
        return np.zeros(0, dtype), np.zeros(0, dtype)
    if p >= 1.0:
        idx = np.arange(total, dtype=np.int64)
        return (idx // n_cols).astype(dtype), (idx % n_cols).astype(dtype)
    batch = int(total * p * 1.05) + 64
    rows, cols = np.empty(batch, dtype), np.empty(batch, dtype)
    count, pos, done = 0, -1, False
    while not done:
        for a in range(0, batch, CHUNK):
            gaps = rng.geometric(p, size=min(CHUNK, batch - a))
            if done:
                continue                     # the rest of the batch: drawn, as the stream has it, unused
            cs = gaps.astype(np.int64, copy=False)
            np.cumsum(cs, out=cs)
            cs += pos
            k = int(np.searchsorted(cs, total))       # gaps >= 1: cs increases, cs[:k] < total
            if count + k > rows.size:
                rows, cols = grown(rows, count, count + k), grown(cols, count, count + k)
            rows[count:count + k] = cs[:k] // n_cols
            cols[count:count + k] = cs[:k] % n_cols
            count += k
            done = k < cs.size
            pos = pos if done else int(cs[-1])
        if not done:
            batch = max(64, int((total - pos) * p * 1.05) + 64)
    return rows[:count], cols[:count]


def grown(arr, used, need):
    """``arr``'s first ``used`` values in a larger array (room for ``need`` and a quarter more)."""
    out = np.empty(max(need, used + used // 4 + 64), arr.dtype)
    out[:used] = arr[:used]
    return out


def range_start(ranks):
    """``r0`` when ``ranks`` is r0, r0 + 1, ... (a whole population or a slice of one), else None."""
    if ranks.size == 0:
        return 0
    return int(ranks[0]) if bool(np.all(np.diff(ranks) == 1)) else None


def pair_key(post, pre, pre_size):
    """One int64 per (post, pre) pair, ordered as the pairs are post-major (ranks < pre_size)."""
    return np.asarray(post, dtype=np.int64) * max(int(pre_size), 1) + pre


def is_post_major(post, pre, pre_size, chunk=1 << 20):
    """Pairs strictly increasing in (post, pre) order, checked a chunk at a time (small temporaries)."""
    last = -1
    for a in range(0, post.size, chunk):
        key = pair_key(post[a:a + chunk], pre[a:a + chunk], pre_size)
        if key[0] <= last or not bool(np.all(key[1:] > key[:-1])):
            return False
        last = int(key[-1])
    return True
