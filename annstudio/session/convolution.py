"""ANNarchy's shared-weight projections: ``Convolution``, ``Pooling`` and ``Copy``.

They are ordinary rate-coded :class:`Projection` s whose connector is computed
from the kernel (``ConnectorSpec`` methods ``convolution`` / ``pooling`` /
``copy``, expanded by ``annstudio.core.runtime.convolution_kernels``): every backend
runs them with no special code.  Consequences:

- weights are per-synapse copies of the shared kernel: ``proj.weights = k``
  after ``compile()`` rewrites every copy, but writing ``proj.w`` of single
  synapses de-synchronises them; learning rules cannot be attached (as in
  ANNarchy, only ``psp`` and ``operation`` are configurable);
- ``Copy`` copies the synapses, delays and weights the original has at
  ``compile()``; later changes of the original's weights are not reflected
  (ANNarchy shares them): call ``copy.update()`` to copy them again;
- ``padding="border"`` repeats the border neurons; a numeric padding that the
  kernel reaches gives *padding sites* (``kernels.convolution``): extra synapses
  whose psp is replaced by their weight (the padding value, or 0.0), marked by
  the synapse parameter ``padding_site`` (1.0 there, 0.0 elsewhere), which
  reproduces ANNarchy's results for every operation (docs/annarchy-semantics.md,
  section n).  Such a projection has more synapses than kernel positions read.
"""
import warnings

import numpy as np

from annstudio.core.errors import ModelError
from annstudio.core.model.spec import ConnectorSpec
from annstudio.core.model.types import Synapse
from annstudio.core.runtime.convolution_kernels import convolution as _convolution_triples
from annstudio.core.runtime.convolution_kernels import has_sites as _has_sites
from annstudio.core.runtime.convolution_kernels import site_weights as _site_weights
from annstudio.core.runtime.convolution_kernels import pooling as _pooling_pairs

from .population import Population
from .projection import Projection


def _whole(obj, what):
    if not isinstance(obj, Population):
        raise ModelError(f"{what} needs whole populations, not views")
    return obj


class _SharedProjection(Projection):
    """Rate-coded projection with a generated synapse (``psp``, ``operation``) and no learning."""

    _label = "SharedProjection"

    def __init__(self, pre, post, target, psp, operation, name=None, net=None):
        _whole(pre, self._label)
        _whole(post, self._label)
        if pre.neuron_type.type != "rate":
            raise ModelError(f"{self._label} needs a rate-coded pre population", where=self._label)
        synapse = Synapse(psp=psp, operation=operation, name=self._label)
        super().__init__(pre, post, target, synapse=synapse, name=name, net=net)
        self._psp, self._operation = psp, operation

    def __setattr__(self, name, value):
        prop = getattr(type(self), name, None)
        if isinstance(prop, property):          # weights=, read-only psp/operation/projection
            if prop.fset is None:
                raise AttributeError(f"{type(self).__name__}.{name} is read-only")
            prop.fset(self, value)
            return
        super().__setattr__(name, value)

    @property
    def psp(self):
        return self._psp

    @property
    def operation(self):
        return self._operation

    def save(self, filename):
        """Nothing written, with a warning, as ANNarchy's shared projections (their weights are one kernel)."""
        warnings.warn(f"{self._label} '{self.name}': shared-weight projections can not be saved (as in ANNarchy)",
                      stacklevel=2)

    def load(self, filename, pickle_encoding=None):
        warnings.warn(f"{self._label} '{self.name}': shared-weight projections can not be loaded (as in ANNarchy)",
                      stacklevel=2)

    def _set_connector(self, method, **params):
        if self._net._sim is not None and self._net._sim.backend is not None:
            raise ModelError("the network is already compiled: connect before compile()", where=self.name)
        self._spec.connector = ConnectorSpec(method, params)
        return self


class Convolution(_SharedProjection):
    """Cross-correlation of a kernel with the pre population (see ``annstudio.core.runtime.convolution_kernels``)."""

    _label = "Convolution"

    def __init__(self, pre, post, target, psp="pre.r * w", operation="sum", name=None, copied=False, net=None):
        super().__init__(pre, post, target, psp, operation, name=name, net=net)

    def _connect_kernel(self, weights, bank, delays, keep_last_dimension, padding, subsampling):
        kernel = np.asarray(weights, dtype=float)
        if np.ndim(delays) != 0:
            raise ModelError("a convolution takes one delay for all synapses", where=self.name)
        sub = None if subsampling is None else np.asarray(subsampling, dtype=np.int64)
        params = dict(weights=kernel, bank=bank, keep_last_dimension=bool(keep_last_dimension),
                      padding=padding if isinstance(padding, str) else float(padding), subsampling=sub,
                      operation=self._operation)
        if delays:
            params["delays"] = float(delays)
        # fail now, at the line of the script, rather than at compile()
        post, pre, kidx = _convolution_triples(
            self.pre.geometry, self.post.geometry, kernel, bank=bank, keep_last_dimension=keep_last_dimension,
            padding=params["padding"], subsampling=sub, operation=self._operation, where=f"Projection '{self.name}'")
        self._set_connector("convolution", **{k: v for k, v in params.items() if v is not None})
        self._padding_sites(post, pre, kidx)
        return self

    def _padding_sites(self, post, pre, kidx):
        """Swap in the synapse of padding sites (see the module docstring) when the kernel has some."""
        base = getattr(self, "_base_synapse", None) or self._spec.synapse
        self._base_synapse = base
        self._spec.initial.pop("padding_site", None)
        synapse = base
        if _has_sites(kidx):
            # the psp (already checked by the base synapse) is parsed again inside a conditional: the sites
            # yield their weight instead
            psp = (self._psp or "w * pre.r").split("#")[0].strip()
            synapse = Synapse(parameters="padding_site = 0.0", psp=f"ite(padding_site > 0.5, w, ({psp}))",
                              operation=self._operation, name=self._label)
            synapse.analysis(self.pre.neuron_type.type, self._net.spec.scope())
            order = np.lexsort((pre, post))       # post-major, as the connectivity
            self._spec.initial["padding_site"] = (kidx[order] < 0).astype(float)
        self._spec.synapse = synapse
        object.__setattr__(self, "synapse_type", synapse)

    def connect_filter(self, weights, delays=0.0, keep_last_dimension=False, padding=0.0, subsampling=None):
        """One filter, applied at every postsynaptic position."""
        return self._connect_kernel(weights, False, delays, keep_last_dimension, padding, subsampling)

    def connect_filters(self, weights, delays=0.0, keep_last_dimension=False, padding=0.0, subsampling=None):
        """A bank of filters (first index); filter ``k`` feeds the post neurons of last coordinate ``k``."""
        return self._connect_kernel(weights, True, delays, keep_last_dimension, padding, subsampling)

    @property
    def weights(self):
        """The shared kernel (or bank of kernels)."""
        c = self._spec.connector
        return None if c is None else np.array(c.params["weights"], copy=True)

    @weights.setter
    def weights(self, value):
        c = self._spec.connector
        if c is None:
            raise ModelError("connect a filter first", where=self.name)
        kernel = np.asarray(value, dtype=float)
        if kernel.shape != np.shape(c.params["weights"]):
            raise ModelError(f"the kernel has shape {np.shape(c.params['weights'])}, got {kernel.shape}",
                             where=self.name)
        c.params["weights"] = kernel
        sim = self._net._sim
        if sim is not None and sim.backend is not None:
            p = c.params
            post, pre, kidx = _convolution_triples(
                self.pre.geometry, self.post.geometry, kernel, bank=p.get("bank", False),
                keep_last_dimension=p.get("keep_last_dimension", False), padding=p.get("padding", 0.0),
                subsampling=p.get("subsampling"), operation=p.get("operation", "sum"))
            order = np.lexsort((pre, post))       # post-major, as the connectivity
            sim.set(self.name, "w", _site_weights(kernel, kidx[order], p.get("padding", 0.0)))


class Pooling(_SharedProjection):
    """Each post neuron receives ``operation`` (max, min, mean) of ``psp`` over its block of pre neurons."""

    _label = "Pooling"

    def __init__(self, pre, post, target, psp="pre.r", operation="max", name=None, copied=False, net=None):
        if operation not in ("max", "min", "mean"):
            raise ModelError(f"pooling operation must be max, min or mean, got {operation!r}", where="Pooling")
        super().__init__(pre, post, target, psp, operation, name=name, net=net)

    def connect_pooling(self, extent=None, delays=0.0):
        ext = None if extent is None else tuple(int(e) for e in np.atleast_1d(extent))
        _pooling_pairs(self.pre.geometry, self.post.geometry, ext, where=f"Projection '{self.name}'")
        params = {"extent": ext} if ext is not None else {}
        if delays:
            params["delays"] = float(delays)
        return self._set_connector("pooling", **params)

    pooling = connect_pooling       # ANNarchy 5's name


class Copy(_SharedProjection):
    """Re-uses the synapses, delays and weights of ``projection`` (see the module docstring)."""

    _label = "Copy"

    def __init__(self, pre, post, target, psp="pre.r * w", operation="sum", name=None, copied=False, net=None):
        super().__init__(pre, post, target, psp, operation, name=name, net=net)
        self._copied = None

    @property
    def projection(self):
        """The copied projection."""
        return self._copied

    def connect_copy(self, projection):
        if not isinstance(projection, Projection) or projection._net is not self._net:
            raise ModelError("connect_copy needs a projection of the same network", where=self.name)
        if projection.pre.geometry != self.pre.geometry or projection.post.geometry != self.post.geometry:
            raise ModelError("the copied projection's pre and post populations must have the geometries of this "
                             "one's", where=self.name)
        if projection._spec.connector is None:
            raise ModelError(f"connect {projection.name!r} before copying it", where=self.name)
        if "padding_site" in projection._spec.initial:
            raise ModelError(f"{projection.name!r} has padding sites (a numeric padding the kernel reaches), "
                             "which a Copy cannot share", where=self.name,
                             hint="create a second Convolution with the same filter instead")
        self._copied = projection
        return self._set_connector("copy", projection=projection.name)

    copy = connect_copy             # ANNarchy 5's name

    def update(self):
        """Copy the original's current weights again (after ``compile()``)."""
        sim = self._sim()
        w = np.asarray(sim.get(self._copied.name, "w"), dtype=float)
        sim.set(self.name, "w", w if w.ndim else float(w))


__all__ = ["Convolution", "Pooling", "Copy"]
