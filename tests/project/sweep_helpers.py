"""Shared data for the sweep tests (tests/session/test_sweep*.py, tests/project/test_cli_sweep.py).

``sweep_doc`` is the small two-population project with one ``simulate`` step (so a varied value is not
overwritten by a protocol ``set``); ``DaskProcesses`` starts a ``dask scheduler`` and worker processes on
127.0.0.1 (free ports, no dashboard) and stops them.
"""
import copy
import socket
import subprocess
import sys
import time

import numpy as np

from backend_fixtures import assert_same_run

from project_helpers import SMALL


def sweep_doc(duration=60.0, paradigm="numpy"):
    doc = copy.deepcopy(SMALL)
    doc["settings"]["paradigm"] = paradigm
    doc["protocol"] = [{"action": "simulate", "duration": float(duration)}]
    return doc


def assert_same_table(a, b):
    assert list(a) == list(b)
    for key in a:
        assert np.array_equal(a[key], b[key], equal_nan=True), key


def assert_same_recordings(a, b, paradigm=None):
    """The recordings of the same runs, equal element for element (on CUDA to the last bits)."""
    assert sorted(a) == sorted(b)
    for run in a:
        assert sorted(a[run]) == sorted(b[run])
        for key in a[run]:
            assert_same_run(a[run][key], b[run][key], paradigm, err_msg=f"run {run}, {key}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DaskProcesses:
    """A scheduler plus ``n`` single-threaded workers (no nanny: killing one loses it), as separate processes."""

    def __init__(self, n=2):
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.scheduler = None
        self.workers = []
        self.n = n

    def _start(self, *args):
        return subprocess.Popen([sys.executable, "-m", "dask", *args], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)

    def start(self, client_factory, timeout=120):
        self.scheduler = self._start("scheduler", "--host", "127.0.0.1", "--port", str(self.port),
                                     "--no-dashboard")
        for i in range(self.n):
            self.workers.append(self._start("worker", self.address, "--nthreads", "1", "--no-nanny",
                                            "--host", "127.0.0.1", "--no-dashboard", "--death-timeout", "60",
                                            "--name", f"w{i}"))
        deadline = time.monotonic() + timeout
        while True:
            try:
                client = client_factory(self.address)
                break
            except OSError:
                if time.monotonic() > deadline or self.scheduler.poll() is not None:
                    raise
                time.sleep(0.5)
        client.wait_for_workers(self.n, timeout=timeout)
        return client

    def kill_worker(self, i=0):
        self.workers[i].kill()
        self.workers[i].wait(timeout=30)

    def stop(self):
        for proc in self.workers + [self.scheduler]:
            if proc is not None and proc.poll() is None:
                proc.terminate()
        for proc in self.workers + [self.scheduler]:
            if proc is None:
                continue
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=20)
