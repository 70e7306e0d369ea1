"""The script exporter: a project printed as an equivalent ANNarchy-style Python script.

Owns ``export_script(project, paradigm=None)``: each part of the document (types,
populations and their views, projections and connectors, monitors, protocol, saving)
becomes idiomatic ``from annstudio.engine import *`` code, laid out by the template
``templates/script.py.j2``.  Running the script builds the same ``NetworkSpec`` in the
same order as ``annstudio run`` does, so both give identical recordings for one seed.

Safety: names come from the schema's identifier pattern and are further renamed when they
would shadow a keyword, a builtin or a name the script uses; every text (equations,
descriptions) is printed as a checked string literal (``ast.literal_eval`` round trip) or as
comment lines, so nothing in a project file can inject code into the exported script.  The
whole script is parsed with ``ast`` before it is returned.
"""
import ast
import builtins
import keyword
import textwrap
from pathlib import Path

import jinja2

from .. import __version__
from ..core.errors import ProjectError
from ..core.model.fields import field_names
from ..core.model.records import MONITOR_ACTIONS, RESET_DEFAULTS
from .export5 import to_api5
from .results import plastic_projections
from .validate import check_document

TEMPLATES = Path(__file__).with_name("templates")
RESERVED = (set(keyword.kwlist) | set(dir(builtins)) |
            {"np", "sys", "OUTPUT", "results", "spikes", "rec", "setup", "compile", "simulate", "simulate_until",
             "reset", "Neuron", "Synapse", "Population", "Projection", "Monitor", "PoissonPopulation",
             "SpikeSourceArray", "TimedArray", "HomogeneousCorrelatedSpikeTrains", "DecodingProjection",
             "CurrentInjection", "Network", "Uniform", "Normal", "LogNormal", "Exponential", "Gamma",
             "DiscreteUniform", "Binomial", "PopulationView", "dt", "get_time", "get_current_step", "annstudio",
             "set_time", "t_reset",
             "matplotlib", "plt", "draw_figure", "Results", "FIGURE", "monitors", "weights", "metadata", "fig"})
POPULATION_CLASSES = {"poisson": "PoissonPopulation", "spike_source_array": "SpikeSourceArray",
                      "timed_array": "TimedArray", "homogeneous_correlated": "HomogeneousCorrelatedSpikeTrains"}
PROJECTION_CLASSES = {"standard": "Projection", "decoding": "DecodingProjection",
                      "current_injection": "CurrentInjection"}
WIDTH = 100


def py_str(text, indent="    "):
    """A Python literal for ``text``: a readable triple-quoted block when that is exact, else repr."""
    text = str(text)
    if "\n" in text.strip("\n") and '"""' not in text and "\\" not in text and not text.endswith('"') \
            and all(ch.isprintable() or ch == "\n" for ch in text):
        body = textwrap.indent(textwrap.dedent(text.strip("\n")), indent + "    ")
        literal = f'"""\n{body}\n{indent}"""'
        try:
            value = ast.literal_eval(literal)
        except (SyntaxError, ValueError):
            value = None
        if isinstance(value, str) and value.split() == text.split() and \
                [ln.strip() for ln in value.splitlines() if ln.strip()] == \
                [ln.strip() for ln in text.splitlines() if ln.strip()]:
            return literal
    return repr(text)


def comment_lines(text):
    """Text as safe comment lines (every line break Python knows splits a line)."""
    out = []
    for line in str(text).splitlines():
        clean = "".join(ch if ch.isprintable() else " " for ch in line).rstrip()
        out.append(clean)
    return out


def py_number(x):
    if isinstance(x, bool):
        return repr(x)
    if isinstance(x, int):
        return repr(x)
    return repr(float(x))


def py_value(value, indent=""):
    """A project value (number, array, distribution) as Python source."""
    if isinstance(value, (bool, int, float)):
        return py_number(value)
    if value is None:
        return "None"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(py_value(v, indent) for v in value) + "]"
    if "array" in value:
        return _wrap("np.array(", _nested(value["array"]), ")", indent)
    if "distribution" in value:
        args = [py_number(a) for a in value["args"]]
        for k in ("min", "max"):
            if value.get(k) is not None:
                args.append(f"{k}={py_number(value[k])}")
        return f"{value['distribution']}({', '.join(args)})"
    if "rows" in value:
        vals = value["values"]
        vals_src = py_number(vals) if not isinstance(vals, list) else _nested(vals)
        return (f"scipy_sparse_matrix(rows={_nested(value['rows'])}, cols={_nested(value['cols'])}, "
                f"values={vals_src}, shape={tuple(value['shape'])!r})")
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {py_value(v, indent)}" for k, v in value.items()) + "}"
    raise ProjectError(f"cannot print value {value!r:.60}")


def _nested(arr):
    if isinstance(arr, list):
        return "[" + ", ".join(_nested(a) for a in arr) + "]"
    return py_number(arr)


def _wrap(head, body, tail, indent=""):
    text = head + body + tail
    if len(text) <= WIDTH:
        return text
    lines = textwrap.wrap(body, WIDTH - len(indent) - 4, break_on_hyphens=False, break_long_words=False)
    inner = ("\n" + indent + "    ").join(lines)
    return f"{head}\n{indent}    {inner}\n{indent}{tail}"


class _Names:
    """Project names -> unique Python identifiers that shadow nothing the script uses."""

    def __init__(self):
        self.used = set(RESERVED)
        self.map = {}
        self.multi_dim = set()      # populations whose views are printed as PopulationView(pop, ranks)

    def add(self, kind, name):
        ident = name if name.isidentifier() else "_" + "".join(c if c.isalnum() else "_" for c in name)
        while ident in self.used or keyword.iskeyword(ident):
            ident += "_"
        self.used.add(ident)
        self.map[(kind, name)] = ident
        return ident

    def get(self, kind, name):
        return self.map[(kind, name)]


def _type_source(kind, ident, name, d):
    if "standard" in d:
        args = ", ".join(f"{k}={py_value(v)}" for k, v in (d.get("args") or {}).items())
        return f"{ident} = {d['standard']}({args})"
    keys = field_names(kind)                 # the model's one field table
    cls = "Neuron" if kind == "neurons" else "Synapse"
    lines = [f"{ident} = {cls}("]
    for k in keys:
        v = d.get(k)
        if v in (None, "") or (k == "operation" and v == "sum"):
            continue
        lines.append(f"    {k}={py_str(v) if isinstance(v, str) else py_number(v)},")
    lines.append(f"    name={py_str(d.get('name') or name)},")
    if d.get("description"):
        lines.append(f"    description={py_str(d['description'])},")
    lines.append(")")
    return "\n".join(lines)


def _inline_type(kind, key, item, names, sources):
    """The identifier of ``item``'s inline type definition under ``key`` (its source is appended to
    ``sources``), or None when ``item`` names its type instead."""
    if not isinstance(item.get(key), dict):
        return None
    ident = names.add(kind, f"{item['name']}_{key}")
    sources.append(_type_source(kind, ident, ident, item[key]))
    return ident


def _view(ident, item, multi_dim):
    """Source of a view: ``pop[a:b]`` (1-D) or ``PopulationView(pop, range(a, b))`` (n-D: ranks, not rows)."""
    if "slice" in item:
        a, b = item["slice"]
        return f"PopulationView({ident}, range({a}, {b}))" if multi_dim else f"{ident}[{a}:{b}]"
    ranks = _nested(list(item["ranks"]))
    return f"PopulationView({ident}, {ranks})" if multi_dim else f"{ident}[{ranks}]"


def _ref(ref, names):
    if isinstance(ref, str):
        return names.get("pop", ref)
    ident = names.get("pop", ref["population"])
    return _view(ident, ref, ref["population"] in names.multi_dim)


def _type_ref(kind, value, names, owner):
    if value is None:
        return None
    if isinstance(value, str):
        return names.get(kind, value)
    return None  # inline types are printed before their owner; see _inline


def _population(p, names, inline):
    ident = names.get("pop", p["name"])
    kind = p.get("kind", "standard")
    geometry = p["geometry"] if isinstance(p["geometry"], int) else tuple(p["geometry"])
    args = [f"geometry={geometry!r}"]
    if kind == "standard":
        neuron = _type_ref("neurons", p.get("neuron"), names, ident) or inline
        args.append(f"neuron={neuron}")
        cls = "Population"
    else:
        cls = POPULATION_CLASSES[kind]
        if p.get("neuron") is not None:
            args.append(f"neuron={_type_ref('neurons', p.get('neuron'), names, ident) or inline}")
        for k, v in (p.get("options") or {}).items():
            args.append(f"{k}={py_value(v)}")
    args.append(f"name={p['name']!r}")
    lines = [f"{ident} = {cls}({', '.join(args)})"]
    if p.get("stop_condition"):
        lines[0] = lines[0][:-1] + f", stop_condition={py_str(p['stop_condition'])})"
    lines += _assignments(ident, p.get("initial") or {}, p["name"] in names.multi_dim)
    return "\n".join(lines)


def _assignments(ident, initial, multi_dim=False):
    lines = []
    for var, value in initial.items():
        if isinstance(value, dict) and "segments" in value:
            for seg in value["segments"]:
                if "slice" in seg or seg.get("ranks") is not None:
                    view = _view(ident, seg, multi_dim)
                else:
                    view = ident
                lines.append(f"{view}.{var} = {py_value(seg['value'])}")
        else:
            lines.append(f"{ident}.{var} = {py_value(value)}")
    return lines


def _projection(pr, names, inline):
    ident = names.get("proj", pr["name"])
    kind = pr.get("kind", "standard")
    target = pr["target"] if isinstance(pr["target"], str) else list(pr["target"])
    args = [f"pre={_ref(pr['pre'], names)}", f"post={_ref(pr['post'], names)}", f"target={target!r}"]
    syn = _type_ref("synapses", pr.get("synapse"), names, ident) or inline
    if syn:
        args.append(f"synapse={syn}")
    for k, v in (pr.get("options") or {}).items():
        args.append(f"{k}={py_value(v)}")
    args.append(f"name={pr['name']!r}")
    lines = [f"{ident} = {PROJECTION_CLASSES[kind]}({', '.join(args)})"]
    c = pr.get("connector")
    if c:
        cargs = []
        a = dict(c.get("args") or {})
        for first in ("probability", "number", "amp", "sigma", "amp_pos", "sigma_pos", "amp_neg", "sigma_neg"):
            if first in a:
                cargs.append(f"{first}={py_value(a.pop(first))}")
        if c.get("weights") is not None:
            cargs.append(f"weights={py_value(c['weights'])}")
        if c.get("delays") is not None:
            cargs.append(f"delays={py_value(c['delays'])}")
        cargs += [f"{k}={py_value(v)}" for k, v in a.items()]
        call = f"{ident}.connect_{c['method']}({', '.join(cargs)})"
        lines.append(call)
    lines += _assignments(ident, pr.get("initial") or {})
    return "\n".join(lines)


def _monitor(m, names):
    ident = names.get("mon", m["name"])
    kind = m.get("kind")
    obj = names.get("proj", m["target"]) if kind == "projection" else names.get("pop", m["target"])
    args = [obj, repr(list(m["variables"]))]
    ranks = m.get("ranks")
    multi_dim = kind != "projection" and m["target"] in names.multi_dim
    if isinstance(ranks, dict):
        args[0] = _view(obj, ranks, multi_dim)
    elif ranks is not None:
        args[0] = _view(obj, {"ranks": ranks}, multi_dim)
    if m.get("period") is not None:
        args.append(f"period={py_number(m['period'])}")
    if m.get("start") is False:
        args.append("start=False")
    if m.get("stream"):     # the schema and records.monitor_from_dict restrict it to a relative .h5 path
        args.append(f"stream={m['stream']!r}")
    return f"{ident} = Monitor({', '.join(args)})"


def _step(st, names, pop_names):
    action = st["action"]
    out = [f"# {line}" for line in comment_lines(st["label"])] if st.get("label") else []
    if action == "set":
        kind = "pop" if st["target"] in pop_names else "proj"
        out += _assignments(names.get(kind, st["target"]), {st["variable"]: st["value"]},
                            st["target"] in names.multi_dim)
    elif action == "simulate":
        out.append(f"simulate({py_number(st['duration'])})")
    elif action == "simulate_until":
        pop = st["population"]
        pop_src = names.get("pop", pop) if isinstance(pop, str) else "[" + ", ".join(names.get("pop", p) for p in pop) + "]"
        out.append(f"simulate_until(max_duration={py_number(st['max_duration'])}, population={pop_src}, "
                   f"operator={st.get('operator', 'or')!r})")
    elif action in MONITOR_ACTIONS:        # Monitor.pause() / Monitor.resume(), as ProtocolRun plays them
        out.append(f"{names.get('mon', st['monitor'])}.{action.split('_')[0]}()")
    else:                                  # the flags ProtocolRun passes to Simulation.reset, same defaults
        flags = ", ".join(f"{k}={bool(st.get(k, RESET_DEFAULTS[k]))!r}"
                          for k in ("populations", "projections", "synapses", "monitors"))
        # ANNarchy's reset() also sets the clock back to 0; a project's reset keeps it running
        out += ["t_reset = get_time()", f"reset({flags})", "set_time(t_reset)"]
    return "\n".join(out)


def _saves(m, names):
    ident = names.get("mon", m["name"])
    lines = []
    for var in m["variables"]:
        key = f"{m['name']}.{var}"
        if var == "spike":
            lines += [f"spikes = {ident}.get('spike')",
                      f"results[{key + '.times'!r}] = np.array([t for n in sorted(spikes) for t in spikes[n]], dtype=np.int64)",
                      f"results[{key + '.ranks'!r}] = np.array([n for n in sorted(spikes) for t in spikes[n]], dtype=np.int64)"]
        elif ("proj", m.get("target")) in names.map:    # get() gives (time, post, pre): one flat row per record
            lines += [f"rec = {ident}.get({var!r})",
                      f"results[{key!r}] = np.array([np.concatenate([np.ravel(d) for d in r]) for r in rec]) "
                      "if np.ndim(rec) == 3 or getattr(rec, 'dtype', None) == object else np.asarray(rec)"]
        else:
            lines.append(f"results[{key!r}] = np.asarray({ident}.get({var!r}))")
    return "\n".join(lines)


def _figure(data, names, spec):
    """The figure section's values: monitors (kind, target, size, period, ranks) and plastic projections."""
    monitors = []
    for m in data.get("monitors", []):
        ident = names.get("mon", m["name"])
        period = f", 'period': {py_number(m['period'])}" if m.get("period") is not None else ""
        if m.get("kind") == "projection":
            monitors.append(f"{m['name']!r}: {{'kind': 'projection', 'target': {m['target']!r}{period}}}")
        else:
            ranks = f", 'ranks': [int(r) for r in {ident}.object.ranks]" if m.get("ranks") is not None else ""
            monitors.append(f"{m['name']!r}: {{'kind': 'population', 'target': {m['target']!r}, "
                            f"'size': {ident}.object.size{period}{ranks}}}")
    weights = [f"{name!r}: np.concatenate([np.ravel(d) for d in {names.get('proj', name)}.w])"
               for name in plastic_projections(spec)]
    return {"monitors": monitors, "weights": weights, "project": repr(str(data.get("name") or "annstudio project")),
            "seed": int(data["settings"]["seed"]) if data.get("settings", {}).get("seed") is not None else "None"}


def export_script(data, paradigm=None, num_threads=None, source=None, digest=None, plot=True, api=4):
    """The exported script (text) for the document ``data``; an invalid document raises
    ``InvalidProject`` (the one validator's verdict, as ``annstudio validate`` gives it).  With
    ``plot`` the script ends with the run's figure (``plot.draw_figure``) behind
    ``if __name__ == "__main__"``.  ``api=5`` prints it in ANNarchy 5's Network style (``export5``)."""
    project = check_document(data)
    names = _Names()
    for section in ("neurons", "synapses"):
        for name in data.get(section, {}):
            names.add(section, name)
    for p in data.get("populations", []):
        names.add("pop", p["name"])
        if isinstance(p["geometry"], list) and len(p["geometry"]) > 1:
            names.multi_dim.add(p["name"])
    for p in data.get("projections", []):
        names.add("proj", p["name"])
    for m in data.get("monitors", []):
        names.add("mon", m["name"])

    s = data.get("settings", {})
    setup = [f"dt={py_number(s.get('dt', 1.0))}"]
    if s.get("seed") is not None:
        setup.append(f"seed={int(s['seed'])}")
    setup.append(f"paradigm={(paradigm or s.get('paradigm', 'openmp'))!r}")
    threads = num_threads or s.get("num_threads", 1)
    if threads != 1:
        setup.append(f"num_threads={int(threads)}")
    if s.get("structural_plasticity"):
        setup.append("structural_plasticity=True")
    if s.get("precision", "float64") == "float32":
        setup.append("precision='float'")        # ANNarchy 4.8's spelling (annstudio also takes 'float32')

    neurons = [_type_source("neurons", names.get("neurons", n), n, d) for n, d in data.get("neurons", {}).items()]
    synapses = [_type_source("synapses", names.get("synapses", n), n, d) for n, d in data.get("synapses", {}).items()]
    populations = [_population(p, names, _inline_type("neurons", "neuron", p, names, neurons))
                   for p in data.get("populations", [])]
    projections = [_projection(pr, names, _inline_type("synapses", "synapse", pr, names, synapses))
                   for pr in data.get("projections", [])]
    pop_names = {p["name"] for p in data.get("populations", [])}
    protocol = [_step(st, names, pop_names) for st in data.get("protocol", [])]
    if not protocol:
        protocol = [f"simulate({py_number(s.get('duration', 1000.0))})"]

    header = comment_lines(data.get("name") or "annstudio project")
    header.append("")
    header += comment_lines(data.get("description") or "")
    header.append("")
    header.append(f"Exported by annstudio {__version__}" + (f" from {Path(source).name}" if source else "") +
                  (f" (project digest {digest[:16]})." if digest else "."))
    header = [comment_lines(h)[0] if h else "" for h in header]
    header = [h for h in header]
    needs_sparse = any(isinstance((pr.get("connector") or {}).get("weights"), dict) and
                       "rows" in pr["connector"]["weights"] for pr in data.get("projections", []))
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=False,
                             keep_trailing_newline=True, trim_blocks=False, undefined=jinja2.StrictUndefined)
    text = env.get_template("script.py.j2").render(
        header=header, setup=", ".join(setup), neurons=neurons, synapses=synapses, populations=populations,
        projections=projections, monitors=[_monitor(m, names) for m in data.get("monitors", [])],
        protocol=protocol, saves=[_saves(m, names) for m in data.get("monitors", [])],
        figure=_figure(data, names, project.spec) if plot else None)
    if needs_sparse:
        text = text.replace("from annstudio.engine import *\n",
                            "from annstudio.engine import *\nfrom scipy.sparse import csr_matrix\n\n\n"
                            "def scipy_sparse_matrix(rows, cols, values, shape):\n"
                            "    values = np.broadcast_to(np.asarray(values, dtype=float), (len(rows),))\n"
                            "    return csr_matrix((values, (rows, cols)), shape=shape)\n", 1)
    try:
        ast.parse(text)
    except SyntaxError as e:   # a bug here, never the user's: refuse rather than print broken code
        raise ProjectError(f"the exported script does not parse (line {e.lineno}): {e.msg}",
                           where="export") from None
    return to_api5(text) if int(api) == 5 else text
