"""Open, save, save as, reopen; dirty prompts; autosave and recovery; the
examples gallery; exports; the no-display message of ``main.py``."""
import pytest
import json
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QPointF

from annstudio.gui import files
from gui_helpers import drop_from_palette, spiking_project

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]


def test_save_and_reopen(window, qtbot, tmp_path):
    window.new_project()
    drop_from_palette(window.palette, window.canvas, "LIF", QPointF(0, 0))
    window.scene.connect_populations("pop", "pop")
    assert window.controller.dirty and window.windowTitle().startswith("Untitled *")
    path = tmp_path / "net.json"
    assert window.save_as(str(path))
    assert not window.controller.dirty and "*" not in window.windowTitle()
    saved = json.loads(path.read_text())
    assert saved["format"] == "annstudio-project" and saved["populations"][0]["name"] == "pop"
    window.new_project()
    assert window.open_path(str(path))
    doc = window.controller.document
    assert [p["name"] for p in doc.items("populations")] == ["pop"]
    assert len(window.scene.edges) == 1 and not window.controller.dirty
    assert str(path.resolve()) in files.recent_files()


def test_dirty_prompt_cancel_keeps_project(window, qtbot, tmp_path):
    window.new_project()
    drop_from_palette(window.palette, window.canvas, "LIF", QPointF(0, 0))
    window.answers = ["cancel"]
    window.new_project()
    assert window.controller.document.population("pop") is not None
    window.answers = ["save"]                    # save with a path set beforehand
    window.controller.document.path = str(tmp_path / "kept.json")
    window.new_project()
    assert (tmp_path / "kept.json").exists()
    assert window.controller.document.items("populations") == []


def test_open_bad_file_reports_and_keeps_current(window, qtbot, tmp_path):
    window.controller.set_document(__import__("annstudio.project.document", fromlist=["x"]).ProjectDocument(
        spiking_project()))
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "annstudio-project", "schema_version": 1, "populations": [{"name": 3}]')
    assert not window.open_path(str(bad))
    assert "Cannot open" in window.statusBar().currentMessage()
    assert window.controller.document.population("exc") is not None


def test_autosave_and_recovery(window, qtbot, tmp_path):
    window.new_project()
    drop_from_palette(window.palette, window.canvas, "LIF", QPointF(0, 0))
    window.autosave()
    autosaves = list((Path(os.environ["ANNSTUDIO_STATE_DIR"]) / "autosave").glob("*.json"))
    assert len(autosaves) == 1
    record = json.loads(autosaves[0].read_text())
    record["pid"] = 999_999_999                  # as if that studio had crashed
    (autosaves[0].parent / "crashed.json").write_text(json.dumps(record))
    window.controller.stack.setClean()
    window.new_project()
    assert window.offer_recovery(ask=lambda record: True)
    assert window.controller.document.population("pop") is not None
    assert window.controller.dirty               # recovered work is unsaved
    assert not files.pending_recoveries()


def test_examples_gallery_lists_and_opens(window, qtbot, tmp_path, monkeypatch):
    folder = tmp_path / "examples"
    folder.mkdir()
    (folder / "lif.json").write_text(json.dumps(spiking_project()))
    monkeypatch.setenv("ANNSTUDIO_EXAMPLES_DIR", str(folder))
    window.show_start_page()
    item = window.start_page.examples.item(0)
    assert item.text().startswith("Test LIF network")
    window.start_page._activated(item)
    assert window.controller.document.name == "Test LIF network"
    assert window.central.currentWidget() is window.tabs


def test_repository_examples_are_listed():
    listed = files.examples()
    on_disk = [p for p in (ROOT / "projects").glob("*.json")]
    assert len(listed) == len(on_disk)


def test_exports(window, qtbot, tmp_path):
    from annstudio.project.document import ProjectDocument
    window.controller.set_document(ProjectDocument(spiking_project()))
    script, report = tmp_path / "net.py", tmp_path / "net.md"
    assert window.export_script_dialog(str(script)) is not False
    assert window.export_report_dialog(str(report)) is not False
    assert "Population" in script.read_text()
    assert "Test LIF network" in report.read_text()


def test_main_without_display_prints_hint():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run([sys.executable, str(ROOT / "main.py")], env=env, capture_output=True, text=True,
                            timeout=60, cwd=ROOT)
    assert result.returncode == 2
    assert "annstudio run" in result.stderr and "Traceback" not in result.stderr
