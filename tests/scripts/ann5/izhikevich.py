# Seed 000, the pulse-coupled Izhikevich network, in ANNarchy 5's Network style.
# Runs on ANNarchy 5 as written and on annstudio with the import line changed.
import numpy as np
import ANNarchy as ann

net = ann.Network(dt=1.0, seed=42)
pop = net.create(geometry=1000, neuron=ann.Izhikevich)
exc, inh = pop[:800], pop[800:]

rng = np.random.default_rng(42)
re, ri = rng.random(800), rng.random(200)
exc.noise = 5.0
inh.noise = 2.0
exc.a = 0.02
inh.a = 0.02 + 0.08 * ri
exc.b = 0.2
inh.b = 0.25 - 0.05 * ri
exc.c = -65.0 + 15.0 * re ** 2
inh.c = -65.0
exc.d = 8.0 - 6.0 * re ** 2
inh.d = 2.0
exc.v = -65.0
inh.v = -65.0
exc.u = exc.v * exc.b
inh.u = inh.v * inh.b

w_exc = rng.uniform(0.0, 0.5, (1000, 800))
w_inh = rng.uniform(0.0, 1.0, (1000, 200))
net.connect(pre=exc, post=pop, target="exc").from_matrix(w_exc)
net.connect(pre=inh, post=pop, target="inh").from_matrix(w_inh)

m = net.monitor(pop, ["spike", "v"])
net.compile()
net.simulate(2000.0)

t, n = m.raster_plot()
v = m.get("v")
RESULT = {
    "rate_exc": float(np.sum(n < 800) / 800.0 / 2.0),     # Hz over 2 s
    "rate_inh": float(np.sum(n >= 800) / 200.0 / 2.0),
    "mean_v": float(np.mean(v)),
}
