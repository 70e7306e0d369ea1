"""The GUI side of the document: one ``DocumentController`` per window.

Owns the ``ProjectDocument``, the ``QUndoStack`` (each plain command from
``annstudio.project.commands`` wrapped in a ``QUndoCommand``) and re-emits the
document's change events as a Qt signal so views can follow them.  A command
that fails to apply (a duplicate name, a bad value) is reported through the
``error`` signal and leaves the document and the stack untouched.
"""
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ..project.document import ProjectDocument


class _UndoCommand(QUndoCommand):
    """A plain command on the Qt stack; it is applied before being pushed."""

    def __init__(self, controller, command):
        super().__init__(command.text)
        self.controller, self.command = controller, command
        self._skip_first_redo = True

    def redo(self):
        if self._skip_first_redo:
            self._skip_first_redo = False
            return
        self.command.apply(self.controller.document)

    def undo(self):
        self.command.revert(self.controller.document)

    def id(self):
        key = self.command.merge_key
        return -1 if key is None else (hash(key) & 0x3FFFFFFF)

    def mergeWith(self, other):
        if not isinstance(other, _UndoCommand) or other.command.merge_key != self.command.merge_key:
            return False
        return bool(self.command.merge(other.command))


class DocumentController(QObject):
    changed = Signal(object)          # annstudio.project.document.Change
    replaced = Signal()               # a new document was loaded
    error = Signal(str)

    def __init__(self, document=None, parent=None):
        super().__init__(parent)
        self.stack = QUndoStack(self)
        self.document = None
        self.set_document(document or ProjectDocument())

    def set_document(self, document):
        if self.document is not None:
            self.document.unsubscribe(self._forward)
        self.document = document
        document.subscribe(self._forward)
        self.stack.clear()
        self.stack.setClean()
        self.replaced.emit()

    def _forward(self, change):
        self.changed.emit(change)

    def push(self, command):
        """Apply ``command`` and put it on the undo stack; False (and ``error``) if it fails."""
        try:
            command.apply(self.document)
        except Exception as exc:  # noqa: BLE001 - any bad edit is reported, never fatal
            self.error.emit(f"{command.text}: {exc}")
            return False
        self.stack.push(_UndoCommand(self, command))
        return True

    @property
    def dirty(self):
        try:
            return not self.stack.isClean()
        except RuntimeError:          # the stack's C++ side is gone (the application is closing)
            return False

    def mark_saved(self, path):
        self.document.mark_saved(path)
        self.stack.setClean()
