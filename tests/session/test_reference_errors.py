"""An undefined ``pre.x`` / ``post.x`` in a synapse, through the script API: a located EquationError naming
the projection, the synapse, the field that uses it (psp, equations, pre_spike, post_spike) and the line,
with a hint (the closest name, else the neuron's names).  The project-file side: tests/project/
test_project_streams.py."""
import pytest
from backend_fixtures import setup_backend

import annstudio.engine as ann
from annstudio.core.errors import EquationError

RATE = dict(parameters="tau = 10.0", equations="tau * dr/dt = -r + sum(exc)")
LIF = dict(parameters="tau = 10.0", equations="tau * dv/dt = -v + g_exc", spike="v > 1.0", reset="v = 0.0")


@pytest.mark.parametrize("neuron,synapse,field,line,ref,hint", [
    (RATE, dict(psp="w * pre.rr"), "psp", 1, "pre.rr", "did you mean 'pre.r'"),
    (RATE, dict(equations="x = 1.0\ndw/dt = pre.r * post.zzz"), "equations", 2, "post.zzz", "it has: tau, r"),
    (RATE, dict(equations="dw/dt = pre.r", psp="w * pre.r\n + post.nope"), "psp", 2, "post.nope", "it has"),
    (LIF, dict(pre_spike="g_target += w\nw += post.qq"), "pre_spike", 2, "post.qq", "it has: tau, g_exc, v"),
    (LIF, dict(pre_spike="g_target += w", post_spike="w += pre.vv"), "post_spike", 1, "pre.vv",
     "did you mean 'pre.v'"),
])
def test_pre_post_errors_name_the_field_and_the_line(neuron, synapse, field, line, ref, hint):
    setup_backend("numpy")
    a = ann.Population(4, ann.Neuron(**neuron), name="A")
    b = ann.Population(4, ann.Neuron(**neuron), name="B")
    ann.Projection(a, b, "exc", ann.Synapse(name="S", **synapse), name="AB").connect_all_to_all(0.1)
    with pytest.raises(EquationError) as info:
        ann.compile()
    e = info.value
    assert e.where == f"Projection 'AB', Synapse 'S', {field}" and e.line == line, str(e)
    assert f"'{ref}' is not a variable of the {ref.split('.')[0]}synaptic Neuron" in e.message
    assert hint in str(e)
    assert str(e).startswith(f"Projection 'AB', Synapse 'S', {field}, line {line}: ")
    ann.clear()
