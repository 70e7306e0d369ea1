"""The ANNarchy-compatible facade: module-level functions on the default network.

``from annstudio.engine import *`` exposes these names.  They are thin: each
acts on the current network (``annstudio.session.context``).
"""
import numpy as np

from .context import current_network, new_default_network, set_current_network


def setup(**kwargs):
    """Global settings: ``dt``, ``seed``, ``paradigm`` (numpy/openmp/cuda), ``num_threads``..."""
    current_network().setup(**kwargs)


def compile(directory="annarchy", clean=False, populations=None, projections=None, compiler="default",
            compiler_flags="default", add_sources="", extra_libs="", cuda_config=None, annarchy_json="",
            silent=False, debug_build=False, profile_enabled=False, net_id=0, **kwargs):
    """Build the default network with the paradigm chosen in ``setup``."""
    return current_network().compile(directory=directory, clean=clean, silent=silent, **kwargs)


def simulate(duration, measure_time=False, progress_bar=False, callbacks=True, net_id=0):
    current_network().simulate(duration, measure_time=measure_time)


def simulate_until(max_duration, population, operator="and", measure_time=False, net_id=0):
    return current_network().simulate_until(max_duration, population, operator, measure_time)


def step(net_id=0):
    current_network().step()


def reset(populations=True, projections=False, synapses=False, monitors=True, net_id=0):
    current_network().reset(populations, projections, synapses, monitors, reseed_rng=False)   # 4.8: no reseed


def get_time(net_id=0):
    return current_network().get_time()


def set_time(t, net_id=0):
    current_network().set_time(t)


def get_current_step(net_id=0):
    return current_network().get_current_step()


def set_current_step(t, net_id=0):
    current_network().set_current_step(t)


def dt():
    return current_network().spec.settings.dt


def set_seed(seed, use_seed_seq=True, net_id=0):
    current_network().setup(seed=seed)


def clear(functions=True, neurons=True, synapses=True, constants=True):
    """Forget every population, projection and monitor (a fresh default network with the same settings);
    the functions and constants declared so far are forgotten too unless ``functions``/``constants`` is
    False."""
    old = current_network()
    settings = old.spec.settings
    net = new_default_network()
    net.spec.settings.dt = settings.dt
    net.spec.settings.paradigm = settings.paradigm
    net.spec.settings.num_threads = settings.num_threads
    if functions:
        net.spec.functions.clear()
    if constants:
        net.spec.constants.clear()
    return net


def add_function(function, net_id=0):
    """Declare a function usable in every equation of the default network (declare it before the
    populations that use it), e.g. ``"sigmoid(x) = 1/(1+exp(-x))"``."""
    current_network().add_function(function)


def get_population(name, net_id=0):
    return current_network().get_population(name)


def get_projection(name, net_id=0):
    return current_network().get_projection(name)


def populations(net_id=0):
    return current_network().populations


def projections(net_id=0, post=None, pre=None, target=None, suppress_error=False):
    return current_network().get_projections(post, pre, target, suppress_error)


def monitors(net_id=0):
    return current_network().monitors


def enable_learning(projections=None, period=None, offset=None, net_id=0):
    current_network().enable_learning(projections, period, offset)


def disable_learning(projections=None, net_id=0):
    current_network().disable_learning(projections)


def sparse_random_matrix(pre, post, proba, weights):
    """A scipy LIL matrix (pre x post) with connection probability ``proba``."""
    import scipy.sparse as sparse
    rng = np.random.default_rng()
    mat = sparse.random(pre.size, post.size, density=proba, random_state=rng, format="lil")
    mat.data = [[float(weights)] * len(row) for row in mat.data]
    return mat


__all__ = ["setup", "compile", "simulate", "simulate_until", "step", "reset", "get_time", "set_time",
           "get_current_step", "set_current_step", "dt", "set_seed", "clear", "add_function",
           "get_population", "get_projection", "populations", "projections", "monitors", "enable_learning",
           "disable_learning", "sparse_random_matrix", "set_current_network"]
