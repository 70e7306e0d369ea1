"""``parallel_run`` on the sweep engine's executors: copies of a script-built network, anywhere.

A compiled network does not travel (its kernel is a loaded library).  What travels is the network's
description, a *snapshot*: an uncompiled copy made with ``Network.add`` (populations with their
neuron types, projections with their connectors and synapse types, monitors, the network's functions
and constants, its settings) or, for an ANNarchy 5 ``Network`` subclass, the class and the arguments
of its constructor.  The snapshot, the user's ``method`` and its arguments are pickled together with
``cloudpickle`` (functions and classes defined in ``__main__``, a notebook or a function travel by
value; importable ones by reference), and every object of the original network met on the way (a
``Population`` a closure holds, a ``Monitor`` in the arguments, a ``PopulationView``'s population) is
replaced by its copy in the snapshot: ``net.get(pop)`` and ``pop`` itself both reach the copy.

A worker unpickles one run's job, seeds it, compiles it (the kernel key is the value-free IR digest,
so every copy hits the build cache and a worker process opens the library once) and calls the
method.  A run's result depends on its job alone, so the same job gives the same arrays in this
process, in a forked local process or on a Dask worker; ``results`` hands them back as they finish
and ``parallel_run`` returns them in run order.

Executors (``executor=``): ``None`` (local processes started with ``fork``, as ANNarchy's
``multiprocessing`` pool; ``max_processes`` of them, default one per core; this process with
``sequential=True``, one run or a network on the CUDA backend), an executor of ``annstudio.session.executors``, a
``distributed.Client`` or a scheduler address (``"tcp://host:8786"``).  On Dask, a method defined in
an importable module must be importable on the workers too (module-level state it reads, e.g. a
global dict filled by the script, is not there: pass the objects as arguments or close over them).
"""
import inspect
import io
import os
import pickle
import time

import cloudpickle
import distributed
import numpy as np

from annstudio.core.errors import ModelError

from .executors import DaskExecutor, ProcessExecutor, SequentialExecutor


def _same(obj):
    return obj


class _Pickler(cloudpickle.Pickler):
    """cloudpickle, with each object of ``swap`` (by id) written as its replacement."""

    def __init__(self, file, swap):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._swap = swap

    def reducer_override(self, obj):
        new = self._swap.get(id(obj))
        if new is not None and new is not obj:
            return _same, (new,)
        return super().reducer_override(obj)


def dumps(obj, swap=None, where="parallel_run"):
    """``obj`` as bytes (see the module docstring); a located error for what cannot travel."""
    buf = io.BytesIO()
    try:
        _Pickler(buf, swap or {}).dump(obj)
    except (pickle.PicklingError, TypeError, AttributeError, ValueError) as e:
        raise ModelError(f"the run cannot be sent to another process: {e}", where=where,
                         hint="the method and its arguments must be picklable; a compiled network reaches the "
                              "method as its 'net' argument") from None
    return buf.getvalue()


def run_job(job):
    """One copy (a worker's task): ``job = (kind, blob, index, seed, paradigm)``."""
    kind, blob, idx, seed, paradigm = job
    if kind == "script":
        net, method, args = pickle.loads(blob)
        net.setup(seed=seed)
        if seed is not None:
            np.random.seed(int(seed) % (2 ** 32))
        net.compile(paradigm=paradigm)
        return method(idx, net, **args)
    cls, args, kwargs, settings, method, margs = pickle.loads(blob)
    net = cls(*args, seed=seed, **kwargs)
    for key, value in settings.items():          # the original's config (its dt and seed are the job's)
        setattr(net.spec.settings, key, value)
    net.compile(paradigm=paradigm)
    return method(net, **margs)


def executor_for(executor, number, max_processes=-1, sequential=False, where="parallel_run", jobs=()):
    """``(executor, owned)`` for ``parallel_run``'s options (see the module docstring).  Copies on the GPU
    (``jobs`` of paradigm ``"cuda"``) run in this process, one after the other: a process forked from one
    that holds a CUDA context cannot use the device, and the copies would share the one GPU anyway."""
    if executor is None:
        procs = (os.cpu_count() or 1) if max_processes is None or int(max_processes) <= 0 else int(max_processes)
        on_gpu = any(job[4] == "cuda" for job in jobs)
        if sequential or number == 1 or procs == 1 or on_gpu:
            return SequentialExecutor(), True
        return ProcessExecutor(max(1, min(procs, number)), start_method="fork"), True
    if isinstance(executor, distributed.Client):
        return DaskExecutor(client=executor), True       # the wrapper only: the client stays open
    if isinstance(executor, str):
        return DaskExecutor(executor), True
    if callable(getattr(executor, "results", None)):
        return executor, False
    raise ModelError(f"executor must be an annstudio executor, a distributed.Client or a scheduler address, "
                     f"not {type(executor).__name__}", where=f"{where}(executor=...)")


def gather(jobs, executor, owned, on_result=None):
    """Run ``jobs`` on ``executor``; the results in job order (``on_result(index, result)`` as each finishes)."""
    results = [None] * len(jobs)
    try:
        for i, result in executor.results(run_job, jobs):
            results[i] = result
            if on_result is not None:
                on_result(i, result)
    finally:
        if owned:
            executor.close()
    return results


def split_args(values, number, where, kinds=(list,)):
    """Per-run argument dicts: a value of one of ``kinds`` holds one entry per run (ANNarchy), others are shared."""
    out = [{} for _ in range(number)]
    for key, val in values.items():
        if isinstance(val, kinds):
            if len(val) != number:
                raise ModelError(f"{len(val)} values of '{key}' for {number} runs", where=where,
                                 hint="a list argument gives one value per run")
            for i in range(number):
                out[i][key] = val[i]
        else:
            for i in range(number):
                out[i][key] = val
    return out


def _paradigm(net):
    sim = net._sim
    return sim.paradigm if sim is not None and sim.backend is not None else net.spec.settings.paradigm


# -- ANNarchy 4.x: copies of the current network --------------------------------------------------------
def script_jobs(proto, method, seeds, per_run):
    """The jobs of ``parallel_run(method, number=...)`` on the script network ``proto``."""
    from .network import Network
    jobs, paradigm = [], _paradigm(proto)
    originals = proto.populations + proto.projections + proto.monitors
    for i, seed in enumerate(seeds):
        snap = Network(everything=False)
        snap.spec.settings = type(proto.spec.settings)(**vars(proto.spec.settings))
        snap._adopt_scope(proto)
        snap.add(originals)
        swap = {id(o): snap.get(o) for o in originals}
        swap[id(proto)] = snap
        blob = dumps((snap, method, per_run[i]), swap)
        jobs.append(("script", blob, i, seed, paradigm))
    return jobs


# -- ANNarchy 5: instances of a Network subclass ---------------------------------------------------------
def constructor_args(net):
    """The arguments the subclass instance was made with: ``(named, extra, positional)``: every named
    parameter's value (defaults filled in), the ``*args`` beyond them, and the names that must be
    passed by position (positional-only ones; all positional ones when there are ``*args``)."""
    args, kwargs = net._instance_args()
    params = list(inspect.signature(type(net).__init__).parameters.values())[1:]
    named = {p.name: p.default for p in params if p.default is not p.empty and
             p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    extra = list(args[len(positional):])
    for p, value in zip(positional, args):
        named[p.name] = value
    named.update(kwargs)
    by_position = [p.name for p in positional if extra or p.kind == p.POSITIONAL_ONLY]
    return named, extra, by_position


def instance_jobs(net, method, seeds, kwargs, where="Network.parallel_run"):
    """The jobs of ``Network.parallel_run``: keyword arguments the constructor takes go to it (a list:
    one value per run), the others to ``method`` (likewise), as in ANNarchy 5."""
    named, extra, positional_only = constructor_args(net)
    number = len(seeds)
    ctor = {k: v for k, v in kwargs.items() if k in named}
    rest = {k: v for k, v in kwargs.items() if k not in named}
    ctor_runs, method_runs = split_args(ctor, number, where), split_args(rest, number, where)
    settings = {k: v for k, v in vars(net.spec.settings).items() if k not in ("dt", "seed")}
    jobs, paradigm = [], _paradigm(net)
    for i, seed in enumerate(seeds):
        values = dict(named, **ctor_runs[i])
        values.setdefault("dt", float(net.dt))
        args = [values.pop(n) for n in positional_only] + extra
        blob = dumps((type(net), tuple(args), values, settings, method, method_runs[i]), where=where)
        jobs.append(("instance", blob, i, seed, paradigm))
    return jobs


def run_and_time(jobs, executor, owned, measure_time, label=None):
    label = label or ("sequentially" if isinstance(executor, SequentialExecutor) else "in parallel")
    t0 = time.perf_counter()
    results = gather(jobs, executor, owned)
    if measure_time:
        print(f"Running {len(jobs)} networks {label} took {time.perf_counter() - t0} seconds.")
    return results
