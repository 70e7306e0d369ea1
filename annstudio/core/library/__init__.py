"""Standard neurons and synapses, shipped as plain ``Neuron``/``Synapse`` data.

``NEURONS`` / ``SYNAPSES`` map each standard model's name to its class; an
instance (``IF_cond_exp(tau_m=10.0)``) is an ordinary Neuron/Synapse whose
text the studio can show, edit and copy.  ``catalog()`` lists them with their
default text for palettes.
"""
from .neurons import *  # noqa: F401,F403
from .neurons import NEURONS, __all__ as _neurons_all
from .synapses import *  # noqa: F401,F403
from .synapses import SYNAPSES, __all__ as _synapses_all
from .populations import POPULATIONS  # noqa: F401  (neurons of special populations, by kind)


def catalog():
    """``{name: default instance}`` for every standard neuron and synapse."""
    return {name: cls() for name, cls in {**NEURONS, **SYNAPSES}.items()}


__all__ = ["catalog"] + list(dict.fromkeys(list(_neurons_all) + list(_synapses_all)))
