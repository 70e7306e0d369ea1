"""Work-arounds for known defects of the Qt binding, applied once at import.

PySide6 6.12.0 on CPython < 3.12 returns ``None`` from every void method
without taking a reference, so each call (``setText``, ``processEvents``,
pyqtgraph's ``setData`` ...) drops one reference to ``None``; after a few
thousand calls CPython aborts with "Fatal Python error: none_dealloc"
(6.11.3 does not do this; CPython 3.12+ makes ``None`` immortal, which hides
it).  ``protect_none()`` detects the leak with a harmless probe and, only
then, gives ``None`` an immortal-size reference count, exactly what CPython
3.12 does.  Prefer a PySide6 other than 6.12.0 on Python 3.11.
"""
import ctypes
import sys

from PySide6.QtCore import QObject

_IMMORTAL = 1 << 40
_applied = False


def void_calls_leak_none(calls=64):
    """True when calling a void Qt method drops a reference to ``None``."""
    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(calls):
        probe.setObjectName("probe")
    return sys.getrefcount(None) - before <= -calls // 2


def protect_none():
    """Apply the work-around when needed; returns True when it was applied."""
    global _applied
    if _applied or sys.version_info >= (3, 12) or not void_calls_leak_none():
        return _applied
    ctypes.c_ssize_t.from_address(id(None)).value += _IMMORTAL
    _applied = True
    return True


protect_none()
