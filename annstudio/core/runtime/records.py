"""Monitor requests and the recordings backends hand back."""
from dataclasses import dataclass, field
from typing import Optional

import numpy as np


@dataclass(frozen=True)
class MonitorRequest:
    kind: str                 # "population" | "projection"
    target: str               # population / projection name
    variables: tuple          # variable names; "spike" for spike times
    ranks: Optional[tuple]    # recorded neurons (None: all)
    period_steps: int = 1
    start: bool = True


@dataclass
class Recording:
    """What a backend recorded since the last fetch.

    ``values[var]`` is an array (n_records, n_ranks...) for neuron variables or a
    list of arrays for synaptic ones; ``spike_steps``/``spike_ranks`` the spikes
    (absolute ranks); ``steps`` the step index of each value record."""

    values: dict = field(default_factory=dict)
    steps: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    spike_steps: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    spike_ranks: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
