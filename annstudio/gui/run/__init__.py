"""Running a project from the studio: build and run off the GUI thread.

``feed`` holds the live recordings (plain numpy, filled by the worker thread,
read by the plots), ``worker`` runs the session's chunked generator in a
Python thread, ``controller`` is the Qt-facing state machine (Build, Run,
Pause, Resume, Stop, Step, live parameters).
"""
