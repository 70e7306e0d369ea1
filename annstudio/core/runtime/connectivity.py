"""Connectors: declarative ``ConnectorSpec`` -> synapse arrays.

Built once, in Python, from a seeded ``numpy.random.Generator``, so that every
backend receives exactly the same network.  Synapses are stored post-major
(sorted by postsynaptic rank, then presynaptic rank); ranks are absolute ranks
in the pre/post populations even when the projection uses views.

Each connection method is one small function in the ``CONNECTORS`` table: it
reads a :class:`Request` (the method's arguments and the two sides) and returns
the :class:`Pairs` it connects, in local ranks; ``build_connectivity`` then does
what every method shares (self-connections, ordering, weights and delays).
A ``connect_with_func`` method receives two :class:`ConnectorSide` records
(data: name, geometry, ranks), never live session objects.
"""
import inspect
from dataclasses import dataclass
from typing import Optional

import numpy as np
import scipy.sparse as _sparse

from ..errors import ConnectivityError
from ..model.distributions import Distribution
from . import convolution_kernels as kernels
from . import pair_arrays


@dataclass
class Connectivity:
    pre_size: int
    post_size: int
    pre: np.ndarray        # int32 absolute presynaptic ranks, post-major order (int64 above 2**31 neurons)
    post: np.ndarray       # int32 absolute postsynaptic ranks (the same)
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

    def __init__(self, dt=None):   # ANNarchy's LILConnectivity(dt=): delays here stay in ms
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


@dataclass(frozen=True)
class ConnectorSide:
    """What a ``connect_with_func`` method sees of the pre- or postsynaptic side: data, not objects."""

    name: str
    geometry: tuple
    ranks: np.ndarray       # absolute ranks in the population (a view: a subset)

    @property
    def size(self):
        return int(self.ranks.size)

    def __len__(self):
        return self.size

    def coordinates_from_rank(self, rank):
        return tuple(int(c) for c in np.unravel_index(int(rank), self.geometry))

    def rank_from_coordinates(self, coord):
        return int(np.ravel_multi_index(tuple(int(c) for c in coord), self.geometry))


@dataclass
class Request:
    """One projection's connection problem, as a connector function reads it."""

    params: dict
    pre_ranks: np.ndarray
    post_ranks: np.ndarray
    pre_size: int
    post_size: int
    same_population: bool
    rng: object
    where: str
    pre_geometry: Optional[tuple] = None
    post_geometry: Optional[tuple] = None
    pre_name: str = "pre"
    post_name: str = "post"
    dt: float = 1.0

    @property
    def allow_self(self):
        return bool(self.params.get("allow_self_connections", False))

    @property
    def whole_population(self):
        """Pre and post are one population itself, not views of it.  As in ANNarchy 5.0.4.1 and 4.8.2.6, the
        random connectors (fixed_probability, fixed_number_pre/post) drop self-connections only then; between
        views of one population they keep them (all_to_all drops them in both cases)."""
        return (self.same_population and self.pre_ranks.size == self.pre_size
                and self.post_ranks.size == self.post_size)

    def side(self, which):
        ranks = self.pre_ranks if which == "pre" else self.post_ranks
        size = self.pre_size if which == "pre" else self.post_size
        geometry = self.pre_geometry if which == "pre" else self.post_geometry
        if geometry is None or ranks.size != size:
            geometry = (int(ranks.size),)
        return ConnectorSide(self.pre_name if which == "pre" else self.post_name, tuple(geometry), ranks)


_FROM_PARAMS = object()


@dataclass
class Pairs:
    """The (post, pre) pairs a method connects, in local ranks, and what it says about them."""

    post: object
    pre: object
    w: Optional[np.ndarray] = None     # per-pair weights (None: drawn from ``weights``)
    d: Optional[np.ndarray] = None     # per-pair delays (None: drawn from the ``delays`` argument)
    weights: object = _FROM_PARAMS     # the weight argument (default: the method's ``weights``)
    may_self_connect: bool = False     # True: the method has decided about self-connections itself


def _all_to_all(q):
    npre, npost = q.pre_ranks.size, q.post_ranks.size
    return Pairs(np.repeat(np.arange(npost, dtype=np.int64), npre), np.tile(np.arange(npre, dtype=np.int64), npost))


def _one_to_one(q):
    npre, npost = q.pre_ranks.size, q.post_ranks.size
    if npre != npost:
        raise ConnectivityError(f"one_to_one needs pre and post of the same size ({npre} != {npost})", where=q.where)
    return Pairs(np.arange(npost), np.arange(npost), may_self_connect=True)


def _fixed_probability(q):
    prob = q.params.get("probability")
    if prob is None or not 0.0 <= float(prob) <= 1.0:
        raise ConnectivityError(f"probability must be in [0, 1], got {prob!r}", where=q.where)
    return Pairs(*pair_arrays.bernoulli_pairs(q.rng, q.post_ranks.size, q.pre_ranks.size, float(prob)),
                 may_self_connect=not q.whole_population)


def _fixed_number(q, side):
    """``fixed_number_pre`` (side "pre": every postsynaptic neuron gets ``number`` distinct presynaptic
    ones) and ``fixed_number_post`` (side "post": the same with the axes swapped)."""
    rows, cols = (q.post_ranks, q.pre_ranks) if side == "pre" else (q.pre_ranks, q.post_ranks)
    number = int(q.params.get("number", -1))
    if not 0 <= number <= cols.size:
        raise ConnectivityError(f"number must be in [0, {cols.size}], got {q.params.get('number')!r}", where=q.where)
    row_l, col_l = [], []
    for j in range(rows.size):
        cand = np.arange(cols.size)
        if q.whole_population and not q.allow_self:
            cand = cand[cols[cand] != rows[j]]
        if number > cand.size:
            raise ConnectivityError(f"cannot pick {number} distinct {side}synaptic neurons out of {cand.size}",
                                    where=q.where)
        col_l.append(np.sort(q.rng.choice(cand, size=number, replace=False)))
        row_l.append(np.full(number, j))
    row = np.concatenate(row_l) if row_l else np.zeros(0, int)
    col = np.concatenate(col_l) if col_l else np.zeros(0, int)
    return Pairs(row, col, may_self_connect=True) if side == "pre" else Pairs(col, row, may_self_connect=True)


def _distance_weights(q, method):
    """gaussian / dog: weights from the distance of normalised coordinates, kept above ``limit``."""
    p = q.params
    if q.pre_geometry is None or q.post_geometry is None:
        raise ConnectivityError(f"{method} needs population geometries", where=q.where)
    if len(q.pre_geometry) != len(q.post_geometry):
        raise ConnectivityError(f"{method} needs pre and post of the same dimension", where=q.where)
    cpre, cpost = _coords(q.pre_geometry, q.pre_ranks), _coords(q.post_geometry, q.post_ranks)
    d2 = ((cpost[:, None, :] - cpre[None, :, :]) ** 2).sum(-1)
    limit = float(p.get("limit", 0.01))
    if method == "gaussian":
        amp, sigma = float(p["amp"]), float(p["sigma"])
        wmat = amp * np.exp(-d2 / (2 * sigma ** 2))
        keep = np.abs(wmat) > limit * abs(amp)
    else:
        ap, sp_, an, sn = (float(p[k]) for k in ("amp_pos", "sigma_pos", "amp_neg", "sigma_neg"))
        wmat = ap * np.exp(-d2 / (2 * sp_ ** 2)) - an * np.exp(-d2 / (2 * sn ** 2))
        keep = np.abs(wmat) > limit * abs(ap - an)
    post_l, pre_l = np.nonzero(keep)
    return Pairs(post_l, pre_l, w=wmat[post_l, pre_l])


def _from_matrix(q):
    p = q.params
    npre, npost = q.pre_ranks.size, q.post_ranks.size
    mat = p.get("weights")
    arr = np.array([[np.nan if v is None else v for v in row] for row in mat], dtype=float) \
        if isinstance(mat, list) else np.asarray(mat, dtype=float)
    if p.get("pre_post", False):
        arr = arr.T
    if arr.shape != (npost, npre):
        raise ConnectivityError(f"from_matrix: expected a ({npost}, {npre}) matrix (post x pre), got {arr.shape}",
                                where=q.where)
    post_l, pre_l = np.nonzero(~np.isnan(arr))
    explicit_d = None
    dmat = p.get("delays")
    if dmat is not None and np.ndim(dmat) == 2:
        darr = np.asarray(dmat, dtype=float)
        darr = darr.T if p.get("pre_post", False) else darr
        explicit_d = darr[post_l, pre_l]
    return Pairs(post_l, pre_l, w=arr[post_l, pre_l], d=explicit_d, may_self_connect=True)


def _from_sparse(q):
    mat = q.params.get("weights")
    npre, npost = q.pre_ranks.size, q.post_ranks.size
    if _sparse.issparse(mat):
        coo = mat.tocoo()
        rows, cols, vals, shape = coo.row, coo.col, coo.data, coo.shape
    elif isinstance(mat, dict):
        rows, cols, vals = (np.asarray(mat[k]) for k in ("rows", "cols", "values"))
        shape = tuple(mat["shape"])
    else:
        raise ConnectivityError("from_sparse needs a scipy sparse matrix of shape (pre, post)", where=q.where)
    if tuple(shape) != (npre, npost):
        raise ConnectivityError(f"from_sparse: expected shape (pre, post) = ({npre}, {npost}), got {shape}",
                                where=q.where)
    # copies (np.array): the ranks are changed in place later on, and these may be the caller's arrays
    return Pairs(np.array(cols, dtype=np.int64), np.array(rows, dtype=np.int64), w=np.asarray(vals, dtype=float),
                 may_self_connect=True)


def _dt_argument(method, args, dt):
    """``(dt,)`` for an ANNarchy 5 connector function (``method(pre, post, dt, **args)``), ``()`` for a 4.x one
    (``method(pre, post, **args)``): the one its signature takes."""
    try:
        sig = inspect.signature(method)
    except (TypeError, ValueError):
        return ()
    for extra in ((), (dt,)):
        try:
            sig.bind(None, None, *extra, **args)
            return extra
        except TypeError:
            continue
    return ()


def _with_func(q):
    method = q.params.get("method")
    if not callable(method):
        raise ConnectivityError("connect_with_func needs a callable 'method'", where=q.where)
    args = dict(q.params.get("args", {}))
    csr = method(q.side("pre"), q.side("post"), *_dt_argument(method, args, q.dt), **args)
    if not isinstance(csr, CSR):
        raise ConnectivityError("the connection method must return a CSR object", where=q.where)
    post_l, pre_l, ws, ds = [], [], [], []
    for rank, (r, w, d) in sorted(csr.rows.items()):
        post_l += [rank] * len(r)
        pre_l += list(r)
        ws += list(w)
        ds += list(d)
    return Pairs(np.asarray(post_l, dtype=np.int64), np.asarray(pre_l, dtype=np.int64),
                 w=np.asarray(ws, dtype=float), d=np.asarray(ds, dtype=float), may_self_connect=True)


def _shared_kernel(q, method):
    """convolution / pooling: shared kernels expanded into synapses (see convolution_kernels.py)."""
    p = q.params
    if q.pre_ranks.size != q.pre_size or q.post_ranks.size != q.post_size:
        raise ConnectivityError(f"{method} needs whole populations, not views", where=q.where)
    if method == "pooling":
        post_l, pre_l = kernels.pooling(q.pre_geometry, q.post_geometry, p.get("extent"), where=q.where)
        return Pairs(post_l, pre_l, weights=1.0, may_self_connect=True)
    kernel = np.asarray(p["weights"], dtype=float)
    post_l, pre_l, kidx = kernels.convolution(
        q.pre_geometry, q.post_geometry, kernel, bank=bool(p.get("bank", False)),
        keep_last_dimension=bool(p.get("keep_last_dimension", False)), padding=p.get("padding", 0.0),
        subsampling=p.get("subsampling"), operation=p.get("operation", "sum"), where=q.where)
    return Pairs(post_l, pre_l, w=kernels.site_weights(kernel, kidx, p.get("padding", 0.0)), may_self_connect=True)


CONNECTORS = {
    "all_to_all": _all_to_all,
    "one_to_one": _one_to_one,
    "fixed_probability": _fixed_probability,
    "fixed_number_pre": lambda q: _fixed_number(q, "pre"),
    "fixed_number_post": lambda q: _fixed_number(q, "post"),
    "gaussian": lambda q: _distance_weights(q, "gaussian"),
    "dog": lambda q: _distance_weights(q, "dog"),
    "from_matrix": _from_matrix,
    "from_sparse": _from_sparse,
    "with_func": _with_func,
    "convolution": lambda q: _shared_kernel(q, "convolution"),
    "pooling": lambda q: _shared_kernel(q, "pooling"),
}


def build_connectivity(connector, pre_ranks, post_ranks, pre_size, post_size, same_population,
                       rng, dt, where, pre_geometry=None, post_geometry=None, pre_name="pre", post_name="post"):
    """Create the synapses of one projection.

    ``pre_ranks``/``post_ranks``: absolute ranks covered by the (views of the)
    populations; ``same_population``: pre and post are the same population
    (self-connections then depend on ``allow_self_connections``).
    """
    method = CONNECTORS.get(connector.method)
    if method is None:
        raise ConnectivityError(f"unknown connection method {connector.method!r}", where=where)
    p = dict(connector.params)
    q = Request(p, np.asarray(pre_ranks, dtype=np.int64), np.asarray(post_ranks, dtype=np.int64), pre_size,
                post_size, same_population, rng, where, pre_geometry, post_geometry, pre_name, post_name, dt)
    pairs = method(q)
    weights = p.get("weights", 1.0) if pairs.weights is _FROM_PARAMS else pairs.weights
    if pairs.w is not None:
        weights = None
    pre_abs, post_abs, idx = _absolute_post_major(q, pairs, q.same_population and not (q.allow_self
                                                                                      or pairs.may_self_connect))
    n = int(pre_abs.size)
    uniform_w = float(weights) if (pairs.w is None and _is_constant(weights)
                                   and not p.get("force_multiple_weights", False)) else None
    if uniform_w is not None:       # one value seen n times (read-only): no per-synapse array to fill
        w = np.broadcast_to(np.float64(uniform_w), (n,))
    else:
        w = _reordered(pairs.w, idx) if pairs.w is not None else _values(weights, n, rng, "weights", where)
    d, uniform_d = _delays(pairs, p.get("delays", None), idx, n, rng, dt, where)
    # 4 bytes a rank: the compiled backends borrow these arrays as their index slots
    return Connectivity(pre_size, post_size, _ranks(pre_abs, pre_size), _ranks(post_abs, post_size), w, d,
                        uniform_w, uniform_d)


def _ranks(ranks, size):
    dtype = np.int32 if size < 2 ** 31 else np.int64
    return ranks.astype(dtype, copy=False) if ranks.size else np.zeros(0, dtype)


def _absolute_post_major(q, pairs, drop_self):
    """(pre, post) absolute ranks in post-major order, and which of the method's pairs they are (None: every
    pair, in the order made; else a boolean mask of the kept pairs or the permutation of them)."""
    post_l = pair_arrays.int_ranks(pairs.post)
    pre_l = pair_arrays.int_ranks(pairs.pre)
    npre, npost = q.pre_ranks.size, q.post_ranks.size
    if post_l.size and (post_l.max() >= npost or pre_l.max() >= npre or post_l.min() < 0 or pre_l.min() < 0):
        raise ConnectivityError("connection ranks out of range of the pre/post populations", where=q.where)
    # (large projections: the method's arrays are used as they are where they can be -- a view's ranks are a
    # shift of them, and int32 stays int32 -- so that no temporary of a synapse's size is made in vain)
    pre_abs = pair_arrays.absolute(q.pre_ranks, pre_l)
    post_abs = pair_arrays.absolute(q.post_ranks, post_l)
    del pre_l, post_l
    idx = None
    if drop_self:
        keep = pre_abs != post_abs
        if not bool(keep.all()):
            idx = keep
            pre_abs, post_abs = pair_arrays.kept(pre_abs, keep), pair_arrays.kept(post_abs, keep)
        del keep
    # post-major, presynaptic rank ascending within a row; most connectors already produce that order,
    # which a linear check confirms without a sort
    if not pair_arrays.is_post_major(post_abs, pre_abs, q.pre_size):
        order = np.argsort(pair_arrays.pair_key(post_abs, pre_abs, q.pre_size), kind="stable")
        pre_abs, post_abs = pre_abs[order], post_abs[order]
        idx = order if idx is None else np.flatnonzero(idx)[order]
    return pre_abs, post_abs, idx


def _delays(pairs, delays, idx, n, rng, dt, where):
    """Per-synapse delays (ms) and the one shared value when they are all equal (else None)."""
    if pairs.d is not None:
        d = _reordered(pairs.d, idx)
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
    return d, uniform_d


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


def _reordered(values, idx):
    """Per-pair values (given by the caller) as float64 in the kept, sorted order; always a fresh array."""
    values = np.asarray(values, dtype=float)
    return values.copy() if idx is None else values[idx]
