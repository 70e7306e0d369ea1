"""ANN-to-SNN conversion (ANNarchy's ``extensions.ann_to_snn_conversion``) without a deep-learning framework.

``ANNtoSNNConverter`` turns a feed-forward network of ReLU ``Dense`` layers into a spiking network of
integrate-and-fire neurons (rate coding, Diehl et al. 2015) and classifies inputs with it:

* the weights come either from numpy arrays (``load_weights([W1, W2], biases=[b1, b2])``, each kernel in Keras'
  layout ``(inputs, outputs)``) or from a Keras file read with h5py (``load_keras_model``: the HDF5 layout of
  ``model.save("model.h5")`` or the ``.keras`` zip of Keras 3); no Keras / TensorFlow is imported;
* the input layer encodes a sample (values in [0, 1]) as spikes: ``"CPN"`` Poisson neurons firing at
  ``value * max_f`` Hz (``max_f`` 100 by default), ``"IB"`` intrinsically bursting Izhikevich neurons driven by
  ``value * max_f``, or ``"PSO"`` phase-shift oscillation (a threshold ``vt * 2^-(1 + (t-1) mod k)``);
* hidden neurons integrate their input without leak (``dv/dt = g_exc + bias``, ``v >= -2``), spike at
  ``v > vt`` and reset to ``vr``; ``vt`` is ``1 - 0.05 * depth`` as in ANNarchy.  The weights of each layer are
  scaled by ``scale_factor[l] / max_j sum_i max(W_ji, 0)`` (model-based normalization; by default the factors
  2, 3, 4... of the layer depths), so one step never carries a neuron over several thresholds;
* a bias ``b`` (ANNarchy refuses biases; accepted here) is a constant current equal to the drive an input of
  activation ``b`` would give at that depth: ``b * factor * c`` with ``c`` the drive per ms that a unit
  activation of the layer below produces (``max_f * dt / 1000`` for the input, then ``c * dt * factor / vt``);
* ``predict(samples, duration_per_sample)`` resets the network, shows each sample and reads the output layer:
  ``"spike_count"`` (most spikes), ``"time_to_first_spike"`` / ``"time_to_k_spikes"`` (stop when one output
  neuron has spiked ``k`` times) or ``"membrane_potential"`` (highest accumulated ``v``, no spikes).

Only dense layers are converted (Conv2D and pooling layers are refused with a located error).
"""
import io
import json
import os
import zipfile

import numpy as np

from annstudio.core.errors import ModelError
from annstudio.core.model.types import Neuron

from .network import Network

__all__ = ["ANNtoSNNConverter", "READ_OUTS", "INPUT_ENCODINGS"]

READ_OUTS = ("spike_count", "time_to_first_spike", "time_to_k_spikes", "membrane_potential")
_WHERE = "ANNtoSNNConverter"
_MASK = "tau_mask * dmask/dt = -mask : init = 0.0"   # a decaying trace of the spikes (ANNarchy's 'mask')


def _cpn():
    return Neuron(parameters="rates = 0.0\ntau_mask = 20.0 : population",
                  equations=f"p = Uniform(0.0, 1.0) * 1000.0 / dt\n{_MASK}",
                  spike="p < rates", reset="mask += 1.0 / tau_mask", name="CPN",
                  description="Poisson input encoding: spikes with probability rates*dt/1000 per step.")


def _ib():
    return Neuron(parameters="a = 0.02\nb = 0.2\nc = -55.0\nd = 4.0\nv_thresh = 30.0\nrates = 0.0\n"
                             "tau_mask = 20.0 : population",
                  equations="dv/dt = 0.04 * v^2 + 5.0 * v + 140.0 - u + rates : init = -55.0\n"
                            f"du/dt = a * (b * v - u) : init = -13.0\n{_MASK}",
                  spike="v > v_thresh", reset="v = c ; u += d ; mask += 1.0 / tau_mask", name="IB",
                  description="Intrinsically bursting (Izhikevich 2003) input encoding driven by the rates.")


def _pso():
    return Neuron(parameters="k = 8.0 : population\nvt = 1.0 : population\nrates = 0.0\n"
                             "tau_mask = 20.0 : population",
                  equations=f"vt_t = vt * exp(-log(2.0) * (1.0 + modulo(t - 1.0, k)))\nv = rates\n{_MASK}",
                  spike="v > vt_t", reset="mask += 1.0 / tau_mask", name="PSO",
                  description="Phase-shift oscillation input encoding: a threshold halving within each period k.")


INPUT_ENCODINGS = {"CPN": _cpn, "poisson": _cpn, "IB": _ib, "PSO": _pso}


def _iaf(output=False, spiking=True):
    """Non-leaky integrate-and-fire: hidden layers keep a spike trace, the read-out counts its spikes."""
    params = "vt = 1.0 : population\nvr = 0.0 : population\nbias = 0.0"
    eqs = "dv/dt = g_exc + bias : init = 0.0, min = -2.0"
    if output:
        return Neuron(parameters=params + "\nk = 1.0 : population", equations=eqs + "\ndsc/dt = 0.0 : init = 0.0", spike="v > vt" if spiking else "false",
                      reset="v = vr ; sc += 1.0" if spiking else "", name="IaF_ReadOut",
                      description="Integrate-and-fire read-out neuron counting its spikes in sc.")
    return Neuron(parameters=params + "\ntau_mask = 20.0 : population", equations=f"{eqs}\n{_MASK}",
                  spike="v > vt", reset="v = vr ; mask += 1.0 / tau_mask", name="IaF",
                  description="Non-leaky integrate-and-fire neuron of a converted network.")


def _layers_from_h5(h5, config):
    """``[(name, kernel, bias)]`` of the Dense layers, in order, from an open Keras HDF5 weights file."""
    layers = (config or {}).get("config", {}).get("layers", [])
    found = []
    for layer in layers:
        kind, cfg = layer.get("class_name", ""), layer.get("config", {})
        name = cfg.get("name") or layer.get("name")
        if kind in ("InputLayer", "Dropout", "Activation", "Flatten", "BatchNormalization", "Reshape"):
            continue
        if kind != "Dense":
            raise ModelError(f"layer {name!r} is a {kind}: only Dense layers can be converted here", where=_WHERE)
        if cfg.get("activation", "relu") not in ("relu", "linear", "softmax"):
            raise ModelError(f"layer {name!r} has activation {cfg.get('activation')!r}: a converted network "
                             "approximates ReLU units", where=_WHERE)
        arrays = _layer_arrays(h5, name)
        if not arrays:
            raise ModelError(f"no weights for the Dense layer {name!r} in the file", where=_WHERE)
        kernel = next(a for a in arrays if a.ndim == 2)
        bias = next((a for a in arrays if a.ndim == 1), None)
        found.append((name, kernel, bias))
    return found


def _layer_arrays(h5, name):
    """The datasets of one layer: Keras 2's ``model_weights/<name>`` (listed by ``weight_names``) or Keras 3's
    ``layers/<name>/vars/<i>``."""
    root = h5["model_weights"] if "model_weights" in h5 else h5
    if name in root and "weight_names" in root[name].attrs:
        group = root[name]
        return [np.asarray(group[n.decode() if isinstance(n, bytes) else n]) for n in group.attrs["weight_names"]]
    hits = []
    h5.visititems(lambda path, obj: hits.append(obj) if path.endswith(f"{name}/vars") and hasattr(obj, "keys")
                  else None)
    if hits:
        group = hits[0]
        return [np.asarray(group[k]) for k in sorted(group.keys(), key=int)]
    return []


def _model_config(value):
    if value is None:
        raise ModelError("the file has no model configuration (save the whole model, not only its weights)",
                         where=_WHERE)
    return json.loads(value.decode() if isinstance(value, bytes) else value)


class ANNtoSNNConverter:
    """Converts a ReLU network into a spiking one: ``ANNtoSNNConverter(input_encoding="CPN",
    hidden_neuron="IaF", read_out="spike_count", max_f=100, k=...)``; then ``load_keras_model(file)`` or
    ``load_weights(kernels, biases)``, and ``predict(samples)``.  Extra keywords: ``dt`` (ms, default 1),
    ``seed``."""

    def __init__(self, input_encoding="CPN", hidden_neuron="IaF", read_out="spike_count", **kwargs):
        if input_encoding not in INPUT_ENCODINGS:
            raise ModelError(f"unknown input encoding {input_encoding!r} (CPN, IB or PSO)", where=_WHERE)
        if isinstance(hidden_neuron, str) and hidden_neuron != "IaF":
            raise ModelError(f"unknown hidden neuron {hidden_neuron!r} (IaF or a Neuron)", where=_WHERE)
        if read_out not in READ_OUTS:
            raise ModelError(f"unknown read-out {read_out!r} ({', '.join(READ_OUTS)})", where=_WHERE)
        if read_out == "time_to_k_spikes" and "k" not in kwargs:
            raise ModelError("read_out='time_to_k_spikes' needs the k argument", where=_WHERE)
        unknown = set(kwargs) - {"k", "max_f", "dt", "seed"}
        if unknown:
            raise ModelError(f"unknown argument(s) {sorted(unknown)}", where=_WHERE)
        self._input_encoding, self._read_out = input_encoding, read_out
        self._hidden = hidden_neuron if not isinstance(hidden_neuron, str) else None
        self._k = float(kwargs.get("k", 1))
        self._max_f = float(kwargs.get("max_f", 100.0))
        self._dt, self._seed = kwargs.get("dt", 1.0), kwargs.get("seed")
        self._snn_network = None
        self._rng = np.random.default_rng(self._seed)

    # ----------------------------------------------------------------------------------------- loading
    def load_keras_model(self, filename, directory="annarchy", scale_factor=None, show_info=True):
        """Read a Keras model of Dense layers from ``filename`` (``.h5`` HDF5 or ``.keras`` zip) with h5py,
        build and compile the spiking network, and return it.  ``directory`` is accepted for ANNarchy
        compatibility (annstudio's build cache decides where compiled code goes)."""
        import h5py
        path = os.fspath(filename)
        if not os.path.isfile(path):
            raise ModelError(f"the model file {path!r} does not exist", where=_WHERE)
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                config = _model_config(archive.read("config.json"))
                with h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r") as h5:
                    layers = _layers_from_h5(h5, config)
        else:
            try:
                with h5py.File(path, "r") as h5:
                    layers = _layers_from_h5(h5, _model_config(h5.attrs.get("model_config")))
            except OSError as err:
                raise ModelError(f"cannot read {path!r} as a Keras HDF5 file: {err}", where=_WHERE) from err
        if not layers:
            raise ModelError(f"{path!r} has no Dense layer to convert", where=_WHERE)
        return self.load_weights([k for _, k, _ in layers], [b for _, _, b in layers], scale_factor=scale_factor,
                                 show_info=show_info, names=[n for n, _, _ in layers])

    def load_weights(self, weights, biases=None, scale_factor=None, show_info=True, names=None):
        """Build the spiking network from Dense kernels ``weights[l]`` of shape ``(inputs, outputs)`` (Keras'
        layout) and optional ``biases[l]`` (``None`` entries for none); return the compiled network."""
        kernels = [np.asarray(w, dtype=float) for w in weights]
        if not kernels:
            raise ModelError("no weight matrix given", where=_WHERE)
        biases = list(biases) if biases is not None else [None] * len(kernels)
        if len(biases) != len(kernels):
            raise ModelError(f"{len(kernels)} weight matrices but {len(biases)} biases", where=_WHERE)
        for l, w in enumerate(kernels):
            if w.ndim != 2 or (l and w.shape[0] != kernels[l - 1].shape[1]):
                raise ModelError(f"weight matrix {l} has shape {w.shape}: expected (inputs, outputs) following "
                                 f"the previous layer", where=_WHERE)
            if biases[l] is not None and np.shape(biases[l]) != (w.shape[1],):
                raise ModelError(f"bias {l} has shape {np.shape(biases[l])}, expected ({w.shape[1]},)",
                                 where=_WHERE)
        factors = self._normalize_weights([w.T for w in kernels], scale_factor)
        net = Network(dt=self._dt, seed=self._seed)
        names = names or [f"dense_{l}" for l in range(len(kernels))]
        pre = net.create(geometry=kernels[0].shape[0], neuron=INPUT_ENCODINGS[self._input_encoding](),
                         name="input")
        lines, drive = [f"* Input layer: {kernels[0].shape[0]} ({self._input_encoding})"], self._max_f * net.dt / 1000
        for l, (w, b, factor) in enumerate(zip(kernels, biases, factors)):
            last = l == len(kernels) - 1
            if last:
                neuron = _iaf(output=True, spiking=self._read_out != "membrane_potential")
            else:
                neuron = self._hidden if self._hidden is not None else _iaf()
            stop = "sc >= k : any" if last and self._read_out.startswith("time_to") else None
            pop = net.create(geometry=w.shape[1], neuron=neuron, name=names[l], stop_condition=stop)
            vt = 1.0 if last else 1.0 - 0.05 * (l + 1)
            if not last and self._hidden is None:
                pop.vt = vt
            if b is not None:
                if "bias" not in pop.attributes:
                    raise ModelError(f"layer {names[l]!r} has a bias but its neuron has no 'bias' parameter",
                                     where=_WHERE)
                pop.bias = np.asarray(b, dtype=float) * factor * drive
            net.connect(pre, pop, "exc", name=f"dense_proj_{l + 1}").from_matrix(w.T * factor)
            lines.append(f"* Dense layer: {names[l]}, {w.shape[1]} neurons, weights x {factor:.4g}")
            drive *= net.dt * factor / vt
            pre = pop
        self._output, self._input = pre, net.get_populations()[0]
        net.compile()
        if show_info:
            print("\n".join(lines))
        self._snn_network = net
        return net

    def get_annarchy_network(self):
        """The spiking ``Network`` (after loading)."""
        return self._snn_network

    # ------------------------------------------------------------------------------------------ predict
    def predict(self, samples, duration_per_sample=1000, multiple=False):
        """The class (output rank) of each sample (rows of ``samples``, values in [0, 1]); with ``multiple``
        every rank tied at the maximum, otherwise one of them drawn at random."""
        if self._snn_network is None:
            raise ModelError("load a model first (load_keras_model or load_weights)", where=f"{_WHERE}.predict")
        net, inp, out = self._snn_network, self._input, self._output
        samples = np.asarray(samples, dtype=float).reshape(len(samples), -1)
        if samples.shape[1] != inp.size:
            raise ModelError(f"samples have {samples.shape[1]} values, the input layer {inp.size}",
                             where=f"{_WHERE}.predict")
        predictions = []
        for sample in samples:
            net.reset(populations=True, projections=False, monitors=True, reseed_rng=False)
            inp.rates = sample * self._max_f
            if self._read_out.startswith("time_to"):
                out.k = self._k if self._read_out == "time_to_k_spikes" else 1.0
                net.simulate_until(float(duration_per_sample), population=out)
            else:
                net.simulate(float(duration_per_sample))
            score = np.asarray(out.v if self._read_out == "membrane_potential" else out.sc, dtype=float)
            ranks = np.flatnonzero(score == score.max())
            predictions.append([int(r) for r in ranks] if multiple else int(self._rng.choice(ranks)))
        return predictions

    def _normalize_weights(self, weight_matrices, scale_factor=None):
        """One factor per (post, pre) matrix: ``scale / max_j sum_i max(W_ji, 0)`` (Diehl et al. 2015)."""
        n = len(weight_matrices)
        if scale_factor is None:
            scales = np.arange(2, n + 2, dtype=float)
        elif np.ndim(scale_factor) == 0:
            scales = np.full(n, float(scale_factor))
        else:
            scales = np.asarray(scale_factor, dtype=float)
            if scales.shape != (n,):
                raise ModelError(f"scale_factor needs one value per layer ({n}), got {scales.size}", where=_WHERE)
        factors = []
        for scale, w in zip(scales, weight_matrices):
            positive = np.clip(w.reshape(w.shape[0], -1), 0.0, None).sum(axis=1).max()
            factors.append(float(scale / positive) if positive > 0 else 1.0)
        return factors
