""""Sweep this parameter" beyond a population's own values: a projection's weight, a parameter of its synapse
type and a Poisson population's input rate, each from its inspector row, each a sweep the engine runs."""
import copy

import numpy as np
import pytest
from PySide6.QtWidgets import QLabel

from annstudio.project.document import ProjectDocument
from gui_helpers import spiking_project

pytestmark = pytest.mark.gui


def _project():
    """The GUI tests' LIF network (recurrence off) driven by a Poisson input through a scaled synapse."""
    data = copy.deepcopy(spiking_project(size=30, duration=200.0, dt=0.5))
    data["settings"]["seed"] = 4
    data["populations"][0]["initial"] = {"I": 0.9}
    data["projections"][0]["connector"]["weights"] = 0.0
    data["synapses"]["Scaled"] = {"parameters": "scale = 1.0 : projection", "equations": "", "psp": "",
                                  "operation": "sum", "pre_spike": "g_target += scale * w", "post_spike": "",
                                  "functions": "", "description": "a spike adds scale * w"}
    data["populations"].append({"name": "inp", "geometry": [40], "neuron": None, "kind": "poisson",
                                "initial": {}, "options": {"rates": 40.0}})
    data["projections"].append({"name": "drive", "pre": "inp", "post": "exc", "target": "exc",
                                "synapse": "Scaled", "connector": {"method": "fixed_probability",
                                                                   "weights": 0.3, "delays": None,
                                                                   "args": {"probability": 0.5}}, "initial": {}})
    data["layout"]["inp"] = {"x": -200.0, "y": 0.0}
    return data


def _action(label, text):
    return next(a for a in label.actions() if a.text().startswith(text))


def _row_label(form, text):
    for row in range(form.rowCount()):
        item = form.itemAt(row, form.ItemRole.LabelRole)
        label = item.widget() if item is not None else None
        if isinstance(label, QLabel) and label.text() == text:
            return label
    raise AssertionError(f"no row {text!r}")


def test_weights_synapse_parameters_and_input_rates_can_be_swept(window, qtbot):
    window.controller.set_document(ProjectDocument(_project()))
    window.show_workspace()
    panel = window.sweep_panel
    # the projection page: the Weights row and the synapse type's parameters
    window.inspector.show_item(("projection", "drive"))
    page = window.inspector.projection
    assert [a.text() for a in page.synapse_label.actions()] == ["Sweep scale..."]
    _action(page.synapse_label, "Sweep scale").trigger()
    assert panel.parameter.text() == "drive.scale"
    weights = next(w for w in page.findChildren(QLabel) if w.text() == "Weights")
    _action(weights, "Sweep this parameter").trigger()
    assert panel.parameter.text() == "drive.w" and window.docks["Sweep"].isVisible()
    panel.values.setText("0.1,0.3,0.6")
    panel.seeds.setValue(1)
    panel.start()
    with qtbot.waitSignal(panel.finished, timeout=120_000) as done:
        pass
    result = done.args[0]
    assert result is not None and not result.failed and len(panel.grid.thumbnails) == 3
    assert list(panel.curve.x) == [0.1, 0.3, 0.6]
    assert np.all(np.diff(result.table["m_exc.rate"]) > 0) and result.table["m_exc.rate"][0] >= 0
    # a synapse parameter is runtime data too: scale 2 with w 0.3 fires as w 0.6 with scale 1
    panel.parameter.setText("drive.scale")
    panel.values.setText("2.0")
    _project_, sweep = panel._build_sweep()
    scaled = sweep.run(workers=1)
    assert scaled.table["m_exc.rate"][0] == result.table["m_exc.rate"][2]
    # the Poisson population's rate row
    window.inspector.show_item(("population", "inp"))
    rate = _row_label(window.inspector.population.options_form, "rate (Hz)")
    assert rate.isVisible()
    _action(rate, "Sweep this parameter").trigger()
    assert panel.parameter.text() == "inp.rates"
    panel.values.setText("5,80")
    _project_, sweep = panel._build_sweep()
    rates = sweep.run(workers=1).table["m_exc.rate"]
    assert rates[1] > rates[0]
    window.inspector.show_item(("population", "exc"))                  # a standard population: no rate row
    assert not window.inspector.population.rate_label.isVisible()
