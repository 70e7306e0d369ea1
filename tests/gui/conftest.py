"""Fixtures for driving the studio offscreen (pytest-qt).

``QT_QPA_PLATFORM=offscreen`` is set here, before anything imports Qt.
Every test gets its own state folder (recent files, autosaves) and a main
window whose unsaved-changes prompt answers from ``window.answers``.
"""
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import json  # noqa: E402

import pytest  # noqa: E402

from gui_helpers import spiking_project  # noqa: E402


def pytest_collection_modifyitems(items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.gui)


@pytest.fixture(autouse=True)
def _state_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ANNSTUDIO_STATE_DIR", str(tmp_path / "state"))


@pytest.fixture
def window(qtbot):
    from annstudio.gui.main_window import MainWindow
    win = MainWindow()
    win.answers = ["discard"]
    win.prompt = lambda: win.answers.pop(0) if len(win.answers) > 1 else win.answers[0]
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.run.stop_and_wait()
    win.run.wait_build(10)
    win.plots.timer.stop()
    win.controller.stack.setClean()


@pytest.fixture
def project_file(tmp_path):
    path = tmp_path / "lif.json"
    path.write_text(json.dumps(spiking_project()))
    return path
