"""Shared-kernel connectors: convolution, pooling and copies of another projection.

ANNarchy's ``Convolution``/``Pooling``/``Copy`` projections share one weight
kernel between all postsynaptic neurons.  annstudio expands them into ordinary
synapses (one per kernel element and postsynaptic neuron, ``w`` = the kernel
value), so the IR and every backend run them unchanged.  The functions here
are pure: they map geometries and a kernel to local ``(post, pre, kernel
index)`` triples, which ``build_connectivity`` turns into a ``Connectivity``
and the session layer reuses to rewrite the synapse copies when the kernel
changes.

Semantics (from ANNarchy's documented API):

- cross-correlation, the kernel centred on the presynaptic coordinate
  ``centre`` (element ``m`` of a dimension of size ``n`` reads ``centre + m -
  n // 2``); by default ``centre = post coordinate * (pre size / post size)``
  per spatial dimension (the ratio must be an integer), or the coordinates
  given in ``subsampling`` (one per postsynaptic neuron);
- ``connect_filter``: kernel, pre and post of the same dimension; or post with
  one dimension less, the kernel's last dimension spanning the pre's last one;
  or ``keep_last_dimension``: a kernel with one dimension less than pre/post,
  applied to each feature map of the last dimension;
- ``connect_filters``: a bank ``weights[k]``, the result of filter ``k`` in the
  last dimension of post (the filters span the pre's last dimension when post
  has the pre's dimension);
- padding: outside the presynaptic population, ``"border"`` repeats the
  nearest border neuron (several synapses may then share a presynaptic
  neuron); ``0.0`` with ``sum`` adds nothing.  Any other numeric padding
  gives *padding sites*: one synapse per kernel position outside the pre
  population (its presynaptic neuron the nearest border one, never read),
  whose kernel index is :data:`PAD_COUNTED` or :data:`PAD_ZERO`; the
  projection's psp then yields the site's weight (:func:`site_weights`: the
  padding value, or 0.0) instead of the psp, as ANNarchy 5.0.4.1 / 4.8.2.6
  do (docs/annarchy-semantics.md, section n): with ``sum`` and ``mean``
  the kernel is walked dimension by dimension and a coordinate outside in
  dimension ``d`` adds the padding value once for the block of inner
  dimensions it skips (a 3x3 corner: 3 times), ``mean`` divides by the
  kernel size also at the borders (a bank's: by the size of the whole bank,
  filters times kernel); ``max`` and ``min`` start from 0.0 and skip the
  outside positions, whatever the padding (``"border"`` included): a 0.0
  site stands for that start in every neuron that has no outside position.
- pooling: post neuron ``c`` covers the pre block ``c*extent .. (c+1)*extent - 1``.
"""
from dataclasses import replace

import numpy as np

from ..errors import ConnectivityError

PAD_COUNTED = -1     # kernel index of a padding site that adds the padding value (sum, mean)
PAD_ZERO = -2        # ... of one that counts as 0.0 (mean: the divisor; max, min)


def _ratio(pre_dims, post_dims, where):
    out = []
    for a, b in zip(pre_dims, post_dims):
        if b > a or a % b:
            raise ConnectivityError(f"cannot subsample a dimension of {a} neurons onto {b}: the pre size must "
                                    "be a multiple of the post size (or give subsampling=)", where=where)
        out.append(a // b)
    return np.asarray(out, dtype=np.int64)


def _layout(pre_geom, post_geom, kshape, bank, keep_last, where):
    """(number of spatial dims S, span: kernel covers pre's last dim, keep: feature maps kept)."""
    dpre, dpost, dk = len(pre_geom), len(post_geom), len(kshape)
    if max(dpre, dpost, dk) > 4:
        raise ConnectivityError("populations and kernels have at most 4 dimensions", where=where)
    if bank:
        if dpost == dpre + 1 and dk == dpre and not keep_last:
            return dpre, False, False
        if dpost == dpre and dk == dpre and not keep_last and dpre > 1:
            if kshape[-1] != pre_geom[-1]:
                raise ConnectivityError(f"the filters' last dimension ({kshape[-1]}) must match the pre "
                                        f"population's last one ({pre_geom[-1]})", where=where)
            return dpre - 1, True, False
        raise ConnectivityError(f"connect_filters: cannot apply filters of shape {kshape} to pre {pre_geom} "
                                f"-> post {post_geom}", where=where,
                                hint="the bank has one more dimension than pre; post's last dimension "
                                     "counts the filters")
    if keep_last:
        if dk != dpre - 1 or dpost != dpre or pre_geom[-1] != post_geom[-1]:
            raise ConnectivityError("keep_last_dimension needs a kernel with one dimension less than pre and "
                                    "post, and the same last dimension in pre and post", where=where)
        return dpre - 1, False, True
    if dk == dpre == dpost:
        return dpre, False, False
    if dk == dpre and dpost == dpre - 1:
        if kshape[-1] != pre_geom[-1]:
            raise ConnectivityError(f"the kernel's last dimension ({kshape[-1]}) must match the pre "
                                    f"population's last one ({pre_geom[-1]})", where=where)
        return dpost, True, False
    if dk == dpre - 1 and dpost == dpre:
        raise ConnectivityError("the kernel has one dimension less than the populations: set "
                                "keep_last_dimension=True", where=where)
    raise ConnectivityError(f"cannot convolve pre {pre_geom} with a kernel {kshape} onto post {post_geom}",
                            where=where)


def convolution(pre_geom, post_geom, weights, bank=False, keep_last_dimension=False, padding=0.0,
                subsampling=None, operation="sum", where=None):
    """Local ``(post, pre, kernel_index)`` int64 arrays of a convolution (see the module docstring).

    ``kernel_index`` indexes ``weights.ravel()``, or is :data:`PAD_COUNTED` / :data:`PAD_ZERO` at the
    padding sites of a numeric padding (see the module docstring and :func:`site_weights`)."""
    pre_geom, post_geom = tuple(int(g) for g in pre_geom), tuple(int(g) for g in post_geom)
    w = np.asarray(weights, dtype=float)
    kshape = w.shape[1:] if bank else w.shape
    if bank and (w.ndim < 2 or w.shape[0] != post_geom[-1]):
        raise ConnectivityError(f"connect_filters: {w.shape[0] if w.ndim else 0} filters but the post "
                                f"population's last dimension has {post_geom[-1]} neurons", where=where)
    if not bank and w.ndim == 0:
        raise ConnectivityError("the filter must be an array", where=where)
    S, span, keep = _layout(pre_geom, post_geom, kshape, bank, keep_last_dimension, where)
    npost = int(np.prod(post_geom))
    pc = np.array(np.unravel_index(np.arange(npost), post_geom)).T          # (npost, dpost)
    if subsampling is not None:
        sub = np.asarray(subsampling, dtype=np.int64).reshape(npost, -1)
        centre = sub[:, :S]
    else:
        centre = pc[:, :S] * _ratio(pre_geom[:S], post_geom[:S], where)
    kcoords = np.array(np.unravel_index(np.arange(int(np.prod(kshape))), kshape)).T   # (M, dk)
    half = np.asarray(kshape[:S], dtype=np.int64) // 2
    q = centre[:, None, :] + (kcoords[None, :, :S] - half)                # (npost, M, S)
    lim = np.asarray(pre_geom[:S], dtype=np.int64)
    q_out = (q < 0) | (q >= lim)
    inside = ~np.any(q_out, axis=-1)
    if isinstance(padding, str) and padding != "border":
        raise ConnectivityError(f"padding must be a number or 'border', got {padding!r}", where=where)
    extremum = operation in ("max", "min")
    if padding == "border" and extremum:    # ANNarchy repeats the border for sum and mean only
        padding = 0.0
    if padding == "border":
        q = np.clip(q, 0, lim - 1)
        inside = np.ones_like(inside)
    sites = padding != "border" and not inside.all() and (float(padding) != 0.0 or operation != "sum")
    if sites:
        if operation not in ("sum", "mean", "max", "min"):
            raise ConnectivityError(f"unknown operation {operation!r}", where=where)
        q = np.clip(q, 0, lim - 1)
    npre_coords = [q[..., d] for d in range(S)]
    M = kcoords.shape[0]
    if span:
        npre_coords.append(np.broadcast_to(kcoords[None, :, S], (npost, M)))
    elif keep:
        npre_coords.append(np.broadcast_to(pc[:, -1:], (npost, M)))
    pre = np.ravel_multi_index(tuple(np.where(inside | sites, c, 0) for c in npre_coords), pre_geom)
    kidx = np.broadcast_to(np.arange(M)[None, :], (npost, M))
    if bank:
        kidx = kidx + pc[:, -1:] * M
    post = np.broadcast_to(np.arange(npost)[:, None], (npost, M))
    kept = inside
    if sites:       # sum: the sites that add nothing are left out
        kidx = np.where(inside, kidx, _site_kinds(q_out, kcoords, S, operation))
        kept = inside | (kidx == PAD_COUNTED) if operation == "sum" else np.ones_like(inside)
    out = [post[kept], pre[kept], kidx[kept]]
    # further 0.0 sites: max/min start from 0.0 (a neuron with no outside position gets one); a bank's mean
    # divides by the size of the whole bank (F - 1 kernels' worth of sites more per neuron)
    extra = np.zeros(npost, dtype=np.int64)
    if extremum:
        extra[np.setdiff1d(np.arange(npost), out[0][out[2] == PAD_ZERO])] = 1
    if bank and operation == "mean":
        extra += (w.shape[0] - 1) * M
    if extra.any():
        owner = np.repeat(np.arange(npost), extra)
        out = [np.concatenate([out[0], owner]), np.concatenate([out[1], pre[owner, 0]]),
               np.concatenate([out[2], np.full(owner.size, PAD_ZERO)])]
    return tuple(a.astype(np.int64) for a in out)


def _site_kinds(out, kcoords, S, operation):
    """PAD_COUNTED / PAD_ZERO of every (post, kernel position) outside (``out``: per spatial dimension)."""
    if operation in ("max", "min"):
        return np.full(out.shape[:2], PAD_ZERO, dtype=np.int64)
    first = np.argmax(out, axis=-1)                                      # first dimension outside
    # the position adds the padding iff it is the first of the block of inner dimensions skipped
    inner_zero = np.stack([~np.any(kcoords[:, d + 1:] != 0, axis=1) for d in range(S)], axis=1)   # (M, S)
    counted = inner_zero[np.arange(out.shape[1])[None, :], first]
    return np.where(counted, PAD_COUNTED, PAD_ZERO).astype(np.int64)


def has_sites(kidx):
    """Whether a convolution's kernel indices include padding sites."""
    return bool(np.size(kidx)) and int(np.min(kidx)) < 0


def site_weights(weights, kidx, padding):
    """Per-synapse weights of a convolution: the kernel value, or at a padding site the value it yields."""
    w = np.asarray(weights, dtype=float).reshape(-1)
    kidx = np.asarray(kidx, dtype=np.int64)
    out = w[np.maximum(kidx, 0)] if w.size else np.zeros(kidx.shape)
    if has_sites(kidx):
        pad = 0.0 if isinstance(padding, str) else float(padding)    # "border": 0.0 sites only
        out = np.where(kidx == PAD_COUNTED, pad, np.where(kidx == PAD_ZERO, 0.0, out))
    return out


def pooling(pre_geom, post_geom, extent=None, where=None):
    """Local ``(post, pre)`` int64 arrays: post neuron ``c`` covers the pre block of ``extent`` at ``c*extent``."""
    pre_geom, post_geom = tuple(int(g) for g in pre_geom), tuple(int(g) for g in post_geom)
    if len(post_geom) < len(pre_geom):       # as ANNarchy: the pre's extra last dimensions are pooled whole
        post_geom = post_geom + (1,) * (len(pre_geom) - len(post_geom))
    if len(pre_geom) != len(post_geom):
        raise ConnectivityError(f"pooling needs a post population of at most the pre's dimension ({pre_geom} -> "
                                f"{post_geom})", where=where)
    if extent is None:
        ext = _ratio(pre_geom, post_geom, where)
    else:
        ext = np.asarray(pre_geom, dtype=np.int64) // np.asarray(post_geom, dtype=np.int64)
        given = np.atleast_1d(np.asarray(extent, dtype=np.int64))[:len(pre_geom)]
        ext[:given.size] = given
        if np.any(ext * np.asarray(post_geom) != np.asarray(pre_geom)):
            raise ConnectivityError(f"extent {tuple(ext)} times the post geometry {post_geom} must equal the pre "
                                    f"geometry {pre_geom}", where=where)
    npost = int(np.prod(post_geom))
    pc = np.array(np.unravel_index(np.arange(npost), post_geom)).T
    off = np.array(np.unravel_index(np.arange(int(np.prod(ext))), tuple(ext))).T
    q = pc[:, None, :] * ext + off[None, :, :]
    pre = np.ravel_multi_index(tuple(q[..., d] for d in range(len(pre_geom))), pre_geom)
    post = np.broadcast_to(np.arange(npost)[:, None], pre.shape)
    return post.reshape(-1).astype(np.int64), pre.reshape(-1).astype(np.int64)


def copied(connectivity, weights):
    """A ``Connectivity`` with the synapses and delays of another projection and its current ``weights``."""
    w = np.broadcast_to(np.asarray(weights, dtype=float), (connectivity.size,)).copy()
    uniform = float(w[0]) if np.ndim(weights) == 0 else None
    return replace(connectivity, pre=connectivity.pre.copy(), post=connectivity.post.copy(), w=w,
                   delay=connectivity.delay.copy(), uniform_weight=uniform)
