"""Syntax highlighting of equation blocks: numbers, functions, the type's own
names (parameters vs variables), flags after ``:``, ``d x/dt`` and comments."""
import re

from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat

from ...core.equations.expressions import FUNCTIONS

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"\b\d+(\.\d*)?([eE][-+]?\d+)?\b|\.\d+\b")
_DERIV = re.compile(r"\bd[A-Za-z_][A-Za-z0-9_]*\s*/\s*dt\b")
FLAGS = {"init", "min", "max", "population", "projection", "postsynaptic", "explicit", "implicit",
         "exponential", "midpoint", "rk4", "event-driven", "event", "driven", "int", "bool", "float",
         "unless_refractory", "unless_post", "method"}
KEYWORDS = {"if", "then", "else", "and", "or", "not", "sum", "pre", "post", "t", "dt", "pi", "True", "False"}


def _fmt(color, bold=False, italic=False):
    f = QTextCharFormat()
    f.setForeground(QColor(color))
    if bold:
        f.setFontWeight(QFont.Bold)
    f.setFontItalic(italic)
    return f


class EquationHighlighter(QSyntaxHighlighter):
    def __init__(self, document):
        super().__init__(document)
        self.parameters, self.variables = set(), set()
        self.formats = {
            "number": _fmt("#1c6e8c"), "function": _fmt("#7b3fa0"), "parameter": _fmt("#a05a00"),
            "variable": _fmt("#0b6b2f", bold=True), "keyword": _fmt("#303f9f", bold=True),
            "flag": _fmt("#888888", italic=True), "comment": _fmt("#9e9e9e", italic=True),
            "derivative": _fmt("#0b6b2f", bold=True),
        }

    def set_names(self, parameters, variables):
        parameters, variables = set(parameters), set(variables)
        if (parameters, variables) != (self.parameters, self.variables):
            self.parameters, self.variables = parameters, variables
            self.rehighlight()

    def highlightBlock(self, text):
        comment = text.find("#")
        code_end = comment if comment >= 0 else len(text)
        flag_start = text.find(":", 0, code_end)
        for m in _NUMBER.finditer(text, 0, code_end):
            self.setFormat(m.start(), m.end() - m.start(), self.formats["number"])
        for m in _WORD.finditer(text, 0, code_end):
            word, start = m.group(), m.start()
            if start > 0 and text[start - 1] == ".":
                kind = "variable" if word in self.variables else "parameter" if word in self.parameters else None
            elif flag_start >= 0 and start > flag_start:
                kind = "flag"
            elif word in FUNCTIONS:
                kind = "function"
            elif word in KEYWORDS:
                kind = "keyword"
            elif word in self.variables:
                kind = "variable"
            elif word in self.parameters:
                kind = "parameter"
            else:
                kind = None
            if kind:
                self.setFormat(start, m.end() - start, self.formats[kind])
        for m in _DERIV.finditer(text, 0, code_end):
            self.setFormat(m.start(), m.end() - m.start(), self.formats["derivative"])
        if comment >= 0:
            self.setFormat(comment, len(text) - comment, self.formats["comment"])
