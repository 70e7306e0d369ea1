"""``CodeEdit``: a plain-text editor for one equation block, with a wavy red
underline on the line of an error, and completion of known names (popup after
two letters or on Ctrl+Space)."""
import re

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QColor, QFontDatabase, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QCompleter, QPlainTextEdit, QTextEdit

from .highlighter import EquationHighlighter


class CodeEdit(QPlainTextEdit):
    edited = Signal(str)

    def __init__(self, block, parent=None):
        super().__init__(parent)
        self.block = block
        self.setObjectName(f"block_{block}")
        font = QFontDatabase.systemFont(QFontDatabase.FixedFont)
        font.setPointSizeF(10)
        self.setFont(font)
        self.setTabChangesFocus(True)
        self.setLineWrapMode(QPlainTextEdit.NoWrap)
        self.highlighter = EquationHighlighter(self.document())
        self.error_line = None
        self.completer = QCompleter(self)
        self.completer.setModel(QStringListModel([], self.completer))
        self.completer.setWidget(self)
        self.completer.setCaseSensitivity(Qt.CaseSensitive)
        self.completer.setCompletionMode(QCompleter.PopupCompletion)
        self.completer.activated.connect(self.insert_completion)
        self._quiet = False
        self._last_text = ""
        self.textChanged.connect(self._changed)
        self.fit_height()

    def fit_height(self, lines=None):
        lines = max(2, min(12, (lines or self.blockCount()) + 1))
        metrics = self.fontMetrics()
        self.setFixedHeight(int(metrics.lineSpacing() * lines + 14))

    def set_text_quiet(self, text):
        """Replace the text without emitting ``edited`` (keeps the cursor where possible)."""
        if text == self.toPlainText():
            return
        position = self.textCursor().position()
        self._quiet = True
        self.setPlainText(text)
        cursor = self.textCursor()
        cursor.setPosition(min(position, len(text)))
        self.setTextCursor(cursor)
        self._quiet = False
        self.fit_height()

    def _changed(self):
        # textChanged also fires for formatting (the highlighter): emit real edits only
        text = self.toPlainText()
        if text == self._last_text:
            return
        self._last_text = text
        self.fit_height()
        if not self._quiet:
            self.edited.emit(text)

    # ---------------------------------------------------------------- errors
    def show_error(self, line, message, token=None):
        """Underline 1-based ``line`` (None clears): only ``token`` in it when the line holds it."""
        self.show_errors([] if line is None else [(line, message, token)])

    def show_errors(self, problems):
        """Underline every ``(line, message, token)``: the offending token where it is named and
        found on its line, else the whole line; the tooltip lists every message."""
        self.error_line = problems[0][0] if problems else None
        self.underlined = []
        selections = []
        for line, message, token in problems:
            block = self.document().findBlockByNumber(max(0, line - 1))
            if not block.isValid():
                continue
            sel = QTextEdit.ExtraSelection()
            fmt = QTextCharFormat()
            fmt.setUnderlineStyle(QTextCharFormat.WaveUnderline)
            fmt.setUnderlineColor(QColor("#d32f2f"))
            fmt.setBackground(QColor("#fff0f0"))
            fmt.setToolTip(message)
            sel.format = fmt
            cursor = QTextCursor(block)
            at = _token_at(block.text(), token)
            if at is not None:
                cursor.setPosition(block.position() + at)
                cursor.setPosition(block.position() + at + len(token), QTextCursor.KeepAnchor)
            else:
                cursor.movePosition(QTextCursor.EndOfBlock, QTextCursor.KeepAnchor)
                if not cursor.hasSelection():
                    cursor.movePosition(QTextCursor.Right, QTextCursor.KeepAnchor)
            sel.cursor = cursor
            selections.append(sel)
            self.underlined.append(cursor.selectedText())
        self.setExtraSelections(selections)
        self.setToolTip("\n".join(m for _l, m, _t in problems if m))

    def underlined_line(self):
        return self.error_line

    # ---------------------------------------------------------------- completion
    def set_completions(self, names):
        self.completer.model().setStringList(sorted(set(names)))

    def _word_before_cursor(self):
        cursor = self.textCursor()
        cursor.select(QTextCursor.WordUnderCursor)
        text = cursor.selectedText()
        return text if text.replace("_", "a").isalnum() else ""

    def insert_completion(self, completion):
        cursor = self.textCursor()
        prefix = self.completer.completionPrefix()
        cursor.insertText(completion[len(prefix):])
        self.setTextCursor(cursor)

    def keyPressEvent(self, event):
        popup = self.completer.popup()
        if popup.isVisible() and event.key() in (Qt.Key_Enter, Qt.Key_Return, Qt.Key_Tab, Qt.Key_Escape):
            event.ignore()
            return
        force = event.key() == Qt.Key_Space and event.modifiers() & Qt.ControlModifier
        if not force:
            super().keyPressEvent(event)
        prefix = self._word_before_cursor()
        if not force and (len(prefix) < 2 or not event.text() or not (event.text().isalnum() or event.text() == "_")):
            popup.hide()
            return
        self.completer.setCompletionPrefix(prefix)
        if self.completer.completionCount() == 0 or (
                self.completer.completionCount() == 1 and self.completer.currentCompletion() == prefix):
            popup.hide()
            return
        popup.setCurrentIndex(self.completer.completionModel().index(0, 0))
        rect = self.cursorRect()
        rect.setWidth(popup.sizeHintForColumn(0) + popup.verticalScrollBar().sizeHint().width() + 8)
        self.completer.complete(rect)


def _token_at(text, token):
    """Start of ``token`` as a whole word in ``text`` (None when absent or not given)."""
    if not token:
        return None
    match = re.search(r"(?<![A-Za-z0-9_])" + re.escape(token) + r"(?![A-Za-z0-9_])", text)
    return match.start() if match else None
