"""The project as a graph (networkx): structural checks and automatic canvas layout.

Owns
- ``project_graph(built)``: a ``MultiDiGraph`` with one node per population (size, kind,
  the targets its neuron reads) and one edge per projection (key = projection name, target);
- ``graph_problems(data, built)``: located errors (protocol steps or monitors naming
  variables the model does not have)
  and warnings (targets a population reads but nothing sends: *unused targets*;
  projections whose target the post-synaptic neuron never reads);
- ``auto_layout(data)``: positions for populations without one in ``layout``, layered
  left to right along the projections (strongly connected groups share a layer).

Dangling references (unknown population, type, monitor target) are found while building
(``convert.build``), and what lowering needs (connectors, kinds, targets a spiking neuron must
read) by ``core.model.checks``; neither reaches this module.
"""
import networkx as nx

from ..core.model.records import pop_ref_name
from .format import Problem

LAYER_DX = 240.0
ROW_DY = 150.0
SPECIAL_VARIABLES = {
    "poisson": {"spike", "rates", "r", "p"},
    "spike_source_array": {"spike", "spike_times", "r"},
    "timed_array": {"r", "rates", "spike", "schedule", "period"},
    "homogeneous_correlated": {"spike", "rates", "corr", "tau", "r"},
}


def _reads(pop):
    """Targets a population's neurons read (``sum(exc)`` / ``g_exc``)."""
    if pop.kind == "poisson" and pop.options.get("target"):
        return {pop.options["target"]}
    if pop.neuron is None:
        return set()
    return set(pop.neuron.analysis().targets)


def _targets(t):
    return (t,) if isinstance(t, str) else tuple(t)


def project_graph(built):
    g = nx.MultiDiGraph()
    for pop in built.spec.populations:
        g.add_node(pop.name, size=pop.size, kind=pop.kind, reads=frozenset(_reads(pop)))
    for proj in built.spec.projections:
        g.add_edge(proj.pre.population, proj.post.population, key=proj.name, target=_targets(proj.target),
                   kind=proj.kind)
    return g


def _population_names(pop):
    if pop.neuron is None:
        return set(SPECIAL_VARIABLES.get(pop.kind, set()))
    a = pop.neuron.analysis()
    names = set(a.names)
    names |= {"spike"} if a.type == "spike" else {"r"}
    names |= {f"sum({t})" for t in a.targets}
    if pop.kind in SPECIAL_VARIABLES:
        names |= SPECIAL_VARIABLES[pop.kind]
    return names


def _projection_names(proj, pre_kind):
    names = {"w", "delay"}
    if proj.synapse is not None:
        names |= set(proj.synapse.analysis().names)
    return names


def graph_problems(data, built):
    """(errors, warnings) as Problems; ``built`` comes from ``convert.build(data)``."""
    errors, warnings = [], []
    spec = built.spec
    pops = {p.name: p for p in spec.populations}
    index = {p["name"]: i for i, p in enumerate(data.get("populations", []))}
    g = project_graph(built)

    received = {name: set() for name in pops}
    for i, proj in enumerate(spec.projections):
        where = f"projections[{i}]"
        post = pops[proj.post.population]
        reads = g.nodes[post.name]["reads"]
        for t in _targets(proj.target):
            received[post.name].add(t)
            if proj.kind != "current_injection" and post.kind == "standard" and t not in reads:
                uses = ", ".join(sorted(reads)) or "no target"
                warnings.append(Problem(f"{where}.target", f"population {post.name!r} does not read target "
                                        f"{t!r} (its neuron uses {uses})", severity="warning"))

    for name, pop in pops.items():
        for t in sorted(g.nodes[name]["reads"] - received[name]):
            warnings.append(Problem(f"populations[{index[name]}].neuron",
                                    f"target {t!r} is read by {name!r} but no projection sends it (unused target)",
                                    severity="warning"))
        if g.degree(name) == 0 and len(pops) > 1:
            warnings.append(Problem(f"populations[{index[name]}]", f"population {name!r} is not connected",
                                    severity="warning"))

    projs = {p.name: p for p in spec.projections}
    for i, m in enumerate(spec.monitors):
        if m.kind == "population":
            known = _population_names(pops[m.target])
        else:
            known = _projection_names(projs[m.target], None)
        for j, var in enumerate(m.variables):
            if var not in known:
                errors.append(Problem(f"monitors[{i}].variables[{j}]",
                                      f"{m.target!r} has no variable {var!r} (known: {', '.join(sorted(known))})"))

    for i, step in enumerate(built.protocol):
        if step.action != "set":
            continue
        if step.target in pops:
            known = _population_names(pops[step.target])
        else:
            known = _projection_names(projs[step.target], None)
        known.discard("spike")
        if step.variable not in known:
            errors.append(Problem(f"protocol[{i}].variable",
                                  f"{step.target!r} has no parameter or variable {step.variable!r} "
                                  f"(known: {', '.join(sorted(known))})"))
    return errors, warnings


def auto_layout(data, existing=None):
    """Positions ``{name: {"x", "y"}}`` for every population; stored ones are kept."""
    existing = dict(existing if existing is not None else data.get("layout") or {})
    names = [p["name"] for p in data.get("populations", [])]
    g = nx.DiGraph()
    g.add_nodes_from(names)
    for proj in data.get("projections", []):
        pre, post = pop_ref_name(proj["pre"]), pop_ref_name(proj["post"])
        if pre in g and post in g and pre != post:
            g.add_edge(pre, post)
    order = {n: i for i, n in enumerate(names)}
    dag = nx.condensation(g)
    layer_of = {}
    for depth, generation in enumerate(nx.topological_generations(dag)):
        for comp in generation:
            for member in dag.nodes[comp]["members"]:
                layer_of[member] = depth
    layers = {}
    for n in sorted(names, key=order.get):
        layers.setdefault(layer_of[n], []).append(n)
    out = {}
    for depth, members in layers.items():
        top = -(len(members) - 1) * ROW_DY / 2.0
        for row, n in enumerate(members):
            out[n] = existing.get(n) or {"x": depth * LAYER_DX, "y": top + row * ROW_DY}
    return {n: out[n] for n in names}
