"""The NumPy backend's state objects: one per population and per projection.

:class:`PopulationState` holds a population's arrays (variables, sums, global operations), its
compiled statements, spike history, rate history and refractory counters; :class:`ProjectionState`
a projection's arrays, connectivity (post-major, with CSR views by pre and by post), compiled
statements and learning switch, and builds the namespaces its statements see.  The step itself
is ``annstudio.codegen.numpy_backend``.
"""
import numpy as np

from .ir import temp_owner
from .numpy_eval import REDUCERS, compile_expr, compile_updates, evaluate


def real_scalars(real, t, dt):
    """``t`` and ``dt`` as the equations see them: Python floats in double precision (unchanged), float32
    scalars in single precision (so that every operation of an equation rounds to float32, as in the kernels)."""
    return (t, dt) if real is np.float64 else (real(t), real(dt))


def scalar(real, value):
    """A per-step scalar (hoisted reciprocal) in the network's precision."""
    return float(value) if real is np.float64 else real(value)


class PopulationState:
    """A population's arrays, compiled statements, spike and rate histories, refractory counters."""

    def __init__(self, ir, values, dt, real=np.float64):
        self.ir = ir
        self.n = ir.size
        self.real = real          # np.float64, or np.float32 in single precision (NetworkIR.precision)
        self.vars = {}
        for v in ir.variables:
            val = values[v.name]
            self.vars[v.name] = np.array(val, dtype=real) if v.locality == "global" else \
                np.ascontiguousarray(val, dtype=real).copy()
        for g in ir.global_ops:
            self.vars[g.symbol] = np.array(0.0, dtype=real)
        self.sums = {t: np.zeros(self.n, dtype=real) for t in ir.sums}
        self.updates = compile_updates(ir.updates, ir.name)
        self.hoisted = compile_updates(ir.hoisted, ir.name + ":hoisted")
        self.hoisted_values = {}
        local = {v.name for v in ir.variables if v.locality != "global"}
        self.refr_clamped = [u.target for u in ir.updates if u.target in local] if ir.refractory is not None else []
        refr_targets = {u.target for u in ir.refractory_updates}
        self.clamped = [t for t in self.refr_clamped if t not in refr_targets]
        self.reset = compile_updates(ir.reset, ir.name + ":reset")
        self.spike_code = compile_expr(ir.spike, ir.name + ":spike")[0] if ir.spike is not None else None
        self.refr_code = compile_expr(ir.refractory, ir.name + ":refractory")[0] if ir.refractory is not None else None
        self.refr_left = np.zeros(self.n, dtype=np.int64)
        self.spiked = np.zeros(0, dtype=np.int64)
        hist = max(ir.spike_history, 1)
        self.spike_hist = [np.zeros(0, dtype=np.int64) for _ in range(hist + 1)]
        self.r_hist = [self.vars["r"].copy() for _ in range(ir.rate_history)] if ir.rate_history and "r" in self.vars else []
        self.dt = dt
        self.source = {}
        self.rank = np.arange(self.n, dtype=real)

    def namespace(self, t):
        ns = dict(self.vars)
        for k, v in self.sums.items():
            ns["sum__" + k] = v
        ns["t"], ns["dt"] = real_scalars(self.real, t, self.dt)
        if "rank" not in ns:   # the neuron's index (ANNarchy's built-in); a variable named rank wins
            ns["rank"] = self.rank
        ns.update(self.hoisted_values)
        return ns

    def compute_hoisted(self, t):
        """PopulationIR.hoisted: per-step scalars (reciprocals of population-wide parameters)."""
        if self.hoisted:
            self.hoisted_values = {}
            ns = self.namespace(t)
            for target, code in self.hoisted:
                ns[target] = self.hoisted_values[target] = scalar(self.real, evaluate(code, ns))

    def update_globals(self):
        for g in self.ir.global_ops:
            x = self.vars[g.variable]
            val = REDUCERS[g.op](x)
            self.vars[g.symbol][...] = val


class ProjectionState:
    """A projection's arrays and connectivity (CSR views), compiled statements, learning switch."""

    def __init__(self, ir, data, conn, delay_steps, pre, post, dt, real=np.float64):
        self.ir = ir
        self.real = real
        self.pre, self.post = pre, post
        self.conn = conn
        self.pre_idx = conn.pre
        self.post_idx = conn.post
        self.n = conn.size
        self.vars = {}
        for name, val in data.items():    # event times (_last_event) stay float64
            self.vars[name] = np.array(val, dtype=float if name == "_last_event" else real)
        self.delay = delay_steps
        self.pre_order = conn.pre_order()
        self.pre_ptr = conn.pre_row_ptr()
        self.post_ptr = conn.row_ptr()
        self.locality = {v.name: v.locality for v in ir.variables}
        self.dt = dt
        self.learning = True
        if ir.type == "rate":
            self.psp = compile_expr(ir.psp, ir.name + ":psp")[0]
        self.pre_spike = compile_updates(ir.pre_spike, ir.name + ":pre_spike")
        self.post_spike = compile_updates(ir.post_spike, ir.name + ":post_spike")
        self.updates = compile_updates(ir.updates, ir.name + ":equations")
        self.event = [(name, compile_expr(expr, f"{ir.name}:event:{name}")[0]) for name, expr in ir.event_driven]
        if ir.kind == "decoding":     # spike counts of the presynaptic neurons over the window, and its spikes
            self.counts = np.zeros(pre.n)
            self.window_spikes = []
            self.n_syn = np.maximum(np.bincount(self.post_idx, minlength=post.n), 1).astype(float)

    def owner_locality(self, target):
        return self.locality.get(temp_owner(target), "local")

    def namespace(self, idx, t, locality="local", pre_r=None):
        """Values seen by synapses ``idx`` (or by post neurons for semiglobal)."""
        ns = dict(zip(("t", "dt"), real_scalars(self.real, t, self.dt)))
        if locality == "semiglobal":
            post_sel = slice(None)
            for k, v in self.vars.items():
                if self.locality.get(k) in ("semiglobal", "global"):
                    ns[k] = v
            for ref in self.ir.post_refs:
                ns["post__" + ref] = self._side_value(self.post, ref, post_sel)
            return ns
        if locality == "global":
            for k, v in self.vars.items():
                if self.locality.get(k) == "global":
                    ns[k] = v
            return ns
        for k, v in self.vars.items():
            if k.startswith("_"):
                continue
            loc = self.locality.get(k, "local")
            if np.ndim(v) == 0 or loc == "global":
                ns[k] = v
            elif loc == "semiglobal":
                ns[k] = v[self.post_idx[idx]]
            else:
                ns[k] = v[idx]
        for ref in self.ir.pre_refs:
            if ref == "r" and pre_r is not None:
                ns["pre__r"] = pre_r[self.pre_idx[idx]]
            else:
                ns["pre__" + ref] = self._side_value(self.pre, ref, self.pre_idx[idx])
        for ref in self.ir.post_refs:
            ns["post__" + ref] = self._side_value(self.post, ref, self.post_idx[idx])
        for g in self.ir.global_ops:
            pop = self.pre if g.side == "pre" else self.post
            ns[g.symbol] = REDUCERS[g.op](pop.vars[g.variable])
        return ns

    @staticmethod
    def _side_value(pop, ref, sel):
        if ref.startswith("sum__"):
            arr = pop.sums.get(ref[5:], np.zeros(pop.n, dtype=pop.real))
        else:
            arr = pop.vars[ref]
        return arr if np.ndim(arr) == 0 else arr[sel]

    def store(self, name, idx, value, locality):
        arr = self.vars[name]
        if np.ndim(arr) == 0:
            arr[...] = value if np.ndim(value) == 0 else value.reshape(-1)[0] if np.size(value) == 1 else value
            return
        if locality == "semiglobal":
            arr[...] = value
        else:
            arr[idx] = value
