"""ANNarchy-compatible public API of annstudio.

``from annstudio.engine import *`` (or ``import annstudio.engine as ann``) runs
ANNarchy 4.x scripts with only the import line changed.  This module is the
facade: it re-exports the session layer (``annstudio.session``), the model
types and distributions, and the standard library.

The facade stands at the session level although it is the ``engine``
package's ``__init__``: it is therefore *lazy* (PEP 562 module ``__getattr__``),
so importing a lower layer such as ``annstudio.engine.equations`` never pulls
in the session or codegen layers.  The first public name asked for (or a star
import, which reads ``__all__``) loads them once.
"""
import importlib

_SOURCES = ("annstudio.engine.errors", "annstudio.engine.model", "annstudio.session", "annstudio.engine.library")
_ERRORS = ["AnnstudioError", "BuildError", "EquationError", "ModelError", "ProjectError", "SimulationError"]
_MODEL = ["Binomial", "DiscreteUniform", "Exponential", "Gamma", "LogNormal", "Neuron", "Normal", "RateNeuron",
          "SpikeNeuron", "Synapse", "Uniform"]
_PUBLIC = None


def _public():
    """name -> object of every public name, loaded once."""
    global _PUBLIC
    if _PUBLIC is None:
        import numpy
        table = {"np": numpy}
        errors, model, session, library = (importlib.import_module(m) for m in _SOURCES)
        table.update({n: getattr(errors, n) for n in _ERRORS})
        table.update({n: getattr(model, n) for n in _MODEL})
        table.update({n: getattr(session, n) for n in session.__all__})
        table.update({n: getattr(library, n) for n in library.__all__})
        _PUBLIC = table
    return _PUBLIC


def __getattr__(name):
    if name == "__all__":
        return list(_public())
    table = _public()
    if name in table:
        return table[name]
    raise AttributeError(f"module 'annstudio.engine' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_public()))
