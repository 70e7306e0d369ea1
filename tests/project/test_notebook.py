"""The notebook API (``annstudio.load_project``) and the example notebook in docs/, executed."""
import numpy as np
import pytest

import annstudio
from annstudio.project.validate import check_document
from annstudio.project.runner import run_project
from project_helpers import ROOT


def test_load_project_runs_the_protocol_with_times_in_ms(small_file, small_doc):
    project = annstudio.load_project(small_file)
    rec = project.run(seed=7)
    reference = run_project(check_document(small_doc)).recordings       # the CLI's runner, same seed
    times, ranks = rec.spikes("mA")
    assert np.array_equal(times, reference["mA.spike.times"] * 1.0) and np.array_equal(ranks, reference["mA.spike.ranks"])
    t, v = rec.trace("mA", "v")
    assert t[0] == 0.0 and np.allclose(np.diff(t), 1.0) and v.shape == (50, 20)
    assert np.array_equal(v, reference["mA.v"])
    assert rec.metadata["project_digest"] == project.project.digest and rec.metadata["seed"] == 7


def test_to_dataframe_has_one_row_per_spike_and_value(small_file):
    import pandas as pd         # optional at run time; declared in the test extra
    rec = annstudio.load_project(small_file).run(duration=30.0)
    df = rec.to_dataframe()
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == ["monitor", "variable", "time_ms", "neuron", "value"]
    spikes = df[(df.monitor == "mA") & (df.variable == "spike")]
    assert len(spikes) == len(rec.spikes("mA")[0]) > 0
    v = df[(df.monitor == "mA") & (df.variable == "v")]
    assert len(v) == 30 * 20 and v.time_ms.max() == 29.0
    row = v[(v.time_ms == 12.0) & (v.neuron == 3)].value.item()
    assert row == rec.trace("mA", "v")[1][12, 3]


def test_plot_gives_the_run_figure(small_file):
    fig = annstudio.load_project(small_file).plot()
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0].startswith("mA:") and "mA.v" in titles


def test_the_name_does_not_load_the_project_layer_until_used():
    import subprocess
    import sys
    code = ("import sys, annstudio; a = any(m.startswith('annstudio.project') for m in sys.modules); "
            "f = annstudio.load_project; print(a, f.__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.stdout.split() == ["False", "annstudio.project.notebook"], out.stderr
    with pytest.raises(AttributeError):
        annstudio.no_such_name


def test_the_example_notebook_executes():
    import nbclient             # the test extra
    import nbformat
    nb = nbformat.read(ROOT / "docs" / "notebook.ipynb", as_version=4)
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT / "docs")}}).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), "the figure is shown inline"
    text = "".join(o.get("text", "") for o in outputs)
    assert "output spikes" in text and "synapses, mean weight" in text and "stdp.h5" in text
