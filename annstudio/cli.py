"""The ``annstudio`` command line (also ``python -m annstudio``).

Commands: ``run`` (headless run of a project's protocol with a progress bar, recordings to
``.npz``, ``.h5`` or ``.nwb``, optional matplotlib figure as PNG/SVG/PDF), ``convert`` (a results
file to another format), ``validate``, ``export`` (equivalent Python script, ending with the same
figure), ``report`` (Markdown), ``gallery`` (the example projects), ``sweep`` (a parameter sweep on local
processes or a Dask cluster, resumable: ``annstudio.project.sweeps``).  With no command, or with a project path only, the
studio opens (``annstudio.gui`` is imported only then, so the CLI never needs Qt).

Exit codes: 0 success, 1 internal error, 2 usage error or no display for the studio,
3 missing or unreadable file, 4 invalid project, 5 build failure, 6 simulation failure,
7 cannot write an output, 130 interrupted.  Errors are one located message per problem on
stderr, never a traceback (``ANNSTUDIO_DEBUG=1`` shows it for internal errors).
"""
import argparse
import importlib
import os
import sys
from pathlib import Path

from . import __version__
from .core.errors import (AnnstudioError, BackendUnavailable, BuildError, EquationError, ModelError,
                            ProjectError, SimulationError)
from .project.export import export_script
from .project.format import InvalidProject, ProjectFileError, write_atomic
from .project.gallery import gallery_entries
from .project.plot import FORMATS as FIGURE_FORMATS
from .project.plot import write_figure
from .project.progress import RunProgress
from .project.report import project_report
from .project.results import FORMATS as RESULT_FORMATS
from .project.results import Results, ResultsError, save
from .project.results import check_format as check_results_format
from .project.results import load as load_results
from .project.runner import run_project
from .project.sweeps import SweepProgress, make_executor, project_sweep
from .project.validate import load_project

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE, EXIT_FILE, EXIT_INVALID, EXIT_BUILD, EXIT_SIMULATION, EXIT_OUTPUT = range(8)
EXIT_INTERRUPTED = 130
COMMANDS = ("run", "validate", "export", "report", "gallery", "convert", "sweep")


class OutputError(Exception):
    pass


def _err(*lines):
    for line in lines:
        print(line, file=sys.stderr)


def _parser():
    p = argparse.ArgumentParser(prog="annstudio", description="annstudio: neuro-computational models. "
                                "With no command (or only a project path) the studio opens.")
    p.add_argument("--version", action="version", version=f"annstudio {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    r = sub.add_parser("run", help="run a project headless and save its recordings")
    r.add_argument("project", type=Path)
    r.add_argument("--paradigm", choices=("numpy", "openmp", "cuda"), help="backend (default: the project's)")
    r.add_argument("--threads", type=int, help="number of threads (openmp)")
    r.add_argument("--precision", choices=("float64", "float32"), help="floating point (default: the project's)")
    r.add_argument("--duration", type=float, help="cap the simulated time of the protocol (ms)")
    r.add_argument("--seed", type=int, help="override the project's seed")
    r.add_argument("--out", type=Path, help="recordings and metadata: .npz, .h5 (HDF5) or .nwb (NWB, needs "
                   "annstudio[nwb]); default PROJECT.results.npz")
    r.add_argument("--plot", type=Path, help="also draw the figure (rasters, rates, traces, weights): .png, .svg, .pdf")
    r.add_argument("--quiet", action="store_true", help="no progress bar or progress lines")
    v = sub.add_parser("validate", help="check a project file and report every problem")
    v.add_argument("project", type=Path)
    v.add_argument("--strict", action="store_true", help="treat warnings as errors")
    e = sub.add_parser("export", help="print the project as an equivalent Python script")
    e.add_argument("project", type=Path)
    e.add_argument("-o", "--output", type=Path, help="script file (default: standard output)")
    e.add_argument("--paradigm", choices=("numpy", "openmp", "cuda"), help="paradigm written in setup()")
    e.add_argument("--no-plot", action="store_true", help="leave out the figure section of the script")
    e.add_argument("--api", choices=("4", "5"), default="4",
                   help="script style: 4 = ANNarchy 4.x global API (default), 5 = ANNarchy 5 Network API")
    c = sub.add_parser("convert", help="convert a results file: annstudio convert results.npz results.h5")
    c.add_argument("source", type=Path, help="results file (.npz or .h5)")
    c.add_argument("target", type=Path, help="new file: .npz, .h5 or .nwb")
    m = sub.add_parser("report", help="describe the project in Markdown")
    m.add_argument("project", type=Path)
    m.add_argument("-o", "--output", type=Path, help="Markdown file (default: standard output)")
    sub.add_parser("gallery", help="list the example projects")
    _sweep_parser(sub)
    return p


def _sweep_parser(sub):
    s = sub.add_parser("sweep", help="run a project for many parameter values and seeds (local processes or Dask)")
    s.add_argument("project", type=Path)
    s.add_argument("--vary", action="append", required=True, metavar="NAME=VALUES",
                   help="POP.PARAM or PROJ.PARAM (or duration, protocol.N.duration) = a,b,c or start:stop:count")
    s.add_argument("--seeds", type=int, default=1, help="seed replicates per point (default 1)")
    s.add_argument("--out", type=Path, required=True, help="output folder (a second invocation resumes)")
    where = s.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, help="local worker processes (default: as many as cores)")
    where.add_argument("--scheduler", metavar="ADDRESS", help="a running Dask scheduler, e.g. tcp://host:8786")
    s.add_argument("--duration", type=float, help="cap the simulated time of every run (ms)")
    s.add_argument("--paradigm", choices=("numpy", "openmp", "cuda"), help="backend (default: the project's)")
    s.add_argument("--seed", type=int, help="root of the seed tree (default: the project's seed)")
    s.add_argument("--zip", action="store_true", help="pair the --vary lists instead of taking every combination")
    s.add_argument("--quiet", action="store_true", help="no progress lines")


def _load(path, strict=False):
    project = load_project(path, strict=strict)
    for w in project.warnings:
        _err(f"{path}: warning: {w}")
    return project


def _write_text(path, text):
    try:
        write_atomic(path, text, backup=False)
    except OSError as e:
        raise OutputError(f"{path}: cannot write: {e.strerror or e}") from None


def cmd_run(args):
    project = _load(args.project)
    out = args.out or args.project.with_suffix(".results.npz")
    _check_output(out, RESULT_FORMATS, "results")
    if args.plot is not None:
        _check_output(args.plot, FIGURE_FORMATS, "figure")
    bar = RunProgress(quiet=args.quiet)
    if getattr(args, "precision", None):
        project.spec.settings.precision = args.precision
    try:
        result = run_project(project, paradigm=args.paradigm, num_threads=args.threads, duration=args.duration,
                             progress=bar, seed=args.seed)
    finally:
        bar.close()
    results = Results.from_run(result, project.spec)
    _save(results, out)
    meta = result.metadata
    print(f"{project.name}: simulated {meta['simulated_ms']:g} ms with {meta['paradigm']} "
          f"(build {meta['timings']['build_s']:.2f} s, run {meta['timings']['run_s']:.2f} s, seed {meta['seed']}); "
          f"{len(result.recordings)} recordings saved to {out}")
    for name, stream in (meta.get("streams") or {}).items():
        print(f"  monitor {name}: recording streamed to {Path(args.project).parent / stream}")
    if args.plot:
        try:
            write_figure(args.plot, results)
        except OSError as e:
            raise OutputError(f"{args.plot}: cannot write: {e.strerror or e}") from None
        print(f"figure saved to {args.plot}")
    return EXIT_OK


def _check_output(path, formats, what):
    if path.suffix.lower() not in formats:
        raise OutputError(f"{path}: a {what} file ends with {', '.join(formats)}")
    if what == "results":
        try:
            check_results_format(path)
        except ResultsError as e:
            raise OutputError(str(e)) from None
    if path.parent and not path.parent.is_dir():
        raise OutputError(f"{path}: the folder {path.parent} does not exist")


def _save(results, path):
    try:
        save(results, path)
    except OSError as e:
        raise OutputError(f"{path}: cannot write: {e.strerror or e}") from None
    except ResultsError as e:
        raise OutputError(str(e)) from None


def cmd_convert(args):
    _check_output(args.target, RESULT_FORMATS, "results")
    try:
        results = load_results(args.source)
    except ResultsError as e:
        raise ProjectFileError(str(e)) from None
    _save(results, args.target)
    print(f"{args.source} converted to {args.target}")
    return EXIT_OK


def cmd_validate(args):
    project = _load(args.project, strict=args.strict)
    n_pop = len(project.spec.populations)
    print(f"{args.project}: valid annstudio project ({n_pop} populations, {len(project.spec.projections)} "
          f"projections, {len(project.spec.monitors)} monitors, {len(project.protocol)} protocol steps, "
          f"{len(project.warnings)} warnings)")
    return EXIT_OK


def cmd_export(args):
    project = _load(args.project)
    text = export_script(project.data, paradigm=args.paradigm, source=args.project, digest=project.digest,
                         plot=not args.no_plot, api=int(args.api))
    if args.output:
        _write_text(args.output, text)
        print(f"script written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_report(args):
    text = project_report(_load(args.project))
    if args.output:
        _write_text(args.output, text)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_sweep(args):
    project = _load(args.project)
    try:
        sweep = project_sweep(project, args.vary, seeds=args.seeds, limit=args.duration, paradigm=args.paradigm,
                              grid=not args.zip, seed=args.seed)
    except ModelError as e:
        _err(f"annstudio sweep: {e}")
        return EXIT_USAGE
    try:
        executor = make_executor(args.workers, args.scheduler)
    except SimulationError as e:
        _err(f"annstudio sweep: {e}")
        return EXIT_USAGE
    print(f"{project.name}: {sweep.total} runs ({len(sweep.points)} points x {sweep.replicates} seeds) on "
          f"{executor.description}; results in {args.out}", file=sys.stderr)
    bar = SweepProgress(sweep.total, quiet=args.quiet)
    try:
        result = sweep.run(executor=executor, out=args.out, on_result=bar, on_start=bar.start)
    except ModelError as e:            # the folder holds another sweep
        _err(f"annstudio sweep: {e}")
        return EXIT_USAGE
    except OSError as e:
        raise OutputError(f"{args.out}: cannot write: {e.strerror or e}") from None
    finally:
        bar.close()
        executor.close()
    for run, message in sorted(result.failed.items()):
        _err(f"{args.project}: run {run}: {message}")
    print(f"{len(result.outcomes)}/{result.total} runs done ({result.total - result.executed} kept from the "
          f"folder, {result.executed} played); summary in {args.out / 'summary.csv'}")
    return EXIT_SIMULATION if result.failed else EXIT_OK


def cmd_gallery(args):
    for entry in gallery_entries():
        print(f"{entry.path.name:32} {entry.name}: {entry.summary}")
    return EXIT_OK


def _has_display():
    env = os.environ
    if env.get("QT_QPA_PLATFORM", "").split(":")[0] in ("offscreen", "minimal", "vnc", "eglfs", "linuxfb"):
        return True
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def open_studio(argv):
    """Open the GUI (imported only here); a clear message instead of a Qt traceback."""
    if not _has_display():
        _err("annstudio: no display found (DISPLAY / WAYLAND_DISPLAY are not set), so the studio cannot open.",
             "Run a project headless instead:   annstudio run PROJECT.json [--plot figure.png]",
             "Other commands: annstudio validate | export | report | gallery  (annstudio --help)")
        return EXIT_USAGE
    if argv and not Path(argv[0]).is_file():
        _err(f"{argv[0]}: no such file")
        return EXIT_FILE
    try:
        gui = importlib.import_module("annstudio.gui")
    except ImportError as e:
        _err(f"annstudio: the studio cannot start ({e}); install PySide6-Essentials and pyqtgraph, "
             "or use the headless commands (annstudio --help)")
        return EXIT_USAGE
    return int(gui.launch(argv) or 0)


HANDLERS = {"run": cmd_run, "validate": cmd_validate, "export": cmd_export, "report": cmd_report,
            "gallery": cmd_gallery, "convert": cmd_convert, "sweep": cmd_sweep}


# how main() reports an error without a traceback: the first row whose classes match gives the line and
# the exit status (an invalid project adds its problems, a failed build the end of its log)
_FAILURES = (
    (ProjectFileError, "annstudio: {e}", EXIT_FILE),
    (InvalidProject, "{where}: invalid project ({n} problem(s)):", EXIT_INVALID),
    ((ProjectError, EquationError, ModelError), "{where}: invalid project: {e}", EXIT_INVALID),
    ((BuildError, BackendUnavailable), "{where}: build failed: {e}", EXIT_BUILD),
    (SimulationError, "{where}: simulation failed: {e}", EXIT_SIMULATION),
    (OutputError, "annstudio: {e}", EXIT_OUTPUT),
    (AnnstudioError, "{where}: {e}", EXIT_INVALID),
    (MemoryError, "{where}: out of memory while building or running the network", EXIT_SIMULATION),
)


def _report_failure(e, where):
    problems = getattr(e, "problems", ()) if isinstance(e, InvalidProject) else ()
    kinds, message, status = next(row for row in _FAILURES if isinstance(e, row[0]))
    _err(message.format(e=e, where=where, n=len(problems)))
    if kinds is InvalidProject:
        _err(*(f"  {p}" for p in problems[:200]))
        if len(problems) > 200:
            _err(f"  ... and {len(problems) - 200} more")
    elif status == EXIT_BUILD and getattr(e, "log", ""):
        _err(*e.log.splitlines()[-30:])
    return status


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and not argv[0].startswith("-")):
        return open_studio(argv)
    try:
        args = _parser().parse_args(argv)
    except SystemExit as e:
        return EXIT_USAGE if e.code not in (0, None) else EXIT_OK
    if args.command is None:
        return open_studio([])
    where = getattr(args, "project", None)
    try:
        return HANDLERS[args.command](args)
    except KeyboardInterrupt:
        _err("annstudio: interrupted")
        return EXIT_INTERRUPTED
    except (AnnstudioError, OutputError, MemoryError) as e:
        return _report_failure(e, where)
    except Exception as e:  # noqa: BLE001 - the CLI promises no traceback
        if os.environ.get("ANNSTUDIO_DEBUG"):
            raise
        _err(f"annstudio: internal error: {type(e).__name__}: {e}",
             "(set ANNSTUDIO_DEBUG=1 to see the traceback, and please report it)")
        return EXIT_INTERNAL
