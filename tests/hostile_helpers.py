"""Shared by the hostile corpora (tests/core/test_hostile_*.py, tests/project/test_hostile_corpus.py).

``within(seconds)`` fails a case that takes longer than ``seconds`` (a per-case SIGALRM timer, not a
wall-clock assert on the suite).  ``Watch`` is an audit hook, installed once per process, that records
commands run and files opened for writing while a case is active; ``Watch.start(also=...)`` can watch
further events (e.g. ``os.remove``/``os.rename`` where a case must not touch files at all).
"""
import signal
import sys
from contextlib import contextmanager

COMMANDS = ("os.system", "subprocess.Popen", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "ctypes.dlopen")
FILE_CHANGES = ("os.remove", "os.rename")


@contextmanager
def within(seconds):
    """Fail the case when it takes longer than ``seconds``."""
    def expired(*_):
        raise TimeoutError(f"case took longer than {seconds} s")
    old = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


class Watch:
    """Commands run and files opened for writing while ``active`` (``events``)."""
    events, active, installed, watched = [], False, False, COMMANDS

    @classmethod
    def start(cls, also=()):
        if not cls.installed:
            sys.addaudithook(cls._hook)
            cls.installed = True
        cls.events.clear()
        cls.watched = COMMANDS + tuple(also)
        cls.active = True

    @classmethod
    def _hook(cls, event, args):
        if not cls.active:
            return
        if event in cls.watched:
            cls.events.append((event, repr(args)[:200]))
        elif event == "open" and len(args) > 1 and isinstance(args[1], str) and any(c in args[1] for c in "wax+"):
            cls.events.append((event, repr(args)[:200]))
