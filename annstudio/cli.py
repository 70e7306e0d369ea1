"""The ``annstudio`` command line (also ``python -m annstudio``).

Commands: ``run`` (headless run of a project's protocol, recordings to ``.npz``, optional
PNG figure), ``validate``, ``export`` (equivalent Python script), ``report`` (Markdown),
``gallery`` (the example projects).  With no command, or with a project path only, the
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
import time
from pathlib import Path

from . import __version__
from .core.errors import (AnnstudioError, BackendUnavailable, BuildError, EquationError, ModelError,
                            ProjectError, SimulationError)
from .project.export import export_script
from .project.format import InvalidProject, ProjectFileError, write_atomic
from .project.gallery import gallery_entries
from .project.plot import write_figure
from .project.report import project_report
from .project.runner import run_project, save_results
from .project.validate import load_project

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE, EXIT_FILE, EXIT_INVALID, EXIT_BUILD, EXIT_SIMULATION, EXIT_OUTPUT = range(8)
EXIT_INTERRUPTED = 130
COMMANDS = ("run", "validate", "export", "report", "gallery")


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
    r.add_argument("--duration", type=float, help="cap the simulated time of the protocol (ms)")
    r.add_argument("--seed", type=int, help="override the project's seed")
    r.add_argument("--out", type=Path, help="recordings and metadata (.npz; default PROJECT.results.npz)")
    r.add_argument("--plot", type=Path, help="also draw rasters and traces to this PNG file")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    v = sub.add_parser("validate", help="check a project file and report every problem")
    v.add_argument("project", type=Path)
    v.add_argument("--strict", action="store_true", help="treat warnings as errors")
    e = sub.add_parser("export", help="print the project as an equivalent Python script")
    e.add_argument("project", type=Path)
    e.add_argument("-o", "--output", type=Path, help="script file (default: standard output)")
    e.add_argument("--paradigm", choices=("numpy", "openmp", "cuda"), help="paradigm written in setup()")
    m = sub.add_parser("report", help="describe the project in Markdown")
    m.add_argument("project", type=Path)
    m.add_argument("-o", "--output", type=Path, help="Markdown file (default: standard output)")
    sub.add_parser("gallery", help="list the example projects")
    return p


class _ProgressBar:
    def __init__(self, enabled, stream=None):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = self.stream.isatty()
        self.last = -1.0
        self.t0 = time.perf_counter()

    def __call__(self, done, total, label):
        if not self.enabled:
            return
        frac = 1.0 if total <= 0 else min(1.0, done / total)
        if self.tty:
            bar = "#" * int(frac * 30)
            self.stream.write(f"\r[{bar:<30}] {frac * 100:5.1f}%  {done:10.1f}/{total:g} ms  "
                              f"{time.perf_counter() - self.t0:6.1f} s  {label[:30]:<30}")
            self.stream.flush()
        elif frac - self.last >= 0.25 or frac >= 1.0 and self.last < 1.0:
            self.stream.write(f"progress {frac * 100:5.1f}% ({done:.1f}/{total:g} ms)\n")
            self.last = frac

    def close(self):
        if self.enabled and self.tty:
            self.stream.write("\n")


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
    for target in (out, args.plot):
        if target is not None and target.parent and not target.parent.is_dir():
            raise OutputError(f"{target}: the folder {target.parent} does not exist")
    bar = _ProgressBar(not args.quiet)
    try:
        result = run_project(project, paradigm=args.paradigm, num_threads=args.threads, duration=args.duration,
                             progress=bar, seed=args.seed)
    finally:
        bar.close()
    try:
        save_results(result, out)
    except OSError as e:
        raise OutputError(f"{out}: cannot write: {e.strerror or e}") from None
    meta = result.metadata
    print(f"{project.name}: simulated {meta['simulated_ms']:g} ms with {meta['paradigm']} "
          f"(build {meta['timings']['build_s']:.2f} s, run {meta['timings']['run_s']:.2f} s, seed {meta['seed']}); "
          f"{len(result.recordings)} recordings saved to {out}")
    if args.plot:
        sizes = {}
        for m in project.spec.monitors:
            if m.kind == "population":
                sizes[m.name] = len(m.ranks) if m.ranks is not None else project.spec.population(m.target).size
        try:
            write_figure(args.plot, result.recordings, sizes, project.spec.settings.dt, meta["simulated_ms"])
        except OSError as e:
            raise OutputError(f"{args.plot}: cannot write: {e.strerror or e}") from None
        print(f"figure saved to {args.plot}")
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
    text = export_script(project.data, paradigm=args.paradigm, source=args.project, digest=project.digest)
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
            "gallery": cmd_gallery}


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
    except ProjectFileError as e:
        _err(f"annstudio: {e}")
        return EXIT_FILE
    except InvalidProject as e:
        _err(f"{where}: invalid project ({len(e.problems)} problem(s)):")
        _err(*(f"  {p}" for p in e.problems[:200]))
        if len(e.problems) > 200:
            _err(f"  ... and {len(e.problems) - 200} more")
        return EXIT_INVALID
    except (ProjectError, EquationError, ModelError) as e:
        _err(f"{where}: invalid project: {e}")
        return EXIT_INVALID
    except (BuildError, BackendUnavailable) as e:
        _err(f"{where}: build failed: {e}")
        log = getattr(e, "log", "")
        if log:
            _err(*log.splitlines()[-30:])
        return EXIT_BUILD
    except SimulationError as e:
        _err(f"{where}: simulation failed: {e}")
        return EXIT_SIMULATION
    except OutputError as e:
        _err(f"annstudio: {e}")
        return EXIT_OUTPUT
    except AnnstudioError as e:
        _err(f"{where}: {e}")
        return EXIT_INVALID
    except MemoryError:
        _err(f"{where}: out of memory while building or running the network")
        return EXIT_SIMULATION
    except Exception as e:  # noqa: BLE001 - the CLI promises no traceback
        if os.environ.get("ANNSTUDIO_DEBUG"):
            raise
        _err(f"annstudio: internal error: {type(e).__name__}: {e}",
             "(set ANNSTUDIO_DEBUG=1 to see the traceback, and please report it)")
        return EXIT_INTERNAL
