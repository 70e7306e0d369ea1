"""The run figure (matplotlib): ``annstudio run --plot`` in PNG/SVG/PDF, checked on the figure
object; weight histograms for plastic projections; the exported script's figure, headless."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from annstudio import cli
from annstudio.project import plot
from annstudio.project.export import export_script
from annstudio.project.results import Results, load, plastic_projections
from annstudio.project.runner import run_project
from annstudio.project.validate import check_document, load_project
from project_helpers import ROOT, trimmed


@pytest.fixture
def drawn(monkeypatch):
    """The figures ``write_figure`` draws, as objects."""
    figures = []
    original = plot.draw_figure

    def spy(results, fig=None):
        figures.append(original(results, fig))
        return figures[-1]
    monkeypatch.setattr(plot, "draw_figure", spy)
    return figures


def test_run_plot_png_is_a_matplotlib_figure_with_the_expected_axes(tmp_path, small_file, drawn):
    out, png = tmp_path / "r.h5", tmp_path / "fig.png"
    assert cli.main(["run", str(small_file), "--out", str(out), "--plot", str(png), "--quiet"]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    (fig,) = drawn
    axes = {ax.get_title().split(":")[0] + ":" + ax.get_ylabel(): ax for ax in fig.axes}
    assert list(axes) == ["mA:Neuron index", "mA:Rate (Hz)", "mA.v:v (a.u.)", "mB:Neuron index", "mB:Rate (Hz)"]
    assert all(ax.get_xlabel() == "Time (ms)" for ax in fig.axes)
    results = load(out)
    times, ranks = results.spikes("mA")
    raster = axes["mA:Neuron index"]
    dots = raster.collections[0].get_offsets()
    assert np.array_equal(dots[:, 0], times) and np.array_equal(dots[:, 1], ranks)   # time in ms, neuron index
    assert raster.get_ylim() == (-0.5, 19.5) and raster.get_xlim() == (0.0, 50.0)
    trace = axes["mA.v:v (a.u.)"]
    assert [t.get_text() for t in trace.get_legend().get_texts()] == [f"neuron {k}" for k in range(5)]
    t, v = trace.lines[2].get_data()
    assert np.array_equal(t, np.arange(50.0)) and np.array_equal(v, results.trace("mA", "v")[1][:, 2])
    rate = axes["mA:Rate (Hz)"]
    heights = rate.patches[0].get_data()[0] if rate.patches else None
    assert heights is not None and heights.sum() * 1.0 / 1000.0 * 20 == pytest.approx(len(times))  # 1 ms bins, 20 cells


@pytest.mark.parametrize("suffix, magic", [(".svg", b"<?xml"), (".pdf", b"%PDF")])
def test_svg_and_pdf_by_extension(tmp_path, small_file, suffix, magic):
    target = tmp_path / f"fig{suffix}"
    assert cli.main(["run", str(small_file), "--out", str(tmp_path / "r.npz"), "--plot", str(target), "--quiet"]) == 0
    assert target.read_bytes()[:len(magic)] == magic


def test_unknown_figure_format_is_refused_before_running(tmp_path, small_file, capsys):
    assert cli.main(["run", str(small_file), "--plot", str(tmp_path / "fig.bmp"), "--quiet"]) == cli.EXIT_OUTPUT
    assert ".png, .svg, .pdf" in capsys.readouterr().err
    assert not (tmp_path / "fig.bmp").exists()


def test_plastic_projections_get_a_weight_histogram():
    stdp = load_project(ROOT / "projects" / "stdp.json")
    assert plastic_projections(stdp.spec) == ["proj"]
    assert plastic_projections(load_project(ROOT / "projects" / "oja.json").spec) == ["proj"]
    assert plastic_projections(load_project(ROOT / "projects" / "stp.json").spec) == []      # x, u only
    assert plastic_projections(load_project(ROOT / "projects" / "coba.json").spec) == []
    project = check_document(trimmed(json.loads((ROOT / "projects" / "stdp.json").read_text()), 200.0))
    result = run_project(project)
    results = Results.from_run(result, project.spec)
    fig = plot.draw_figure(results)
    (hist,) = [ax for ax in fig.axes if ax.get_ylabel() == "Synapses"]
    w = result.weights["proj"]
    assert hist.get_xlabel() == "w (a.u.)" and sum(p.get_height() for p in hist.patches) == w.size
    assert not np.allclose(w, w[0]), "the weights changed during the run"


def test_cli_draws_without_pyplot_or_qt(tmp_path, small_file):
    code = ("import sys; from annstudio import cli; "
            f"rc = cli.main(['run', {str(small_file)!r}, '--out', {str(tmp_path / 'r.npz')!r}, "
            f"'--plot', {str(tmp_path / 'f.png')!r}, '--quiet']); "
            "print(rc, 'matplotlib.pyplot' in sys.modules, any(m.startswith(('PySide6', 'PyQt')) for m in sys.modules))")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "MPLBACKEND")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT, env=env)
    assert out.stdout.split()[-3:] == ["0", "False", "False"], out.stderr[-2000:]


def _export_and_run(tmp_path, doc, plot_figure=True):
    script = tmp_path / "s.py"
    script.write_text(export_script(doc, plot=plot_figure))
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(MPLBACKEND="Agg", PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, str(script), str(tmp_path / "out.npz")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return script.read_text(), proc.stdout


def test_exported_script_writes_its_figure_headless(tmp_path, small_doc):
    text, stdout = _export_and_run(tmp_path, small_doc)
    assert 'if __name__ == "__main__":' in text and "draw_figure" in text
    figure = tmp_path / "out.png"
    assert f"figure saved to {figure}" in stdout
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_exported_script_without_plot(tmp_path, small_doc):
    text, stdout = _export_and_run(tmp_path, small_doc, plot_figure=False)
    assert "__main__" not in text and "matplotlib" not in text
    assert "figure saved" not in stdout and not (tmp_path / "out.png").exists()
    assert (tmp_path / "out.npz").is_file()


def test_export_no_plot_flag(tmp_path, small_file):
    script = tmp_path / "s.py"
    assert cli.main(["export", str(small_file), "-o", str(script), "--no-plot"]) == 0
    assert "draw_figure" not in script.read_text()
    assert cli.main(["export", str(small_file), "-o", str(script)]) == 0
    assert "draw_figure" in script.read_text()


def test_a_standard_models_traces_carry_its_unit_in_the_figure_and_the_hdf5_file(tmp_path, drawn):
    """Izhikevich's v is in mV (core/library/units.py), on the trace axis and as the HDF5 attribute; a user's own
    type keeps 'a.u.' (see the test above)."""
    import h5py
    doc = trimmed(json.loads((ROOT / "projects" / "izhikevich.json").read_text()), 20.0, "numpy")
    path = tmp_path / "izh.json"
    path.write_text(json.dumps(doc))
    out, png = tmp_path / "r.h5", tmp_path / "fig.png"
    assert cli.main(["run", str(path), "--out", str(out), "--plot", str(png), "--quiet"]) == 0
    (fig,) = drawn
    traces = [ax.get_ylabel() for ax in fig.axes if ax.get_title().endswith(".v")]
    assert traces == ["v (mV)"]
    with h5py.File(out) as f:
        found = []
        f.visititems(lambda name, obj: found.append((name, obj.attrs.get("unit")))
                     if name.endswith("v/values") else None)
    assert found and all(unit == "mV" for _, unit in found)
