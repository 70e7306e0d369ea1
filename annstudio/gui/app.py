"""Application start-up: display detection, the QApplication and the main window.

``launch(argv)`` returns a process exit code; without a display it prints a
plain message pointing to the headless CLI (exit code 2) instead of letting Qt
abort with a platform-plugin traceback.
"""
import os
import sys

NO_DISPLAY_MESSAGE = (
    "annstudio: no display found (DISPLAY / WAYLAND_DISPLAY are not set), so the studio "
    "cannot open a window.\n"
    "Run a project headless instead:  annstudio run PROJECT.json\n"
    "(or set QT_QPA_PLATFORM=offscreen to start the studio without a screen)."
)


def has_display(environ=None):
    env = os.environ if environ is None else environ
    if env.get("QT_QPA_PLATFORM", "").split(":")[0] in ("offscreen", "minimal", "vnc", "eglfs",
                                                        "linuxfb", "windows", "cocoa"):
        return True
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def launch(argv=None):
    """Open the studio (``argv[0]`` optional project path); returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not has_display():
        print(NO_DISPLAY_MESSAGE, file=sys.stderr)
        return 2
    try:
        from PySide6.QtWidgets import QApplication  # noqa: PLC0415  (Qt only when a display exists)
    except ImportError as exc:
        print(f"annstudio: the studio needs PySide6 and pyqtgraph ({exc}); "
              "install them with: pip install PySide6-Essentials pyqtgraph", file=sys.stderr)
        return 2
    from .main_window import MainWindow  # noqa: PLC0415
    app = QApplication.instance() or QApplication(["annstudio"])
    app.setApplicationName("annstudio")
    app.setOrganizationName("annstudio")
    window = MainWindow()
    previous_hook = sys.excepthook

    def report(kind, value, tb):
        # an unexpected error in a slot is shown in the studio (status bar and log)
        # and printed; the studio and the open project stay as they are
        previous_hook(kind, value, tb)
        try:
            window.show_error(f"Internal error: {kind.__name__}: {value}")
        except Exception:  # noqa: BLE001
            pass

    sys.excepthook = report
    paths = [a for a in argv if not a.startswith("-")]
    window.show()
    if paths:
        window.open_path(paths[0])
    else:
        window.offer_recovery()
    return app.exec()
