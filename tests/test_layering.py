"""Architecture rules, checked by import-linter's contracts in pyproject.toml (``lint-imports``).

- only annstudio.gui imports Qt (PySide6, pyqtgraph, shiboken6, pytestqt);
- imports flow one way: engine (the facade, imported by nothing in annstudio) -> gui | cli -> project
  -> session -> codegen -> core; inside the core: runtime -> model, library -> equations -> errors.

The contracts see every import statement, function-local ones and ``from package import module``
included; the tests below show that a forbidden import hidden that way breaks them.  Importing the
core at run time pulls in no upper layer.
"""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# the `lint-imports` command, run by the interpreter running the tests
LINT = [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; "
        "sys.exit(lint_imports_command())"]
LAYERS = "Imports flow one way"
QT = "Qt is imported only by annstudio.gui"


def lint(cwd, pythonpath=None):
    """Run ``lint-imports`` on the annstudio package found first on ``pythonpath``; (exit code, output)."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd)}
    if pythonpath:
        env["PYTHONPATH"] = str(pythonpath)
    out = subprocess.run(LINT + ["--no-cache", "--no-logo"], cwd=cwd, env=env, capture_output=True, text=True,
                         timeout=300)
    return out.returncode, out.stdout + out.stderr


def test_the_contracts_hold():
    code, out = lint(ROOT)
    assert code == 0, out
    assert "3 kept, 0 broken" in out, out


@pytest.fixture
def copied_tree(tmp_path):
    """A copy of the package and of pyproject.toml (its contracts) in a temporary folder."""
    shutil.copytree(ROOT / "annstudio", tmp_path / "annstudio",
                    ignore=shutil.ignore_patterns("__pycache__", "*.so", "build"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _inject(tree, module, line):
    """Add a function whose body holds ``line`` (a function-local import) to ``module``'s file."""
    path = tree.joinpath(*module.split(".")).with_suffix(".py")
    path.write_text(path.read_text(encoding="utf-8") + f"\n\ndef _hidden():\n    {line}\n", encoding="utf-8")


@pytest.mark.parametrize("module, line, contract, edge", [
    ("annstudio.core.equations.blocks", "from annstudio import gui", LAYERS,
     "annstudio.core.equations.blocks -> annstudio.gui"),
    ("annstudio.core.equations.blocks", "from ... import session", LAYERS,
     "annstudio.core.equations.blocks -> annstudio.session"),
    ("annstudio.core.model.spec", "from ...codegen import lowering", LAYERS,
     "annstudio.core.model.spec -> annstudio.codegen.lowering"),
    ("annstudio.session.network", "import annstudio.engine", LAYERS,
     "annstudio.session.network -> annstudio.engine"),
    ("annstudio.cli", "from annstudio.gui import app", LAYERS, "annstudio.cli -> annstudio.gui.app"),
    ("annstudio.session.network", "from PySide6 import QtCore", QT, "annstudio.session.network -> PySide6"),
])
def test_a_hidden_forbidden_import_breaks_the_contracts(copied_tree, module, line, contract, edge):
    assert lint(copied_tree, copied_tree)[0] == 0      # the copy is clean: the test sees the copy, not the tree
    _inject(copied_tree, module, line)
    code, out = lint(copied_tree, copied_tree)
    assert code != 0, out
    broken = out[out.index("Broken contracts"):]
    assert contract in broken and edge in broken, out


def test_importing_the_core_pulls_in_no_upper_layer():
    code = ("import sys\n"
            "import annstudio.core, annstudio.core.equations, annstudio.core.model, annstudio.core.runtime\n"
            "import annstudio.core.library, annstudio.core.errors\n"
            "up = sorted(m for m in sys.modules if m.split('.')[:2] in (['annstudio', 'session'],\n"
            "            ['annstudio', 'codegen'], ['annstudio', 'project'], ['annstudio', 'gui'],\n"
            "            ['annstudio', 'engine'], ['annstudio', 'cli']) or m.split('.')[0] == 'PySide6')\n"
            "print(up)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]", out.stdout
