"""The public coverage table (docs/annarchy-compatibility.md) matches what annstudio exposes.

The table is rebuilt from the kept ANNarchy 5.0.4.1 / 4.8.2.6 API dumps (tools/annarchy_api/) and a fresh
introspection of ``annstudio.engine``; any name annstudio gains or loses changes it.  The README quotes its
summary counts.
"""
import importlib.util
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("annarchy_coverage", ROOT / "tools" / "annarchy_coverage.py")
cov = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cov)


def test_table_is_up_to_date():
    text = cov.DOC.read_text()
    expected = cov.render(text, cov.table(cov.load_dumps(), cov.ours_description()))
    assert text == expected, "run: .venv/bin/python tools/annarchy_coverage.py table"


def test_readme_quotes_the_summary():
    counts = cov.summary_counts(cov.DOC.read_text())
    readme = (ROOT / "README.md").read_text()
    assert counts is not None
    assert (f"{counts[0]} supported, {counts[1]} differ, {counts[2]} not supported") in readme


def test_status_follows_annstudio():
    entry = {"kind": "function", "args": ["a", "b"], "var_kw": False}
    assert cov.status("f", entry, None)[0] == "not supported"
    assert cov.status("f", entry, {"kind": "function", "args": ["a"], "var_kw": False}) == ("differs", "no keyword b")
    assert cov.status("f", entry, {"kind": "function", "args": ["a", "b"], "var_kw": False}) == ("supported", "")
    ours = cov.ours_description()
    assert "Population" in ours and "neuron" in ours["Population"]["members"]
    assert "delay" in ours["Projection"]["members"] and "synapse" in ours["Dendrite"]["members"]
