"""Special populations and projections of the ANNarchy API.

``PoissonPopulation`` is an ordinary population whose neuron is generated text
(``annstudio.core.library.populations``).  ``SpikeSourceArray`` and
``TimedArray`` are populations of kind ``spike_source_array`` / ``timed_array``
whose schedule lives in the population's ``options``; ``DecodingProjection``
and ``CurrentInjection`` are projections of kind ``decoding`` /
``current_injection``.  Their step semantics are documented in
``annstudio.codegen.ir`` and implemented by every backend.
``HomogeneousCorrelatedSpikeTrains`` is an ordinary population too: its
generated neuron draws one normal number per step for the whole population
(``PopulationIR.global_randoms``).
"""
import numpy as np
from scipy import optimize
from scipy.special import erfc as special_erfc

from annstudio.core.errors import ModelError
from annstudio.core.library.populations import poisson_neuron, spike_source_neuron, timed_array_neuron
from annstudio.core.model.types import Neuron

from .context import existing_default_network
from .population import Population, PopulationView
from .projection import Projection


class PoissonPopulation(Population):
    """Neurons spiking as Poisson processes of ``rates`` Hz (number, array, expression of ``t``), or of
    ``sum(target)`` when ``target`` is given (rate-coded projections then set the rates)."""

    def __init__(self, geometry, name=None, rates=None, target=None, parameters=None, refractory=None,
                 copied=False, net_id=0, net=None):
        if rates is None and target is None:
            raise ModelError("PoissonPopulation needs rates or a target", where="PoissonPopulation")
        neuron = poisson_neuron(geometry, rates=rates, target=target, parameters=parameters,
                                refractory=refractory)
        super().__init__(geometry, neuron, name=name, net_id=net_id, net=net)
        object.__setattr__(self, "_init_args", {"rates": rates, "parameters": {} if parameters is None else parameters,
                                                "refractory": refractory})
        self._spec.kind = "poisson"
        self._spec.options.update({"rates": rates if isinstance(rates, str) else None, "target": target})
        if rates is not None and not isinstance(rates, str) and np.ndim(rates):
            self.rates = np.asarray(rates, dtype=float).reshape(-1)

    @property
    def target(self):
        """The target whose sum sets the rates, or None (rates given)."""
        return self._spec.options.get("target")

    rates_init = property(lambda self: _init_arg(self, "rates"), doc="The rates argument (ANNarchy's rates_init).")
    parameters_init = property(lambda self: _init_arg(self, "parameters"), doc="The parameters argument.")
    refractory_init = property(lambda self: _init_arg(self, "refractory"), doc="The refractory argument.")


def _init_arg(pop, key):
    return getattr(pop, "_init_args", {}).get(key)


class SpikeSourceArray(Population):
    """Emits spikes at the given times (ms): one list of times per neuron (or one list for one neuron)."""

    def __init__(self, spike_times, name=None, copied=False, net_id=0, net=None):
        times = _times(spike_times)
        super().__init__(len(times), spike_source_neuron(), name=name, net_id=net_id, net=net)
        self._spec.kind = "spike_source_array"
        self._spec.options["spike_times"] = times

    @property
    def spike_times(self):
        return [list(t) for t in self._spec.options["spike_times"]]

    @spike_times.setter
    def spike_times(self, value):
        times = _times(value)
        if len(times) != self.size:
            raise ModelError(f"spike_times needs {self.size} lists, got {len(times)}", where=self.name)
        self._spec.options["spike_times"] = times
        sim = self._net._sim
        if sim is not None and sim.backend is not None:
            dt, origin = sim.dt, self.__dict__.get("_origin", 0)
            pairs = sorted({(origin + int(round(float(t) / dt)), r) for r, ts in enumerate(times) for t in ts
                            if origin + int(round(float(t) / dt)) >= sim.step})
            steps = np.array([s for s, _ in pairs], dtype=np.int64)
            ranks = np.array([r for _, r in pairs], dtype=np.int64)
            _set_source(sim, self.name, "steps", steps)
            _set_source(sim, self.name, "ranks", ranks)

    def set_spike_times(self, spike_times):
        self.spike_times = spike_times

    def clear(self):
        """Restart the schedule now (ANNarchy's ``clear()`` of a SpikeSourceArray): the spike times count
        from the current time, so the same pattern can be replayed trial after trial."""
        sim = self._net._sim
        if sim is None or sim.backend is None:
            return
        if self._spec.options.get("period"):
            raise ModelError("clear() restarts a SpikeSourceArray without a period only", where=self.name)
        object.__setattr__(self, "_origin", int(sim.step))
        self.spike_times = self._spec.options["spike_times"]
        restart = getattr(sim.backend, "restart", None)
        if restart is not None:                     # its spikes waiting in delay queues are dropped
            restart(self.name)


def _times(spike_times):
    st = list(spike_times)
    if not st or np.ndim(st[0]) == 0:
        st = [st]
    return [[float(t) for t in ts] for ts in st]


def _set_source(sim, name, key, value):
    sim.backend.set_source(name, key, value)


class TimedArray(Population):
    """Rate-coded population replaying ``rates`` (shape ``(T,) + geometry``): row ``k`` is ``r`` from
    ``k * schedule`` ms (every step when ``schedule`` is 0); with ``period`` > 0 the buffer restarts every
    ``period`` ms; after its last row the last value is kept."""

    def __init__(self, rates=None, geometry=None, schedule=0.0, period=-1.0, name=None, copied=False, net_id=0,
                 net=None):
        if rates is None and geometry is None:
            raise ModelError("TimedArray needs rates or a geometry", where="TimedArray")
        if rates is not None:
            rates = np.asarray(rates, dtype=float)
            if rates.ndim == 1:                      # one value per time point, one neuron
                rates = rates[:, None]
            geometry = rates.shape[1:]
        super().__init__(geometry, timed_array_neuron(), name=name, net_id=net_id, net=net)
        if rates is None:
            rates = np.zeros((1, self.size))
        self._spec.kind = "timed_array"
        self._spec.options.update({"rates": rates.reshape(rates.shape[0], -1), "schedule": float(schedule),
                                   "period": float(period)})

    @property
    def r(self):
        """The rates the population outputs now (the current row of the buffer once compiled)."""
        return self._read("r", None)

    @r.setter
    def r(self, value):
        self._write("r", value, None)

    @property
    def schedule(self):
        return self._spec.options["schedule"]

    @property
    def period(self):
        return self._spec.options["period"]

    def update(self, rates, schedule=None, period=None, reset=None):
        """New buffer (same schedule and period after ``compile()``).  ``reset`` (ANNarchy 5): the next step
        reads its first row; else the position goes on (ANNarchy 4.8).  Default: ``reset`` for a network
        built with ``Network`` (ANNarchy 5's default), not for the 4.x default network (4.8's behaviour)."""
        rates = np.asarray(rates, dtype=float).reshape(np.shape(rates)[0], -1)
        if rates.shape[1] != self.size:
            raise ModelError(f"rates need {self.size} values per row, got {rates.shape[1]}", where=self.name)
        sim = self._net._sim
        compiled = sim is not None and sim.backend is not None
        if compiled and ((schedule is not None and schedule != self.schedule) or
                         (period is not None and period != self.period)):
            raise ModelError("schedule and period cannot change after compile()", where=self.name)
        self._spec.options["rates"] = rates
        if schedule is not None:
            self._spec.options["schedule"] = float(schedule)
        if period is not None:
            self._spec.options["period"] = float(period)
        if compiled:
            if reset is None:
                reset = self._net is not existing_default_network()
            _set_source(sim, self.name, "buffer", _restarted(rates, sim.step, self.schedule, self.period, sim.dt,
                                                             self.name) if reset and sim.step else rates)


def _restarted(rates, step, schedule, period, dt, where):
    """A buffer whose row for ``step`` is ``rates[0]``: the rows before it repeat the first one (the backends
    index a timed array's buffer by ``step // schedule``)."""
    every = max(1, int(round(schedule / dt))) if schedule > 0 else 1
    if period > 0 or step % every:
        raise ModelError("update(reset=True) needs a TimedArray without a period, at a multiple of its "
                         "schedule: pass reset=False", where=where)
    pad = step // every
    if pad * rates.shape[1] > 2 ** 25:
        raise ModelError(f"update(reset=True) at step {step} would hold {pad} extra rows: pass reset=False",
                         where=where)
    return np.concatenate([np.repeat(rates[:1], pad, axis=0), rates])


def rectified_gaussian_parameters(mean, var):
    """(mu, sigma) of the Gaussian whose rectification ``max(X, 0)`` has this mean and variance
    (Brette 2009, sec. 3); numeric solution of the rectified moments."""
    mean, var = float(mean), float(var)
    if mean <= 0.0:
        return 0.0, 0.0
    if var <= 0.0:
        return mean, 0.0

    def moments(m, s):
        a = m / s
        phi, cdf = np.exp(-0.5 * a * a) / np.sqrt(2 * np.pi), 0.5 * special_erfc(-a / np.sqrt(2.0))
        e1 = m * cdf + s * phi
        e2 = (m * m + s * s) * cdf + m * s * phi
        return e1, e2 - e1 * e1

    def residual(x):
        m, s = x[0], np.exp(x[1])
        e, v = moments(m, s)
        return [(e - mean) / mean, (v - var) / var]

    sol = optimize.root(residual, [mean, 0.5 * np.log(var)], method="hybr")
    m, s = float(sol.x[0]), float(np.exp(sol.x[1]))
    if not sol.success or not np.allclose(residual(sol.x), 0.0, atol=1e-6):
        raise ModelError(f"no rectified Gaussian with mean {mean} and variance {var}: lower corr or raise tau",
                         where="HomogeneousCorrelatedSpikeTrains")
    return m, s


def _hcst_neuron(segments, period, refractory):
    """Neuron of HomogeneousCorrelatedSpikeTrains: a shared rate ``x`` (Hz), an Ornstein-Uhlenbeck process
    of mean ``mu`` and stationary deviation ``sigma`` (exact update, one normal draw per step for the whole
    population), and Poisson spikes of rate ``max(x, 0)``; ``segments`` > 1: ``mu_k``/``sigma_k`` apply
    from ``start_k`` ms (modulo ``period`` when > 0)."""
    params = ["tau = 10.0 : population"]
    if segments > 1:
        params.append("t_origin = 0.0 : population")      # where the schedule starts (update(reset=True))
    if segments == 1:
        params += ["mu = 0.0 : population", "sigma = 0.0 : population"]
        sel = ""
    else:
        for k in range(segments):
            params += [f"mu_{k} = 0.0 : population", f"sigma_{k} = 0.0 : population",
                       f"start_{k} = 0.0 : population"]
        tt = f"modulo(t - t_origin, {float(period)!r})" if period > 0 else "t - t_origin"

        def chain(name):
            text = f"{name}_{segments - 1}"
            for k in range(segments - 2, -1, -1):
                text = f"if tt < start_{k + 1} then {name}_{k} else ({text})"
            return text
        sel = f"tt = {tt} : population\nmu = {chain('mu')} : population\nsigma = {chain('sigma')} : population\n"
    return Neuron(
        parameters="\n".join(params),
        equations=sel + "x = mu + (x - mu) * exp(-dt / tau) + sigma * sqrt(1.0 - exp(-2.0 * dt / tau)) * "
                        "Normal(0.0, 1.0) : population\np = Uniform(0.0, 1.0) * 1000.0 / dt",
        spike="p < x", reset="", refractory=refractory, name="HomogeneousCorrelatedSpikeTrains",
        description="Poisson spike trains sharing an Ornstein-Uhlenbeck rate (Brette 2009).")


class HomogeneousCorrelatedSpikeTrains(Population):
    """Poisson spike trains of mean rate ``rates`` (Hz) sharing one population rate ``x``, an
    Ornstein-Uhlenbeck process of time constant ``tau`` (ms), so that every pair has the total
    correlation ``corr`` (Brette 2009): the cross-covariance of two trains integrates to ``corr * rates``,
    i.e. for counting windows much longer than ``tau`` the covariance of the counts is ``corr`` times their
    mean (Pearson coefficient ``corr / (1 + corr)``).  ``mu``/``sigma`` of the process are computed so that
    the rectified rate ``max(x, 0)`` has mean ``rates`` and variance ``corr * rates / (2 tau)``; they are
    recomputed when ``rates``, ``corr`` or ``tau`` change.  With ``schedule`` (ms, first 0), ``rates`` and
    ``corr`` are lists applied from these times (repeating every ``period`` ms when > 0)."""

    def __init__(self, geometry, rates, corr, tau, schedule=None, period=-1.0, name=None, refractory=None,
                 copied=False, net_id=0, net=None):
        nseg = 1
        if schedule is not None:
            schedule = [float(x) for x in np.atleast_1d(schedule)]
            if not schedule or schedule[0] != 0.0:
                raise ModelError("the first time of schedule must be 0", where="HomogeneousCorrelatedSpikeTrains")
            nseg = len(schedule)
        super().__init__(geometry, _hcst_neuron(nseg, float(period), refractory), name=name, net_id=net_id, net=net)
        self._hc = {"schedule": schedule, "period": float(period), "nseg": nseg, "refractory": refractory}
        self._hc.update(rates=self._per_segment(rates, "rates"), corr=self._per_segment(corr, "corr"),
                        tau=float(tau))
        self._hcst_update()

    def _per_segment(self, value, what):
        vals = [float(v) for v in np.atleast_1d(value)]
        if len(vals) == 1:
            vals = vals * self._hc["nseg"]
        if len(vals) != self._hc["nseg"]:
            raise ModelError(f"{what} needs one value per schedule time ({self._hc['nseg']}), got {len(vals)}",
                             where=self.name)
        if what == "rates" and min(vals) < 0 or what == "corr" and not all(0.0 <= c <= 1.0 for c in vals):
            raise ModelError(f"invalid {what} {vals}", where=self.name)
        return vals

    def _hcst_update(self):
        hc = self._hc
        tau_s = hc["tau"] / 1000.0
        ms = [rectified_gaussian_parameters(r, c * r / (2.0 * tau_s)) for r, c in zip(hc["rates"], hc["corr"])]
        self._write("tau", hc["tau"], None)
        if hc["nseg"] == 1:
            self._write("mu", ms[0][0], None)
            self._write("sigma", ms[0][1], None)
        else:
            for k, ((m, s), start) in enumerate(zip(ms, hc["schedule"])):
                self._write(f"mu_{k}", m, None)
                self._write(f"sigma_{k}", s, None)
                self._write(f"start_{k}", start, None)
        sim = self._net._sim
        if sim is None or sim.backend is None:
            self._write("x", ms[0][0], None)     # start at the mean

    @property
    def rates(self):
        r = self._hc["rates"]
        return r[0] if self._hc["nseg"] == 1 else list(r)

    @rates.setter
    def rates(self, value):
        self._hc["rates"] = self._per_segment(value, "rates")
        self._hcst_update()

    @property
    def corr(self):
        c = self._hc["corr"]
        return c[0] if self._hc["nseg"] == 1 else list(c)

    @corr.setter
    def corr(self, value):
        self._hc["corr"] = self._per_segment(value, "corr")
        self._hcst_update()

    @property
    def tau(self):
        return self._hc["tau"]

    @tau.setter
    def tau(self, value):
        self._hc["tau"] = float(value)
        self._hcst_update()

    @property
    def schedule(self):
        return self._hc["schedule"]

    @property
    def period(self):
        return self._hc["period"]

    @property
    def refractory_init(self):
        """The refractory argument (ms, or None)."""
        return self._hc.get("refractory")

    def _segment_values(self, name):
        return [float(getattr(self, name))] if self._hc["nseg"] == 1 else \
            [float(getattr(self, f"{name}_{k}")) for k in range(self._hc["nseg"])]

    def _set_segment_values(self, name, values):
        values = [float(v) for v in np.atleast_1d(values)]
        if len(values) != self._hc["nseg"]:
            raise ModelError(f"{name}_list needs one value per schedule time ({self._hc['nseg']}), got {len(values)}",
                             where=self.name)
        for k, v in enumerate(values):
            self._write(name if self._hc["nseg"] == 1 else f"{name}_{k}", v, None)

    mu_list = property(lambda self: self._segment_values("mu"), lambda self, v: self._set_segment_values("mu", v),
                       doc="The mean of the rate process in each schedule segment (Hz), as the process uses it.")
    sigma_list = property(lambda self: self._segment_values("sigma"),
                          lambda self, v: self._set_segment_values("sigma", v),
                          doc="The deviation of the rate process in each schedule segment (Hz).")

    def update(self, rates, corr, schedule=None, tau=None, reset=True):
        """New ``rates`` and ``corr`` (one value, or one per ``schedule`` time; schedule default ``[0]``) and
        ``tau`` (default: kept).  After compile() the number of schedule times is fixed; ``reset=True`` (as
        ANNarchy 5.0.4.1, measured) first resets the population to its values at compile() and restarts the
        schedule now; ``reset=False`` keeps the state and the schedule's clock."""
        schedule = [0.0] if schedule is None else [float(x) for x in np.atleast_1d(schedule)]
        if not schedule or schedule[0] != 0.0:
            raise ModelError("the first time of schedule must be 0", where=self.name)
        hc = self._hc
        sim = self._net._sim
        compiled = sim is not None and sim.backend is not None
        if compiled and len(schedule) != hc["nseg"]:
            raise ModelError(f"update(): the number of schedule times ({hc['nseg']}) is fixed at compile(), got "
                             f"{len(schedule)}", where=self.name)
        nseg_old = hc["nseg"]
        hc["nseg"] = len(schedule)
        try:
            new_rates, new_corr = self._per_segment(rates, "rates"), self._per_segment(corr, "corr")
        except ModelError:
            hc["nseg"] = nseg_old
            raise
        if hc["nseg"] != nseg_old:                  # before compile(): a neuron with the new segments
            old = set(self._analysis().names)
            self._spec.neuron = _hcst_neuron(hc["nseg"], hc["period"], hc.get("refractory"))
            for key in old - set(self._analysis().names):
                self._spec.initial.pop(key, None)
        if compiled and reset:
            self.reset()
            if hc["nseg"] > 1:
                self._write("t_origin", float(sim.t), None)
        hc.update(schedule=schedule if len(schedule) > 1 or hc["schedule"] is not None else None,
                  rates=new_rates, corr=new_corr, tau=float(tau) if tau is not None else hc["tau"])
        self._hcst_update()


class DecodingProjection(Projection):
    """Spiking -> rate-coded: ``sum(target)`` of a post neuron is the firing rate (Hz) of its presynaptic
    neurons over the last ``window`` ms (one step when 0), weighted by ``w`` and averaged over its synapses."""

    def __init__(self, pre, post, target, window=0.0, name=None, copied=False, net_id=0, net=None):
        super().__init__(pre, post, target, synapse=None, name=name, net_id=net_id, net=net)
        if _pop(pre).neuron_type.type != "spike" or _pop(post).neuron_type.type != "rate":
            raise ModelError("a DecodingProjection goes from a spiking to a rate-coded population",
                             where=f"Projection '{self.name}'")
        self._spec.kind = "decoding"
        self._spec.options["window"] = float(window)

    @property
    def window(self):
        """The counting window (ms; 0: one step)."""
        return self._spec.options["window"]


class CurrentInjection(Projection):
    """Rate-coded -> spiking, one-to-one: each step ``g_target`` of a post neuron is set to ``pre.r``."""

    def __init__(self, pre, post, target, name=None, copied=False, net_id=0, net=None):
        super().__init__(pre, post, target, synapse=None, name=name, net_id=net_id, net=net)
        if _pop(pre).neuron_type.type != "rate" or _pop(post).neuron_type.type != "spike":
            raise ModelError("a CurrentInjection goes from a rate-coded to a spiking population",
                             where=f"Projection '{self.name}'")
        if _size(pre) != _size(post):
            raise ModelError("a CurrentInjection needs populations of the same size",
                             where=f"Projection '{self.name}'")
        self._spec.kind = "current_injection"

    def connect_current(self):
        return self.connect_one_to_one(weights=1.0)


def _pop(obj):
    return obj.population if isinstance(obj, PopulationView) else obj


def _size(obj):
    return len(obj.ranks) if isinstance(obj, PopulationView) else obj.size


__all__ = ["PoissonPopulation", "SpikeSourceArray", "TimedArray", "HomogeneousCorrelatedSpikeTrains",
           "DecodingProjection", "CurrentInjection"]
