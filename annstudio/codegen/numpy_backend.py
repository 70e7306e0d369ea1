"""NumPy reference backend: runs any IR with no compiler; the oracle.

Clarity and exactness first: every update list is printed once by
:class:`NumpyExprPrinter` and compiled to a code object evaluated over whole
arrays (``numpy_eval``; the state objects are ``numpy_state``); accumulations (sums, conductance
increments) happen in the documented order (see ``annstudio.codegen.ir``) with ``np.bincount`` /
``np.add.at``, which add sequentially, so compiled backends can match the results bit for bit.
The printed code only contains whitelisted symbol names and numpy calls.
"""
import numpy as np

from annstudio.core.errors import SimulationError
from annstudio.core.runtime import Backend, MonitorTable, Recording

from .numpy_eval import draw as _draw
from .numpy_eval import evaluate as _eval
from .numpy_state import PopulationState, ProjectionState


class NumpyBackend(Backend):
    """See the module docstring; the interface is :class:`~annstudio.core.runtime.Backend`."""

    paradigm = "numpy"

    def __init__(self, ir, data, settings):
        self.ir = ir
        self.dt = ir.dt
        self.step = 0
        seed = settings.seed
        self.rng = np.random.default_rng(None if seed is None else (int(seed) + 7919) % (2 ** 63))
        self.real = real = getattr(ir, "real", np.float64)   # np.float32 in single precision
        self.pops = {p.name: PopulationState(p, data.populations[p.name], ir.dt, real) for p in ir.populations}
        for name, src in data.sources.items():
            self.pops[name].source = {k: np.array(v, copy=True) for k, v in src.items()}
        self.projs = {}
        for pr in ir.projections:
            self.projs[pr.name] = ProjectionState(pr, data.projections[pr.name], data.connectivity[pr.name],
                                                  data.delays[pr.name], self.pops[pr.pre], self.pops[pr.post],
                                                  ir.dt, real)
        self.monitors = MonitorTable()
        self._next_monitor = 0
        for p in self.pops.values():
            p.update_globals()
            p.enabled, p.frozen = True, 0    # Population.disable(); steps spent disabled (a source's own clock)

    # -- state access ------------------------------------------------------------------
    def _obj(self, name):
        if name in self.pops:
            return self.pops[name]
        if name in self.projs:
            return self.projs[name]
        raise SimulationError(f"no population or projection named {name!r}")

    def get(self, name, var):
        obj = self._obj(name)
        if var not in obj.vars:
            raise SimulationError(f"{name!r} has no variable {var!r}")
        return obj.vars[var]

    def set(self, name, var, value):
        arr = self.get(name, var)
        arr[...] = value

    def spikes_last_step(self, name):
        return self.pops[name].spiked

    def set_learning(self, name, enabled):
        self.projs[name].learning = bool(enabled)

    def set_enabled(self, name, enabled):
        """``Population.enable()/disable()`` (docs/annarchy-semantics.md, section p): a disabled population is not
        updated (its spike and rate histories and a source's schedule stand still: the last spikes are sent
        again every step), nothing is transmitted into it and the projections into it do not learn."""
        self.pops[name].enabled = bool(enabled)

    def get_sum(self, name, target):
        p = self.pops[name]
        return p.sums.get(target, np.zeros(p.n))

    # -- monitors (recorded here, in Python: lists of values and spikes in MonitorState.extra) ------------
    def add_monitor(self, request):
        mid = self._next_monitor
        self._next_monitor += 1
        self.monitors.add(mid, request, self.step, values={v: [] for v in request.variables if v != "spike"},
                          steps=[], spk_steps=[], spk_ranks=[], pending={})
        return mid

    def set_monitor_active(self, mid, active):
        self.monitors.set_active(mid, active, self.step)

    def set_monitor_period(self, mid, period_steps):
        self.monitors.set_period(mid, period_steps)

    def set_monitor_offset(self, mid, offset):
        self.monitors.set_offset(mid, offset)

    def remove_monitor(self, mid):
        self.monitors.pop(mid, None)

    def fetch_monitor(self, mid):
        m = self.monitors[mid]
        req, rec = m.request, Recording()
        for v, lst in m.extra["values"].items():
            rec.values[v] = np.array(lst) if lst and np.ndim(lst[0]) > 0 and req.kind == "population" else list(lst)
            if req.kind == "population" and not lst:
                n = len(req.ranks) if req.ranks is not None else self.pops[req.target].n
                rec.values[v] = np.zeros((0,) if np.ndim(self.get(req.target, v)) == 0 else (0, n))
            lst.clear()
        rec.steps = np.asarray(m.extra["steps"], dtype=np.int64)
        rec.spike_steps = np.asarray(m.extra["spk_steps"], dtype=np.int64)
        rec.spike_ranks = np.asarray(m.extra["spk_ranks"], dtype=np.int64)
        for key in ("steps", "spk_steps", "spk_ranks"):
            m.extra[key].clear()
        return rec

    # -- restructure (optional hook, see annstudio.session.simulation) -----------------------
    def carry_state_from(self, old):
        """Take over the private state of ``old``, the instance this one replaces after the synapses of
        the same network changed: spike and rate histories, refractory counters, schedules, the random
        generator, learning switches and decoding windows (synaptic values come with the data)."""
        self.rng = old.rng
        for name, p in self.pops.items():
            q = old.pops.get(name)
            if q is None:
                continue
            p.spiked, p.refr_left, p.source = q.spiked, q.refr_left.copy(), q.source
            p.enabled, p.frozen = q.enabled, q.frozen
            n = len(p.spike_hist)
            p.spike_hist = (list(q.spike_hist) + [np.zeros(0, np.int64)] * n)[:n]
            if p.r_hist:
                n = len(p.r_hist)
                hist = list(q.r_hist) or [p.vars["r"].copy()]
                p.r_hist = (hist + [hist[-1]] * n)[:n]
        for name, pr in self.projs.items():
            q = old.projs.get(name)
            if q is None:
                continue
            pr.learning = q.learning
            if pr.ir.kind == "decoding" and q.ir.kind == "decoding":
                pr.counts, pr.window_spikes = q.counts, q.window_spikes

    def _is_target(self, obj, name):
        """A conductance of a spiking population: recorded before the neuron update (ir.py, step semantics)."""
        return isinstance(obj, PopulationState) and obj.ir.type == "spike" and name.startswith("g_") and \
            np.ndim(obj.vars[name]) > 0

    def _record_targets(self):
        for m in self.monitors.values():
            m.extra["pending"] = {}
            if not m.due(self.step):
                continue
            req = m.request
            obj = self._obj(req.target)
            for v in m.extra["values"]:
                if self._is_target(obj, v):
                    arr = obj.vars[v]
                    m.extra["pending"][v] = arr[list(req.ranks)].copy() \
                        if req.ranks is not None and req.kind == "population" else arr.copy()

    def _record(self):
        for m in self.monitors.values():
            if not m.active:
                continue
            req, ex = m.request, m.extra
            obj = self._obj(req.target)
            if "spike" in req.variables:
                spk = obj.spiked
                if req.ranks is not None:
                    spk = spk[np.isin(spk, req.ranks)]
                ex["spk_steps"].extend([self.step] * len(spk))
                ex["spk_ranks"].extend(spk.tolist())
            if not m.due(self.step):
                continue
            ex["steps"].append(self.step)
            for v, lst in ex["values"].items():
                if v in ex["pending"]:
                    lst.append(ex["pending"][v])
                    continue
                arr = obj.vars[v]
                if np.ndim(arr) == 0:
                    lst.append(float(arr))
                elif req.ranks is not None and req.kind == "population":
                    lst.append(arr[list(req.ranks)].copy())
                else:
                    lst.append(arr.copy())

    # -- simulation ----------------------------------------------------------------------
    def run(self, nsteps):
        for _ in range(int(nsteps)):
            self._step()

    def _step(self):
        t = self.step * self.dt
        for p in self.pops.values():
            for k in (p.sums if p.enabled else ()):   # a disabled population keeps its last sums
                p.sums[k][:] = 0.0
        for pr in self.projs.values():
            if not pr.post.enabled:
                continue
            if pr.ir.kind == "decoding":
                self._decoding_projection(pr)
            elif pr.ir.kind == "current_injection":
                self._current_injection(pr)
            elif pr.ir.type == "rate":
                self._rate_projection(pr, t)
            else:
                self._spike_projection(pr, t)
        if self.monitors:
            self._record_targets()
        for p in self.pops.values():
            if p.enabled:
                self._update_population(p, t)
            else:
                p.frozen += 1
        for p in self.pops.values():
            p.update_globals()
        for pr in self.projs.values():
            if not pr.post.enabled:
                continue
            if pr.learning and pr.ir.updates:
                self._synapse_updates(pr, t)
            if pr.ir.post_spike and pr.post.spiked.size:
                idx = np.concatenate([np.arange(pr.post_ptr[j], pr.post_ptr[j + 1]) for j in pr.post.spiked]) \
                    if pr.post.spiked.size else np.zeros(0, np.int64)
                if idx.size:
                    self._events(pr, idx, pr.post_spike, t, pre_event=False)
        for p in self.pops.values():
            if p.r_hist and p.enabled:
                p.r_hist.insert(0, p.vars["r"].copy())
                p.r_hist.pop()
        self._record()
        self.step += 1

    def _rate_projection(self, pr, t):
        if pr.n == 0:
            return
        pre_r = None
        d = pr.delay
        if np.ndim(d) == 0 and int(d) > 1 and pr.pre.r_hist:
            pre_r = pr.pre.r_hist[int(d) - 1]
        elif np.ndim(d) > 0:
            raise SimulationError("non-uniform delays are not supported for rate-coded projections",
                                  where=f"Projection '{pr.ir.name}'")
        all_idx = np.arange(pr.n)
        ns = pr.namespace(all_idx, t, pre_r=pre_r)
        for rd in pr.ir.randoms:
            ns[rd.symbol] = self._draw(rd, pr.n)
        vals = np.broadcast_to(np.asarray(_eval(pr.psp, ns), dtype=self.real), (pr.n,))
        npost = pr.post.n
        op = pr.ir.operation
        if op == "sum" and self.real is np.float64:
            res = np.bincount(pr.post_idx, weights=vals, minlength=npost)
        elif op == "sum":           # single precision: float32 sums, synapse by synapse (bincount adds in double)
            res = np.zeros(npost, dtype=self.real)
            np.add.at(res, pr.post_idx, vals)
        else:
            res = np.zeros(npost, dtype=self.real)
            counts = np.diff(pr.post_ptr)
            nz = counts > 0
            starts = pr.post_ptr[:-1][nz]
            if op == "max":
                res[nz] = np.maximum.reduceat(vals, starts)
            elif op == "min":
                res[nz] = np.minimum.reduceat(vals, starts)
            else:
                res[nz] = np.add.reduceat(vals, starts) / counts[nz].astype(self.real)
        target = pr.ir.target
        if target in pr.post.sums:
            pr.post.sums[target] += res

    def _decoding_projection(self, pr):
        """Spike counts of the last ``window`` steps, averaged over each post neuron's synapses, in Hz."""
        if pr.n == 0:
            return
        newest = pr.pre.spiked
        pr.counts[newest] += 1.0
        pr.window_spikes.append(newest)
        if len(pr.window_spikes) > pr.ir.window:
            pr.counts[pr.window_spikes.pop(0)] -= 1.0
        vals = pr.vars["w"] * pr.counts[pr.pre_idx]
        res = np.bincount(pr.post_idx, weights=np.broadcast_to(vals, (pr.n,)), minlength=pr.post.n)
        res = res / pr.n_syn * (1000.0 / (pr.ir.window * self.dt))
        if pr.ir.target in pr.post.sums:
            pr.post.sums[pr.ir.target] += res

    def _current_injection(self, pr):
        g = pr.post.vars.get("g_" + pr.ir.target)
        if g is None:
            raise SimulationError(f"population {pr.post.ir.name!r} has no conductance g_{pr.ir.target}")
        g[pr.post_idx] = pr.vars["w"] * pr.pre.vars["r"][pr.pre_idx]

    def _spike_projection(self, pr, t):
        if pr.n == 0:
            return
        hist = pr.pre.spike_hist
        d = pr.delay
        lags = [int(d)] if np.ndim(d) == 0 else range(1, pr.ir.max_delay + 1)
        for lag in lags:
            spikers = hist[lag - 1] if lag - 1 < len(hist) else np.zeros(0, np.int64)
            if spikers.size == 0:
                continue
            idx = np.concatenate([pr.pre_order[pr.pre_ptr[i]:pr.pre_ptr[i + 1]] for i in spikers])
            if np.ndim(d) > 0:
                idx = idx[d[idx] == lag]
            if idx.size:
                self._events(pr, idx, pr.pre_spike, t, pre_event=True)

    def _events(self, pr, idx, statements, t, pre_event):
        if pr.event:
            # ANNarchy advances event-driven variables to t - dt at a pre event (to t at a post event), then
            # stamps the event at t (docs/annarchy-semantics.md, section l)
            delta = ((t - self.dt if pre_event else t) - pr.vars["_last_event"][idx]).astype(self.real)
            ns = pr.namespace(idx, t)
            ns["_delta_t"] = delta
            new = [(name, _eval(code, ns)) for name, code in pr.event]
            for name, val in new:
                pr.store(name, idx, val, "local")
            pr.vars["_last_event"][idx] = t
        for target, code in statements:
            ns = pr.namespace(idx, t)
            for rd in pr.ir.randoms:
                ns[rd.symbol] = self._draw(rd, idx.size)
            if target == "g_target":
                if not pre_event:
                    raise SimulationError("g_target can only be changed in pre_spike")
                inc = np.broadcast_to(np.asarray(_eval(code, {**ns, "g_target": 0.0}), dtype=self.real), idx.shape)
                for tgt in pr.ir.targets:   # a list of targets: the same increment into each conductance
                    g = pr.post.vars.get("g_" + tgt)
                    if g is None:
                        raise SimulationError(f"population {pr.post.ir.name!r} has no conductance g_{tgt}")
                    np.add.at(g, pr.post_idx[idx], inc)
                continue
            val = np.broadcast_to(np.asarray(_eval(code, ns), dtype=self.real), idx.shape).copy()
            if target.startswith("_"):
                continue
            if pr.owner_locality(target) != "local":
                raise SimulationError(f"'{target}' is not a per-synapse variable; it cannot change on spikes",
                                      where=f"Projection '{pr.ir.name}'")
            pr.store(target, idx, val, "local")

    def _synapse_updates(self, pr, t):
        all_idx = np.arange(pr.n)
        temps = {}
        for target, code in pr.updates:
            loc = pr.owner_locality(target)
            ns = pr.namespace(all_idx if loc == "local" else None, t, locality=loc)
            ns.update({k: v for k, v in temps.items() if k.startswith("_")})
            for rd in pr.ir.randoms:
                ns[rd.symbol] = self._draw(rd, pr.n if loc == "local" else pr.post.n)
            val = _eval(code, ns)
            if target.startswith("_"):
                temps[target] = val
            else:
                pr.store(target, all_idx, np.asarray(val, dtype=self.real), loc)

    def _source_step(self, p):
        """Spikes of a SpikeSourceArray / rates of a TimedArray at this step (see ``codegen.ir``)."""
        ir, step = p.ir, self.step - p.frozen     # its own clock stood still while it was disabled
        if ir.source == "timed_array":
            buf = p.source["buffer"]
            s = step % ir.source_period if ir.source_period > 0 else step
            p.vars["r"][:] = buf[min(s // ir.source_schedule, buf.shape[0] - 1)]
            return
        s = step % ir.source_period if ir.source_period > 0 else step
        steps = p.source["steps"]
        lo, hi = np.searchsorted(steps, s, "left"), np.searchsorted(steps, s, "right")
        p.spiked = p.source["ranks"][lo:hi].copy()
        p.spike_hist.insert(0, p.spiked)
        p.spike_hist.pop()
        if p.reset and p.spiked.size:               # its own reset (t_last_spike, for t_pre), as ANNarchy's
            ns = p.namespace(self.step * self.dt)
            for target, code in p.reset:
                val = np.broadcast_to(np.asarray(_eval(code, ns), dtype=self.real), (p.n,))
                p.vars[target][p.spiked] = val[p.spiked]
                ns[target] = p.vars[target]

    def restart(self, pop=None, reseed=False):
        """Drop the spikes waiting in the delay queues (of population ``pop``, or of all: ``reset()`` and a
        SpikeSourceArray's ``clear()`` in ANNarchy); the generator's restart (``reseed``) is the session's."""
        for name, p in self.pops.items():
            if pop is None or name == pop:
                p.frozen = 0
                p.spiked = np.zeros(0, np.int64)
                p.spike_hist = [np.zeros(0, np.int64)] * len(p.spike_hist)
                if p.ir.rate_window:
                    p.vars["r"][...] = 0.0
        return True

    def _firing_rate(self, p):
        """compute_firing_rate: ``r`` = 1000 / window x the spikes of steps (k - W, k]: the count (recovered exactly
        from ``r`` by rounding) plus this step's spikes, minus those of step k - W (``restart`` empties the history
        and zeroes ``r`` together: ANNarchy's ``clear()``)."""
        r, n = p.vars["r"], p.n
        scale = r.dtype.type(p.ir.rate_scale)
        count = np.rint(r / scale) + np.bincount(p.spike_hist[0], minlength=n) \
            - np.bincount(p.spike_hist[p.ir.rate_window], minlength=n)
        r[...] = count * scale

    def set_source(self, name, key, value):
        """Replace a special population's schedule (``steps``/``ranks`` or ``buffer``) at run time."""
        self.pops[name].source[key] = np.array(value, copy=True)

    def _draw(self, rd, n):
        """``n`` draws of ``rd`` (drawn in double, then rounded to the network's precision)."""
        vals = _draw(self.rng, rd.dist, rd.args, n)
        return vals if self.real is np.float64 else vals.astype(self.real)

    def _update_population(self, p, t):
        ir = p.ir
        if ir.source:
            self._source_step(p)
            return
        p.compute_hoisted(t)
        ns = p.namespace(t)
        for rd in ir.randoms:   # population-wide statements draw one value (PopulationIR.global_randoms)
            ns[rd.symbol] = self._draw(rd, 1 if rd.symbol in ir.global_randoms else p.n)
        old = {k: p.vars[k].copy() for k in p.clamped} if ir.refractory is not None else {}
        for target, code in p.updates:
            val = _eval(code, ns)
            if target in p.vars:
                arr = p.vars[target]
                arr[...] = val
                ns[target] = arr
            else:
                ns[target] = val
        if ir.type == "spike":
            refractory = p.refr_left > 0
            if old and refractory.any():
                for k, v in old.items():
                    p.vars[k][refractory] = v[refractory]
            ns = p.namespace(t)
            cond = np.broadcast_to(np.asarray(_eval(p.spike_code, ns), dtype=bool), (p.n,))
            spiked = np.nonzero(cond & ~refractory)[0]
            p.refr_left[refractory] -= 1
            if spiked.size:
                for target, code in p.reset:
                    val = np.broadcast_to(np.asarray(_eval(code, ns), dtype=self.real), (p.n,))
                    p.vars[target][spiked] = val[spiked]
                    ns[target] = p.vars[target]
                if p.refr_code is not None:
                    # int(refractory / dt), truncated as ANNarchy does (0.3 / 0.1 -> 2 steps)
                    steps = np.broadcast_to(np.trunc(np.asarray(_eval(p.refr_code, ns), dtype=float) / self.dt),
                                            (p.n,)).astype(np.int64)
                    p.refr_left[spiked] = steps[spiked]
            p.spiked = spiked
            p.spike_hist.insert(0, spiked)
            p.spike_hist.pop()
            if ir.rate_window:
                self._firing_rate(p)
        for name in ir.auto_reset:
            p.vars[name][:] = 0.0


def _available():
    return None


def register(registry):
    """Register the paradigm ``"numpy"`` with ``registry`` (see ``annstudio.codegen.register_all``)."""
    registry.register_backend("numpy", NumpyBackend, _available, "NumPy reference backend (no compiler)")
