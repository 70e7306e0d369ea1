"""Connectors: declarative ``ConnectorSpec`` -> synapse arrays.

Built once, in Python, from a seeded ``numpy.random.Generator``, so that every
backend receives exactly the same network.  Synapses are stored post-major
(sorted by postsynaptic rank, then presynaptic rank); ranks are absolute ranks
in the pre/post populations even when the projection uses views.
"""
from dataclasses import dataclass

import numpy as np

from ..errors import ConnectivityError
from ..model.distributions import Distribution
from . import convolution_kernels as kernels

try:  # scipy is a declared dependency, but connectivity must not need it to import
    import scipy.sparse as _sparse
except ImportError:  # pragma: no cover
    _sparse = None


@dataclass
class Connectivity:
    pre_size: int
    post_size: int
    pre: np.ndarray        # int64 absolute presynaptic ranks, post-major order
    post: np.ndarray       # int64 absolute postsynaptic ranks
    w: np.ndarray          # float64 per synapse
    delay: np.ndarray      # float64 per synapse, ms
    uniform_weight: object = None   # float when every weight is the same constant
    uniform_delay: object = None    # float when every delay is the same constant

    @property
    def size(self):
        return int(self.pre.size)

    def row_ptr(self):
        """CSR row pointer over postsynaptic ranks."""
        counts = np.bincount(self.post, minlength=self.post_size)
        return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)

    def pre_order(self):
        """Permutation giving pre-major order (stable: post ascending within a pre row)."""
        return np.argsort(self.pre, kind="stable")

    def pre_row_ptr(self):
        counts = np.bincount(self.pre, minlength=self.pre_size)
        return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)


class CSR:
    """Connectivity returned by a ``connect_with_func`` method (ANNarchy-style)."""

    def __init__(self):
        self.rows = {}

    def add(self, rank, r, w, d):
        r = list(r)
        w = list(w) if np.ndim(w) else [w]
        d = list(d) if np.ndim(d) else [d]
        if len(w) == 1 and len(r) > 1:
            w = w * len(r)
        if len(d) == 1 and len(r) > 1:
            d = d * len(r)
        if len(w) != len(r) or len(d) != len(r):
            raise ConnectivityError(f"CSR.add: row {rank} has {len(r)} ranks but {len(w)} weights / "
                                    f"{len(d)} delays")
        self.rows[int(rank)] = (r, w, d)

    def push_back(self, rank, r, w, d):
        self.add(rank, r, w, d)

    def __len__(self):
        return sum(len(v[0]) for v in self.rows.values())


def _bernoulli_pairs(rng, n_rows, n_cols, p):
    """Every (row, col) pair kept independently with probability p, in row-major order.

    Successes of the Bernoulli sequence over all pairs are drawn as geometric gaps, so memory
    and time grow with the number of synapses, not with n_rows * n_cols."""
    total = n_rows * n_cols
    if p <= 0.0 or total == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if p >= 1.0:
        idx = np.arange(total, dtype=np.int64)
    else:
        chunks, pos = [], -1
        batch = int(total * p * 1.05) + 64
        while True:
            cs = pos + np.cumsum(rng.geometric(p, size=batch).astype(np.int64))
            chunks.append(cs[cs < total])
            if cs[-1] >= total:
                break
            pos = int(cs[-1])
            batch = max(64, int((total - pos) * p * 1.05) + 64)
        idx = np.concatenate(chunks)
    return idx // n_cols, idx % n_cols


def _values(spec, n, rng, what, where):
    if spec is None:
        return None
    if isinstance(spec, Distribution):
        return spec.get_values(n, rng)
    arr = np.asarray(spec, dtype=float)
    if arr.ndim == 0:
        return np.full(n, float(arr))
    if arr.size != n:
        raise ConnectivityError(f"{what}: expected a constant, a distribution or {n} values, got {arr.size}",
                                where=where)
    return arr.reshape(-1).astype(float)


def _is_constant(spec):
    return spec is not None and not isinstance(spec, Distribution) and np.ndim(spec) == 0


def _coords(geometry, ranks):
    geometry = tuple(geometry)
    coords = np.array(np.unravel_index(np.asarray(ranks), geometry)).T.astype(float)
    # normalised coordinates in [0, 1] per dimension, as in ANNarchy's gaussian connectors
    denom = np.array([max(g - 1, 1) for g in geometry], dtype=float)
    return coords / denom


def build_connectivity(connector, pre_ranks, post_ranks, pre_size, post_size, same_population,
                       rng, dt, where, pre_geometry=None, post_geometry=None, pre_obj=None, post_obj=None):
    """Create the synapses of one projection.

    ``pre_ranks``/``post_ranks``: absolute ranks covered by the (views of the)
    populations; ``same_population``: pre and post are the same population
    (self-connections then depend on ``allow_self_connections``).
    """
    m = connector.method
    p = dict(connector.params)
    pre_ranks = np.asarray(pre_ranks, dtype=np.int64)
    post_ranks = np.asarray(post_ranks, dtype=np.int64)
    npre, npost = pre_ranks.size, post_ranks.size
    allow_self = bool(p.get("allow_self_connections", False))
    weights = p.get("weights", 1.0)
    delays = p.get("delays", None)
    explicit_w = explicit_d = None
    if m == "all_to_all":
        post_l = np.repeat(np.arange(npost, dtype=np.int64), npre)
        pre_l = np.tile(np.arange(npre, dtype=np.int64), npost)
    elif m == "one_to_one":
        if npre != npost:
            raise ConnectivityError(f"one_to_one needs pre and post of the same size ({npre} != {npost})",
                                    where=where)
        post_l = pre_l = np.arange(npost)
        allow_self = True
    elif m == "fixed_probability":
        prob = p.get("probability")
        if prob is None or not 0.0 <= float(prob) <= 1.0:
            raise ConnectivityError(f"probability must be in [0, 1], got {prob!r}", where=where)
        post_l, pre_l = _bernoulli_pairs(rng, npost, npre, float(prob))
    elif m == "fixed_number_pre":
        number = int(p.get("number", -1))
        if not 0 <= number <= npre:
            raise ConnectivityError(f"number must be in [0, {npre}], got {p.get('number')!r}", where=where)
        post_l, pre_l = [], []
        for j in range(npost):
            cand = np.arange(npre)
            if same_population and not allow_self:
                cand = cand[pre_ranks[cand] != post_ranks[j]]
            if number > cand.size:
                raise ConnectivityError(f"cannot pick {number} distinct presynaptic neurons out of {cand.size}",
                                        where=where)
            pick = np.sort(rng.choice(cand, size=number, replace=False))
            post_l.append(np.full(number, j))
            pre_l.append(pick)
        post_l = np.concatenate(post_l) if post_l else np.zeros(0, int)
        pre_l = np.concatenate(pre_l) if pre_l else np.zeros(0, int)
        allow_self = True
    elif m == "fixed_number_post":
        number = int(p.get("number", -1))
        if not 0 <= number <= npost:
            raise ConnectivityError(f"number must be in [0, {npost}], got {p.get('number')!r}", where=where)
        post_l, pre_l = [], []
        for i in range(npre):
            cand = np.arange(npost)
            if same_population and not allow_self:
                cand = cand[post_ranks[cand] != pre_ranks[i]]
            if number > cand.size:
                raise ConnectivityError(f"cannot pick {number} distinct postsynaptic neurons out of {cand.size}",
                                        where=where)
            pick = rng.choice(cand, size=number, replace=False)
            post_l.append(pick)
            pre_l.append(np.full(number, i))
        post_l = np.concatenate(post_l) if post_l else np.zeros(0, int)
        pre_l = np.concatenate(pre_l) if pre_l else np.zeros(0, int)
        allow_self = True
    elif m in ("gaussian", "dog"):
        if pre_geometry is None or post_geometry is None:
            raise ConnectivityError(f"{m} needs population geometries", where=where)
        cpre = _coords(pre_geometry, pre_ranks) if len(pre_geometry) == len(post_geometry) else None
        cpost = _coords(post_geometry, post_ranks)
        if cpre is None:
            raise ConnectivityError(f"{m} needs pre and post of the same dimension", where=where)
        d2 = ((cpost[:, None, :] - cpre[None, :, :]) ** 2).sum(-1)
        limit = float(p.get("limit", 0.01))
        if m == "gaussian":
            amp, sigma = float(p["amp"]), float(p["sigma"])
            wmat = amp * np.exp(-d2 / (2 * sigma ** 2))
            keep = np.abs(wmat) > limit * abs(amp)
        else:
            ap, sp_, an, sn = (float(p[k]) for k in ("amp_pos", "sigma_pos", "amp_neg", "sigma_neg"))
            wmat = ap * np.exp(-d2 / (2 * sp_ ** 2)) - an * np.exp(-d2 / (2 * sn ** 2))
            keep = np.abs(wmat) > limit * abs(ap - an)
        post_l, pre_l = np.nonzero(keep)
        explicit_w = wmat[post_l, pre_l]
    elif m == "from_matrix":
        mat = p.get("weights")
        arr = np.array([[np.nan if v is None else v for v in row] for row in mat], dtype=float) \
            if isinstance(mat, list) else np.asarray(mat, dtype=float)
        if p.get("pre_post", False):
            arr = arr.T
        if arr.shape != (npost, npre):
            raise ConnectivityError(f"from_matrix: expected a ({npost}, {npre}) matrix (post x pre), "
                                    f"got {arr.shape}", where=where)
        post_l, pre_l = np.nonzero(~np.isnan(arr))
        explicit_w = arr[post_l, pre_l]
        weights = None
        dmat = p.get("delays")
        if dmat is not None and np.ndim(dmat) == 2:
            darr = np.asarray(dmat, dtype=float)
            darr = darr.T if p.get("pre_post", False) else darr
            explicit_d = darr[post_l, pre_l]
        allow_self = True
    elif m == "from_sparse":
        mat = p.get("weights")
        if _sparse is not None and _sparse.issparse(mat):
            coo = mat.tocoo()
            rows, cols, vals, shape = coo.row, coo.col, coo.data, coo.shape
        elif isinstance(mat, dict):
            rows, cols, vals = (np.asarray(mat[k]) for k in ("rows", "cols", "values"))
            shape = tuple(mat["shape"])
        else:
            raise ConnectivityError("from_sparse needs a scipy sparse matrix of shape (pre, post)", where=where)
        if tuple(shape) != (npre, npost):
            raise ConnectivityError(f"from_sparse: expected shape (pre, post) = ({npre}, {npost}), got {shape}",
                                    where=where)
        pre_l, post_l = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        explicit_w = np.asarray(vals, dtype=float)
        weights = None
        allow_self = True
    elif m == "with_func":
        method = p.get("method")
        if not callable(method):
            raise ConnectivityError("connect_with_func needs a callable 'method'", where=where)
        args = {k: v for k, v in p.get("args", {}).items()}
        csr = method(pre_obj, post_obj, **args)
        if not isinstance(csr, CSR):
            raise ConnectivityError("the connection method must return a CSR object", where=where)
        post_l, pre_l, ws, ds = [], [], [], []
        for rank, (r, w, d) in sorted(csr.rows.items()):
            post_l += [rank] * len(r)
            pre_l += list(r)
            ws += list(w)
            ds += list(d)
        post_l, pre_l = np.asarray(post_l, dtype=np.int64), np.asarray(pre_l, dtype=np.int64)
        explicit_w = np.asarray(ws, dtype=float)
        explicit_d = np.asarray(ds, dtype=float)
        weights = None
        allow_self = True
    elif m in ("convolution", "pooling"):   # shared kernels expanded into synapses (see convolution_kernels.py)
        if npre != pre_size or npost != post_size:
            raise ConnectivityError(f"{m} needs whole populations, not views", where=where)
        if m == "convolution":
            kernel = np.asarray(p["weights"], dtype=float)
            post_l, pre_l, kidx = kernels.convolution(
                pre_geometry, post_geometry, kernel, bank=bool(p.get("bank", False)),
                keep_last_dimension=bool(p.get("keep_last_dimension", False)), padding=p.get("padding", 0.0),
                subsampling=p.get("subsampling"), operation=p.get("operation", "sum"), where=where)
            explicit_w = kernel.reshape(-1)[kidx]
        else:
            post_l, pre_l = kernels.pooling(pre_geometry, post_geometry, p.get("extent"), where=where)
        weights = None if m == "convolution" else 1.0
        allow_self = True
    else:
        raise ConnectivityError(f"unknown connection method {m!r}", where=where)

    post_l = np.asarray(post_l, dtype=np.int64)
    pre_l = np.asarray(pre_l, dtype=np.int64)
    if post_l.size and (post_l.max() >= npost or pre_l.max() >= npre or post_l.min() < 0 or pre_l.min() < 0):
        raise ConnectivityError("connection ranks out of range of the pre/post populations", where=where)
    # (large all-to-all projections: every temporary here is 8 bytes a synapse, so none is made in vain)
    pre_abs = pre_l if _is_whole(pre_ranks, pre_size) else pre_ranks[pre_l]
    post_abs = post_l if _is_whole(post_ranks, post_size) else post_ranks[post_l]
    del pre_l, post_l
    idx = None                                  # None: every pair, in the order made
    if same_population and not allow_self:
        idx = np.nonzero(pre_abs != post_abs)[0]
        pre_abs, post_abs = pre_abs[idx], post_abs[idx]
    # post-major, presynaptic rank ascending within a row; most connectors already produce that order,
    # which a linear check confirms without a sort
    if not _post_major(post_abs, pre_abs, pre_size):
        order = np.argsort(_pair_key(post_abs, pre_abs, pre_size), kind="stable")
        pre_abs, post_abs = pre_abs[order], post_abs[order]
        idx = order if idx is None else idx[order]
    n = int(pre_abs.size)
    if explicit_w is not None:
        w = _reordered(explicit_w, idx)
    else:
        w = _values(weights, n, rng, "weights", where)
    uniform_w = float(weights) if (explicit_w is None and _is_constant(weights)
                                   and not p.get("force_multiple_weights", False)) else None
    if explicit_d is not None:
        d = _reordered(explicit_d, idx)
        uniform_d = None
        if d.size and np.all(d == d[0]):
            uniform_d = float(d[0])
        elif not d.size:
            uniform_d = float(dt)
    else:
        if delays is None:
            delays = dt
        if _is_constant(delays):       # one value seen n times (read-only): no per-synapse array to fill
            d = np.broadcast_to(np.float64(delays), (n,))
            uniform_d = float(delays)
        else:
            d = _values(delays, n, rng, "delays", where)
            uniform_d = None
    if (uniform_d is not None and uniform_d < 0) or (uniform_d is None and np.any(d < 0)):
        raise ConnectivityError("delays must be non-negative", where=where)
    return Connectivity(pre_size, post_size, pre_abs if n else np.zeros(0, np.int64),
                        post_abs if n else np.zeros(0, np.int64), w, d, uniform_w, uniform_d)


def _is_whole(ranks, size):
    """``ranks`` is 0, 1, ..., size - 1 (a whole population): absolute ranks equal local ones."""
    return ranks.size == size and (size == 0 or (ranks[0] == 0 and bool(np.all(np.diff(ranks) == 1))))


def _pair_key(post, pre, pre_size):
    """One int64 per (post, pre) pair, ordered as the pairs are post-major (ranks < pre_size)."""
    return post * max(int(pre_size), 1) + pre


def _reordered(values, idx):
    """Per-pair values (given by the caller) as float64 in the kept, sorted order; always a fresh array."""
    values = np.asarray(values, dtype=float)
    return values.copy() if idx is None else values[idx]


def _post_major(post, pre, pre_size, chunk=1 << 20):
    """Pairs strictly increasing in (post, pre) order, checked a chunk at a time (small temporaries)."""
    last = -1
    for a in range(0, post.size, chunk):
        key = _pair_key(post[a:a + chunk], pre[a:a + chunk], pre_size)
        if key[0] <= last or not bool(np.all(key[1:] > key[:-1])):
            return False
        last = int(key[-1])
    return True
