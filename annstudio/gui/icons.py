"""Icons of the toolbar actions and palette entries, from the top-level ``resources/icons`` folder.

``resources/`` sits beside ``projects/`` at the top of the product; a source checkout (editable
install) reads it in place, a regular install gets a copy in ``<prefix>/share/annstudio/icons``
(pyproject ``data-files``, the way ``projects/`` is shipped).  A missing icon is an empty icon.
"""
import sys
from pathlib import Path

from PySide6.QtGui import QIcon

ACTION_ICONS = {"build": "build", "run": "run", "pause": "pause", "resume": "resume", "stop": "stop",
                "step": "step", "undo_tool": "undo", "redo_tool": "redo", "undo": "undo", "redo": "redo",
                "layout": "layout", "neuron_lab": "lab", "help": "help"}
KIND_ICONS = {"spike": "neuron_spike", "rate": "neuron_rate", "source": "input", "synapse": "synapse"}


def icons_dir():
    for d in (Path(__file__).resolve().parents[2] / "resources" / "icons",
              Path(sys.prefix) / "share" / "annstudio" / "icons"):
        if d.is_dir():
            return d
    return Path(__file__).resolve().parents[2] / "resources" / "icons"


def icon(name):
    path = icons_dir() / f"{name}.svg"
    return QIcon(str(path)) if path.is_file() else QIcon()


def apply_icons(window):
    """Icons on the window's named actions (the toolbar shows them)."""
    for key, name in ACTION_ICONS.items():
        action = window.actions.get(key)
        if action is not None:
            action.setIcon(icon(name))
