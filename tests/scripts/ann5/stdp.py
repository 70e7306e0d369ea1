# Seeds 002/004: spike-timing-dependent plasticity (Song, Miller & Abbott 2000) in ANNarchy 5's Network
# style: 1000 Poisson inputs at 15 Hz onto conductance-based integrate-and-fire neurons.
import numpy as np
import ANNarchy as ann

gmax = 0.01
cell = ann.Neuron(
    parameters=dict(tau_m=10.0, tau_e=5.0, vt=-54.0, vr=-60.0, El=-74.0, Ee=0.0),
    equations=[
        ann.Variable("tau_m * dv/dt = El - v + g_exc * (Ee - vr)", init=-60.0),
        "tau_e * dg_exc/dt = -g_exc",
    ],
    spike="v > vt",
    reset="v = vr",
)

net = ann.Network(dt=0.1, seed=42)
inp = net.create(ann.PoissonPopulation(1000, rates=15.0))
out = net.create(geometry=20, neuron=cell)
proj = net.connect(inp, out, "exc", synapse=ann.STDP(tau_plus=20.0, tau_minus=20.0, A_plus=0.01,
                                                       A_minus=0.0105, w_min=0.0, w_max=gmax))
rng = np.random.default_rng(42)
proj.from_matrix(rng.uniform(0.0, gmax, (20, 1000)))

m = net.monitor(out, "spike")
net.compile()
net.simulate(3000.0)

w = np.array(proj.w) / gmax
t, n = m.raster_plot()
RESULT = {
    "mean_w": float(np.mean(w)),
    "frac_w_high": float(np.mean(w > 0.5)),
    "rate_out": float(np.size(t) / 20.0 / 3.0),
}
