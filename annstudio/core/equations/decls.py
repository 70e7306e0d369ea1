"""The records an equation analysis produces: declarations, statements and the frozen ``Analysis``.

Owned here: ``VarDecl`` (a parameter or variable of a type), ``Statement`` (one
ODE or assignment, sympy right-hand side), ``RandomDecl`` (a random draw),
``GlobalOpDecl`` (``mean(r)``...) and ``Analysis`` (everything
``analyse_neuron``/``analyse_synapse`` return).  Plain data; no parsing here.
"""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class VarDecl:
    name: str
    role: str              # "parameter" | "variable"
    locality: str          # "local" | "semiglobal" | "global"
    dtype: str = "double"  # "double" | "int" | "bool"
    init: float = 0.0
    min: object = None     # sympy expression or None
    max: object = None
    method: str = "explicit"
    implicit: bool = False     # created automatically (r, w, g_target)
    auto_reset: bool = False   # conductance reset to 0 after each step (instantaneous synapses)


@dataclass(frozen=True)
class Statement:
    target: str
    expr: object           # rhs of the ODE (dx/dt = expr) or the new value of the assignment
    is_ode: bool
    method: str
    line: int
    text: str
    block: str


@dataclass(frozen=True)
class RandomDecl:
    symbol: str
    dist: str
    args: tuple


@dataclass(frozen=True)
class GlobalOpDecl:
    symbol: str
    op: str
    variable: str
    side: object = None    # None (own), "pre" or "post"


@dataclass(frozen=True)
class Analysis:
    name: str
    kind: str                      # "neuron" | "synapse"
    type: str                      # "rate" | "spike"
    variables: tuple
    equations: tuple
    spike: object = None
    reset: tuple = ()
    refractory: object = None
    psp: object = None
    operation: str = "sum"
    pre_spike: tuple = ()
    post_spike: tuple = ()
    targets: tuple = ()
    randoms: tuple = ()
    global_ops: tuple = ()
    pre_refs: tuple = ()
    post_refs: tuple = ()
    creating: object = None
    pruning: object = None
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def var(self, name):
        for v in self.variables:
            if v.name == name:
                return v
        return None

    @property
    def names(self):
        return tuple(v.name for v in self.variables)

    @property
    def parameters(self):
        return tuple(v.name for v in self.variables if v.role == "parameter")

    @property
    def state(self):
        return tuple(v.name for v in self.variables if v.role == "variable")
