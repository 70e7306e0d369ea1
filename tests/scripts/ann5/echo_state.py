# Seed 004: an echo-state network (reservoir of tanh rate units, recurrent weights of gain 1.5) in
# ANNarchy 5's Network style, driven by input pulses.
import numpy as np
import ANNarchy as ann

ESN = ann.Neuron(
    parameters=dict(tau=30.0, g=1.5),
    equations=[
        ann.Variable("tau * dx/dt + x = sum(ext) + g * sum(exc)", init=0.0),
        ann.Variable("r = tanh(x)"),
    ],
)

N = 200
net = ann.Network(dt=1.0, seed=42)
inp = net.create(geometry=1, neuron=ann.Neuron(parameters=dict(I=0.0), equations="r = I"))
res = net.create(geometry=N, neuron=ESN)
rng = np.random.default_rng(42)
net.connect(inp, res, "ext").from_matrix(rng.uniform(-1.0, 1.0, (N, 1)))
net.connect(res, res, "exc").from_matrix(rng.normal(0.0, 1.0 / np.sqrt(N), (N, N)))

m = net.monitor(res, "r")
net.compile()
for k in range(5):
    inp.I = 1.0
    net.simulate(50.0)
    inp.I = 0.0
    net.simulate(250.0)

r = m.get("r")
RESULT = {
    "mean_abs_r": float(np.mean(np.abs(r))),
    "std_r": float(np.mean(np.std(r, axis=1))),
    "mean_abs_r_last": float(np.mean(np.abs(r[-250:]))),
}
