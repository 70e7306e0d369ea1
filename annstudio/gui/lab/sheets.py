"""Lab sheets: short guided exercises (Markdown) with "Try this" buttons, shown in a side panel.

A sheet is ``annstudio/resources/labsheets/<stem>.md``; ``<stem>`` is the gallery project it goes
with (``projects/<stem>.json``) or, for a sheet that starts from an empty project, any other name.
A line ``::: try <action> | <label>`` becomes a button; actions (``parse_action`` checks them, so a
sheet with a typo fails its test, not the class):

- ``new``: a new empty project;                ``open <stem>``: open a gallery example
- ``add <name> <type> <size>``: a population (``PoissonPopulation``, ``SpikeSourceArray`` or a neuron type)
- ``connect <pre> <post> <target> <weight> <probability>``: a fixed-probability projection
- ``set <population|projection> <name> <field.path> <value>``: one field, as the inspector would
- ``record <population> <variable,...>``: add a monitor (its plot appears on the next run)
- ``setting <dt|seed|paradigm|duration|num_threads> <value>``: a simulation setting
- ``run``: build and run;  ``lab <type> [fi|step|phase]``: the neuron lab on a type
"""
import json
import re
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import QComboBox, QDockWidget, QLabel, QMainWindow, QTextBrowser, QVBoxLayout, QWidget

HEADING_SIZE = {1: 1}          # Qt's size steps (0 = the text's size) of a side panel's headings: Markdown's
                               # +3 .. +1 made "First lesson" a poster in a 300-pixel dock
PANEL_WIDTH = 400                               # the dock's width the first time a sheet is shown

SHEETS_DIR = Path(__file__).resolve().parents[2] / "resources" / "labsheets"
_TRY = re.compile(r"^:::\s*try\s+(.+?)\s*(?:\|\s*(.+))?$")
ARITY = {"new": (0, 0), "open": (1, 1), "add": (3, 3), "connect": (5, 5), "set": (4, 4), "record": (2, 2),
         "run": (0, 0), "lab": (1, 2), "setting": (2, 2)}
SETTINGS = ("dt", "seed", "paradigm", "duration", "num_threads")


@dataclass(frozen=True)
class Action:
    verb: str
    args: tuple
    label: str


def parse_action(text, label=None):
    words = text.split()
    verb, args = words[0], tuple(words[1:])
    if verb not in ARITY:
        raise ValueError(f"unknown lab-sheet action {verb!r}; use one of {', '.join(ARITY)}")
    lo, hi = ARITY[verb]
    if not lo <= len(args) <= hi:
        raise ValueError(f"'{verb}' takes {lo}" + (f" to {hi}" if hi != lo else "") + f" words, got {len(args)}")
    if verb == "set" and args[0] not in ("population", "projection"):
        raise ValueError("'set' changes a population or a projection")
    if verb == "setting" and args[0] not in SETTINGS:
        raise ValueError(f"'setting' changes one of {', '.join(SETTINGS)}")
    if verb == "lab" and len(args) == 2 and args[1] not in ("fi", "step", "phase"):
        raise ValueError("the lab opens on fi, step or phase")
    return Action(verb, args, label or text)


@dataclass
class Sheet:
    stem: str
    title: str
    markdown: str            # with the try lines turned into links try:<k>
    actions: list


def load_sheet(path):
    path = Path(path)
    lines, actions, title = [], [], path.stem
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        m = _TRY.match(line.strip())
        if m:
            try:
                action = parse_action(m.group(1), m.group(2))
            except ValueError as exc:
                raise ValueError(f"{path.name}, line {number}: {exc}") from None
            lines.extend(["", f"[▶ Try this: {action.label}](try:{len(actions)})", ""])
            actions.append(action)
            continue
        if line.startswith("# ") and title == path.stem:
            title = line[2:].strip()
        lines.append(line)
    return Sheet(path.stem, title, "\n".join(lines), actions)


def sheet_paths():
    return sorted(SHEETS_DIR.glob("*.md"), key=lambda p: (p.stem != "first_lesson", p.stem))


class LabSheetPanel(QWidget):
    """Shows one sheet; ``actionRequested(Action)`` when a Try-this link is clicked (the main window runs it)."""

    actionRequested = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("lab_sheet_panel")
        self.sheets = {p.stem: load_sheet(p) for p in sheet_paths()}
        self.chooser = QComboBox()
        for stem, sheet in self.sheets.items():
            self.chooser.addItem(sheet.title, stem)
        self.chooser.activated.connect(lambda _i: self.show_sheet(self.chooser.currentData()))
        # the longest title must not set the dock's (and so the window's) minimum width
        self.chooser.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.chooser.setMinimumContentsLength(14)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._clicked)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.chooser)
        layout.addWidget(self.browser, 1)
        layout.addWidget(self.status)
        self.current = None
        if self.sheets:
            self.show_sheet(next(iter(self.sheets)))

    def show_sheet(self, stem):
        sheet = self.sheets.get(stem)
        if sheet is None:
            return False
        self.current = sheet
        self.chooser.setCurrentIndex(self.chooser.findData(stem))
        self.browser.setMarkdown(sheet.markdown)
        self._fit_headings()
        self.status.clear()
        return True

    def _fit_headings(self):
        block = self.browser.document().begin()
        while block.isValid():
            level = block.blockFormat().headingLevel()
            if level:
                fmt = QTextCharFormat()
                fmt.setProperty(QTextFormat.Property.FontSizeAdjustment, HEADING_SIZE.get(level, 0))
                cursor = QTextCursor(block)
                cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
                cursor.mergeCharFormat(fmt)
            block = block.next()

    def showEvent(self, event):                     # noqa: N802 - Qt spelling
        """The first time the sheet is seen, its dock gets room to read (not a minimum width, which
        would widen the whole window for good)."""
        super().showEvent(event)
        QTimer.singleShot(0, self, self._widen)

    def _widen(self, tries=10):
        dock, window = self.parent(), self.window()
        if self.__dict__.get("_widened") or not isinstance(dock, QDockWidget) or not isinstance(window, QMainWindow) \
                or not self.isVisible():
            return
        if self.visibleRegion().isEmpty() or not window.isVisible():     # not laid out on screen yet
            if tries:
                # the panel is the timer's context: a panel deleted meanwhile (window closed) cancels it
                QTimer.singleShot(100, self, lambda: self._widen(tries - 1))
            return
        self._widened = True                    # once: a dock the user narrows stays narrow
        if dock.width() < PANEL_WIDTH:
            window.resizeDocks([dock], [PANEL_WIDTH], Qt.Orientation.Horizontal)

    def sheet_for_project(self, path=None, name=None, gallery=None):
        """Show the sheet of the gallery example ``path`` (or named ``name``); True when there is one."""
        stem = Path(path).stem if path else None
        if stem not in self.sheets and name and gallery is not None:
            for p in Path(gallery).glob("*.json"):
                try:
                    if json.loads(p.read_text(encoding="utf-8")).get("name") == name:
                        stem = p.stem
                        break
                except (OSError, ValueError):
                    continue
        return self.show_sheet(stem) if stem in self.sheets else False

    def trigger(self, index):
        """Run Try-this button ``index`` of the current sheet (what a click does)."""
        self._clicked(QUrl(f"try:{index}"))

    def _clicked(self, url):
        if url.scheme() != "try" or self.current is None:
            return
        index = int(url.path())
        action = self.current.actions[index]
        self.status.setText(f"Done: {action.label}")
        self.actionRequested.emit(action)
