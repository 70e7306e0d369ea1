# Seed 002: the IBCM learning rule in ANNarchy 5's Network style: 20 inputs showing 4 random binary patterns
# (30 % active, 20 ms each) to 5 leaky rate units, all-to-all from a matrix.
import numpy as np
import ANNarchy as ann

leaky = ann.Neuron(parameters=dict(tau=10.0),
                   equations=[ann.Variable("tau * dr/dt + r = sum(exc)", min=0.0)])
inputs = ann.Neuron(parameters=dict(I=ann.Parameter(0.0, locality="local")), equations="r = I")
ibcm = ann.Synapse(
    parameters=dict(eta=0.005, tau=100.0),
    equations=[
        ann.Variable("tau * dtheta/dt + theta = post.r^2", locality="semiglobal", method="exponential"),
        ann.Variable("dw/dt = eta * post.r * (post.r - theta) * pre.r", min=0.0, method="explicit"),
    ],
    psp="w * pre.r",
)

net = ann.Network(dt=1.0, seed=42)
inp = net.create(geometry=20, neuron=inputs)
out = net.create(geometry=5, neuron=leaky)
proj = net.connect(inp, out, "exc", synapse=ibcm)
rng = np.random.default_rng(42)
proj.from_matrix(rng.uniform(0.0, 0.1, (5, 20)))
patterns = (rng.random((4, 20)) < 0.3).astype(float)

m = net.monitor(out, "r")
net.compile()
for k in range(500):                               # 10 s of 20 ms presentations
    inp.I = patterns[rng.integers(4)]
    net.simulate(20.0)

r = m.get("r")
RESULT = {
    "mean_r_after_1s": float(np.mean(r[1000:])),
    "mean_theta": float(np.mean(proj.theta)),
    "mean_w": float(np.mean(proj.w)),
}
