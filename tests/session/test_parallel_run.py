"""``parallel_run`` on the sweep engine's executors: this process, forked local processes and a Dask
``LocalCluster`` of two worker processes.  A copy is the network built afresh with its run's seed, so
every executor gives the arrays of that network built and run by hand in this process; for an ANNarchy
4.x script network (closures over its objects, a list argument split over the runs) and for an
ANNarchy 5 ``Network`` subclass (a constructor argument varied per run)."""
import os

import distributed
import numpy as np
import pytest

import annstudio.engine as ann
from annstudio.core.errors import ModelError
from annstudio.session.executors import DaskExecutor, SequentialExecutor
from backend_fixtures import assert_same_run, setup_backend

RATES = [10.0, 25.0, 40.0, 60.0]


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  host="127.0.0.1") as cluster, distributed.Client(cluster) as c:
        yield c


def _script_network(paradigm, seed=11):
    """Poisson input -> noisy Izhikevich neurons, random weights: every run draws from its seed."""
    setup_backend(paradigm, dt=0.5, seed=seed)
    inp = ann.PoissonPopulation(60, rates=20.0, name="inp")
    pop = ann.Population(40, ann.Izhikevich(noise=2.0), name="pop")
    proj = ann.Projection(inp, pop, "exc", name="ip")
    proj.connect_fixed_probability(0.2, weights=ann.Uniform(5.0, 15.0))
    mon = ann.Monitor(pop, ["spike", "v"])
    return inp, pop, proj, mon


def _arrays(spikes, v, w):
    times = np.concatenate([np.asarray(spikes[r], dtype=float) for r in sorted(spikes)] or [np.zeros(0)])
    ranks = np.concatenate([np.full(len(spikes[r]), r) for r in sorted(spikes)] or [np.zeros(0)])
    return {"times": times, "ranks": ranks, "v": np.asarray(v, dtype=float), "w": np.asarray(w, dtype=float)}


def _by_hand(paradigm, seed, rate):
    """The reference: the network built, compiled and run in this process with ``seed``."""
    inp, _pop, proj, mon = _script_network(paradigm, seed=seed)
    ann.compile()
    inp.rates = rate
    ann.simulate(60.0)
    return _arrays(mon.get("spike"), mon.get("v"), np.concatenate(proj.w))


def _assert_same(runs, reference, paradigm):
    assert len(runs) == len(reference)
    for got, want in zip(runs, reference):
        assert set(got) == set(want)
        for key in want:
            assert_same_run(got[key], want[key], paradigm, err_msg=key)


def _assert_local_pids(pids, paradigm):
    """``parallel_run``'s default executor: 2 forked processes, except on the GPU, where the copies run in this
    process (a process forked from one holding a CUDA context cannot use the device)."""
    if paradigm == "cuda":
        assert pids == {os.getpid()}
    else:
        assert len(pids) == 2 and os.getpid() not in pids


def test_script_network_runs_alike_everywhere(paradigm, client):
    inp, pop, proj, mon = _script_network(paradigm)
    ann.compile()
    ann.simulate(5.0)                        # the prototype's own state is not what the copies start from

    def run(idx, net, rate, duration=60.0):
        net.get(inp).rates = rate             # net.get(obj) and the object itself both reach the copy
        net.simulate(duration)
        return _arrays(mon.get("spike"), net.get(mon).get("v"), np.concatenate(proj.w)), os.getpid()

    sequential = ann.parallel_run(method=run, number=4, sequential=True, rate=RATES)
    local = ann.parallel_run(method=run, number=4, max_processes=2, rate=RATES)
    dask = ann.parallel_run(method=run, number=4, executor=client, rate=RATES)
    assert {pid for _, pid in sequential} == {os.getpid()}
    _assert_local_pids({pid for _, pid in local}, paradigm)
    assert len({pid for _, pid in dask}) == 2
    reference = [_by_hand(paradigm, 11 + i, RATES[i]) for i in range(4)]
    for runs in (sequential, local, dask):
        _assert_same([r for r, _ in runs], reference, paradigm)
    counts = [len(r["times"]) for r, _ in sequential]
    assert counts[-1] > counts[0] > 0, counts             # more input, more spikes
    assert not np.array_equal(reference[0]["w"], reference[1]["w"])   # one seed per run: its own weights


def test_script_network_argument_lists_and_errors(client):
    _script_network("numpy")
    ann.compile()

    def run(idx, net, scale, tag="x"):
        return idx, scale, tag

    assert ann.parallel_run(method=run, number=3, sequential=True, scale=(1, 2, 3), tag="y") == \
        [(0, 1, "y"), (1, 2, "y"), (2, 3, "y")]
    with pytest.raises(ModelError, match="2 values of 'scale' for 3 runs"):
        ann.parallel_run(method=run, number=3, scale=[1, 2])
    with DaskExecutor(client=client) as executor:     # an executor given is left open for the next call
        assert ann.parallel_run(method=run, number=2, executor=executor, scale=[5, 6]) == [(0, 5, "x"), (1, 6, "x")]
        assert ann.parallel_run(method=run, number=1, executor=executor, scale=[7]) == [(0, 7, "x")]
    address = client.scheduler.address                  # a scheduler address: a client of its own, closed after
    assert ann.parallel_run(method=run, number=2, executor=address, scale=[8, 9]) == [(0, 8, "x"), (1, 9, "x")]
    with pytest.raises(ModelError, match="executor must be"):
        ann.parallel_run(method=run, number=2, executor=3, scale=[1, 2])


class _Handle:
    def __reduce__(self):
        raise TypeError("this handle cannot be pickled")


def test_what_cannot_travel_gets_a_located_error():
    _script_network("numpy")
    ann.compile()
    handle = _Handle()

    def run(idx, net):
        return handle

    with pytest.raises(ModelError, match="cannot be sent to another process") as err:
        ann.parallel_run(method=run, number=2, max_processes=2)
    assert err.value.where == "parallel_run"


def _pulse_class():
    """An ANNarchy 5 style network (defined in a function: it travels to the Dask workers by value)."""

    class Pulse(ann.Network):
        def __init__(self, n=30, w=1.0):
            self.inp = self.create(ann.PoissonPopulation(n, rates=30.0))
            self.pop = self.create(n, ann.Izhikevich(noise=1.0))
            self.proj = self.connect(self.inp, self.pop, "exc")
            self.proj.fixed_probability(0.2, weights=ann.Uniform(0.5 * w, w))
            self.m = self.monitor(self.pop, ["spike", "v"])

    return Pulse


def _pulse_run(net, duration=50.0):
    net.simulate(duration)
    return _arrays(net.m.get("spike"), net.m.get("v", reshape=False), np.concatenate(net.proj.w)), \
        (net.seed, float(net.dt), os.getpid())


def test_network_subclass_runs_alike_everywhere(paradigm, client):
    setup_backend(paradigm)
    Pulse = _pulse_class()
    net = Pulse(n=30, dt=0.5, seed=7)
    net.compile()
    weights = [0.5, 1.0, 1.5, 2.0]
    runs = {
        "sequential": net.parallel_run(_pulse_run, 4, seeds="sequential", executor=SequentialExecutor(),
                                       w=weights),
        "local": net.parallel_run(_pulse_run, 4, max_processes=2, seeds="sequential", w=weights),
        "dask": net.parallel_run(_pulse_run, 4, seeds="sequential", executor=client, w=weights),
    }
    reference = []
    for i, w in enumerate(weights):
        copy = Pulse(n=30, w=w, dt=0.5, seed=8 + i)
        copy.compile()
        reference.append(_pulse_run(copy)[0])
    for name, out in runs.items():
        assert [meta[:2] for _, meta in out] == [(8 + i, 0.5) for i in range(4)], name
        _assert_same([r for r, _ in out], reference, paradigm)
    assert len({meta[2] for _, meta in runs["dask"]}) == 2
    _assert_local_pids({meta[2] for _, meta in runs["local"]}, paradigm)
    mean_w = [r["w"].mean() for r in reference]
    assert mean_w == sorted(mean_w) and mean_w[0] < mean_w[-1]        # the constructor got its w per run
    with pytest.raises(ModelError, match="seeds="):
        net.parallel_run(_pulse_run, 2, seeds=5)


def test_copies_on_the_gpu_run_in_this_process():
    """A forked process cannot use the CUDA context of its parent (on an H100 every forked copy failed with
    "initialization error"): copies of a CUDA network run here, one after the other; others are forked."""
    from annstudio.session import parallel
    from annstudio.session.executors import ProcessExecutor
    jobs = [("script", b"", i, i, "cuda") for i in range(4)]
    runner, owned = parallel.executor_for(None, 4, 2, jobs=jobs)
    assert isinstance(runner, SequentialExecutor) and owned
    runner, owned = parallel.executor_for(None, 4, 2, jobs=[job[:4] + ("openmp",) for job in jobs])
    assert isinstance(runner, ProcessExecutor) and runner.start_method == "fork" and runner.workers == 2
    runner.close()
