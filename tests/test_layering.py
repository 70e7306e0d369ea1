"""Architecture rules, checked by walking every module's imports (AST).

- only annstudio/gui imports PySide6 / pyqtgraph;
- imports flow one way: gui -> cli/project -> session -> codegen -> engine.simulation -> engine.model
  -> engine.equations (engine.errors is the bottom; the facade annstudio/engine/__init__.py stands at the
  session level and is skipped as a source).
"""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "annstudio"
LEVELS = {
    "annstudio.core.errors": 0,
    "annstudio.core.equations": 1,
    "annstudio.core.model": 2,
    "annstudio.core.library": 2,
    "annstudio.core.runtime": 3,
    "annstudio.codegen": 4,
    "annstudio.session": 5,
    "annstudio.engine": 5,     # the facade package itself
    "annstudio.project": 6,
    "annstudio.cli": 6,
    "annstudio.__main__": 6,
    "annstudio.gui": 7,
}
QT = ("PySide6", "pyqtgraph", "shiboken6", "pytestqt")


def level(module):
    best = None
    for prefix, lvl in LEVELS.items():
        if module == prefix or module.startswith(prefix + "."):
            if best is None or len(prefix) > len(best[0]):
                best = (prefix, lvl)
    return best[1] if best else None


def modules():
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts), path


def imports(path, module):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    pkg = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.split(".")
                base = base[:len(base) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            yield name


def test_only_gui_imports_qt():
    bad = []
    for module, path in modules():
        if module.startswith("annstudio.gui"):
            continue
        for name in imports(path, module):
            if name.split(".")[0] in QT:
                bad.append(f"{module} imports {name}")
    assert not bad, bad


def test_imports_flow_one_way():
    bad = []
    for module, path in modules():
        src = level(module)
        if src is None or module == "annstudio.engine":
            continue
        for name in imports(path, module):
            if not name.startswith("annstudio"):
                continue
            dst = level(name)
            if dst is not None and dst > src:
                bad.append(f"{module} (level {src}) imports {name} (level {dst})")
    assert not bad, "\n".join(bad)


def test_no_module_imports_the_facade_from_below():
    bad = []
    for module, path in modules():
        if level(module) is not None and level(module) < 5:
            for name in imports(path, module):
                if name == "annstudio.engine":
                    bad.append(module)
    assert not bad, bad
