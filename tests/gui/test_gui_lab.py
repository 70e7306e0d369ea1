"""The single-neuron lab in the studio: what a student sees in its plots and fields."""
import numpy as np
import pytest
from PySide6.QtCore import Qt

pytestmark = pytest.mark.gui


def _lif_rate(i, t_ref=0.0, tau=20.0, v_rest=-65.0, v_thresh=-50.0, v_reset=-65.0):
    v_inf = v_rest + tau * i
    with np.errstate(all="ignore"):
        return np.where(v_inf > v_thresh, 1000.0 / (t_ref + tau * np.log((v_inf - v_reset) / (v_inf - v_thresh))), 0.0)


def _type_into(qtbot, field, text):
    field.edit.clear()
    qtbot.keyClicks(field.edit, text)
    qtbot.keyClick(field.edit, Qt.Key_Return)


def test_menu_opens_the_lab_and_plots_the_fi_curve(window, qtbot):
    window.new_project()
    window.actions["neuron_lab"].trigger()
    lab = window.neuron_lab
    assert window.tabs.currentWidget() is lab
    assert lab.set_type("IF_curr_exp")
    with qtbot.waitSignal(lab.computed, timeout=20000):
        lab.schedule(0)
    currents, rates = lab.fi_curve.getData()
    assert len(currents) == 21 and currents[0] == 0.0 and currents[-1] == pytest.approx(2.0)
    np.testing.assert_allclose(rates, _lif_rate(currents), rtol=0.02, atol=0.5)
    assert "i_offset" in lab.fi_plot.getAxis("bottom").labelText
    assert "nA" in lab.fi_plot.getAxis("bottom").labelText
    assert "Hz" in lab.fi_plot.getAxis("left").labelText


def test_typing_a_parameter_updates_the_curve_without_rebuilding(window, qtbot):
    lab = window.neuron_lab
    lab.set_type("IF_curr_exp")
    with qtbot.waitSignal(lab.computed, timeout=20000):
        lab.schedule(0)
    sim = lab.lab._sims[21]
    with qtbot.waitSignal(lab.computed, timeout=20000):
        _type_into(qtbot, lab.param_fields["tau_refrac"], "5")
    currents, rates = lab.fi_curve.getData()
    np.testing.assert_allclose(rates, _lif_rate(currents, t_ref=5.0), rtol=0.02, atol=0.5)
    assert lab.lab._sims[21] is sim


def test_bad_parameter_is_explained_in_words_and_not_applied(window, qtbot):
    window.actions["neuron_lab"].trigger()
    lab = window.neuron_lab
    lab.set_type("IF_curr_exp")
    field = lab.param_fields["tau_m"]
    qtbot.waitUntil(field.isVisible)
    _type_into(qtbot, field, "twenty")
    assert "not a number" in field.error() and "not applied" in field.error()
    assert field.message.isVisible()
    assert lab.lab.params.get("tau_m", 20.0) == 20.0
    _type_into(qtbot, field, "10")
    assert field.error() == "" and lab.lab.params["tau_m"] == 10.0


def test_phase_plane_of_izhikevich_shows_its_nullclines(window, qtbot):
    window.show_workspace()
    lab = window.neuron_lab
    lab.tabs.setCurrentIndex(2)
    lab.set_type("Izhikevich")
    assert lab.tabs.isTabEnabled(2)
    with qtbot.waitSignal(lab.computed, timeout=20000):
        lab.schedule(0)
    current = lab.pp_current.value()
    xs, ys = lab.pp_null_x.getData()
    np.testing.assert_allclose(ys, 0.04 * xs ** 2 + 5 * xs + 140 + current, atol=1e-9)
    xs, ys = lab.pp_null_y.getData()
    np.testing.assert_allclose(ys, 0.2 * xs, atol=1e-9)
    tx, _ty = lab.pp_traj.getData()
    assert np.isfinite(tx).sum() > 100
    # a parameter change moves the u-nullcline
    with qtbot.waitSignal(lab.computed, timeout=20000):
        _type_into(qtbot, lab.param_fields["b"], "0.25")
    xs, ys = lab.pp_null_y.getData()
    np.testing.assert_allclose(ys, 0.25 * xs, atol=1e-9)


def test_one_variable_type_has_no_phase_plane_and_step_response_shows_spikes(window, qtbot):
    lab = window.neuron_lab
    lab.tabs.setCurrentIndex(1)
    lab.set_type("IF_curr_exp")
    assert not lab.tabs.isTabEnabled(2)
    with qtbot.waitSignal(lab.computed, timeout=20000):
        lab.schedule(0)
    times, v = lab.step_curve.getData()
    spikes, _ = lab.step_spikes.getData()
    assert times[-1] == pytest.approx(300.0, abs=0.2)
    assert len(spikes) > 3 and spikes.min() > 50.0 and spikes.max() <= 250.1
    assert "mV" in lab.step_plot.getAxis("left").labelText


def test_users_own_type_from_the_project(window, qtbot, project_file):
    window.open_path(str(project_file))
    lab = window.neuron_lab
    lab.tabs.setCurrentIndex(0)
    assert lab.type_box.findText("LIF") == 0            # the project's own type comes first
    # the template's current is the parameter I
    assert lab.set_type("LIF") and lab.lab.current == "I"
    lab.fi_min.set_value(0.0)
    lab.fi_max.set_value(3.0)
    with qtbot.waitSignal(lab.computed, timeout=20000):
        lab.schedule(0)
    currents, rates = lab.fi_curve.getData()
    assert rates[currents < 1.0].max() == 0 and rates[-1] > 0     # threshold 1 above rest: rheobase I = 1


def test_parameter_tooltips_give_the_meaning_and_unit_of_library_types_only(window, project_file):
    lab = window.neuron_lab
    lab.set_type("IF_curr_exp")
    assert "in ms" in lab.param_fields["tau_m"].toolTip()
    assert "injected current" in lab.param_fields["i_offset"].toolTip() and "nA" in lab.param_fields["i_offset"].toolTip()
    window.open_path(str(project_file))
    lab.set_type("LIF")                                  # the user's own type: no unit is invented
    assert "injected current" in lab.param_fields["I"].toolTip() and "(" not in lab.param_fields["I"].toolTip()
