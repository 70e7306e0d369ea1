"""``NetworkManager()`` (ANNarchy 4.8's network registry, shown by the last cell of the 4.x AdEx notebook).

Expected values: the same script on ANNarchy 4.8.2.6 (``import ANNarchy as ann``) printed
``1 2 1 1 False ['pop0', 'pop1'] True True True True True`` before compile() and ``True True True`` after.
"""
import annstudio.engine as ann


def test_network_manager_lists_the_default_network():
    ann.clear()
    a = ann.Population(3, ann.Neuron(equations="r = 1.0"))
    b = ann.Population(2, ann.Neuron(equations="r = sum(exc)"))
    p = ann.Projection(a, b, "exc")
    p.connect_all_to_all(0.5)
    m = ann.Monitor(b, "r")
    nm = ann.NetworkManager()
    got = (len(nm), nm.number_populations(0), nm.number_projections(0), nm.number_monitors(0), nm.is_compiled(0),
           nm.get_population_names(0), nm.get_population(0, "pop1") is b, nm.get_projections(0) == [p],
           nm.get_projections(0, post=b) == [p], nm.get_monitors(0) == [m], ann.NetworkManager() is nm)
    assert got == (1, 2, 1, 1, False, ["pop0", "pop1"], True, True, True, True, True)
    ann.compile()
    text = repr(nm)
    assert (nm.is_compiled(0), "Number of registered networks = 1" in text,
            "populations = [Population at" in text) == (True, True, True)
