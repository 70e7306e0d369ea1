# Seed 003, the hybrid rate/spike network (Fig. 4 of the ANNarchy paper), in ANNarchy 5's Network style:
# (phases of 500 ms instead of 250 ms, for tighter statistics) a rate is encoded by 1000 Poisson neurons and decoded by rate neurons reading 1..1000 of them.
import numpy as np
import ANNarchy as ann

input_neuron = ann.Neuron(parameters=dict(baseline=0.0), equations="r = baseline")
simple_neuron = ann.Neuron(equations="r = sum(exc)")

net = ann.Network(dt=0.1, seed=42)
pop1 = net.create(geometry=1, neuron=input_neuron)
pop2 = net.create(ann.PoissonPopulation(geometry=1000, target="exc"))
net.connect(pop1, pop2, "exc").all_to_all(weights=1.0)
pop3 = net.create(geometry=10, neuron=simple_neuron)
decoding = net.connect(projection=ann.DecodingProjection(pop2, pop3, "exc", window=10.0))
w = np.full((10, 1000), None)                  # decoder i reads the first 100 * (i + 1) Poisson neurons
for i in range(10):
    w[i, :100 * (i + 1)] = 1.0
decoding.from_matrix(w)

m2 = net.monitor(pop2, "spike")
m3 = net.monitor(pop3, "r")
net.compile()

duration = 500.0
for baseline in (0.0, 10.0, 50.0, 100.0):
    pop1.baseline = baseline
    net.simulate(duration)

t, n = m2.raster_plot()
r = m3.get("r")
steps = int(duration / 0.1)
RESULT = {}
for k, rate in enumerate((10.0, 50.0, 100.0), start=1):
    window = (t >= k * duration + 50.0) & (t < (k + 1) * duration)
    RESULT[f"poisson_{int(rate)}hz"] = float(np.sum(window) / 1000.0 / 0.45)
    RESULT[f"decoded_{int(rate)}hz"] = float(np.mean(r[k * steps + 500:(k + 1) * steps, :]))
RESULT["poisson_0hz_spikes"] = float(np.sum(t < duration))
