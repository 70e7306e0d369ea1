# Seed 002: short-term plasticity (Tsodyks-Markram, ANNarchy's STP model) in ANNarchy 5's Network style:
# Poisson inputs reach leaky integrate-and-fire neurons through depressing synapses.
import numpy as np
import ANNarchy as ann

LIF = ann.Neuron(
    parameters=dict(tau=20.0, E_L=-70.0, v_T=-50.0, v_r=-65.0, tau_exc=5.0),
    equations=[
        ann.Variable("tau * dv/dt = E_L - v + g_exc", init=-70.0),
        "tau_exc * dg_exc/dt = -g_exc",
    ],
    spike="v > v_T",
    reset="v = v_r",
    refractory=2.0,
)

net = ann.Network(dt=0.1, seed=42)
inp = net.create(ann.PoissonPopulation(1000, rates=20.0))
out = net.create(geometry=50, neuron=LIF)
proj = net.connect(inp, out, "exc", synapse=ann.STP(tau_rec=200.0, tau_facil=20.0, U=0.5))
proj.fixed_number_pre(number=100, weights=15.0)

m = net.monitor(out, "spike")
net.compile()
net.simulate(500.0)
x, u = [], []
for k in range(15):                                # x and u sampled every 100 ms after the transient
    net.simulate(100.0)
    x.append(np.mean(proj.x))
    u.append(np.mean(proj.u))

t, n = m.raster_plot()
RESULT = {
    "rate_out": float(np.sum(t >= 500.0) / 50.0 / 1.5),
    "mean_x": float(np.mean(x)),
    "mean_u": float(np.mean(u)),
}
