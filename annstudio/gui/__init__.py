"""The desktop studio (PySide6 + pyqtgraph): the only package that imports Qt.

``launch(argv)`` is the entry point used by ``python main.py`` and by
``annstudio`` with no command.  Sub-packages: ``canvas`` (node editor),
``equations`` (type editor), ``run`` (build/run workers), ``plots`` (live
plots); modules at this level hold the main window and its docks.
"""
from .app import has_display, launch

__all__ = ["launch", "has_display"]
