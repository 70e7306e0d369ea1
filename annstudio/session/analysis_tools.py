"""Saving, reporting and parallel runs of ANNarchy-style networks.

- ``save`` / ``load``: the whole state (every population and projection variable
  and parameter, plus connectivity) in a ``.npz`` file (any other extension:
  a pickle of the same dictionary, gzipped for ``.gz``; ``.mat``: a MATLAB file for external analysis,
  not loadable, as in ANNarchy).
- ``save_parameters`` / ``load_parameters``: parameters only, as JSON.
- ``report``: a Markdown (``.md``) or LaTeX (other extensions) description of
  the neuron and synapse types, populations and projections with their equations.
- ``parallel_run``: the same network run ``number`` times on the sweep engine's executors
  (``annstudio.session.executors``: local processes started with ``fork`` by default, this process with
  ``sequential=True``, a Dask cluster with ``executor=``), one seed per run; each copy is rebuilt from a
  picklable snapshot of the network (``annstudio.session.parallel``).
"""
import gzip
import json
import pickle

import numpy as np
from scipy import io as sio

from annstudio.core.errors import ModelError

from .connection_file import _unpickle
from .context import current_network
from .network import Network


def _net(net):
    return net if net is not None else current_network()


def _sim(net):
    sim = net._sim
    if sim is None or sim.backend is None:
        raise ModelError("the network is not compiled: call compile() first")
    return sim


def _proj_analysis(proj):
    return proj._analysis()


# -- whole state -------------------------------------------------------------------------------
def _state(net, populations=True, projections=True):
    sim = _sim(net)
    out = {"populations": {}, "projections": {}, "t": sim.t, "step": sim.step}
    if populations:
        for p in net.populations:
            a = p._analysis()
            out["populations"][p.name] = {n: np.array(sim.get(p.name, n), dtype=float, copy=True) for n in a.names}
    if projections:
        for proj in net.projections:
            a = _proj_analysis(proj)
            conn = sim.data.connectivity[proj.name]
            d = {n: np.array(sim.get(proj.name, n), dtype=float, copy=True) for n in a.names}
            d["_pre"], d["_post"] = np.asarray(conn.pre).copy(), np.asarray(conn.post).copy()
            out["projections"][proj.name] = d
    return out


def save(filename, populations=True, projections=True, net_id=0, net=None):
    """Save the current values of the network's variables and parameters (and connectivity)."""
    state = _state(_net(net), populations, projections)
    if str(filename).endswith(".npz"):
        flat = {"__t": state["t"], "__step": state["step"]}
        for kind in ("populations", "projections"):
            for name, values in state[kind].items():
                for var, arr in values.items():
                    flat[f"{kind}/{name}/{var}"] = arr
        np.savez_compressed(filename, **flat)
    elif str(filename).endswith(".mat"):      # for external analysis (MATLAB/scipy), as ANNarchy: not loadable
        mat = {"time_step": state["step"], "t": state["t"]}
        for kind in ("populations", "projections"):
            for name, values in state[kind].items():
                mat[name] = {var: arr for var, arr in values.items() if not var.startswith("_")}
        sio.savemat(filename, mat)
    elif str(filename).endswith(".gz"):
        with gzip.open(filename, "wb") as f:
            pickle.dump(state, f)
    else:
        with open(filename, "wb") as f:
            pickle.dump(state, f)


def _read_state(filename):
    if str(filename).endswith(".npz"):
        with np.load(filename) as data:
            state = {"populations": {}, "projections": {}, "t": float(data["__t"]), "step": int(data["__step"])}
            for key in data.files:
                if key.startswith("__"):
                    continue
                kind, name, var = key.split("/", 2)
                state[kind].setdefault(name, {})[var] = data[key]
        return state
    if str(filename).endswith(".mat"):
        raise ModelError("a .mat file is written for external analysis and cannot be loaded (as in ANNarchy)",
                         where=str(filename), hint="save to .npz, .gz or a pickle to load it again")
    try:
        with (gzip.open if str(filename).endswith(".gz") else open)(filename, "rb") as f:
            return _unpickle(f, None)       # data only: a file never runs code (connection_file)
    except pickle.UnpicklingError as exc:
        raise ModelError(f"cannot read the saved network: {exc}", where=str(filename)) from None


def load(filename, populations=True, projections=True, pickle_encoding=None, net_id=0, net=None):
    """Restore values saved by :func:`save` into the compiled network (same connectivity)."""
    net = _net(net)
    sim = _sim(net)
    state = _read_state(filename)
    if populations:
        for name, values in state["populations"].items():
            for var, arr in values.items():
                sim.set(name, var, arr)
    if projections:
        for name, values in state["projections"].items():
            conn = sim.data.connectivity[name]
            if not (np.array_equal(values["_pre"], conn.pre) and np.array_equal(values["_post"], conn.post)):
                raise ModelError("the saved connectivity differs from the compiled one", where=f"Projection '{name}'")
            for var, arr in values.items():
                if var.startswith("_"):
                    continue
                cur = sim.get(name, var)
                if np.ndim(cur) == 0 and np.ndim(arr) > 0 and np.all(arr == arr.reshape(-1)[0]):
                    arr = arr.reshape(-1)[0]
                sim.backend.set(name, var, arr)
    return state


# -- parameters ------------------------------------------------------------------------------------
def _jsonable(value):
    arr = np.asarray(value, dtype=float)
    return float(arr) if arr.ndim == 0 else arr.tolist()


def _parameters(net):
    sim = net._sim if net._sim is not None and net._sim.backend is not None else None
    out = {"network": {"dt": net.spec.settings.dt, "seed": net.spec.settings.seed}, "populations": {},
           "projections": {}}
    for p in net.populations:
        a = p._analysis()
        out["populations"][p.name] = {n: _jsonable(sim.get(p.name, n) if sim else getattr(p, n))
                                      for n in a.parameters}
    for proj in net.projections:
        a = _proj_analysis(proj)
        out["projections"][proj.name] = {n: _jsonable(sim.get(proj.name, n)) if sim else
                                         _jsonable(a.var(n).init) for n in a.parameters if n != "w"}
    return out


def save_parameters(filename, net_id=0, net=None):
    """Write the parameters of every population and projection to a JSON file."""
    with open(filename, "w") as f:
        json.dump(_parameters(_net(net)), f, indent=2)


def load_parameters(filename, global_only=True, verbose=False, net_id=0, net=None):
    """Set parameters from a JSON file written by :func:`save_parameters`; returns its content.

    With ``global_only`` (the default), only population/projection-wide parameters are set."""
    net = _net(net)
    with open(filename) as f:
        params = json.load(f)
    for kind, objs in (("populations", net.populations), ("projections", net.projections)):
        by_name = {o.name: o for o in objs}
        for name, values in params.get(kind, {}).items():
            obj = by_name.get(name)
            if obj is None:
                if verbose:
                    print(f"load_parameters: no {kind[:-1]} named {name!r}; skipped")
                continue
            a = obj._analysis() if kind == "populations" else _proj_analysis(obj)
            for var, value in values.items():
                decl = a.var(var)
                if decl is None or (global_only and decl.locality != "global"):
                    continue
                if verbose:
                    print(f"load_parameters: {name}.{var} = {value}")
                setattr(obj, var, np.asarray(value, dtype=float) if isinstance(value, list) else value)
    return params


# -- report -------------------------------------------------------------------------------------
def _model_block(model, kind, latex):
    fields = [f for f in model.field_names() if f != "type"]     # the model's one field table
    lines = []
    for f in fields:
        text = getattr(model, f, None)
        if text in (None, "") or (f == "operation" and text == "sum"):
            continue
        body = "\n".join(line.strip() for line in str(text).strip().splitlines() if line.strip())
        if latex:
            lines += [f"\\paragraph{{{f}}}", "\\begin{verbatim}", body, "\\end{verbatim}"]
        else:
            lines += [f"**{f}**", "", "```", body, "```", ""]
    return lines


def _connector_text(proj):
    c = proj._spec.connector
    if c is None:
        return "not connected"
    params = ", ".join(f"{k}={v!r}" for k, v in c.params.items()
                       if np.ndim(v) == 0 and not callable(v) and not k.startswith("_"))
    return f"{c.method}({params})"


def report(filename="./report.tex", standalone=True, gather_subprojections=False, title=None, author=None,
           date=None, net_id=0, net=None, network=None):
    """Describe the network (types with equations, populations, projections) in Markdown or LaTeX.
    ``network`` (or a ``Network`` passed first, ANNarchy 5's ``report(net, filename)``) chooses the network."""
    if isinstance(filename, Network):
        filename, network = (standalone if isinstance(standalone, str) else "./report.tex"), filename
        standalone = True
    net = _net(network if network is not None else net)
    latex = not str(filename).endswith(".md")
    title = title or "Network description"
    neurons, synapses = {}, {}
    for p in net.populations:
        neurons.setdefault(p.neuron_type.name, p.neuron_type)
    for proj in net.projections:
        if proj.synapse_type is not None:
            synapses.setdefault(proj.synapse_type.name, proj.synapse_type)
    pops = [(p.name, "x".join(map(str, p.geometry)), p.neuron_type.name) for p in net.populations]
    projs = []
    for proj in net.projections:
        pre = getattr(proj.pre, "name", None) or proj.pre.population.name
        post = getattr(proj.post, "name", None) or proj.post.population.name
        projs.append((proj.name, pre, post, str(proj.target),
                      proj.synapse_type.name if proj.synapse_type else "-", _connector_text(proj)))
    if latex:
        esc = lambda s: str(s).replace("_", "\\_")  # noqa: E731
        out = []
        if standalone:
            out += ["\\documentclass{article}", "\\begin{document}",
                    f"\\title{{{esc(title)}}}", f"\\author{{{esc(author or '')}}}", f"\\date{{{esc(date or '')}}}",
                    "\\maketitle"]
        out += ["\\section{Populations}", "\\begin{tabular}{lll}", "Name & Size & Neuron type \\\\ \\hline"]
        out += [" & ".join(esc(x) for x in row) + " \\\\" for row in pops]
        out += ["\\end{tabular}", "\\section{Projections}", "\\begin{tabular}{llllll}",
                "Name & Pre & Post & Target & Synapse & Connectivity \\\\ \\hline"]
        out += [" & ".join(esc(x) for x in row) + " \\\\" for row in projs]
        out += ["\\end{tabular}", "\\section{Neuron types}"]
        for name, model in neurons.items():
            out += [f"\\subsection{{{esc(name)}}}"] + _model_block(model, "neuron", True)
        out += ["\\section{Synapse types}"]
        for name, model in synapses.items():
            out += [f"\\subsection{{{esc(name)}}}"] + _model_block(model, "synapse", True)
        if standalone:
            out += ["\\end{document}"]
    else:
        out = [f"# {title}", ""]
        if author or date:
            out += [" - ".join(x for x in (author, date) if x), ""]
        out += [f"Time step: {net.spec.settings.dt} ms", "", "## Populations", "",
                "| Name | Size | Neuron type |", "|---|---|---|"]
        out += ["| " + " | ".join(row) + " |" for row in pops]
        out += ["", "## Projections", "", "| Name | Pre | Post | Target | Synapse | Connectivity |",
                "|---|---|---|---|---|---|"]
        out += ["| " + " | ".join(row) + " |" for row in projs]
        out += ["", "## Neuron types", ""]
        for name, model in neurons.items():
            out += [f"### {name}", ""] + ([model.description, ""] if model.description else []) + \
                _model_block(model, "neuron", False)
        out += ["## Synapse types", ""]
        for name, model in synapses.items():
            out += [f"### {name}", ""] + ([model.description, ""] if model.description else []) + \
                _model_block(model, "synapse", False)
    text = "\n".join(out) + "\n"
    with open(filename, "w") as f:
        f.write(text)
    return text


# -- parallel runs --------------------------------------------------------------------------------
def parallel_run(method, networks=None, number=0, max_processes=-1, measure_time=False, sequential=False,
                 same_seed=False, annarchy_json="", visible_cores=None, executor=None, **args):
    """Run ``method(idx, net, **args)`` on ``number`` copies of the current network; returns the results.

    Each copy is rebuilt from a snapshot of the network and compiled (a build-cache hit) where it runs
    (``annstudio.session.parallel``): local processes (``max_processes``, default one per core, started
    with ``fork``), this process with ``sequential=True``, or ``executor=``: an executor of
    ``annstudio.session.executors``, a ``distributed.Client`` or a Dask scheduler address.  Seeds: the
    network's seed plus the run index (all equal with ``same_seed``); without a seed, fresh random seeds.
    An argument given as a list (or tuple) of ``number`` values gives one value to each run, as in
    ANNarchy 4.8; any other value goes to every run."""
    from . import parallel

    proto = current_network()
    if networks is not None:
        raise ModelError("parallel_run(networks=...) is not supported; pass number= to copy the current network")
    number = int(number)
    if number < 1:
        raise ModelError("parallel_run needs number >= 1")
    base = proto.spec.settings.seed
    if same_seed:
        seeds = [base] * number
    elif base is not None:
        seeds = [int(base) + i for i in range(number)]
    else:
        seeds = [int(s) for s in np.random.SeedSequence().generate_state(number)]
    per_run = parallel.split_args(args, number, "parallel_run", kinds=(list, tuple))
    jobs = parallel.script_jobs(proto, method, seeds, per_run)
    runner, owned = parallel.executor_for(executor, number, max_processes, sequential, jobs=jobs)
    return parallel.run_and_time(jobs, runner, owned, measure_time)


__all__ = ["save", "load", "save_parameters", "load_parameters", "report", "parallel_run"]
