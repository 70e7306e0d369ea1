"""The public coverage table of ANNarchy's API in annstudio (docs/annarchy-compatibility.md).

Two steps:

1. ``python tools/annarchy_coverage.py dump OUT.json`` run by a Python where ANNarchy is installed (ANNarchy
   5.0.4.1 and 4.8.2.6 in scratch venvs) writes the public API it exposes: every public top-level name, its
   kind, the keyword arguments of functions, the public members of classes and their keyword arguments.
   The dumps (names and argument names only) are kept in ``tools/annarchy_api/`` so the table can be
   rebuilt and checked without ANNarchy.
2. ``.venv/bin/python tools/annarchy_coverage.py table`` compares both dumps with what ``annstudio.engine``
   exposes and writes the table section of docs/annarchy-compatibility.md (between the two markers) and the
   summary counts in README.md (the line marked ``counts: tools/annarchy_coverage.py``);
   ``--check`` only says whether the file is up to date (``tests/tools/test_annarchy_coverage.py``).

Status of each ANNarchy name / member: **supported** (exists, accepts every ANNarchy keyword), **differs**
(exists; how it differs: the keywords it lacks, or the note in ``NOTES``), **not supported** (absent; why:
the reason in ``REASONS`` or "not implemented").
"""
import argparse
import inspect
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
DUMPS = {"5.0.4.1": ROOT / "tools" / "annarchy_api" / "annarchy-5.0.4.1.json",
         "4.8.2.6": ROOT / "tools" / "annarchy_api" / "annarchy-4.8.2.6.json"}
DOC = ROOT / "docs" / "annarchy-compatibility.md"
README = ROOT / "README.md"
BEGIN, END = "<!-- coverage table: begin (tools/annarchy_coverage.py) -->", "<!-- coverage table: end -->"

# why a name is absent (exact name, or "Class.member")
REASONS = {
    "Logger": "the tensorboard logger needs tensorboardX, not a dependency",
    "ImagePopulation": "image input (Pillow) not implemented",
    "VideoPopulation": "video input (OpenCV) not implemented",
    "CmdLineArgParser": "ANNarchy's command-line options are not parsed (use setup()/the CLI)",
    "Profiler": "ANNarchy's C++ profiler; annstudio's timings are in benchmarks/",
    "check_profile_results": "ANNarchy's C++ profiler; annstudio's timings are in benchmarks/",
    "NetworkManager": "ANNarchy 4.8 internal object exposed by its star import",
    "GlobalObjectManager": "ANNarchy 4.8 internal object exposed by its star import",
    "OMP_MIN_NB_NEURONS": "ANNarchy OpenMP tuning constant; annstudio chooses its own thread blocks",
    "magic_network": "ANNarchy 5 internal helper",
    "LILConnectivity": "use CSR: same add()/push_back() for connect_with_func patterns",
    "load_parameter": "ANNarchy's deprecated XML parameter files (needs lxml); use load_parameters (JSON)",
    "*.update_launch_config": "annstudio chooses the CUDA launch configuration",
    "MonitorList": "ANNarchy's list of monitors written together to one HDF5 file: not implemented (each "
                   "Monitor.save writes its own)",
    "TimedPoissonPopulation": "not implemented (a TimedArray feeding PoissonPopulation(target=...) schedules rates)",
    "Spike2RatePopulation": "ANNarchy's hybrid extension: not implemented (DecodingProjection turns spikes into rates)",
    "Rate2SpikePopulation": "ANNarchy's hybrid extension: not implemented (PoissonPopulation(target=...) or "
                            "CurrentInjection turn rates into spikes)",
    "Network.directory": "the folder of ANNarchy's generated C++; annstudio caches its compiled kernels itself "
                         "(annstudio.codegen.cache)",
    "Network.instance": "ANNarchy internal (the compiled Cython module), no user-facing role",
    "Network.everything": "ANNarchy 4.8 keeps the constructor's flag; annstudio's Network(everything=True) copies "
                          "the global objects without keeping it",
    "Network.extensions": "ANNarchy's registry of extensions (BOLD monitors): not kept; use the objects "
                          "boldmonitor() returns",
    "Network.get_extension": "ANNarchy's registry of extensions (BOLD monitors): not kept; use the objects "
                             "boldmonitor() returns",
    "Network.get_extensions": "ANNarchy's registry of extensions (BOLD monitors): not kept; use the objects "
                              "boldmonitor() returns",
    "Population.class_name": "ANNarchy internal (the name of the generated C++ struct, pop<id>)",
    "Population.global_operations": "ANNarchy internal (the reductions its code generator found); annstudio's "
                                    "IR lists them (PopulationIR.global_ops)",
    "Population.max_delay": "ANNarchy internal (the depth of the population's spike queue); "
                            "Projection.max_delay gives the delays",
    "Projection.connector_description": "the LaTeX text ANNarchy's report() prints; annstudio's report() writes "
                                        "connector_name with the connector's arguments",
}
for _c in ("CSR", "LILConnectivity"):
    for _m in ("all_to_all", "one_to_one", "fixed_probability", "fixed_number_pre", "fixed_number_post", "gaussian",
               "dog"):
        REASONS[f"{_c}.{_m}"] = (f"ANNarchy's internal builder of the {_m} pattern (takes its C++ random generator);"
                                 f" use Projection.connect_{_m}")
    for _m in ("compute_average_row_length", "compute_average_col_idx_gap"):
        REASONS[f"{_c}.{_m}"] = ("ANNarchy internal statistics to choose a sparse storage format; annstudio's "
                                 "kernels choose their own layout")
    REASONS[f"{_c}.last_added_idx"] = "ANNarchy internal bookkeeping of the builder"
for _m in ("add_extension", "add_monitor", "add_network", "add_population", "add_projection", "clear", "cy_instance",
           "get_code_directory", "get_extensions", "get_network_dict", "number_extensions", "set_code_directory",
           "set_compiled", "set_cy_instance"):
    REASONS[f"NetworkManager.{_m}"] = ("ANNarchy 4.8's internal registry of networks and their compiled instances; "
                                       "annstudio's NetworkManager offers what scripts call (get_populations, "
                                       "get_projections, get_monitors, is_compiled...)")
for _m in ("cyInstance", "initialized", "get_cpp_args", "latex", "keywords", "rng", "id", "net_id",
           "requires_sorting", "short_description", "validate"):
    REASONS[f"*.{_m}"] = "ANNarchy internal (code generation / C++ instance), no user-facing role"
# how a present name behaves differently although its keywords match
NOTES = {
    "Convolution": "a constant padding adds 'padding site' synapses (counted by nb_synapses, shown in w; a "
                   "parameter padding_site marks them), and so do max/min (0.0, where ANNarchy starts) and a "
                   "bank's mean (ANNarchy divides by the whole bank); a Copy of such a convolution is refused",
    "Exponential": "annstudio draws with scale 1/Lambda (rate Lambda); ANNarchy passes Lambda as numpy's scale",
    "Population.clear": "drops the spike history compute_firing_rate counts (a SpikeSourceArray also restarts "
                        "its schedule); spikes already in a delay queue still arrive",
    "TimedArray.update": "default reset: True (5.0) for networks built with Network, False (4.8) in the 4.x "
                         "default network; reset=True needs no period; schedule/period fixed after compile",
    "*.compute_firing_rate": "r (ANNarchy's windowed spike count, measured equal) is computed from recorded "
                             "spikes when read, recorded or fed to a BOLD monitor; equations cannot read it",
    "Network.reset": "time back to 0 as ANNarchy; reseed_rng restarts the NumPy backend's generator only "
                     "(the compiled backends keep drawing)",
    "Monitor.save": ".npy writes the one variable asked for (ANNarchy 5.0.4.1 and 4.8.2.6 refuse a single variable, "
                    "their check is inverted, and write the first of several); .hdf5 stores spikes as one dataset "
                    "of steps per neuron (ANNarchy cannot store them)",
    "HomogeneousCorrelatedSpikeTrains.update": "after compile() the number of schedule times is fixed; "
                                               "reset=False keeps the schedule's clock (ANNarchy 5.0.4.1 then uses "
                                               "the first values until a schedule time comes again)",
    "HomogeneousCorrelatedSpikeTrains.mu_list": "the values in use (ANNarchy 5.0.4.1 reads back those of the "
                                                "constructor after compile())",
    "HomogeneousCorrelatedSpikeTrains.sigma_list": "the values in use, for annstudio's exact update of the process "
                                                   "(ANNarchy 5.0.4.1 reads back those of the constructor after "
                                                   "compile())",
    "Projection.load": "a file whose synapses differ replaces the projection's synapses (as ANNarchy), which "
                       "drops spikes in flight on a compiled backend",
    "Network.boldmonitor": "normalize_input on a monitor started before compile takes its baseline (ANNarchy "
                           "5.0.4.1 then divides by 1e-7); balloon_CN works (5.0.4.1 cannot create it)",
}
for _n in ("Network.get_projections", "Network.projections", "projections"):
    NOTES[_n] = ("target=: a projection with a list of targets is found by any one of them (ANNarchy 5.0.4.1 finds "
                 "it by the whole list only)")
_POPULATIONS = ("Population", "PoissonPopulation", "SpikeSourceArray", "TimedArray", "InputArray",
                "HomogeneousCorrelatedSpikeTrains")
for _p in ("Projection", "CurrentInjection", "DecodingProjection"):
    NOTES[f"{_p}.reset"] = "synapses=True (drawing the connectivity again) is refused"
    NOTES[f"{_p}.save"] = ("a .npz of dendrites of different sizes is written as object arrays (ANNarchy 5.0.4.1 and "
                           "4.8.2.6 fail to write it)")
    NOTES[f"{_p}.load"] = NOTES["Projection.load"]
for _p in _POPULATIONS:
    NOTES[f"{_p}.refractory"] = ("a number set before compile() changes this population only, as ANNarchy 4.8.2.6; "
                                 "after compile() it is refused (fixed at compile)")
    NOTES[f"{_p}.size_in_bytes"] = "0 before compile(), then the bytes of annstudio's own arrays of its values"
    NOTES[f"{_p}.init"] = "the neuron's own parameters and variables (ANNarchy adds r and g_<target> to spiking ones)"


PUBLIC_MODULES = ("models",)         # documented submodules; the others are ANNarchy's internals
LEAKED = ("name", "obj")             # loop variables left in ANNarchy's namespace, not API


def _kwargs(obj):
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    names, var_kw = [], False
    for p in sig.parameters.values():
        if p.kind == p.VAR_KEYWORD:
            var_kw = True
        elif p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name not in ("self", "cls"):
            names.append(p.name)
    return {"args": names, "var_kw": var_kw}


def _instance_attributes(cls):
    """Names a class's ``__init__`` assigns as ``self.<name> = ...`` (or ``object.__setattr__(self, "<name>", ...)``)
    and its ``__new__`` as ``obj.<name> = ...`` (public instance attributes)."""
    out = set()
    for method, var in (("__init__", "self"), ("__new__", "obj")):
        try:
            src = inspect.getsource(getattr(cls, method))
        except (TypeError, OSError):
            continue
        out |= set(re.findall(var + r"\.([A-Za-z]\w*)\s*=[^=]", src))
        for targets in re.findall(r"^\s*((?:" + var + r"\.\w+\s*,\s*)*" + var + r"\.\w+)\s*=[^=]", src, re.M):
            out |= {m for m in re.findall(var + r"\.(\w+)", targets) if m[0].isalpha()}
        out |= set(re.findall(r"object\.__setattr__\(" + var + r",\s*[\"']([A-Za-z]\w*)[\"']", src))
    return out


def _members(cls):
    out = {name: {"kind": "attribute"} for name in _instance_attributes(cls)}
    for name in dir(cls):
        if name.startswith("_") and name != "__init__":
            continue
        attr = inspect.getattr_static(cls, name, None)
        if isinstance(attr, property):
            out[name] = {"kind": "property"}
        elif isinstance(attr, (staticmethod, classmethod)) or inspect.isfunction(attr) or inspect.isroutine(attr):
            out[name] = {"kind": "method", **(_kwargs(getattr(cls, name)) or {"args": [], "var_kw": True})}
        else:
            out[name] = {"kind": "attribute"}
    return out


def describe(module, prefix):
    """{name: description} of the public top-level names of ``module`` defined by the package ``prefix``."""
    out = {}
    for name in sorted(getattr(module, "__all__", None) or dir(module)):
        if name.startswith("_"):
            continue
        obj = getattr(module, name, None)
        if name in LEAKED:
            continue
        if inspect.ismodule(obj):
            if name in PUBLIC_MODULES:
                out[name] = {"kind": "module"}
            continue
        if inspect.isclass(obj):
            if not (obj.__module__ or "").startswith(prefix):
                continue
            out[name] = {"kind": "class", "init": _kwargs(obj), "members": _members(obj)}
        elif inspect.isroutine(obj):
            if not (getattr(obj, "__module__", "") or "").startswith(prefix):
                continue
            out[name] = {"kind": "function", **(_kwargs(obj) or {"args": [], "var_kw": True})}
        elif isinstance(obj, (int, float, str, bool)):
            out[name] = {"kind": "constant"}
    return out


def _missing(ann_sig, our_sig):
    if not ann_sig or our_sig is None:
        return []
    if our_sig.get("var_kw"):
        return []
    return [a for a in ann_sig.get("args", []) if a not in our_sig.get("args", [])]


def status(name, entry, ours):
    """(status, detail) of one ANNarchy name against annstudio's description ``ours`` (or None)."""
    if ours is None:
        return "not supported", REASONS.get(name) or "not implemented"
    how = []
    if entry["kind"] == "function":
        miss = _missing(entry, ours if ours.get("kind") == "function" else ours.get("init"))
        if miss:
            how.append("no keyword " + ", ".join(miss))
    if entry["kind"] == "class" and ours.get("kind") == "class":
        miss = _missing(entry.get("init"), ours.get("init"))
        if miss:
            how.append("constructor lacks " + ", ".join(miss))
    if name in NOTES:
        how.append(NOTES[name])
    return ("differs", "; ".join(how)) if how else ("supported", "")


def rows(dumps, ours):
    """Table rows (name, versions, status, detail): top-level names, then class members."""
    names = sorted(set().union(*[d.keys() for d in dumps.values()]))
    out = []
    for name in names:
        versions = [v for v, d in dumps.items() if name in d]
        entry = dumps[versions[0]][name]
        st, detail = status(name, entry, ours.get(name))
        out.append((name, versions, st, detail))
        if entry["kind"] != "class":
            continue
        mine = (ours.get(name) or {}).get("members", {}) if (ours.get(name) or {}).get("kind") == "class" else {}
        members = sorted(set().union(*[d[name].get("members", {}).keys() for d in dumps.values()
                                       if d.get(name, {}).get("kind") == "class"]))
        for m in members:
            if m == "__init__":
                continue
            mv = [v for v in versions if m in dumps[v][name].get("members", {})]
            me = dumps[mv[0]][name]["members"][m]
            key = f"{name}.{m}"
            if st == "not supported":
                out.append((key, mv, "not supported", f"{name} is not supported"))
                continue
            our_m = mine.get(m)
            if our_m is None:
                out.append((key, mv, "not supported", REASONS.get(key) or REASONS.get(f"*.{m}") or "not implemented"))
                continue
            miss = _missing(me if me.get("kind") == "method" else None, our_m if our_m.get("kind") == "method" else None)
            note = NOTES.get(key) or NOTES.get(f"*.{m}")
            how = (["no keyword " + ", ".join(miss)] if miss else []) + ([note] if note else [])
            out.append((key, mv, "differs" if how else "supported", "; ".join(how)))
    return out


def table(dumps, ours):
    """The markdown of the table section (summary counts, then one row per name)."""
    rs = rows(dumps, ours)
    lines = ["| | supported | differs | not supported |", "|---|---|---|---|"]
    for label, pick in (("top-level names", lambda r: "." not in r[0]), ("class members", lambda r: "." in r[0]),
                        ("all", lambda r: True)):
        sel = [r for r in rs if pick(r)]
        lines.append(f"| {label} | " + " | ".join(str(sum(1 for r in sel if r[2] == s))
                                                   for s in ("supported", "differs", "not supported")) + " |")
    lines += ["", "| ANNarchy name | in versions | annstudio | how / why |", "|---|---|---|---|"]
    for name, versions, st, detail in rs:
        lines.append(f"| `{name}` | {', '.join(versions)} | {st} | {detail} |")
    return "\n".join(lines)


def summary_counts(text):
    """(supported, differs, not supported) of the 'all' line of a table section."""
    for line in text.splitlines():
        if line.startswith("| all |"):
            return tuple(int(x) for x in line.strip(" |").split("|")[1:4])
    return None


def ours_description():
    import annstudio.engine as engine
    d = describe(engine, "annstudio")
    try:
        from annstudio.engine import models
        d.setdefault("models", {"kind": "module"})
        del models
    except ImportError:
        pass
    return d


def load_dumps():
    return {v: json.loads(p.read_text()) for v, p in DUMPS.items()}


def readme_counts(readme, counts):
    """The README with its summary line (the one carrying the counts marker) showing ``counts``."""
    return re.sub(r"\*\*\d+ supported, \d+ differ, \d+ not supported\*\*(?= <!-- counts: tools/annarchy_coverage)",
                  f"**{counts[0]} supported, {counts[1]} differ, {counts[2]} not supported**", readme)


def render(doc_text, section):
    head, _, rest = doc_text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{section}\n{END}{tail}"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump", help="describe the installed ANNarchy into a JSON file")
    d.add_argument("out")
    t = sub.add_parser("table", help="write (or --check) the table in docs/annarchy-compatibility.md")
    t.add_argument("--check", action="store_true")
    args = ap.parse_args(argv)
    if args.cmd == "dump":
        import ANNarchy
        pathlib.Path(args.out).write_text(json.dumps(describe(ANNarchy, "ANNarchy"), indent=1, sort_keys=True))
        return 0
    text = DOC.read_text()
    new = render(text, table(load_dumps(), ours_description()))
    readme = README.read_text()
    new_readme = readme_counts(readme, summary_counts(new))
    if args.check:
        if new != text or new_readme != readme:
            print("docs/annarchy-compatibility.md or the README counts are out of date: run "
                  "tools/annarchy_coverage.py table")
            return 1
        return 0
    DOC.write_text(new)
    README.write_text(new_readme)
    return 0


if __name__ == "__main__":
    sys.exit(main())
