"""Which self-connections each connector makes between a population, its views and itself (issue 16).

Prints, for each case, post rank -> presynaptic ranks (parent-population ranks).  Run with real ANNarchy
(``PATH=<venv>/bin:$PATH <venv>/bin/python benchmarks/peers/annarchy_self_connections.py ANNarchy``) or with
``annstudio.engine``; ``tests/engine/test_self_connections.py`` builds the same projections with ``build``
and checks annstudio against what ANNarchy 5.0.4.1 and 4.8.2.6 printed (identical).
"""
import importlib
import json
import sys

# case -> (pre, post, connector, args); "P" spiking (6 neurons), "Q" rate-coded (4); slices make views
CASES = {
    "view_all": ("P[:3]", "P", "all_to_all", (1.0,)),
    "view_view_all": ("P[:3]", "P[1:4]", "all_to_all", (1.0,)),
    "pop_all": ("P", "P", "all_to_all", (1.0,)),
    "post_view_all": ("P", "P[2:5]", "all_to_all", (1.0,)),
    "rate_view_all": ("Q[1:]", "Q", "all_to_all", (1.0,)),
    "view_prob1": ("P[:3]", "P", "fixed_probability", (1.0, 1.0)),
    "pop_prob1": ("P", "P", "fixed_probability", (1.0, 1.0)),
    "postview_prob1": ("P", "P[2:5]", "fixed_probability", (1.0, 1.0)),
    "sameview_prob1": ("P[:3]", "P[:3]", "fixed_probability", (1.0, 1.0)),
    "rate_view_prob1": ("Q[1:]", "Q", "fixed_probability", (1.0, 1.0)),
    "view_fnpre": ("P[:3]", "P", "fixed_number_pre", (3, 1.0)),
    "view_fnpost": ("P[:3]", "P", "fixed_number_post", (6, 1.0)),
    "pop_fnpre": ("P", "P", "fixed_number_pre", (5, 1.0)),
    "pop_fnpost": ("P", "P", "fixed_number_post", (5, 1.0)),
}


def _side(text, pops):
    name, _, rest = text.partition("[")
    if not rest:
        return pops[name]
    lo, _, hi = rest.rstrip("]").partition(":")
    return pops[name][int(lo or 0):int(hi) if hi else pops[name].size]


def build(ann):
    """The populations and one projection per case (each on its own target) on the default network."""
    spiking = ann.Neuron(equations="dv/dt = 0.0", spike="v > 1.0", reset="v = 0.0")
    rate = ann.Neuron(equations="r = 0.0")
    pops = {"P": ann.Population(6, spiking), "Q": ann.Population(4, rate)}
    projs = {}
    for n, (case, (pre, post, method, args)) in enumerate(CASES.items()):
        proj = ann.Projection(_side(pre, pops), _side(post, pops), f"t{n}")
        getattr(proj, f"connect_{method}")(*args)
        projs[case] = proj
    return projs


def pre_ranks(projs):
    """case -> {post rank: sorted pre ranks}."""
    return {case: {int(post): sorted(int(i) for i in p.dendrite(post).pre_ranks) for post in p.post_ranks}
            for case, p in projs.items()}


def main(argv):
    ann = importlib.import_module(argv[0] if argv else "ANNarchy")
    ann.setup(dt=1.0)
    projs = build(ann)
    ann.compile()
    print(json.dumps(pre_ranks(projs)))


if __name__ == "__main__":
    main(sys.argv[1:])
