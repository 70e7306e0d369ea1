"""The memory estimate of shared-kernel projections (pooling, convolution, copies): their synapse count, not
every pre-post pair.  ANNarchy's Image notebook (4.x and 5.x) pools a 480 x 640 x 3 image into 48 x 64 x 3
neurons: 921 600 synapses, which the every-pair bound made 8.5e9 (170 GB) and refused."""
import numpy as np

import annstudio.engine as ann
from annstudio.core.model import resources
from annstudio.session.context import default_network

_LINEAR = ann.Neuron(equations="r = sum(exc) : min=0.0")


def _image_network(shape, block):
    ann.clear()
    ann.setup(dt=1.0, paradigm="numpy")
    image = ann.InputArray(shape)
    small = (shape[0] // block, shape[1] // block, 3)
    pooled, smoothed, filtered, twin = (ann.Population(small, _LINEAR) for _ in range(4))
    ann.Pooling(image, pooled, "exc", operation="mean").connect_pooling()
    smooth = ann.Convolution(pooled, smoothed, "exc")
    smooth.connect_filter(weights=np.ones((3, 3, 1)) / 9.0)
    bank = np.array([[[[2.0, -1.0, -1.0]]], [[[-1.0, 2.0, -1.0]]], [[[-1.0, -1.0, 2.0]]]])
    ann.Convolution(smoothed, filtered, "exc").connect_filters(weights=bank)
    ann.Copy(pooled, twin, "exc").connect_copy(smooth)
    return default_network().spec


def test_estimates_bound_the_synapse_counts_of_the_compiled_network():
    spec = _image_network((48, 64, 3), 4)
    counts = resources._synapse_counts(spec)
    ann.compile()
    built = [p.nb_synapses for p in default_network()._projections]
    estimates = [counts[pr.name] for pr in spec.projections]
    # pooling and the 1 x 1 bank: exact; the 3 x 3 filter: every post neuron's 9 sites, an upper bound of the
    # sites inside the pre population (4 692 here); the copy: its original's estimate
    assert estimates == [48 * 64 * 3, 12 * 16 * 3 * 9, 12 * 16 * 3 * 3, 12 * 16 * 3 * 9]
    assert built == [48 * 64 * 3, 4692, 12 * 16 * 3 * 3, 4692]
    ann.clear()


def test_the_image_notebooks_network_fits():
    spec = _image_network((480, 640, 3), 10)
    total = sum(resources.memory_footprint(spec).values())
    assert total < 200e6                       # every pre-post pair: 8.5e9 synapses, about 170 GB
    assert resources._synapse_counts(spec)[spec.projections[0].name] == 480 * 640 * 3
    ann.clear()
