"""Analysis of neuron and synapse types: declarations, statements, checks.

``analyse_neuron`` / ``analyse_synapse`` turn the text blocks of a type into a
frozen :class:`Analysis` (decls.py): typed variable declarations and ordered
statements whose right-hand sides are sympy expressions over these symbols:

- own parameters/variables: ``Symbol(name)``; ``t``, ``dt``; neurons: ``rank`` (the index in the population)
- the network's constants (its :class:`Scope`): ``Symbol(name)``
- synapses: ``pre__x`` / ``post__x`` for ``pre.x`` / ``post.x``, ``g_target``
- rate-coded neurons: ``sum__exc`` for ``sum(exc)``
- global operations: ``_mean__r`` (``mean(r)``), ``_max__post__r`` ...
- random draws: ``_rand_<k>`` with a :class:`RandomDecl`

The network's functions and constants arrive explicitly as a ``Scope`` (default:
none).  Nothing here knows about populations, backends or numerical methods.
"""
import re

import sympy as sp

from ..errors import EquationError
from .blocks import split_block, strip_comments
from .builder import Builder, number
from .expressions import is_condition
from .decls import VarDecl
from .scope import EMPTY


def analyse_neuron(neuron, scope=EMPTY):
    """Parse and check a Neuron against ``scope`` (the network's functions and constants); raises
    EquationError with the block and line."""
    b = Builder(neuron, "neuron", neuron.type, scope)
    if neuron.spike and not neuron.spike.strip():
        raise EquationError("the spike condition is empty (only spaces)", where=b.where("spike"), line=1,
                            hint="write a condition such as 'v > v_T', or leave it empty for a rate-coded neuron")
    if neuron.reset.strip() and not neuron.spike.strip():
        raise EquationError("the spike condition is empty: a reset needs a spike condition", where=b.where("spike"), line=1,
                            hint="write a condition such as 'v > v_T', or remove the reset")
    b.parameters()
    where = b.where("equations")
    raws = split_block(neuron.equations, where)
    # conductances g_x used by a spiking neuron without an equation are implicit and reset each step
    if b.type == "spike":
        used = set(re.findall(r"\bg_([A-Za-z_]\w*)", neuron.equations + " " + neuron.spike + " " + neuron.reset))
        for tgt in sorted(used):
            b.decls.setdefault(f"g_{tgt}", VarDecl(f"g_{tgt}", "variable", "local", "double", 0.0,
                                                   implicit=True, auto_reset=True))
    order = b.declare_variables(raws, "equations")
    if b.type == "rate" and "r" not in b.decls:
        b.decls["r"] = VarDecl("r", "variable", "local", "double", 0.0, implicit=True)
    b.finish_bounds("equations")
    equations = b.statements(order, "equations")
    _check_rank(b, equations)
    if b.type == "spike":
        for name, d in list(b.decls.items()):
            if d.implicit and d.auto_reset and any(s.target == name for s in equations):
                b.decls[name] = VarDecl(d.name, d.role, d.locality, d.dtype, d.init, d.min, d.max, d.method)
        targets = [n[2:] for n, d in b.decls.items() if n.startswith("g_") and d.role == "variable"]
        b.targets.extend(t for t in targets if t not in b.targets)
    spike = reset = refractory = None
    if b.type == "spike":
        spike = b.expression(strip_comments(neuron.spike), "spike", 1, allow_random=False)
        flag = b.decls.get(str(spike)) if isinstance(spike, sp.Symbol) else None
        if not is_condition(spike) and not (flag is not None and flag.dtype == "bool"):
            raise EquationError("the spike condition must be a condition (true/false), e.g. 'v > v_T'",
                                where=b.where("spike"), line=1)
        variables = [n for n, d in b.decls.items() if d.role == "variable"]
        reset = b.assignments(neuron.reset, "reset", variables)
        if neuron.refractory not in (None, ""):
            refractory = b.expression(str(neuron.refractory), "refractory", 1, allow_random=False)
            if refractory.is_number and refractory.is_real and bool(refractory < 0):
                raise EquationError(f"the refractory period must not be negative, got {neuron.refractory}",
                                    where=b.where("refractory"), line=1)
    elif neuron.reset.strip():
        raise EquationError("a reset needs a spike condition", where=b.where("reset"), line=1)
    return b.result(equations=equations, spike=spike, reset=reset or (), refractory=refractory)


def _check_rank(b, equations):
    """``rank`` is per neuron: a population-wide variable cannot use it."""
    if "rank" in b.decls:
        return
    for st in equations:
        d = b.decls.get(st.target)
        if d is not None and d.locality == "global" and sp.Symbol("rank") in st.expr.free_symbols:
            raise EquationError(f"population-wide '{st.target}' cannot use 'rank' (each neuron has its own)",
                                where=b.where("equations"), line=st.line, text=st.text,
                                hint="remove the ': population' flag or the rank")


def analyse_synapse(synapse, type_, scope=EMPTY):
    """Parse and check a Synapse for a rate-coded or spiking projection, against ``scope``."""
    b = Builder(synapse, "synapse", type_, scope)
    b.parameters()
    where = b.where("equations")
    raws = split_block(synapse.equations, where)
    order = b.declare_variables(raws, "equations")
    if "w" not in b.decls:
        b.decls["w"] = VarDecl("w", "parameter", "local", "double", 0.0, implicit=True)
    b.finish_bounds("equations")
    equations = b.statements(order, "equations")
    psp = None
    if synapse.psp.strip():
        psp = b.expression(synapse.psp, "psp", 1)
    if synapse.operation not in ("sum", "max", "min", "mean"):
        raise EquationError(f"unknown operation {synapse.operation!r}; use sum, max, min or mean",
                            where=b.where("operation"))
    pre_spike = post_spike = ()
    variables = [n for n, d in b.decls.items() if d.role == "variable" or n == "w"]
    if type_ == "spike":
        g = {"g_target": sp.Symbol("g_target")}
        pre_text = synapse.pre_spike if synapse.pre_spike.strip() else "g_target += w"
        pre_spike = _with_names(b, g, lambda: b.assignments(pre_text, "pre_spike", variables, ("g_target",)))
        if synapse.post_spike.strip():
            post_spike = b.assignments(synapse.post_spike, "post_spike", variables)
    elif synapse.pre_spike.strip() or synapse.post_spike.strip():
        raise EquationError("pre_spike/post_spike need a spiking projection", where=b.label)
    creating = pruning = None
    if synapse.creating.strip():
        creating = _flagged_condition(b, synapse.creating, "creating")
    if synapse.pruning.strip():
        pruning = _flagged_condition(b, synapse.pruning, "pruning")
    return b.result(equations=equations, psp=psp, operation=synapse.operation, pre_spike=pre_spike,
                    post_spike=post_spike, creating=creating, pruning=pruning)


def _with_names(builder, extra, fn):
    old = builder.symbols
    builder.symbols = lambda: {**old(), **extra}
    try:
        return fn()
    finally:
        builder.symbols = old


def _flagged_condition(b, text, block):
    """``creating = "pre.r * post.r > 1.0 : proba = 0.5, w = 1.0"`` -> (condition, {flag: value})."""
    where = b.where(block)
    parts = text.split(":", 1)
    cond = b.expression(parts[0], block, 1, allow_random=False)
    flags = {}
    if len(parts) == 2:
        for item in parts[1].split(","):
            item = item.strip()
            if not item:
                continue
            m = re.fullmatch(r"(proba|w|d)\s*=\s*(.+)", item)
            if not m:
                raise EquationError(f"unknown flag '{item}' (use proba=, w=, d=)", where=where, line=1)
            flags[m.group(1)] = number(m.group(2), where, 1, m.group(1))
    return cond, tuple(sorted(flags.items()))
