"""A corpus of malformed projects, each the small project or a gallery project with ONE thing
broken (imported by name: tests/ has no packages).

``cases()`` yields ``Case(id, doc, type_key)``; ``type_key`` is ``(section, name)`` when the
fault lies in a type's text (the equation editor must then show the same problem).  Every
document runs on NumPy and for at most a few ms, so a case that ``annstudio validate``
wrongly accepted would still be run (and caught) quickly by the tests.
"""
import copy
import json
from dataclasses import dataclass
from typing import Optional

from project_helpers import GALLERY, SMALL, trimmed

BAD_TEXT = "w < : proba = 0.5"          # the shown case: a syntax error no parser accepts
SYNAPSE = {"parameters": "", "equations": "", "pre_spike": "g_target += w"}


@dataclass
class Case:
    id: str
    doc: dict
    type_key: Optional[tuple] = None


def _small():
    doc = copy.deepcopy(SMALL)
    doc["synapses"]["S"] = dict(SYNAPSE)
    doc["projections"][0]["synapse"] = "S"
    return doc


def _set(path, value):
    """A mutation setting ``doc[path...] = value`` (a path of keys and indexes)."""
    def apply(doc):
        holder = doc
        for key in path[:-1]:
            holder = holder[key]
        holder[path[-1]] = value
    return apply


def _delete(path):
    def apply(doc):
        holder = doc
        for key in path[:-1]:
            holder = holder[key]
        del holder[path[-1]]
    return apply


def _connector(**changes):
    def apply(doc):
        doc["projections"][0]["connector"].update(changes)
    return apply


def _args(**args):
    def apply(doc):
        doc["projections"][0]["connector"]["args"] = args
    return apply


def _step(step):
    def apply(doc):
        doc["protocol"].append(step)
    return apply


def _all(*fns):
    def apply(doc):
        for fn in fns:
            fn(doc)
    return apply


P0, C0 = ("populations", 0), ("projections", 0, "connector")
SMALL_MUTATIONS = {
    # --- the file's shape (JSON Schema)
    "format": _set(("format",), "other-project"),
    "schema_version_newer": _set(("schema_version",), 99),
    "schema_version_text": _set(("schema_version",), "1"),
    "unknown_section": _set(("populatons",), []),
    "dt_negative": _set(("settings", "dt"), -1.0),
    "dt_zero": _set(("settings", "dt"), 0),
    "paradigm_unknown": _set(("settings", "paradigm"), "gpu"),
    "threads_zero": _set(("settings", "num_threads"), 0),
    "seed_negative": _set(("settings", "seed"), -1),
    "geometry_negative": _set(P0 + ("geometry",), -5),
    "geometry_zero": _set(P0 + ("geometry",), 0),
    "geometry_text": _set(P0 + ("geometry",), "ten"),
    "geometry_negative_dim": _set(("populations", 1, "geometry"), [2, -1]),
    "population_no_name": _delete(P0 + ("name",)),
    "population_bad_name": _set(P0 + ("name",), "1A"),
    "population_extra_key": _set(P0 + ("size",), 20),
    "population_kind_unknown": _set(P0 + ("kind",), "bursting"),
    "projection_no_target": _delete(("projections", 0, "target")),
    "connector_method_unknown": _connector(method="random"),
    "connector_args_object": _connector(args={"probability": {"p": 1}}),
    "weights_text": _connector(weights="heavy"),
    "distribution_unknown": _connector(weights={"distribution": "Gaussian", "args": [0, 1]}),
    "distribution_too_many_args": _connector(weights={"distribution": "Uniform", "args": [0, 1, 2, 3]}),
    "initial_text": _set(P0 + ("initial", "v"), "high"),
    "monitor_no_variables": _set(("monitors", 0, "variables"), []),
    "monitor_period_negative": _set(("monitors", 0, "period"), -1.0),
    "step_action_unknown": _step({"action": "run", "duration": 5.0}),
    "step_duration_negative": _step({"action": "simulate", "duration": -5.0}),
    "step_no_duration": _step({"action": "simulate"}),
    "step_reset_flag_text": _step({"action": "reset", "populations": "yes"}),
    "step_operator_unknown": _step({"action": "simulate_until", "max_duration": 5.0, "population": "A",
                                    "operator": "xor"}),
    "layout_no_y": _set(("layout", "A"), {"x": 1.0}),
    "type_unknown_field": _set(("synapses", "S", "prunning"), "w < 0"),
    "type_wrong_type": _set(("neurons", "LIF", "equations"), 3),
    # --- names and references
    "neuron_unknown": _set(P0 + ("neuron",), "LIFF"),
    "synapse_unknown": _set(("projections", 0, "synapse"), "STDPP"),
    "standard_unknown": _set(("neurons", "Izh"), {"standard": "Izhikevic"}),
    "standard_bad_args": _set(("neurons", "Izh"), {"standard": "Izhikevich", "args": {"nope": 1.0}}),
    "pre_unknown": _set(("projections", 0, "pre"), "C"),
    "post_unknown": _set(("projections", 0, "post"), "C"),
    "monitor_target_unknown": _set(("monitors", 0, "target"), "C"),
    "duplicate_population": _set(("populations", 1, "name"), "A"),
    "duplicate_projection": lambda d: d["projections"].append(copy.deepcopy(d["projections"][0])),
    "set_target_unknown": _step({"action": "set", "target": "C", "variable": "I", "value": 1.0}),
    "until_population_unknown": _step({"action": "simulate_until", "max_duration": 5.0, "population": "C"}),
    "view_empty_slice": _set(("projections", 0, "pre"), {"population": "A", "slice": [5, 5]}),
    "view_slice_too_long": _set(("projections", 0, "pre"), {"population": "A", "slice": [0, 30]}),
    "view_rank_too_large": _set(("projections", 0, "pre"), {"population": "A", "ranks": [25]}),
    "monitor_rank_too_large": _set(("monitors", 0, "ranks"), [100]),
    "segment_too_long": _set(("populations", 1, "initial", "I"), {"segments": [{"slice": [0, 50], "value": 1.0}]}),
    "initial_array_shape": _set(P0 + ("initial", "v"), {"array": [0.0, 1.0, 2.0]}),
    "distribution_bad_args": _connector(weights={"distribution": "Uniform", "args": [0.0]}),
    "sparse_rows_cols": _connector(method="from_sparse", weights={"rows": [0, 1], "cols": [0], "values": 1.0,
                                                                   "shape": [10, 10]}, args={}),
    "poisson_bad_option": _all(_set(P0 + ("kind",), "poisson"), _set(P0 + ("neuron",), None),
                               _set(P0 + ("initial",), {}), _set(P0 + ("options",), {"rates": 10.0, "bogus": 1}),
                               _set(("monitors", 0, "variables"), ["spike"])),
    "monitor_variable_unknown": _set(("monitors", 0, "variables"), ["spike", "u"]),
    "set_variable_unknown": _step({"action": "set", "target": "A", "variable": "u", "value": 1.0}),
    "standard_population_no_neuron": _set(P0 + ("neuron",), None),
    # --- what building and running need (these passed validate and failed run)
    "probability_above_1": _args(probability=1.5),
    "probability_negative": _args(probability=-0.1),
    "probability_missing": _args(),
    "probability_text": _args(probability="half"),
    "argument_typo": _args(probabilty=0.5),
    "self_connections_text": _args(probability=0.5, allow_self_connections="yes"),
    "number_pre_too_large": _all(_connector(method="fixed_number_pre"), _args(number=50)),
    "number_pre_fraction": _all(_connector(method="fixed_number_pre"), _args(number=2.5)),
    "number_post_too_large": _all(_connector(method="fixed_number_post"), _args(number=100)),
    "number_pre_self": _all(_connector(method="fixed_number_pre"), _args(number=20),
                            _set(("projections", 0, "pre"), "A"), _set(("projections", 0, "post"), "A")),
    "one_to_one_sizes": _all(_connector(method="one_to_one"), _args(), _set(("projections", 0, "pre"), "A")),
    "gaussian_no_sigma": _all(_connector(method="gaussian", weights=None), _args(amp=1.0)),
    "gaussian_sigma_zero": _all(_connector(method="gaussian", weights=None), _args(amp=1.0, sigma=0.0),
                                _set(("projections", 0, "pre"), "A"), _set(("projections", 0, "post"), "A")),
    "gaussian_dimensions": _all(_connector(method="gaussian", weights=None), _args(amp=1.0, sigma=0.3)),
    "dog_missing": _all(_connector(method="dog", weights=None), _args(amp_pos=1.0, sigma_pos=0.2, amp_neg=0.5),
                        _set(("projections", 0, "pre"), "B")),
    "matrix_shape": _all(_connector(method="from_matrix", weights={"array": [[1.0, 2.0]]}), _args()),
    "sparse_shape": _all(_connector(method="from_sparse", weights={"rows": [0], "cols": [0], "values": 1.0,
                                                                   "shape": [3, 3]}), _args()),
    "delays_negative": _connector(delays=-1.0),
    "weights_array_length": _all(_connector(method="all_to_all", weights={"array": [1.0, 2.0, 3.0]}), _args()),
    "weights_array_random_count": _connector(weights={"array": [1.0, 2.0, 3.0]}),
    "no_connector": _set(C0[:2] + ("connector",), None),
    "initial_unknown_variable": _set(P0 + ("initial", "x"), 1.0),
    "initial_global_on_view": _all(_set(("neurons", "LIF", "parameters"), "tau = 10.0 : population\nv_T = 1.0\nI = 1.2"),
                                   _set(("populations", 1, "initial", "tau"),
                                        {"segments": [{"slice": [0, 5], "value": 5.0}]})),
    "initial_global_array": _all(_set(("neurons", "LIF", "parameters"), "tau = 10.0 : population\nv_T = 1.0\nI = 1.2"),
                                 _set(P0 + ("initial", "tau"), {"array": [1.0] * 20})),
    "projection_initial_unknown": _set(("projections", 0, "initial"), {"z": 1.0}),
    # (a spiking projection on a target the post neuron does not read is a warning, as in ANNarchy: see
    #  test_export_run.py::test_graph_warnings_and_auto_layout, so it is not in this corpus of refusals)
    "decoding_to_spiking": _set(("projections", 0, "kind"), "decoding"),
    "injection_from_spiking": _set(("projections", 0, "kind"), "current_injection"),
    "pre_reference_unknown": _set(("synapses", "S", "pre_spike"), "g_target += w * pre.x"),
    "post_reference_unknown": _set(("synapses", "S", "pre_spike"), "g_target += w * post.y"),
    "g_target_assigned": _set(("synapses", "S", "pre_spike"), "g_target = w"),
    "spike_updates_global": _all(_set(("synapses", "S", "parameters"), "a = 1.0 : projection"),
                                 _set(("synapses", "S", "pre_spike"), "g_target += w\na += 1.0")),
    "until_without_stop_condition": _step({"action": "simulate_until", "max_duration": 5.0, "population": "A"}),
    "stop_condition_syntax": _all(_set(P0 + ("stop_condition",), "v > : 1"),
                                  _step({"action": "simulate_until", "max_duration": 5.0, "population": "A"})),
    "stop_condition_unknown_name": _all(_set(P0 + ("stop_condition",), "vv > 1"),
                                        _step({"action": "simulate_until", "max_duration": 5.0, "population": "A"})),
    "set_array_length": _step({"action": "set", "target": "A", "variable": "I", "value": {"array": [1.0, 2.0, 3.0]}}),
    "set_global_on_view": _all(_set(("neurons", "LIF", "parameters"), "tau = 10.0 : population\nv_T = 1.0\nI = 1.2"),
                               _step({"action": "set", "target": "A", "variable": "tau",
                                      "value": {"segments": [{"slice": [0, 5], "value": 5.0}]}})),
    "projection_initial_array": _set(("projections", 0, "initial"), {"w": {"array": [1.0, 2.0]}}),
    "projection_initial_array_length": _all(_connector(method="all_to_all"), _args(),
                                            _set(("projections", 0, "initial"), {"w": {"array": [1.0, 2.0]}})),
    "set_projection_array": _step({"action": "set", "target": "AB", "variable": "w",
                                   "value": {"array": [1.0, 2.0, 3.0]}}),
    "spike_times_count": _all(_set(P0 + ("kind",), "spike_source_array"), _set(P0 + ("neuron",), None),
                              _set(P0 + ("initial",), {}), _set(P0 + ("options",), {"spike_times": [[1.0], [2.0]]}),
                              _set(("monitors", 0, "variables"), ["spike"])),
}

# the type-text faults: (section, name, field, text)
TYPE_FAULTS = [("neurons", "LIF", f, BAD_TEXT) for f in
               ("parameters", "equations", "spike", "reset", "functions", "axon_spike", "axon_reset")] + [
    ("neurons", "LIF", "refractory", "2.0 +"),
    ("neurons", "LIF", "equations", "tau * dv/dt = -v + I + g_exc + vv"),
    ("neurons", "LIF", "spike", "v > v_thresh"),
    ("neurons", "LIF", "parameters", "tau = 10.0\ntau = 5.0\nv_T = 1.0\nI = 1.2"),
    ("neurons", "LIF", "reset", "v = "),
] + [("synapses", "S", f, BAD_TEXT) for f in
     ("parameters", "equations", "psp", "pre_spike", "post_spike", "pre_axon_spike", "functions", "pruning",
      "creating")] + [
    ("synapses", "S", "type", "rate"),              # pre_spike on a rate-coded synapse
    ("synapses", "S", "equations", "dw/dt = -w + undefined_name"),
]


def _gallery_cases():
    for path in GALLERY:
        base = trimmed(json.loads(path.read_text()), 5.0)
        stem = path.stem

        def case(name, fn, type_key=None):
            doc = copy.deepcopy(base)
            fn(doc)
            return Case(f"{stem}-{name}", doc, type_key)
        for section in ("neurons", "synapses"):
            for tname, d in base[section].items():
                if "standard" in d:
                    continue
                yield case(f"{section}-{tname}-equations", _set((section, tname, "equations"), BAD_TEXT),
                           (section, tname))
        first = base["projections"][0]
        if first.get("connector"):
            yield case("probability_above_1", lambda d: d["projections"][0]["connector"].update(
                method="fixed_probability", args={"probability": 1.5}))
            yield case("delays_negative", lambda d: d["projections"][0]["connector"].update(delays=-2.0))
        yield case("geometry_negative", _set(("populations", 0, "geometry"), -1))
        yield case("neuron_unknown", _set(("populations", 0, "neuron"), "Nobody"))
        yield case("pre_unknown", _set(("projections", 0, "pre"), "Nobody"))
        yield case("no_connector", _set(("projections", 0, "connector"), None))
        if base["monitors"]:
            yield case("monitor_variable_unknown", _set(("monitors", 0, "variables"), ["no_such_variable"]))


def cases():
    """Every malformed project of the corpus."""
    out = []
    for name, fn in SMALL_MUTATIONS.items():
        doc = _small()
        fn(doc)
        out.append(Case(f"small-{name}", doc))
    for section, tname, field, text in TYPE_FAULTS:
        doc = _small()
        doc[section][tname][field] = text
        out.append(Case(f"small-{section}-{tname}-{field}-{len(out)}", doc, (section, tname)))
    out += list(_gallery_cases())
    return out
