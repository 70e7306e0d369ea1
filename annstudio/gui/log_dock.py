"""The log: build output, compiler log, run messages and errors (read-only text)."""
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QPlainTextEdit


class LogView(QPlainTextEdit):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setReadOnly(True)
        self.setObjectName("log")
        self.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
        self.setMaximumBlockCount(5000)

    def append_text(self, text):
        self.appendPlainText(str(text).rstrip())
        self.verticalScrollBar().setValue(self.verticalScrollBar().maximum())
