"""Sweeps on real Dask clusters on this machine: a ``LocalCluster`` of two worker processes, and a scheduler
plus two workers started as separate ``dask scheduler`` / ``dask worker`` processes on 127.0.0.1.  The same
sweep gives the arrays of a sequential run; losing a worker mid-sweep still completes every run once."""
import time

import distributed
import numpy as np
import pytest

from annstudio.project.validate import check_document
from annstudio.session.executors import DaskExecutor, SequentialExecutor
from annstudio.session.sweep import Sweep
from sweep_helpers import DaskProcesses, assert_same_recordings, assert_same_table, sweep_doc


def _sweep(duration=60.0, values=(1.1, 1.6, 2.2), seeds=2):
    project = check_document(sweep_doc(duration))
    return Sweep(project.spec, vary={"A.I": list(values), "AB.w": [0.1, 0.6]}, seeds=seeds,
                 protocol=project.protocol, duration=project.built.duration)


@pytest.fixture(scope="module")
def reference():
    sweep = _sweep()
    return sweep.run(executor=SequentialExecutor())


@pytest.fixture(scope="module")
def process_cluster():
    cluster = DaskProcesses(2)
    try:
        client = cluster.start(lambda address: distributed.Client(address, timeout=10))
        yield cluster, client
        client.close()
    finally:
        cluster.stop()


def test_local_cluster_gives_the_sequential_arrays(reference):
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  host="127.0.0.1") as cluster, distributed.Client(cluster) as client:
        result = _sweep().run(client=client)
    assert not result.failed and result.executed == 12
    assert_same_table(result.table, reference.table)
    assert_same_recordings(result.recordings, reference.recordings)
    assert len({o["worker"] for o in result.outcomes.values()}) == 2


def test_scheduler_address_gives_the_sequential_arrays(reference, process_cluster):
    cluster, _client = process_cluster
    streamed = []
    result = _sweep().run(scheduler=cluster.address, on_result=lambda o, done, total: streamed.append(done))
    assert streamed == list(range(1, 13))
    assert_same_table(result.table, reference.table)
    assert_same_recordings(result.recordings, reference.recordings)


def test_many_short_runs_travel_in_batches_and_come_back_once_each(process_cluster):
    """From 8 runs per worker on, runs travel in batches that keep 2 Dask tasks per worker (8 runs at most, or
    ``max_batch``); each run still comes back once, under its own index, and a batched sweep gives the
    sequential arrays."""
    _cluster, client = process_cluster
    executor = DaskExecutor(client=client)
    w = executor.workers
    assert w == 2 and [executor.batch_size(n) for n in (6, 15, 16, 24, 40)] == [1, 1, 4, 6, 7]
    assert [executor.batches(n) for n in (6, 16, 40)] == [6, 4, 6]
    assert [DaskExecutor(client=client, max_batch=m).batch_size(40) for m in (1, 3)] == [1, 3]
    got = list(executor.results(str, list(range(40))))
    assert sorted(got) == [(i, str(i)) for i in range(40)]
    sweep = _sweep(values=(1.1, 1.3, 1.6, 2.2))
    assert sweep.total == 16
    result = sweep.run(executor=executor)
    alone = sweep.run(executor=SequentialExecutor())
    assert not result.failed and list(result.table["run"]) == list(range(16))
    assert_same_table(result.table, alone.table)
    assert_same_recordings(result.recordings, alone.recordings)


def test_stop_cancels_the_pending_runs_on_the_cluster(process_cluster):
    cluster, client = process_cluster
    sweep = _sweep(duration=800.0, values=(1.1, 1.3, 1.6, 1.9, 2.2), seeds=2)

    def stop_at_first(outcome, done, total):
        sweep.stop()

    with DaskExecutor(client=client) as executor:
        result = sweep.run(executor=executor, on_result=stop_at_first)
    assert result.stopped and 1 <= len(result.outcomes) < 10
    deadline = time.monotonic() + 60
    while client.processing() and any(client.processing().values()) and time.monotonic() < deadline:
        time.sleep(0.1)                          # the cancelled runs leave the workers
    assert not any(client.processing().values())


def test_a_worker_killed_mid_sweep_still_completes_every_run_once(process_cluster):
    cluster, client = process_cluster
    sweep = _sweep(duration=1500.0, values=(1.1, 1.3, 1.6, 1.9, 2.2), seeds=1)
    seen = []

    def kill_after_first(outcome, done, total):
        seen.append(outcome["run"])
        if len(seen) == 1:
            cluster.kill_worker(0)

    with DaskExecutor(client=client) as executor:
        result = sweep.run(executor=executor, on_result=kill_after_first)
    assert sorted(seen) == list(range(10)) and len(seen) == 10       # each run handed back exactly once
    assert not result.failed and list(result.table["run"]) == list(range(10))
    alone = sweep.run(executor=SequentialExecutor())
    assert_same_table(result.table, alone.table)
    assert np.all(result.table["mA.rate"] > 0)


def test_a_run_that_raises_ends_the_results_with_its_exception(process_cluster):
    """Results arrive as runs finish (pushed to the client); a run that raises ends the stream with its own
    exception, and the next call on the same executor runs normally."""
    _cluster, client = process_cluster
    executor = DaskExecutor(client=client)
    got = []
    with pytest.raises(ValueError, match="invalid literal"):
        for i, value in executor.results(int, ["1", "2", "x"]):
            got.append((i, value))
    assert set(got) <= {(0, 1), (1, 2)}
    assert sorted(executor.results(int, ["4", "5", "6"])) == [(0, 4), (1, 5), (2, 6)]



def test_results_come_straight_from_workers_on_this_machine(process_cluster):
    """A cluster whose workers all listen on loopback hands results over directly (no hop through the
    scheduler); a remote one keeps the client's setting unless ``direct=`` says otherwise."""
    _cluster, client = process_cluster
    local = DaskExecutor(client=client)
    assert local._direct(client.scheduler_info()) is True
    remote = {"workers": {"tcp://10.1.2.3:40001": {}, "tcp://127.0.0.1:40002": {}}}
    assert local._direct(remote) is None
    assert DaskExecutor(client=client, direct=False)._direct(client.scheduler_info()) is False
    assert DaskExecutor(client=client, direct=True)._direct(remote) is True
    with DaskExecutor(client=client, direct=False) as through_scheduler:
        assert sorted(through_scheduler.results(str, list(range(20)))) == sorted((i, str(i)) for i in range(20))
