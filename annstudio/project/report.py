"""``annstudio report``: a Markdown description of a checked project.

Owns ``project_report(project)`` for a checked ``validate.Project``: settings, neuron and synapse types (their equations in
code blocks), populations, projections with their connectors, monitors, the protocol,
a Mermaid diagram of the network and the graph checks' warnings.  Text from the file is
shown in code spans/blocks and table cells are escaped, so it cannot break the layout.
"""
import numpy as np

from .. import __version__
from ..core.model.fields import field_names
from ..core.model.records import pop_ref_name


def _cell(text):
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("`", "'")


def _code(text):
    return f"`{_cell(text)}`" if str(text) else ""


def summarize(value):
    """One line for a value form of the project format."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return f"{value:g}"
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if "array" in value:
        arr = np.asarray(value["array"], dtype=float)
        if arr.size == 0:
            return "empty array"
        return f"array {tuple(arr.shape)} in [{arr.min():g}, {arr.max():g}]"
    if "distribution" in value:
        args = ", ".join(f"{a:g}" for a in value["args"])
        bounds = "".join(f", {k}={value[k]:g}" for k in ("min", "max") if value.get(k) is not None)
        return f"{value['distribution']}({args}{bounds})"
    if "segments" in value:
        parts = []
        for seg in value["segments"]:
            where = f"[{seg['slice'][0]}:{seg['slice'][1]}]" if "slice" in seg else \
                (f"{len(seg['ranks'])} ranks" if seg.get("ranks") is not None else "all")
            parts.append(f"{where} {summarize(seg['value'])}")
        return "; ".join(parts)
    if "rows" in value:
        return f"sparse {tuple(value['shape'])}, {len(value['rows'])} entries"
    return str(value)


def _ref(ref):
    if isinstance(ref, str):
        return ref
    if "slice" in ref:
        return f"{ref['population']}[{ref['slice'][0]}:{ref['slice'][1]}]"
    return f"{ref['population']} ({len(ref['ranks'])} ranks)"


def _type_lines(kind, name, d):
    out = [f"### {name}", ""]
    if "standard" in d:
        args = ", ".join(f"{k}={v}" for k, v in (d.get("args") or {}).items())
        out += [f"Standard {kind} `{d['standard']}`" + (f" with {_code(args)}" if args else "") + ".", ""]
        return out
    if d.get("description"):
        out += [str(d["description"]), ""]
    for block in field_names(kind + "s"):          # the model's one field table, in its order
        text = d.get(block)
        if text in (None, ""):
            continue
        if isinstance(text, str) and "\n" in text.strip():
            fence = "````" if "```" in text else "```"
            out += [f"**{block}**", "", fence, text.strip("\n"), fence, ""]
        else:
            out += [f"**{block}**: {_code(text)}", ""]
    return out


def _mermaid(data):
    lines = ["```mermaid", "graph LR"]
    for p in data.get("populations", []):
        lines.append(f"    {p['name']}[\"{p['name']} ({_size(p['geometry'])})\"]")
    for pr in data.get("projections", []):
        pre, post = pop_ref_name(pr["pre"]), pop_ref_name(pr["post"])
        target = pr["target"] if isinstance(pr["target"], str) else "/".join(pr["target"])
        lines.append(f"    {pre} -->|{target}| {post}")
    lines.append("```")
    return lines


def _size(geometry):
    return int(np.prod(geometry if isinstance(geometry, list) else [geometry]))


def project_report(project):
    """Markdown text describing ``project`` (a ``validate.Project``)."""
    d = project.data
    s = d.get("settings", {})
    out = [f"# {project.name}", ""]
    if d.get("description"):
        out += [d["description"].strip(), ""]
    out += ["## Settings", "", "| setting | value |", "|---|---|"]
    for k in ("dt", "seed", "paradigm", "num_threads", "precision", "duration", "structural_plasticity"):
        if k in s:
            out.append(f"| {k} | {_cell(s[k])} |")
    total = sum(p.size for p in project.spec.populations)
    out += ["", f"{len(project.spec.populations)} populations ({total} neurons), "
            f"{len(project.spec.projections)} projections, {len(project.spec.monitors)} monitors; "
            f"{project.total_duration():g} ms of simulated time.", "", "## Network", ""]
    out += _mermaid(d) + [""]
    for section, kind in (("neurons", "neuron"), ("synapses", "synapse")):
        if d.get(section):
            out += [f"## {kind.capitalize()} types", ""]
            for name, t in d[section].items():
                out += _type_lines(kind, name, t)
    out += ["## Populations", "", "| name | geometry | neurons | type | kind | initial values |", "|---|---|---|---|---|---|"]
    for p in d.get("populations", []):
        neuron = p.get("neuron")
        neuron = neuron if isinstance(neuron, str) or neuron is None else "(inline)"
        init = "; ".join(f"{k} = {summarize(v)}" for k, v in (p.get("initial") or {}).items())
        opts = "; ".join(f"{k} = {summarize(v)}" for k, v in (p.get("options") or {}).items())
        out.append(f"| {_cell(p['name'])} | {_cell(p['geometry'])} | {_size(p['geometry'])} | {_cell(neuron or '-')} | "
                   f"{_cell(p.get('kind', 'standard'))}{_cell(' (' + opts + ')') if opts else ''} | {_cell(init)} |")
    if d.get("projections"):
        out += ["", "## Projections", "", "| name | pre | post | target | synapse | connector | weights | delays |",
                "|---|---|---|---|---|---|---|---|"]
        for pr in d["projections"]:
            c = pr.get("connector") or {}
            args = ", ".join(f"{k}={v}" for k, v in (c.get("args") or {}).items())
            syn = pr.get("synapse")
            syn = syn if isinstance(syn, str) or syn is None else "(inline)"
            kind = pr.get("kind", "standard")
            out.append(f"| {_cell(pr['name'])}{' (' + kind + ')' if kind != 'standard' else ''} | {_cell(_ref(pr['pre']))} | "
                       f"{_cell(_ref(pr['post']))} | {_cell(pr['target'])} | {_cell(syn or 'default')} | "
                       f"{_cell(c.get('method', '-'))}{_cell(' (' + args + ')') if args else ''} | "
                       f"{_cell(summarize(c.get('weights')))} | {_cell(summarize(c.get('delays')))} |")
    if d.get("monitors"):
        out += ["", "## Monitors", "", "| name | records | variables | period |", "|---|---|---|---|"]
        for m in d["monitors"]:
            out.append(f"| {_cell(m['name'])} | {_cell(m['target'])} | {_cell(', '.join(m['variables']))} | "
                       f"{_cell(m.get('period') or 'every step')} |")
    out += ["", "## Protocol", ""]
    steps = d.get("protocol") or [{"action": "simulate", "duration": s.get("duration", 1000.0)}]
    for i, st in enumerate(steps, 1):
        label = f" ({_cell(st['label'])})" if st.get("label") else ""
        if st["action"] == "set":
            text = f"set {_code(st['target'] + '.' + st['variable'])} to {_code(summarize(st['value']))}"
        elif st["action"] == "simulate":
            text = f"simulate {st['duration']:g} ms"
        elif st["action"] == "simulate_until":
            text = (f"simulate until the stop condition of {_code(st['population'])} holds "
                    f"({st.get('operator', 'or')}), at most {st['max_duration']:g} ms")
        elif st["action"] in ("pause_monitor", "resume_monitor"):
            text = f"{st['action'].split('_')[0]} monitor {_code(st['monitor'])}"
        else:
            text = "reset"
        out.append(f"{i}. {text}{label}")
    if project.warnings:
        out += ["", "## Warnings", ""] + [f"- {_cell(w)}" for w in project.warnings]
    out += ["", "---", f"Generated by annstudio {__version__}; project digest `{project.digest[:16]}`.", ""]
    return "\n".join(out)
