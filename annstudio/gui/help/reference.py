"""The equation reference, generated from the engine's own whitelist so it cannot drift.

Every function (``expressions.FUNCTIONS``), random distribution (``RANDOM_DISTRIBUTIONS``), global
operation (``GLOBAL_OPERATIONS``), constant (``CONSTANTS``), flag (``blocks.KNOWN_FLAGS`` /
``VALUE_FLAGS``) and numerical method (``blocks.METHODS``) is listed from those tables; the words and
the example of each come from ``DOCS`` below.  ``missing_docs()`` names whitelist entries without
words (a test keeps it empty) and ``sections()`` raises nothing for an undocumented entry: it is shown
with a note instead, so a new function appears the day it is added.  Every example is a neuron
(parameters, equations, spike, reset) that the engine's analysis accepts (tested).
"""
import html

from ...core.equations.blocks import KNOWN_FLAGS, METHODS, VALUE_FLAGS
from ...core.equations.expressions import CONSTANTS, FUNCTIONS, GLOBAL_OPERATIONS, RANDOM_DISTRIBUTIONS

# name -> (meaning, example statement for a neuron's equations block)
_F = {
    "exp": ("exponential e^x", "r = exp(-v / tau)"), "log": ("natural logarithm", "r = log(1.0 + v^2)"),
    "log10": ("logarithm base 10", "r = log10(1.0 + v^2)"), "log2": ("logarithm base 2", "r = log2(1.0 + v^2)"),
    "sqrt": ("square root", "r = sqrt(v^2 + 1.0)"), "sin": ("sine (radians)", "r = sin(2.0*pi*t/100.0)"),
    "cos": ("cosine (radians)", "r = cos(2.0*pi*t/100.0)"), "tan": ("tangent (radians)", "r = tan(0.001*v)"),
    "asin": ("arc sine", "r = asin(0.5)"), "acos": ("arc cosine", "r = acos(0.5)"),
    "atan": ("arc tangent", "r = atan(v)"), "atan2": ("arc tangent of y/x with the quadrant", "r = atan2(v, 1.0)"),
    "sinh": ("hyperbolic sine", "r = sinh(0.01*v)"), "cosh": ("hyperbolic cosine", "r = cosh(0.01*v)"),
    "tanh": ("hyperbolic tangent: a smooth step from -1 to 1", "r = tanh(v)"),
    "fabs": ("absolute value", "r = fabs(v)"), "abs": ("absolute value", "r = abs(v)"),
    "floor": ("largest whole number not above x", "r = floor(v)"),
    "ceil": ("smallest whole number not below x", "r = ceil(v)"), "round": ("nearest whole number", "r = round(v)"),
    "pow": ("x to the power y (same as x^y)", "r = pow(v, 2)"), "power": ("same as pow", "r = power(v, 2)"), "fmin": ("smaller of two", "r = fmin(v, 1.0)"),
    "fmax": ("larger of two", "r = fmax(v, 0.0)"), "min": ("smaller of two", "r = min(v, 1.0)"),
    "max": ("larger of two", "r = max(v, 0.0)"), "pos": ("x where positive, else 0 (rectifier)", "r = pos(v)"),
    "positive": ("same as pos", "r = positive(v)"), "neg": ("x where negative, else 0", "r = neg(v)"),
    "negative": ("same as neg", "r = negative(v)"), "clip": ("x kept between a and b", "r = clip(v, 0.0, 1.0)"),
    "modulo": ("remainder of x / y (C fmod)", "r = modulo(t, 10.0)"), "fmod": ("same as modulo", "r = fmod(t, 10.0)"),
    "Heaviside": ("1 where x > 0, else 0", "r = Heaviside(v)"), "heaviside": ("same as Heaviside", "r = heaviside(v)"),
    "ite": ("if-then-else: ite(condition, a, b)", "r = ite(v > 0.0, 1.0, 0.0)"),
}
_R = {
    "Uniform": ("a number drawn uniformly in [min, max), anew per neuron and step", "r = Uniform(0.0, 1.0)"),
    "Normal": ("a Gaussian draw (mean, standard deviation) per neuron and step", "dv/dt = -v + 0.1 * Normal(0.0, 1.0)"),
    "LogNormal": ("a log-normal draw (mu, sigma)", "r = LogNormal(0.0, 1.0)"),
    "Exponential": ("an exponential draw with rate lambda", "r = Exponential(1.0)"),
    "Gamma": ("a gamma draw (shape, scale)", "r = Gamma(2.0, 1.0)"),
    "DiscreteUniform": ("a whole number drawn in [min, max]", "r = DiscreteUniform(0, 10)"),
    "Binomial": ("a binomial draw (n, p)", "r = Binomial(10, 0.5)"),
}
_G = {
    "mean": ("mean of a variable over the population", "r = v - mean(v)"),
    "max": ("largest value in the population", "r = v / (1.0 + max(v))"),
    "min": ("smallest value in the population", "r = v - min(v)"),
    "norm1": ("sum of absolute values over the population", "r = v / (1.0 + norm1(v))"),
    "norm2": ("Euclidean norm over the population", "r = v / (1.0 + norm2(v))"),
}
_C = {"pi": ("3.14159...", "r = sin(2.0 * pi * t / 50.0)"), "true": ("logical true", "r = ite(true, 1.0, 0.0)"),
      "false": ("logical false", "r = ite(false, 1.0, 0.0)"), "True": ("same as true", "r = ite(True, 1.0, 0.0)"),
      "False": ("same as false", "r = ite(False, 1.0, 0.0)")}
_FLAGS = {
    "population": ("parameter/variable shared by the whole population (one value)", "theta = 1.0 : population"),
    "postsynaptic": ("synapse parameter shared by all synapses of a post-synaptic neuron", ""),
    "projection": ("synapse parameter shared by the whole projection", ""),
    "semiglobal": ("same as postsynaptic", ""), "global": ("same as projection", ""),
    "int": ("whole-number variable", "n = 0 : int"), "bool": ("true/false variable", "flag = 0 : bool"),
    "float": ("floating-point variable (the default)", "x = 0.0 : float"),
    "unless_refractory": ("not updated while the neuron is refractory", "dv/dt = -v : unless_refractory"),
    "init": ("initial value of a variable", "dv/dt = -v : init = -65.0"),
    "min": ("lower bound: the variable is clipped to it after each step", "dv/dt = -v : min = 0.0"),
    "max": ("upper bound: clipped to it after each step", "dv/dt = 1.0 : max = 10.0"),
}
_M = {
    "explicit": ("forward Euler: x += dt * f(x) (the default)", "dv/dt = -v : explicit"),
    "implicit": ("backward Euler: stable for stiff equations", "dv/dt = -v : implicit"),
    "exponential": ("exact for linear decay towards a moving target (leaky membranes)", "tau * dv/dt = -v : exponential"),
    "midpoint": ("second-order Runge-Kutta", "dv/dt = -v : midpoint"),
    "rk4": ("fourth-order Runge-Kutta", "dv/dt = -v : rk4"),
    "event-driven": ("solved between spikes only (synapse traces such as STDP)", ""),
}
SYNTAX = (
    ("ODE", "dx/dt = f(x); 'tau * dv/dt = -v' is solved for dv/dt", "tau * dv/dt = v_rest - v"),
    ("assignment", "a variable recomputed every step", "I = g_exc - g_inh"),
    ("power", "x^2 or x**2", "r = v^2"),
    ("condition", "if c then a else b; comparisons <, <=, >, >=, ==, !=; and, or, not",
     "r = if v > 0.0 then v else 0.0"),
    ("inputs", "sum(exc) for rate-coded neurons, g_exc for spiking ones", "tau * dv/dt = -v + g_exc"),
    ("comments", "# to the end of the line", "dv/dt = -v  # leak"),
    ("time", "t (ms) and dt (the step, ms)", "r = sin(t / 10.0)"),
)

DOCS = {"functions": (_F, FUNCTIONS), "random": (_R, RANDOM_DISTRIBUTIONS),
        "global operations": (_G, GLOBAL_OPERATIONS), "constants": (_C, CONSTANTS),
        "flags": (_FLAGS, sorted((KNOWN_FLAGS | VALUE_FLAGS) - set(METHODS))), "numerical methods": (_M, METHODS)}


def missing_docs():
    """Whitelist entries the reference has no words for."""
    return [f"{section}: {name}" for section, (words, names) in DOCS.items() for name in names if name not in words]


def stale_docs():
    """Documented names the engine no longer accepts."""
    return [f"{section}: {name}" for section, (words, names) in DOCS.items() for name in words if name not in names]


def sections():
    """``[(title, [(name, meaning, example), ...]), ...]`` in the order the panel shows them."""
    out = [("syntax", list(SYNTAX))]
    for section, (words, names) in DOCS.items():
        out.append((section, [(n, *words.get(n, ("(no description yet)", ""))) for n in names]))
    return out


def examples():
    """Every (section, name, example) with an example (a neuron equations statement)."""
    return [(title, name, ex) for title, rows in sections() for name, _meaning, ex in rows if ex]


PARAMETER_FLAGS = ("population", "int", "bool", "float")


def example_neuron(section, name, example):
    """A spiking neuron's fields that use ``example`` where it belongs (for checking it parses)."""
    parameters = "tau = 10.0\nv_rest = 0.0"
    equations = example if "dv/dt" in example else f"dv/dt = -v\n{example}"
    if section == "flags" and name in PARAMETER_FLAGS:
        parameters, equations = f"{parameters}\n{example}", "dv/dt = -v"
    return {"parameters": parameters, "equations": equations, "spike": "v > 1.0", "reset": "v = 0.0"}


def reference_html():
    parts = ["<h2>Equation reference</h2><p>Generated from the engine's whitelist: everything listed here "
             "is accepted, anything else is refused with a located error.</p>"]
    for title, rows in sections():
        parts.append(f"<h3 id='{title.replace(' ', '-')}'>{html.escape(title.capitalize())}</h3>"
                     "<table cellspacing='0' cellpadding='3' border='1' style='border-collapse:collapse'>")
        for name, meaning, example in rows:
            parts.append(f"<tr><td><code>{html.escape(name)}</code></td><td>{html.escape(meaning)}</td>"
                         f"<td><code>{html.escape(example)}</code></td></tr>")
        parts.append("</table>")
    return "".join(parts)
