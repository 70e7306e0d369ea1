"""The project's one small exception tree.

Every error carries a location (``where``): the neuron/synapse type, population,
projection or file path, and for equations the block and line.  ``str(err)``
always starts with that location so the GUI and the CLI can show it as is.
"""


class AnnstudioError(Exception):
    """Base class of every error annstudio raises on purpose."""

    def __init__(self, message, where=None, line=None, hint=None):
        self.message = message
        self.where = where
        self.line = line
        self.hint = hint
        super().__init__(self._format())

    def _format(self):
        parts = []
        if self.where:
            parts.append(str(self.where))
        if self.line is not None:
            parts.append(f"line {self.line}")
        head = ", ".join(parts)
        text = f"{head}: {self.message}" if head else self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class EquationError(AnnstudioError):
    """An equation, parameter or flag that cannot be parsed or checked.

    ``where`` names the model and block, e.g. ``"Neuron 'LIF', equations"``;
    ``line`` is the 1-based line inside that block; ``text`` the offending line.
    """

    def __init__(self, message, where=None, line=None, hint=None, text=None):
        self.text = text
        super().__init__(message, where=where, line=line, hint=hint)


class ModelError(AnnstudioError):
    """A network that is structurally wrong (bad geometry, unknown target, ...)."""


class ConnectivityError(ModelError):
    """A connector that cannot build the requested synapses."""


class ProjectError(AnnstudioError):
    """A project file that is malformed; ``where`` is the path inside the file."""


class BuildError(AnnstudioError):
    """Generated code that fails to build; ``log`` holds the compiler output."""

    def __init__(self, message, where=None, log="", hint=None):
        self.log = log
        super().__init__(message, where=where, hint=hint)


class SimulationError(AnnstudioError):
    """A failure while running (NaN detected, backend unavailable, ...)."""


class BackendUnavailable(SimulationError):
    """The requested paradigm cannot run on this machine (no compiler, no GPU)."""
