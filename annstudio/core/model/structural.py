"""ANNarchy 5's structural-plasticity conditions, ``Pruning`` and ``Creating``.

``Synapse(pruning=Pruning("age > T", proba=0.1))`` is ANNarchy 5's form of ANNarchy 4.8's
``pruning="age > T : proba = 0.1"``; annstudio keeps the text form (what projects store), so these objects
only render it (``str()``), and a synapse given one reads exactly as if it had been given the text.
"""
from dataclasses import dataclass
from typing import Optional


def _flags(**values):
    return ", ".join(f"{k} = {v!r}" for k, v in values.items() if v is not None)


@dataclass
class Creating:
    """A synapse is created where ``equation`` holds, with probability ``proba``, weight ``w``, delay ``d``."""

    equation: str
    proba: float = 1.0
    w: float = 0.0
    d: Optional[float] = None

    def __str__(self):
        return f"{self.equation} : {_flags(proba=float(self.proba), w=float(self.w), d=self.d)}"


@dataclass
class Pruning:
    """A synapse is removed where ``equation`` holds, with probability ``proba``."""

    equation: str
    proba: float = 1.0

    def __str__(self):
        return f"{self.equation} : {_flags(proba=float(self.proba))}"
