"""Hostile and mistaken equations through the script API: huge numbers and exponent towers, numbers
beyond double range, complex constants, non-boolean spike conditions, booleans in arithmetic,
duplicates, Unicode look-alikes and C habits in every text field.  Each case is a located error
naming the type, the field and the line (and the expected words), within 2 s per case (a timer, not
a wall-clock assert); a bounded seeded fuzz of the parser finds no other failure."""
import random

import pytest
from hostile_helpers import within

from annstudio.core.equations import Scope
from annstudio.core.errors import AnnstudioError, EquationError
from annstudio.core.model import Neuron, Synapse

LIF = dict(parameters="tau = 10.0\nv_T = 1.0", equations="tau * dv/dt = -v + g_exc", spike="v > v_T",
           reset="v = 0.0")
RATE = dict(parameters="tau = 10.0", equations="tau * dr/dt = -r + sum(exc)")
TOWERS = ["10**10**10", "9**9**9**9", "2**2**2**2**2**2", "10^10^10", "pow(10, 10**10)", "power(10, 400)", "(10**10)**(10**10)",
          "exp(1e6)", "exp(exp(exp(10)))", "cosh(1e5)", "1e308 * 10", "1e400", "-1e400", "10**400",
          "1" + "0" * 400, "0.0**-1", "1e-400**-1"]
DIVISIONS = ["1.0 / 0.0", "v / 0", "1 / (1 - 1)"]
COMPLEX = ["sqrt(-1)", "log(-1)", "(-8)**(1/3)", "(-1)**0.5", "asin(2) * 0 + sqrt(-4)", "pow(-2, 0.5)"]


def _neuron(field, text, base=LIF):
    return Neuron(**dict(base, **{field: text}))


# (label, kind, field, text, expected words, expected line)
CASES = []
for i, t in enumerate(TOWERS):
    CASES += [(f"tower_eq_{i}", "neuron", "equations", f"tau * dv/dt = -v + g_exc + {t}", "double", 1),
              (f"tower_param_{i}", "neuron", "parameters", f"tau = 10.0\nv_T = {t}", "double", 2),
              (f"tower_init_{i}", "neuron", "equations", f"tau * dv/dt = -v + g_exc : init={t}", "double", 1),
              (f"tower_spike_{i}", "neuron", "spike", f"v > {t}", "double", 1),
              (f"tower_reset_{i}", "neuron", "reset", f"v = {t}", "double", 1),
              (f"tower_psp_{i}", "synapse", "psp", f"w * {t}", "double", 1)]
for i, t in enumerate(DIVISIONS):
    CASES += [(f"division_eq_{i}", "neuron", "equations", f"tau * dv/dt = -v + g_exc + {t}", "division by zero", 1),
              (f"division_reset_{i}", "neuron", "reset", f"v = {t}", "division by zero", 1)]
for i, t in enumerate(COMPLEX):
    CASES += [(f"complex_eq_{i}", "neuron", "equations", f"tau * dv/dt = -v + g_exc + {t}", "complex", 1),
              (f"complex_param_{i}", "neuron", "parameters", f"tau = {t}", "", 1),
              (f"complex_reset_{i}", "neuron", "reset", f"v = {t}", "complex", 1)]
CASES += [
    ("dup_ode", "neuron", "equations", "tau * dv/dt = -v + g_exc\ntau * dv/dt = -v", "defined twice", 2),
    ("dup_assign", "rate", "equations", "tau * dr/dt = -r + sum(exc)\nx = 1\nx = 2", "defined twice", 3),
    ("ode_then_assign", "neuron", "equations", "tau * dv/dt = -v + g_exc\nv = 1", "defined twice", 2),
    ("dup_flag_min", "neuron", "equations", "tau * dv/dt = -v + g_exc : min=0, min=1", "twice", 1),
    ("dup_flag_init", "neuron", "equations", "tau * dv/dt = -v + g_exc : init=0, init=1", "twice", 1),
    ("dup_flag_population", "neuron", "parameters", "tau = 10.0 : population, population\nv_T = 1", "twice", 1),
    ("min_above_max", "neuron", "equations", "tau * dv/dt = -v + g_exc : min=2, max=1", "greater than", 1),
    ("dup_param", "neuron", "parameters", "tau = 10.0\ntau = 5.0\nv_T = 1", "declared twice", 2),
    ("kw_lambda", "neuron", "parameters", "lambda = 1.0\ntau = 10\nv_T = 1", "Python keyword", 1),
    ("kw_None", "neuron", "parameters", "None = 1.0\ntau = 10\nv_T = 1", "Python keyword", 1),
    ("kw_import", "neuron", "parameters", "import = 1.0\ntau = 10\nv_T = 1", "Python keyword", 1),
    ("kw_yield", "neuron", "parameters", "yield = 1.0\ntau = 10\nv_T = 1", "Python keyword", 1),
    ("kw_class_var", "neuron", "equations", "tau * dv/dt = -v + g_exc\nclass = 1", "keyword", 2),
    ("cpp_kw_var", "neuron", "equations", "tau * dv/dt = -v + g_exc\nstatic = 1", "C++ keyword", 2),
    ("cpp_kw_param", "neuron", "parameters", "tau = 10\nv_T = 1\nint = 3", "C++ keyword", 3),
    ("fullwidth_param", "neuron", "parameters", "tau = 10.0\n\uff56_T = 1.0", "FULLWIDTH", 2),
    ("math_italic", "neuron", "equations", "tau * dv/dt = -v + g_exc + \U0001D465", "MATHEMATICAL", 1),
    ("greek_alpha", "neuron", "parameters", "tau = 10\nv_T = 1\n\u03b1 = 2", "GREEK", 3),
    ("bidi", "neuron", "equations", "tau * dv/dt = -v + g_exc \u202e", "RIGHT-TO-LEFT", 1),
    ("bidi_in_comment", "neuron", "equations", "tau * dv/dt = -v + g_exc  # \u202e } ;", "invisible", 1),
    ("zero_width_in_comment", "neuron", "reset", "v = 0.0 # \u200b", "invisible", 1),
    ("nul", "neuron", "equations", "tau * dv/dt = -v + g_exc\x00", "U+0000", 1),
    ("zero_width", "neuron", "parameters", "tau = 10\nv_\u200bT = 1", "ZERO WIDTH", 2),
    ("nonbool_spike", "neuron", "spike", "v + 1", "condition", 1),
    ("number_spike", "neuron", "spike", "1.0", "condition", 1),
    ("empty_spike", "neuron", "spike", "   ", "empty", 1),
    ("bool_arith", "neuron", "equations", "tau * dv/dt = -v + g_exc + (v > 1)", "condition", 1),
    ("bool_arith_reset", "neuron", "reset", "v = (v > 1) * 2", "condition", 1),
    ("c_comment", "neuron", "equations", "tau * dv/dt = -v + g_exc /* comment */", "C comment", 1),
    ("c_cast", "neuron", "equations", "tau * dv/dt = -(double)v + g_exc", "C cast", 1),
    ("arrow", "neuron", "equations", "tau * dv/dt = -v->x + g_exc", "'->'", 1),
    ("f_suffix", "neuron", "equations", "tau * dv/dt = -v * 1.0f + g_exc", "suffix", 1),
    ("plusplus", "neuron", "reset", "v++", "", 1),
    ("two_numbers", "neuron", "equations", "tau * dv/dt = -v + 1 2 + g_exc", "two numbers", 1),
    ("dup_function", "neuron", "functions", "f(x) = x\nf(x) = 2 * x", "defined twice", 2),
    ("dup_argument", "neuron", "functions", "f(x, x) = x", "twice", 1),
    ("function_kw_arg", "neuron", "functions", "f(lambda) = 1", "keyword", 1),
    ("negative_refractory", "neuron", "refractory", -2.0, "negative", 1),
    ("system_call", "neuron", "equations", "tau * dv/dt = system(1) - v", "unknown name", 1),
    ("dunder", "neuron", "equations", "tau * dv/dt = v.__class__ - v", "not allowed", 1),
    ("string", "neuron", "reset", "v = 'x'", "not allowed", 1),
    ("lambda_expr", "neuron", "equations", "tau * dv/dt = (lambda: 1)() - v", "", 1),
    ("deep_nesting", "neuron", "equations", "tau * dv/dt = " + "-(" * 100 + "v" + ")" * 100, "nested", 1),
    ("long_expression", "neuron", "equations", "tau * dv/dt = " + "+".join(["v"] * 3000), "longer", 1),
    ("many_statements", "neuron", "parameters", "\n".join(f"p{i} = 1" for i in range(600)), "statements", 501),
    ("huge_int_param", "neuron", "parameters", "tau = " + "9" * 5000, "", 1),
    ("psp_pre_unknown", "synapse", "psp", "w * pre.r ** 10**10**10", "double", 1),
]
SYN = dict(parameters="eta = 0.1", equations="dw/dt = eta * pre.r * post.r", psp="w * pre.r")


def analyse(kind, field, text):
    if kind == "synapse":
        Synapse(**dict(SYN, **{field: text})).analysis("rate")
    elif kind == "rate":
        _neuron(field, text, RATE).analysis()
    else:
        _neuron(field, text).analysis()


def test_corpus_size():
    assert len(CASES) >= 150
    assert len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("label,kind,field,text,words,line", CASES, ids=[c[0] for c in CASES])
def test_hostile_equation_is_a_located_error(label, kind, field, text, words, line):
    with within(2.0):
        with pytest.raises(EquationError) as info:
            analyse(kind, field, text)
    e = info.value
    assert e.where and e.where.endswith(f", {field}") or field in str(e.where), (e.where, str(e))
    assert ("Neuron '" if kind != "synapse" else "Synapse '") in e.where
    assert e.line == line, str(e)
    assert words in str(e), str(e)


def test_valid_neighbours_still_parse():
    """The bounds refuse the hostile forms only: large but finite numbers and towers that fit stay."""
    for t in ("10**300", "2**10**2", "1e308", "exp(700)", "9**9**2", "pow(10, 5)", "sqrt(4)", "1e-300"):
        Neuron(**dict(LIF, equations=f"tau * dv/dt = -v + g_exc + 0 * {t}")).analysis()
    Neuron(**dict(LIF, equations="tau * dv/dt = -v + g_exc : min=0, max=1, init=0.5")).analysis()
    Neuron(equations="x = 1; x += 2; x *= 3").analysis()          # compound updates are not duplicates
    Neuron(parameters="a = 1", equations="fired = a > 0 : bool\ndv/dt = -v", spike="fired").analysis()
    Neuron(parameters="tau = 10.0  # time constant (caf\u00e9, \u03c4 in ms)", equations="tau * dv/dt = -v").analysis()


def test_scope_functions_obey_the_rules():
    with pytest.raises(EquationError, match="twice"):
        Scope().with_function("g(x, x) = x")
    with pytest.raises(EquationError, match="keyword"):
        Scope().with_function("None(x) = x")
    with pytest.raises(EquationError, match="double"):
        Scope().with_function("g(x) = x + 10**10**10")


# ----------------------------------------------------------------------- seeded fuzz (bounded)
ATOMS = ["v", "tau", "g_exc", "1", "0", "2.5", "1e308", "10", "9", "-1", "pi", "t", "dt", "v_T", "x", "\uff56",
         "pre.r", "sum(exc)", "true", "(", ")", "**", "^", "*", "/", "+", "-", ">", "<", "==", "and", "or",
         "not", "if", "then", "else", ",", "exp(", "sqrt(", "pow(", "log(", "ite(", ":", "=", ";", "#", "\n",
         "init=", "min=", "'", "\\", "{", "&&", "->", "/*", "1.0f", "(double)", "lambda", "__", "Uniform(0, 1)"]


def _fuzz_text(rng):
    return " ".join(rng.choice(ATOMS) for _ in range(rng.randint(1, 14)))


@pytest.mark.parametrize("seed", range(8))
def test_fuzzed_fields_give_located_errors_only(seed):
    rng = random.Random(seed)
    fields = ["equations", "parameters", "spike", "reset", "functions"]
    for _ in range(60):
        field = rng.choice(fields)
        text = _fuzz_text(rng)
        if field == "equations":
            text = "tau * dv/dt = " + text
        elif field == "parameters":
            text = "tau = 10.0\nv_T = " + text
        elif field == "functions":
            text = "f(x) = " + text
        with within(2.0):
            try:
                _neuron(field, text).analysis()
            except AnnstudioError as e:
                assert e.where and ("Neuron '" in e.where), (text, str(e))
