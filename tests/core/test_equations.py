"""The equation parser: forms of ODEs, flags, functions, and located errors."""
import pytest
import sympy as sp

from annstudio.engine import EquationError, Neuron, Synapse
from annstudio.core.equations import Scope


def ode(neuron, name):
    return next(s for s in neuron.analysis().equations if s.target == name)


@pytest.mark.parametrize("text", ["tau*dx/dt + x = I", "tau*dx/dt = I - x", "dx/dt = (I - x)/tau"])
def test_ode_forms_are_equivalent(text):
    n = Neuron(parameters="tau = 10.0; I = 1.0", equations=text)
    s = ode(n, "x")
    assert s.is_ode
    tau, x, I = sp.symbols("tau x I")
    assert sp.simplify(s.expr - (I - x) / tau) == 0


def test_flags_and_localities():
    n = Neuron(parameters="tau = 10.0 : population\n k = 2 : int", equations="""
        # a comment line
        tau * dv/dt = -v : init = -65.0, min = -90, max = 30, exponential
        r = v ; u = 1 : bool
    """)
    a = n.analysis()
    assert a.var("tau").locality == "global" and a.var("k").dtype == "int"
    v = a.var("v")
    assert v.init == -65.0 and float(v.min) == -90 and float(v.max) == 30 and v.method == "exponential"
    assert a.var("u").dtype == "bool"
    assert [s.target for s in a.equations] == ["v", "r", "u"]


def test_assignment_operators():
    n = Neuron(equations="x = 1; x += 2; x -= 1; x *= 3; x /= 2")
    exprs = [s.expr for s in n.analysis().equations]
    x = sp.Symbol("x")
    assert exprs[1] == x + 2 and exprs[2] == x - 1 and exprs[3] == 3 * x and exprs[4] == x / 2


def test_if_then_else_and_functions():
    n = Neuron(parameters="a = 1", equations="r = if a > 0 then sigm(a) else ite(a < -1, 0, 2)",
               functions="sigm(x) = 1/(1 + exp(-x))")
    expr = n.analysis().equations[0].expr
    assert isinstance(expr, sp.Piecewise)
    assert float(expr.subs(sp.Symbol("a"), 1.0)) == pytest.approx(1 / (1 + 2.718281828459045 ** -1))


def test_global_function_and_operations():
    scope = Scope().with_function("twice(x) = 2*x")      # a network's functions, passed explicitly
    n = Neuron(equations="r = twice(mean(r)) + max(r) + Normal(0, 1)")
    a = n.analysis(scope)
    assert {g.op for g in a.global_ops} == {"mean", "max"}
    assert a.randoms[0].dist == "Normal"
    with pytest.raises(EquationError, match="twice"):   # no process-wide function: unknown without it
        n.analysis()


def test_synapse_pre_post_and_spike_blocks():
    s = Synapse(parameters="tau = 100 : projection\n eta = 0.1", equations="""
        tau * dw/dt = pre.r * post.r - w : min = 0
        tau * dtheta/dt = post.r^2 - theta : postsynaptic""")
    a = s.analysis("rate")
    assert a.var("theta").locality == "semiglobal" and a.var("tau").locality == "global"
    assert set(a.pre_refs) == {"r"} and set(a.post_refs) == {"r"}
    stdp = Synapse(parameters="tau = 20", equations="tau * dx/dt = -x : event-driven",
                   pre_spike="g_target += w; x += 1", post_spike="w = clip(w + x, 0, 1)")
    a = stdp.analysis("spike")
    assert [u.target for u in a.pre_spike] == ["g_target", "x"]
    assert a.var("x").method == "event-driven"


BAD = [
    (dict(equations="r = foo + 1"), "unknown name 'foo'", 1),
    (dict(equations="tau*dv/dt = -v", parameters="tau = 10"), None, None),  # valid control
    (dict(equations="r = 1\n v = vv + 1\n"), "unknown name 'vv'", 2),
    (dict(equations="r = 1 : init = 0, foo"), "unknown flag 'foo'", 1),
    (dict(equations="r = 1 : inti = 3"), "unknown flag 'inti='", 1),
    (dict(equations="r = (1 + 2"), "unbalanced parentheses", 1),
    (dict(equations='r = 0; system("rm -rf /")'), "is missing", 1),
    (dict(equations='r = system("ls")'), "not allowed", 1),
    (dict(equations="r = os.system(1)"), "only named functions", 1),
    (dict(equations="r = __import__('os')"), "not allowed", 1),
    (dict(equations="r = ().__class__"), "not allowed", 1),
    (dict(equations="r = lambda: 1"), "unknown flag", 1),
    (dict(equations="r = [x for x in y]"), "not allowed", 1),
    (dict(equations="r = " + "+".join(["1"] * 3000)), "longer than", 1),
    (dict(equations="r = " + "exp(" * 100 + "1" + ")" * 100), "nested too deeply", 1),
    (dict(equations="dv/dt*dv/dt = 1"), "not an ODE", 1),
    (dict(equations="r = exp(1, 2)"), "exp() takes", 1),
    (dict(parameters="tau = abc"), "unknown name 'abc'", 1),
    (dict(parameters="tau = 1", equations="tau = 2"), "is a parameter", 1),
    (dict(equations="r = 1", reset="r = 0"), "reset needs a spike", 1),
    (dict(equations="dv/dt = -v", spike="v > 1", reset="w = 0"), "cannot assign 'w'", 1),
    (dict(equations="r = pre.r"), "only allowed in synapses", 1),
    (dict(equations="r = 1 : population, postsynaptic"), "flags are for synapses", 1),
    (dict(equations="if = 3"), "reserved", 1),
    (dict(equations="r = exp"), "without arguments", 1),
    (dict(equations="r = 1 x 2"), "syntax error", 1),
]


@pytest.mark.parametrize("kwargs,message,line", BAD)
def test_bad_input_gives_located_error(kwargs, message, line):
    n = Neuron(name="Bad", **kwargs)
    if message is None:
        n.analysis()
        return
    with pytest.raises(EquationError) as info:
        n.analysis()
    err = info.value
    assert message in str(err)
    assert "Neuron 'Bad'" in str(err)
    assert err.line == line


def test_unknown_name_suggests_the_closest():
    n = Neuron(parameters="tau_m = 10", equations="tau_n * dv/dt = -v")
    with pytest.raises(EquationError) as info:
        n.analysis()
    assert "did you mean 'tau_m'" in str(info.value)


@pytest.mark.parametrize("eq", ["r = (1 < 2) * 3", "dv/dt = (v > 1)", "r = not 3 + 1", "r = exp(1 < 2)",
                                "r = -(1 > 2)", "x = 1\n r = (x > 1) + 1"])
def test_conditions_used_as_numbers_are_located_errors(eq):
    with pytest.raises(EquationError) as info:
        Neuron(name="Mixed", equations=eq).analysis()
    assert "condition" in str(info.value) and "Neuron 'Mixed'" in str(info.value)


@pytest.mark.parametrize("eq", ["r = 1/0", "r = 1e400"])
def test_infinite_constants_are_refused(eq):
    with pytest.raises(EquationError) as info:
        Neuron(equations=eq).analysis()
    assert "infinite" in str(info.value)


def test_a_condition_may_be_assigned_to_a_variable():
    n = Neuron(equations="v = 2\n r = v > 1 : bool")
    assert isinstance(n.analysis().equations[1].expr, sp.core.relational.Relational)


def test_random_token_soup_only_ever_raises_equation_errors():
    import random
    rng = random.Random(1234)
    tokens = ["v", "u", "tau", "dv/dt", "(", ")", "+", "-", "*", "/", "^", "=", "==", "<", ">", "and", "or",
              "not", "if", "then", "else", "exp(", "sum(exc)", "pre.r", "mean(v)", "Normal(0,1)", ":", "init=",
              "min=", ",", "1.5", "1e309", "True", "ite(", ";", "\n", "#", "+=", "clip(", "__class__", "'",
              "[", "]", "lambda", "import", "os.system(", "\\", "@", "$"]
    for _ in range(150):
        text = " ".join(rng.choice(tokens) for _ in range(rng.randint(1, 14)))
        for kw in ("equations", "parameters", "spike", "reset"):
            args = {"parameters": "tau = 10", "equations": "dv/dt = -v/tau", "spike": "v > 1", "reset": "v = 0"}
            args[kw] = text
            try:
                Neuron(**args).analysis()
            except EquationError as err:
                assert err.line is not None or "Neuron" in str(err)
