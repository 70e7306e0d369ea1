# Seed 003, the COBA benchmark (Vogels & Abbott 2005), in ANNarchy 5's Network style.
import numpy as np
import ANNarchy as ann

COBA = ann.Neuron(
    parameters=dict(El=-60.0, Vr=-60.0, Erev_exc=0.0, Erev_inh=-80.0, Vt=-50.0,
                    tau=20.0, tau_exc=5.0, tau_inh=10.0, I=20.0),
    equations=[
        ann.Variable("tau * dv/dt = (El - v) + g_exc * (Erev_exc - v) + g_inh * (Erev_inh - v) + I",
                     init=-60.0),
        "tau_exc * dg_exc/dt = -g_exc",
        "tau_inh * dg_inh/dt = -g_inh",
    ],
    spike="v > Vt",
    reset="v = Vr",
    refractory=5.0,
)

net = ann.Network(dt=0.1, seed=42)
P = net.create(geometry=4000, neuron=COBA)
P.v = ann.Normal(-55.0, 5.0)
Pe, Pi = P[:3200], P[3200:]
net.connect(pre=Pe, post=P, target="exc").fixed_probability(probability=0.02, weights=0.6)
net.connect(pre=Pi, post=P, target="inh").fixed_probability(probability=0.02, weights=6.7)

m = net.monitor(P, "spike")
net.compile()
net.simulate(1000.0)

t, n = m.raster_plot()
late = t >= 200.0                                    # the first 200 ms are the transient
RESULT = {
    "rate_exc": float(np.sum(late & (n < 3200)) / 3200.0 / 0.8),
    "rate_inh": float(np.sum(late & (n >= 3200)) / 800.0 / 0.8),
}
