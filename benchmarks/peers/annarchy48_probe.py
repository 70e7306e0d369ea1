"""Probe ANNarchy 4.8 API behaviours that annstudio reproduces (issue 16, item 2).

Each ``case`` builds a tiny network, runs it and prints ``OK <name> <result>`` (or ``FAIL <name> <error>``);
``tests/engine/test_annarchy48_api.py`` asserts the results printed by ANNarchy 4.8.2.6::

    cd <a scratch folder>                         # ANNarchy builds in ./annarchy
    PATH=<venv>/bin:$PATH <venv>/bin/python <repo>/benchmarks/peers/annarchy48_probe.py ANNarchy [case ...]
    .venv/bin/python benchmarks/peers/annarchy48_probe.py annstudio.engine [case ...]
"""
import importlib
import sys

import numpy as np
ann = importlib.import_module(sys.argv[1])
only = sys.argv[2:] 
def case(fn):
    if only and fn.__name__ not in only: return fn
    try:
        ann.clear()
        ann.setup(dt=1.0)
        r = fn()
        print("OK  ", fn.__name__, r)
    except Exception as e:
        print("FAIL", fn.__name__, type(e).__name__, str(e).splitlines()[0][:200] if str(e) else "")
    return fn
def _conv(name):   # ANNarchy 4.8 keeps them in ANNarchy.extensions.convolution
    return getattr(ann, name, None) or getattr(importlib.import_module(ann.__name__ + ".extensions.convolution"), name)
Rate = lambda eq: ann.Neuron(parameters="a = 2.0", equations=eq)
@case
def power():
    p = ann.Population(1, Rate("r = power(a, 3) + t")); ann.compile(); ann.simulate(2.0); return float(p.r[0])
@case
def ifelse():
    p = ann.Population(2, ann.Neuron(parameters="a = 2.0", equations="r = if a > 1.0: 1.0 else: 0.0")); p.a=[0.5,2.0]; ann.compile(); ann.simulate(1.0); return p.r.tolist()
@case
def ifelse_multiline():
    p = ann.Population(2, ann.Neuron(parameters="a = 2.0", equations="""
r = if a > 1.0:
        1.0 + a
    else:
        0.0
""")); p.a=[0.5,2.0]; ann.compile(); ann.simulate(1.0); return p.r.tolist()
@case
def models_mod():
    from importlib import import_module
    m = getattr(ann, "models", None) or import_module(ann.__name__ + ".models")
    return [n for n in ("Hebb","Oja","IBCM","STP","STDP","Izhikevich","LeakyIntegrator") if hasattr(m, n)]
@case
def neuron_rank():
    p = ann.Population(3, Rate("r = a")); ann.compile(); n = p.neuron(1); return (type(n).__name__, float(n.a))
@case
def pop_reset():
    p = ann.Population(2, ann.Neuron(parameters="a = 2.0", equations="dv/dt = a : init=1.0\nr = v")); ann.compile(); p.a = 5.0; ann.simulate(3.0); p.reset(); return (p.v.tolist(), p.a.tolist(), p.r.tolist())
@case
def view_getset():
    p = ann.Population(4, Rate("r = a")); ann.compile(); v = p[1:3]; v.a = [7.0, 8.0]; v2 = p[[0,3]]; v2.set({'a': 3.0}); return (p.a.tolist(), v.get('a').tolist(), p[2].a)
@case
def proj_delay():
    a = ann.Population(2, Rate("r = a")); b = ann.Population(2, Rate("r = sum(exc)")); pr = ann.Projection(a, b, 'exc'); pr.connect_all_to_all(1.0, delays=2.0); ann.compile(); return (pr.delay, pr.max_delay)
@case
def proj_getset():
    a = ann.Population(2, Rate("r = a")); b = ann.Population(2, Rate("r = sum(exc)")); pr = ann.Projection(a, b, 'exc'); pr.connect_all_to_all(1.0); ann.compile(); pr.set({'w': 0.5}); return pr.get('w')
@case
def dendrite_getset():
    a = ann.Population(3, Rate("r = a")); b = ann.Population(2, Rate("r = sum(exc)")); pr = ann.Projection(a, b, 'exc'); pr.connect_all_to_all(1.0); ann.compile(); d = pr.dendrite(1); d.set({'w': 0.3}); d2 = pr[0]; s = d2[1]; return (d.get('w'), d.w, type(s).__name__, getattr(s, 'w', None), d.pre_ranks, d.size)
@case
def seed_dist():
    return (ann.DiscreteUniform(0, 10, seed=3).get_values(5).tolist(), ann.Uniform(0,1,seed=3).get_values(2).tolist(), ann.Normal(0,1,seed=1).get_values(2).tolist())
@case
def reuse_names():
    ann.Population(2, Rate("r=a"), name="P"); ann.clear(); p = ann.Population(2, Rate("r=a"), name="P"); ann.compile(); return p.name
@case
def with_func_storage():
    def pat(pre, post, w):
        syn = ann.LILConnectivity() if hasattr(ann, "LILConnectivity") else ann.CSR()
        for i in range(post.size):
            syn.add(i, [i], [w], [0])
        return syn
    a = ann.Population(3, Rate("r=a")); b = ann.Population(3, Rate("r=sum(exc)")); pr = ann.Projection(a, b, 'exc'); pr.connect_with_func(pat, w=0.5, storage_format="lil", storage_order="post_to_pre"); ann.compile(); ann.simulate(2); return b.r.tolist()
@case
def empty_post_matrix():
    a = ann.Population(3, Rate("r=a")); b = ann.Population(3, Rate("r=sum(exc)")); pr = ann.Projection(a, b, 'exc'); W = np.array([[1.0, None, None],[None,None,None],[0.5,0.5,None]], dtype=object); pr.connect_from_matrix(W); ann.compile(); ann.simulate(2); return (b.r.tolist(), pr.size, pr.post_ranks)
@case
def unused_target():
    a = ann.Population(3, ann.Neuron(equations="dv/dt=1\nr=v")); b = ann.Population(3, ann.LeakyIntegrator() if callable(ann.LeakyIntegrator) else ann.LeakyIntegrator); pr = ann.Projection(a, b, 'foo'); pr.connect_all_to_all(1.0); ann.compile(); ann.simulate(2); return b.r.tolist()
@case
def timedarray_period():
    inp = ann.TimedArray(rates=np.array([[1.0],[2.0],[3.0]]), schedule=2.0, period=10.0); m = ann.Monitor(inp, 'r'); ann.compile(); ann.simulate(22); return m.get('r')[:, 0].tolist()
@case
def compute_fr():
    p = ann.Population(2, ann.Neuron(parameters="i=0.5", equations="dv/dt=i", spike="v>1", reset="v=0")); p.compute_firing_rate(10.0); ann.compile(); ann.simulate(40); return p.r.tolist()
@case
def ssa_clear():
    s = ann.SpikeSourceArray(spike_times=[[1.0, 3.0]]); m = ann.Monitor(s, 'spike'); ann.compile(); ann.simulate(2); s.clear(); ann.simulate(5); return m.get('spike')
@case
def spike_comment():
    p = ann.Population(1, ann.Neuron(equations="dv/dt=1", spike="v > 2.5 # threshold", reset="v=0")); m = ann.Monitor(p, 'spike'); ann.compile(); ann.simulate(10); return m.get('spike')
@case
def projmon_shape():
    a = ann.Population(3, Rate("r=a")); b = ann.Population(2, Rate("r=sum(exc)")); pr = ann.Projection(a, b, 'exc'); pr.connect_all_to_all(1.0); m = ann.Monitor(pr, 'w'); ann.compile(); ann.simulate(4); return np.array(m.get('w')).shape
@case
def mon_times():
    p = ann.Population(2, Rate("r=a")); m = ann.Monitor(p, ['r','a']); ann.compile(); ann.simulate(4); m.pause(); ann.simulate(2); m.resume(); ann.simulate(2); return m.times()
@case
def tuple_attr():
    p = ann.Population(1, Rate("r=a")); ann.compile(); p.a = (4.0,); return p.a.tolist()
@case
def proj_onto_ssa():
    a = ann.Population(2, ann.Neuron(equations="dv/dt=1", spike="v>1", reset="v=0")); s = ann.SpikeSourceArray(spike_times=[[1.0],[2.0]]); pr = ann.Projection(a, s, 'exc'); pr.connect_one_to_one(1.0); ann.compile(); ann.simulate(4); return pr.size
@case
def report_net():
    n = ann.Network(); p = n.add(ann.Population(2, Rate("r=a"))) if False else None; import tempfile, os
    net = ann.Network(); net.add(ann.Population(2, Rate("r=a"))); f = tempfile.mktemp(suffix=".md"); ann.report(f, net_id=net.id if hasattr(net,'id') else 0); return os.path.getsize(f) > 0
@case
def save_load():
    import tempfile
    p = ann.Population(2, Rate("r=a")); a = ann.Population(2, Rate("r=a")); pr = ann.Projection(p, a, 'exc'); pr.connect_all_to_all(0.3); ann.compile(); f = tempfile.mktemp(suffix=".npz"); p.a = [5.0, 6.0]; ann.save(f); p.a = 0.0; ann.load(f); fm = tempfile.mktemp(suffix=".mat"); ann.save(fm); fp = tempfile.mktemp(suffix=".json"); ann.save_parameters(fp); ann.load_parameters(fp); return p.a.tolist()
@case
def pooling3d():
    a = ann.Population((4, 4, 2), Rate("r=a")); b = ann.Population((2, 2), Rate("r=sum(exc)")); pr = _conv('Pooling')(a, b, 'exc', operation='max'); pr.connect_pooling(extent=(2, 2, 2)); ann.compile(); a.a = np.arange(32.0).reshape(4,4,2); ann.simulate(2); return b.r.tolist()
@case
def conv_pad_max():
    a = ann.Population((4, 4), Rate("r=a")); b = ann.Population((4, 4), Rate("r=sum(exc)")); pr = _conv('Convolution')(a, b, 'exc', operation='max'); pr.connect_filter(np.ones((3,3)), padding=0.5); ann.compile(); a.a = np.arange(16.0).reshape(4,4); ann.simulate(2); return b.r.tolist()
@case
def mon_times2():
    p = ann.Population(2, ann.Neuron(equations="r = 1.0\ndv/dt = 1.0")); m = ann.Monitor(p, ['r','v']); ann.compile(); ann.simulate(4); b = m.times(); m.pause(); ann.simulate(2); m.resume(); ann.simulate(2); m.get(); return (b, m.times())
@case
def unused_target_spike():
    a = ann.Population(2, ann.Neuron(equations="dv/dt=1", spike="v>1", reset="v=0")); b = ann.Population(2, ann.Neuron(equations="dv/dt=g_exc", spike="v>1", reset="v=0")); pr = ann.Projection(a, b, 'inh'); pr.connect_all_to_all(1.0); m = ann.Monitor(b, 'v'); ann.compile(); ann.simulate(5); return m.get('v')[:, 0].tolist()
@case
def dendrite_multi():
    a = ann.Population(3, Rate("r = a")); b = ann.Population(2, Rate("r = sum(exc)")); pr = ann.Projection(a, b, 'exc'); pr.connect_all_to_all(1.0, force_multiple_weights=True); ann.compile(); d = pr.dendrite(1); d.set({'w': 0.3}); s = pr[0][1]; w1 = s.w; s.w = 4.0; return (list(d.get('w')), type(s).__name__, w1, list(pr[0].w), [list(x) for x in (pr.set({'w': [0.25, 0.75]}) or pr.get('w'))])
@case
def projmon_shape2():
    a = ann.Population(3, Rate("r=a")); b = ann.Population(2, Rate("r=sum(exc)")); pr = ann.Projection(a, b, 'exc', ann.Synapse(equations="dw/dt = 0.0")); pr.connect_all_to_all(1.0); m = ann.Monitor(pr, 'w'); ann.compile(); ann.simulate(4); return np.array(m.get('w')).shape
@case
def t_pre_post():
    C = ann.Neuron(parameters='period = 5.0', equations='dc/dt = 1.0\ng_exc = 0.0', spike='c >= period', reset='c = 0.0')
    pre = ann.Population(1, C); post = ann.Population(1, C); pre.period = 3.0; post.period = 5.0
    S = ann.Synapse(equations='dx/dt = 0.0\ndy/dt = 0.0\ndd/dt = 0.0', pre_spike='g_target += w\nx = t_post', post_spike='y = t_pre\nd = t - t_pre')
    proj = ann.Projection(pre, post, 'exc', S); proj.connect_all_to_all(1.0)
    ann.compile(); out = []
    for k in range(12):
        ann.simulate(1.0); out.append(tuple(float(np.ravel(getattr(proj, v))[0]) for v in ('x', 'y', 'd')))
    return out
