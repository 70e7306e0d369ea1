"""The options of input populations as typed fields (no JSON): a SpikeSourceArray's repeat period, a
Poisson population's refractory time, a TimedArray's rates, schedule and period; each checked in
words, an empty field removes the option, a bad value is not applied."""
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QLineEdit

from annstudio.gui.typed_fields import ValidatedField
from annstudio.project.document import ProjectDocument
from gui_helpers import type_into as _type

pytestmark = pytest.mark.gui


def _page(window, qtbot, name):
    window.scene.select(name)
    qtbot.waitUntil(lambda: window.inspector.current == ("population", name))
    qtbot.wait(5)
    return window.inspector.population


def _option(page, key):
    return page.findChild(ValidatedField, f"option_{key}")


def test_spike_source_period_and_poisson_refractory(window, qtbot):
    window.new_project()
    doc = window.controller.document
    window.scene.drop_type("neurons", "SpikeSourceArray", QPointF(0, 0))
    window.scene.drop_type("neurons", "PoissonPopulation", QPointF(300, 0))
    array, poisson = [p["name"] for p in doc.data["populations"]]
    page = _page(window, qtbot, array)
    period = _option(page, "period")
    assert period is not None and period.isVisible() and period.text() == ""
    _type(period, "0")
    assert "above 0 ms" in period.error() and "not applied" in period.error()
    assert "period" not in doc.population(array).get("options", {})
    _type(period, "100")
    assert doc.population(array)["options"]["period"] == 100.0
    _type(_option(_page(window, qtbot, array), "period"), "")
    assert "period" not in doc.population(array)["options"]
    page = _page(window, qtbot, poisson)
    refractory = _option(page, "refractory")
    _type(refractory, "2.5")
    assert doc.population(poisson)["options"]["refractory"] == 2.5


def test_timed_array_rates_schedule_and_period(window, qtbot):
    data = {"format": "annstudio-project", "schema_version": 1, "name": "t",
            "settings": {"dt": 1.0, "paradigm": "numpy", "duration": 100.0, "seed": 1},
            "neurons": {}, "synapses": {},
            "populations": [{"name": "ta", "geometry": [2], "neuron": None, "kind": "timed_array",
                             "options": {"rates": [[10.0, 20.0], [0.0, 5.0]], "schedule": 50.0}}],
            "projections": [], "monitors": [], "protocol": []}
    window.controller.set_document(ProjectDocument(data))
    window.show_workspace()
    doc = window.controller.document
    page = _page(window, qtbot, "ta")
    assert not any(e.text().startswith("{") for e in page.findChildren(QLineEdit))
    rates, schedule, period = (_option(page, k) for k in ("rates", "schedule", "period"))
    assert rates.text() == "[[10.0, 20.0], [0.0, 5.0]]" and schedule.text() == "50"
    _type(rates, "[[10, 20], [0, -5]]")
    assert "not below 0" in rates.error()
    assert doc.population("ta")["options"]["rates"] == [[10.0, 20.0], [0.0, 5.0]]
    _type(rates, "[[10, 20], [30, 5]]")
    assert doc.population("ta")["options"]["rates"] == [[10, 20], [30, 5]]
    page = _page(window, qtbot, "ta")
    _type(_option(page, "schedule"), "0, 40")
    assert doc.population("ta")["options"]["schedule"] == [0.0, 40.0]
    page = _page(window, qtbot, "ta")
    _type(_option(page, "schedule"), "40, 10")
    assert "must increase" in _option(page, "schedule").error()
    _type(_option(page, "period"), "-3")
    assert "-1: play once" in _option(page, "period").error()
    _type(_option(page, "period"), "-1")
    assert doc.population("ta")["options"]["period"] == -1.0
