"""The sweep dashboard's feed: a project sweep played in a background thread, pulled by the GUI on a timer.

``SweepFeed(sweep, executor_factory, out)`` runs ``Sweep.run`` (the session's one sweep engine) in a
``threading.Thread``; what happens comes back as events in a thread-safe queue that the panel drains
on its timer (``drain()``): ``("start", kept, total)``, ``("result", outcome, done, total)`` and
``("end", SweepResult or None, error text or None)``.  The worker never touches a widget.  ``stop()``
cancels the pending runs; a stopped sweep resumes by running the same sweep again into the same
folder (``out``), which keeps the finished runs.
"""
import queue
import threading


class SweepFeed:
    def __init__(self, sweep, executor_factory, out):
        self.sweep = sweep
        self.executor_factory = executor_factory
        self.out = out
        self.events = queue.Queue()
        self.thread = None

    def start(self):
        self.thread = threading.Thread(target=self._play, name="annstudio-sweep", daemon=True)
        self.thread.start()

    def _play(self):
        try:
            with self.executor_factory() as executor:
                result = self.sweep.run(executor=executor, out=self.out,
                                        on_start=lambda kept, total: self.events.put(("start", kept, total)),
                                        on_result=lambda o, done, total: self.events.put(("result", o, done, total)))
            self.events.put(("end", result, None))
        except Exception as e:  # noqa: BLE001 - shown in the panel, never a crash of the studio
            self.events.put(("end", None, f"{type(e).__name__}: {e}" if not str(e).startswith(type(e).__name__)
                             else str(e)))

    def stop(self):
        self.sweep.stop()

    @property
    def running(self):
        return self.thread is not None and self.thread.is_alive()

    def wait(self, timeout=None):
        if self.thread is not None:
            self.thread.join(timeout)

    def drain(self):
        out = []
        while True:
            try:
                out.append(self.events.get_nowait())
            except queue.Empty:
                return out
