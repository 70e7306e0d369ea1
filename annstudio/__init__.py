"""annstudio: a studio for neuro-computational models.

Layering (imports flow one way; import-linter contracts in pyproject.toml, run by ``lint-imports``):
engine (the facade) -> gui | cli -> project -> session -> codegen -> core; Qt only in gui.

The one name offered here for notebooks is ``annstudio.load_project(path)`` (see
``annstudio.project.notebook``): it returns an object whose ``run()`` plays the project's protocol
and returns its recordings (times in ms; ``to_dataframe()``, ``plot()``, ``save()``).  It resolves
on first access through the module ``__getattr__`` (PEP 562), by module name: every layer imports
this package (for ``__version__``), so a static import of the project layer here would make
``import annstudio.core`` load the whole stack and put an upward chain core -> annstudio ->
project into the import graph.  Importing ``annstudio`` alone still loads nothing else.
"""
import importlib

__version__ = "0.1.0"
__all__ = ["__version__", "load_project"]


def __getattr__(name):
    if name == "load_project":
        return importlib.import_module("annstudio.project.notebook").load_project
    raise AttributeError(f"module 'annstudio' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | {"load_project"})
