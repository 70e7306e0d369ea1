"""Where sweep runs (and ``parallel_run`` copies) execute: in this process, in local worker processes, on Dask.

Every executor offers one call, ``results(fn, tasks, stop=None)``: a generator of ``(index, result)``
pairs in the order runs *finish* (``index`` is the task's position in ``tasks``), so callers stream
results as they come.  ``stop`` (a ``threading.Event``) is looked at between results, at least every
``POLL_S`` seconds: once set, pending runs are cancelled and the generator ends (runs already running
on a local process finish in the background and are dropped).  ``cancel()`` does the same from any
thread.  A run that raises ends the generator with that exception (the sweep engine's runs return
their model errors as data instead of raising).

- ``SequentialExecutor``: one run after the other, in the calling thread.
- ``ProcessExecutor(workers=None, start_method="spawn")``: a ``concurrent.futures`` pool of local
  processes (default: as many as cores); ``spawn`` is safe from threaded programs (the studio);
  ``parallel_run`` asks for ``fork`` (as ANNarchy's pool does), so a method may still read the
  script's module-level state; its jobs carry the network themselves (``parallel.py``).
- ``DaskExecutor(address=None, client=None, max_batch=8, direct=None)``: a running Dask cluster, reached
  through the ``distributed`` package: the address of a ``dask scheduler`` (``tcp://host:8786``) or a
  ``distributed.Client`` (a ``LocalCluster``'s, a dask-jobqueue cluster's).  From 8 runs per worker on, runs
  travel in batches, 2 Dask tasks per worker, ``max_batch`` runs at most (``batches``); a batch takes every
  k-th run, so each holds a spread of the sweep's values; ``max_batch=1``: every run its own task, results
  stream back one by one.  Results come straight from the workers when they all run on this machine
  (``direct=None``; ``True``/``False`` decide), else through the scheduler as Dask does by default.  Tasks are
  submitted with ``pure=False`` and unique keys; a worker lost mid-run makes the scheduler run its tasks again
  elsewhere, and each result is handed back once.

``make_executor(workers=None, scheduler=None, client=None)`` picks one (``workers`` <= 1: sequential).
"""
import concurrent.futures as cf
import functools
import multiprocessing
import os
import queue
import threading
import uuid
from urllib.parse import urlparse

import distributed

from annstudio.core.errors import SimulationError

POLL_S = 0.2
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class _Closing:
    """``with executor:`` closes it."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class SequentialExecutor(_Closing):
    workers = 1
    description = "this process"

    def __init__(self):
        self._cancel = threading.Event()

    def cancel(self):
        self._cancel.set()

    def results(self, fn, tasks, stop=None):
        self._cancel.clear()
        for i, task in enumerate(tasks):
            if self._cancel.is_set() or (stop is not None and stop.is_set()):
                return
            yield i, fn(task)

    def close(self):
        pass


class ProcessExecutor(_Closing):
    def __init__(self, workers=None, start_method="spawn"):
        self.workers = max(1, int(workers or os.cpu_count() or 1))
        self.start_method = start_method
        self.description = f"{self.workers} local processes"
        self._pool = None
        self._cancel = threading.Event()

    def _executor(self):
        if self._pool is None:
            ctx = multiprocessing.get_context(self.start_method)
            self._pool = cf.ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx)
        return self._pool

    def cancel(self):
        self._cancel.set()

    def results(self, fn, tasks, stop=None):
        self._cancel.clear()
        pool = self._executor()
        pending = {pool.submit(fn, task): i for i, task in enumerate(tasks)}
        try:
            while pending:
                if self._cancel.is_set() or (stop is not None and stop.is_set()):
                    return
                done, _ = cf.wait(list(pending), timeout=POLL_S, return_when=cf.FIRST_COMPLETED)
                for fut in done:
                    i = pending.pop(fut)
                    yield i, fut.result()
        finally:
            for fut in pending:
                fut.cancel()

    def close(self):
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskExecutor(_Closing):
    def __init__(self, address=None, client=None, timeout=30, max_batch=8, direct=None):
        if client is None and not address:
            raise SimulationError("a Dask executor needs a scheduler address or a distributed.Client")
        self._own = client is None
        if client is None:
            try:
                client = distributed.Client(address, timeout=timeout)
            except (OSError, TimeoutError) as e:
                raise SimulationError(f"cannot reach the Dask scheduler at {address}: {e}",
                                      where="--scheduler") from None
        self.client = client
        self.address = client.scheduler.address
        self.max_batch = max(1, int(max_batch))
        self.direct = direct
        self._cancel = threading.Event()

    @property
    def workers(self):
        return max(1, len(self.client.scheduler_info().get("workers", {})))

    def _direct(self, info):
        """Whether results come straight from the workers: ``direct`` if given, else when every worker listens on
        this machine's loopback (a local cluster: no hop through the scheduler, and nothing to be unreachable);
        otherwise the client's own setting (through the scheduler by default)."""
        if self.direct is not None:
            return bool(self.direct)
        hosts = {urlparse(address).hostname for address in info.get("workers", {})}
        return True if hosts and hosts <= LOOPBACK else None

    @property
    def description(self):
        return f"Dask cluster {self.address} ({self.workers} workers)"

    def cancel(self):
        self._cancel.set()

    def batches(self, n, workers=None):
        """How many Dask tasks carry ``n`` runs: one per run, unless there are at least 8 runs per worker; then
        2 per worker, or more where a batch would exceed ``max_batch`` runs, always a multiple of the workers
        (equal shares).  Each Dask task costs the scheduler, the client and the worker about 8 ms of CPU
        together (16 COBA 4000 variants of 50 ms on 2 workers and 2 cores: 0.553 s as 16 tasks, 0.519 s as 8,
        0.502 s as 4); ``max_batch`` bounds how long results wait in a batch of long runs."""
        w = workers or self.workers
        if n < 8 * w:
            return n
        per_worker = max(2, -(-(-(-n // self.max_batch)) // w))
        return min(n, w * per_worker)

    def batch_size(self, n):
        """Runs in the largest batch of ``n`` runs."""
        return -(-n // self.batches(n)) if n else 1

    def results(self, fn, tasks, stop=None):
        """Results as they finish: ``distributed.as_completed`` says which tasks ended, a thread gathers what
        they returned (the ones that ended together in one request; from the workers directly, see
        ``_direct``) and hands them over, so a stop is seen within POLL_S."""
        self._cancel.clear()
        tasks = list(tasks)
        info = self.client.scheduler_info()
        direct = self._direct(info)
        # batch j holds runs j, j + k, j + 2k, ... (k batches): neighbouring runs of a sweep (close values,
        # similar cost) spread over the batches, so the workers' shares come out even
        k = self.batches(len(tasks), max(1, len(info.get("workers", {}))))
        token = uuid.uuid4().hex[:12]
        futures = self.client.map(functools.partial(_run_batch, fn), [tasks[j::k] for j in range(k)],
                                  key=[f"annstudio-run-{token}-{j}" for j in range(k)], pure=False)
        index = {fut.key: j for j, fut in enumerate(futures)}
        pending = set(index)
        arrivals = distributed.as_completed(futures)
        handed = queue.Queue()

        def hand_over():
            try:
                for done in arrivals.batches():
                    ended = [fut for fut in done if fut.status == "finished"]
                    got = dict(zip([fut.key for fut in ended], self.client.gather(ended, direct=direct))) \
                        if ended else {}
                    for fut in done:
                        handed.put((fut, got.get(fut.key)))
            except BaseException as e:          # noqa: BLE001 - passed on to the caller's thread
                handed.put((None, e))
            handed.put(None)

        threading.Thread(target=hand_over, name="annstudio-dask-results", daemon=True).start()
        try:
            while pending:
                if self._cancel.is_set() or (stop is not None and stop.is_set()):
                    return
                try:
                    item = handed.get(timeout=POLL_S)
                except queue.Empty:
                    continue
                if item is None:
                    break
                fut, result = item
                if fut is None:
                    raise result
                status = fut.status
                if status == "error":               # the run's own exception
                    raise fut.exception()
                if status == "cancelled":           # cancelled elsewhere (another client, the scheduler)
                    raise SimulationError(f"the Dask run {fut.key} was cancelled")
                if result is None:                  # it ended, and was lost before it was gathered: Dask runs it
                    arrivals.add(fut)               # again, and it ends once more
                    continue
                # gathered: the status may read "lost"/"pending" again by now (a worker that held the result
                # died after handing it over); the result is here all the same
                if fut.key in pending:
                    pending.discard(fut.key)
                    for m, one in enumerate(result):
                        yield index[fut.key] + m * k, one
        finally:
            if pending:
                self.client.cancel([fut for fut in futures if fut.key in pending])
            arrivals.clear()

    def close(self):
        if self._own:
            self.client.close()


def _run_batch(fn, tasks):
    """A Dask task: ``fn`` on each of ``tasks``, in order."""
    return [fn(task) for task in tasks]


def make_executor(workers=None, scheduler=None, client=None):
    """The executor for these options (see the module docstring)."""
    if client is not None or scheduler:
        return DaskExecutor(scheduler, client)
    if workers is not None and int(workers) <= 1:
        return SequentialExecutor()
    return ProcessExecutor(workers)
