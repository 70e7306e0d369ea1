"""``annstudio export --api 5``: the exported script rewritten in ANNarchy 5's Network style.

Owns ``to_api5(text)``: it takes the script ``export.export_script`` prints (ANNarchy 4.x global
style, ``from annstudio.engine import *``), parses it, and rewrites it by positions found in its
syntax tree, so every string (equations, names) is kept byte for byte:

- ``from annstudio.engine import *`` -> ``import annstudio.engine as ann``;
- ``setup(dt=, seed=, paradigm=...)`` -> ``net = ann.Network(dt=, seed=)`` and ``net.config(...)``;
- ``Population(...)`` / ``Projection(...)`` / ``Monitor(...)`` -> ``net.create`` / ``net.connect`` /
  ``net.monitor``; special populations and projections -> ``net.create(ann.PoissonPopulation(...))``;
- ``proj.connect_fixed_probability(...)`` -> ``proj.fixed_probability(...)``;
- ``compile()``, ``simulate()``, ``simulate_until()``, ``reset()``, ``step()`` -> methods of ``net``;
  ``dt()`` -> ``net.dt``, ``get_time()`` -> ``net.time``;
- every other engine name (types, standard models, distributions) -> ``ann.<name>``.

With ``import ANNarchy as ann`` in place of the import line the script runs on ANNarchy 5.
"""
import ast

from .. import session
from ..core import library, model
from ..core.errors import ProjectError

STAR_IMPORT = "from annstudio.engine import *"
SPECIAL_POPULATIONS = {"PoissonPopulation", "SpikeSourceArray", "TimedArray", "HomogeneousCorrelatedSpikeTrains"}
SPECIAL_PROJECTIONS = {"DecodingProjection", "CurrentInjection"}
NET_METHODS = {"Population": "net.create", "Projection": "net.connect", "Monitor": "net.monitor",
               "compile": "net.compile", "simulate": "net.simulate", "simulate_until": "net.simulate_until",
               "reset": "net.reset", "step": "net.step"}
NET_VALUES = {"dt": "net.dt", "get_time": "net.time", "get_current_step": "net.current_step"}
NET_SETTERS = {"set_time": "net.time", "set_current_step": "net.current_step"}
NETWORK_ARGS = ("dt", "seed")


def _engine_names():
    """The names ``annstudio.engine`` exports (the session facade, the standard library, the model)."""
    return set(session.__all__) | set(library.__all__) | set(model.__all__) | {"Parameter", "Variable"}


class _Edits:
    """Text edits at (line, column) positions of the source, applied from the end."""

    def __init__(self, text):
        self.lines = text.splitlines(keepends=True)
        self.edits = []

    def _offset(self, lineno, col_bytes):
        line = self.lines[lineno - 1]
        col = len(line.encode("utf-8")[:col_bytes].decode("utf-8", errors="ignore"))
        return sum(len(x) for x in self.lines[:lineno - 1]) + col

    def replace(self, node_start, node_end, new):
        self.edits.append((self._offset(*node_start), self._offset(*node_end), new))

    def insert(self, pos, new):
        off = self._offset(*pos)
        self.edits.append((off, off, new))

    def apply(self):
        text = "".join(self.lines)
        for start, end, new in sorted(self.edits, key=lambda e: (e[0], e[1]), reverse=True):
            text = text[:start] + new + text[end:]
        return text


def _start(node):
    return node.lineno, node.col_offset


def _end(node):
    return node.end_lineno, node.end_col_offset


def _setup(call, edits, source):
    kw = {k.arg: ast.get_source_segment(source, k.value) for k in call.keywords}
    if "precision" in kw:          # ANNarchy 5 spells single precision dtype=float32
        kw["dtype"] = "ann.float32" if kw.pop("precision").strip("'\"") in ("float", "float32") else "ann.float64"
    net_args = ", ".join(f"{k}={kw[k]}" for k in NETWORK_ARGS if k in kw)
    rest = ", ".join(f"{k}={v}" for k, v in kw.items() if k not in NETWORK_ARGS)
    new = f"net = ann.Network({net_args})" + (f"\nnet.config({rest})" if rest else "")
    edits.replace(_start(call), _end(call), new)


def to_api5(text):
    """The ANNarchy-5-style version of an exported script (see the module docstring)."""
    if STAR_IMPORT not in text:
        raise ProjectError("not an exported annstudio script (no engine import)", where="export --api 5")
    tree = ast.parse(text)
    engine = _engine_names()
    assigned = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    assigned |= {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    engine -= assigned
    edits = _Edits(text)
    handled = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in engine:
            name = node.func.id
            handled.add(id(node.func))
            if name == "setup":
                _setup(node, edits, text)
                for sub in ast.walk(node):
                    handled.add(id(sub))
            elif name in NET_VALUES and not node.args and not node.keywords:
                edits.replace(_start(node), _end(node), NET_VALUES[name])
            elif name in NET_SETTERS and len(node.args) == 1 and not node.keywords:   # a statement here
                arg = ast.get_source_segment(text, node.args[0])
                edits.replace(_start(node), _end(node), f"{NET_SETTERS[name]} = {arg}")
                for sub in ast.walk(node):
                    handled.add(id(sub))
            elif name == "reset":           # ANNarchy 5 reseeds by default; the 4.x reset (and a project) does not
                edits.replace(_start(node.func), _end(node.func), NET_METHODS[name])
                end = _end(node)
                edits.insert((end[0], end[1] - 1), (", " if node.args or node.keywords else "") + "reseed_rng=False")
            elif name in NET_METHODS:
                edits.replace(_start(node.func), _end(node.func), NET_METHODS[name])
            elif name in SPECIAL_POPULATIONS or name in SPECIAL_PROJECTIONS:
                method = "net.create(" if name in SPECIAL_POPULATIONS else "net.connect("
                edits.replace(_start(node.func), _end(node.func), method + "ann." + name)
                edits.insert(_end(node), ")")
            else:
                edits.replace(_start(node.func), _end(node.func), "ann." + name)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                node.func.attr.startswith("connect_") and isinstance(node.func.value, ast.Name):
            end = _end(node.func)
            edits.replace((end[0], end[1] - len(node.func.attr)), end, node.func.attr[len("connect_"):])
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in engine and \
                id(node) not in handled:
            edits.replace(_start(node), _end(node), "ann." + node.id)
    out = edits.apply().replace(STAR_IMPORT, "import annstudio.engine as ann", 1)
    try:
        ast.parse(out)
    except SyntaxError as e:   # a bug here, never the user's
        raise ProjectError(f"the ANNarchy 5 script does not parse (line {e.lineno}): {e.msg}",
                           where="export --api 5") from None
    return out
