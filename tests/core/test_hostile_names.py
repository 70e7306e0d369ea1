"""Hostile names through the script API: every name that could reach generated code or an exported
script (types, populations, projections, targets, parameters, variables, functions, arguments,
constants) is refused with a located error, or the text is provably harmless (what it declares obeys
the names rule); each case within 2 s; no case writes a file or runs a command (an audit hook watches
``os.system``, ``subprocess`` and every file opened for writing); generated C++ and CUDA sources never
contain user text, not even the free-text descriptions."""
import os

import pytest
from hostile_helpers import FILE_CHANGES, Watch, within

from annstudio.codegen import lower
from annstudio.codegen.cpp.generator import generate as generate_cpp
from annstudio.codegen.cuda.generator import generate as generate_cuda
from annstudio.core.equations.names import MAX_NAME_LENGTH, name_problem
from annstudio.core.errors import AnnstudioError, ModelError, SimulationError
from annstudio.core.model import resources
from annstudio.engine import (Constant, Monitor, Neuron, Population, Projection, Synapse, clear, compile, setup,
                              simulate)
from annstudio.session.context import default_network

pytestmark = pytest.mark.filterwarnings("ignore:.*its spikes will have no effect:UserWarning")
MARKER = "PWNED_MARKER"
PAYLOADS = [
    f'x\nstatic int q = system("touch {MARKER}");',
    f'x\rstatic int q = system("touch {MARKER}");',
    f'x */ static int q = system("touch {MARKER}"); /*',
    f"__import__('os').system('touch {MARKER}')",
    '#include <cstdlib>', '#define x 1', 'a"b', "a'b", "a{b}", "a;b", "a\\b", "a\x00b", "a b", "a-b", "a.b",
    "\u202eevil", "\u200bzero", "emoji\U0001F600", "tab\tname", "", "   ", "\n", "a" * 100000,
    "a" * (MAX_NAME_LENGTH + 1), "\uff54\uff41\uff55", "\U0001D465", "caf\u00e9", "\u0391lpha",
    "lambda", "None", "import", "yield", "class", "int", "double", "return", "static", "__init__", "x__y",
    "1abc", "{{ x }}", "{% raw %}", "${x}", "`x`", "net", "self",
]
CONTEXTS = ["neuron_name", "synapse_name", "population_name", "projection_name", "target", "parameter",
            "variable", "function_name", "function_argument", "constant"]

LIF = dict(parameters="tau = 10.0\nv_T = 1.0", equations="tau * dv/dt = -v + g_exc", spike="v > v_T",
           reset="v = 0.0")


def _declared_names(obj):
    a = obj.analysis()
    return [v.name for v in a.variables]


def run_case(context, name):
    """Build with ``name`` in ``context``; returns 'refused' (located error) or 'harmless'."""
    clear()
    setup(dt=0.1, paradigm="numpy")
    try:
        if context == "neuron_name":
            Neuron(name=name, **LIF)
        elif context == "synapse_name":
            Synapse(name=name)
        elif context in ("population_name", "projection_name", "target"):
            n = Neuron(**dict(LIF, equations="tau * dv/dt = -v + g_exc + g_inh"))
            a = Population(4, n, name=name if context == "population_name" else "A")
            b = Population(4, n, name="B")
            p = Projection(a, b, name if context == "target" else "exc",
                           name=name if context == "projection_name" else None)
            p.connect_all_to_all(0.1)
            compile()
        elif context == "parameter":
            n = Neuron(parameters=f"{name} = 1.0\ntau = 10.0", equations="tau * dv/dt = -v")
            assert all(name_problem(x) is None for x in _declared_names(n))
        elif context == "variable":
            n = Neuron(parameters="tau = 10.0", equations=f"tau * d{name}/dt = -1.0")
            assert all(name_problem(x) is None for x in _declared_names(n))
        elif context == "function_name":
            n = Neuron(equations=f"r = {name}(1.0)", functions=f"{name}(x) = 2 * x")
            n.analysis()
        elif context == "function_argument":
            n = Neuron(equations="r = f(1.0)", functions=f"f({name}) = 2")
            n.analysis()
        elif context == "constant":
            Constant(name, 1.0)
    except AnnstudioError as e:
        assert e.where, f"error without a location: {e}"
        assert "Traceback" not in str(e)
        return "refused"
    return "harmless"


CASES = [(c, i) for c in CONTEXTS for i in range(len(PAYLOADS))]


def test_corpus_size():
    assert len(CASES) >= 300


@pytest.mark.parametrize("context,index", CASES, ids=[f"{c}-{i}" for c, i in CASES])
def test_hostile_name_is_refused_or_harmless(tmp_path, monkeypatch, context, index):
    monkeypatch.chdir(tmp_path)
    name = PAYLOADS[index]
    Watch.start(also=FILE_CHANGES)
    try:
        with within(2.0):
            outcome = run_case(context, name)
    finally:
        Watch.active = False
        clear()
    assert not Watch.events, Watch.events
    assert list(tmp_path.iterdir()) == []
    if context in ("neuron_name", "synapse_name", "population_name", "projection_name", "target", "constant"):
        # a name used as is: refused unless it obeys the rule (targets only appear prefixed: g_in, sum__in)
        problem = name_problem(name, prefixed=context == "target")
        assert outcome == ("harmless" if problem is None else "refused"), (outcome, problem)


def test_valid_names_are_accepted():
    for name in ("b", "tau_m", "g_exc", "LIF", "A1", "x" * MAX_NAME_LENGTH):
        assert name_problem(name) is None
        assert run_case("parameter", name) == "harmless"


def test_messages_name_the_character_and_the_rule():
    clear()
    with pytest.raises(AnnstudioError, match=r"U\+FF54, FULLWIDTH LATIN SMALL LETTER T") as e:
        Neuron(parameters="\uff54au = 1.0").analysis()
    assert "parameters, line 1" in str(e.value)
    with pytest.raises(AnnstudioError, match="Python keyword"):
        Neuron(parameters="lambda = 1.0").analysis()
    with pytest.raises(AnnstudioError, match="at most 64"):
        Neuron(name="n" * 100)
    with pytest.raises(AnnstudioError, match="U\\+000A"):
        Synapse(name="s\nt")


def test_generated_sources_contain_no_user_text():
    """Free text (descriptions) and every name are absent from the C++ and CUDA sources."""
    clear()
    setup(dt=0.1, paradigm="numpy")
    payload = f'*/ static int q = system("touch {MARKER}"); /*\n#include <cstdlib>'
    commented = "tau * dv/dt = -v + g_exc  # " + payload.replace("\n", " ") + "\n# " + payload.split("\n")[1]
    n = Neuron(name="HostileLIF", description=payload, **dict(LIF, equations=commented))
    s = Synapse(name="HostileSyn", description=payload, parameters="eta = 0.1", equations="dw/dt = eta * pre.v")
    a = Population(5, n, name="PopulationNameA")
    b = Population(5, n, name="PopulationNameB")
    Projection(a, b, "exc", synapse=s, name="ProjectionNameAB").connect_all_to_all(0.2)
    spec = default_network().spec
    ir, data = lower(spec)
    cpp_source, _ = generate_cpp(ir, data)
    cuda_source = generate_cuda(ir)
    for source in (cpp_source, cuda_source):
        for text in ("system", MARKER, "HostileLIF", "HostileSyn", "PopulationNameA", "PopulationNameB",
                     "ProjectionNameAB", "#include <cstdlib>"):
            assert text not in source, text
    clear()


def test_no_marker_anywhere():
    assert not os.path.exists(MARKER)


def test_script_resource_bombs_are_refused_with_the_estimate():
    """Scripts: a 400 000 x 400 000 all-to-all projection at compile(), a recording of 576 GB at simulate()."""
    clear()
    setup(dt=0.1, paradigm="numpy")
    n = Neuron(**dict(LIF, equations="tau * dv/dt = -v + g_exc + g_inh"))
    a, b = Population(400000, n, name="A"), Population(400000, n, name="B")
    Projection(a, b, "exc").connect_all_to_all(0.1)
    with within(2.0), pytest.raises(ModelError, match=r"3\.2 TB .* of memory is available; refused before"):
        compile()
    clear()
    setup(dt=0.1, paradigm="numpy")
    p = Population(4000, n, name="P")
    m = Monitor(p, ["spike", "v", "g_exc", "g_inh"])
    compile()
    with within(2.0), pytest.raises(SimulationError, match=r"576\.0 GB .* refused before running"):
        simulate(600000.0)
    simulate(1.0)                                   # a run that fits still records
    assert m.get("v").shape == (10, 4000)
    clear()


def test_script_warns_above_half_of_the_memory(monkeypatch):
    clear()
    setup(dt=0.1, paradigm="numpy")
    n = Neuron(**dict(LIF, equations="tau * dv/dt = -v + g_exc"))
    a = Population(100, n, name="A")
    Projection(a, a, "exc").connect_all_to_all(0.1)
    total = sum(resources.memory_footprint(default_network().spec).values())
    assert total >= 100 * 99 * resources.BYTES_PER_SYNAPSE
    monkeypatch.setattr(resources, "available_memory", lambda: int(total * 1.5))
    with pytest.warns(UserWarning, match="more than half"):
        compile()
    clear()
