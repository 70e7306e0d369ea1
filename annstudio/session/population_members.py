"""ANNarchy's descriptive members of a population (a mixin of :class:`~annstudio.session.population.Population`):
the sizes of its dimensions, the targets and functions of its neuron, the initial values, the refractory period
and the memory its values take.  Behaviour measured on ANNarchy 5.0.4.1 and 4.8.2.6
(tests/engine/test_population_members.py quotes what they printed).
"""
import copy
import re
import warnings

import numpy as np

from annstudio.core.errors import ModelError

_SUM = re.compile(r"\bsum\s*\(\s*([A-Za-z_]\w*)\s*\)")
_FUNCTION = re.compile(r"^\s*([A-Za-z_]\w*)\s*\(", re.M)


def function_names(text):
    """Names of the functions a type's ``functions`` block defines (``sigm(x) = ...`` -> ``sigm``)."""
    return _FUNCTION.findall(text or "")


def _member(fn):
    """A read-only member that a neuron parameter or variable of the same name hides (a model written for
    annstudio may name a parameter ``width``: reading and writing it keep working)."""
    name = fn.__name__

    def get(self):
        if name in self._analysis().names:
            return self._read(name, None)
        return fn(self)

    def set_(self, value):
        if name not in self._analysis().names:
            raise AttributeError(f"{type(self).__name__} {self.name!r}: {name!r} cannot be set")
        self._write(name, value, None)
    return property(get, set_, doc=fn.__doc__)


class PopulationMembers:
    """Needs ``geometry``, ``dimension``, ``neuron_type``, ``_analysis()``, ``_read``/``_write``, ``_spec``
    and ``_net``."""

    @_member
    def width(self):
        return int(self.geometry[0])

    @_member
    def height(self):
        return int(self.geometry[1]) if self.dimension > 1 else 1

    @_member
    def depth(self):
        return int(self.geometry[2]) if self.dimension > 2 else 1

    @_member
    def targets(self):
        """The targets the neuron's equations sum (``sum(exc)``), sorted, as ANNarchy lists them."""
        return sorted(set(_SUM.findall(self.neuron_type.equations)))

    @_member
    def functions(self):
        """The names of the neuron type's own functions."""
        return function_names(self.neuron_type.functions)

    @_member
    def init(self):
        """The initial value of every parameter and variable, from the neuron type."""
        return {v.name: (float(v.init) if isinstance(v.init, (int, float, np.number)) and not isinstance(v.init, bool)
                         else v.init) for v in self._analysis().variables}

    def _compiled(self):
        sim = self._net._sim
        return sim is not None and sim.backend is not None

    @property
    def refractory(self):
        """The refractory period (ms) of a spiking population: the neuron's number, or the name of the variable
        that holds it (its values once compiled); rate-coded populations have none (a warning, None)."""
        if "refractory" in self._analysis().names:       # (ANNarchy reserves the name; annstudio models may not)
            return self._read("refractory", None)
        if self.neuron_type.type != "spike":
            warnings.warn(f"Population '{self.name}': rate-coded neurons do not have refractory periods",
                          stacklevel=2)
            return None
        ref = self.neuron_type.refractory
        if isinstance(ref, str) and self._compiled() and ref in self._analysis().names:
            return getattr(self, ref)
        return ref

    @refractory.setter
    def refractory(self, value):
        neuron = self.neuron_type
        where = f"Population '{self.name}'"
        if "refractory" in self._analysis().names:
            self._write("refractory", value, None)
            return
        if neuron.type != "spike":
            warnings.warn(f"{where}: rate-coded neurons do not have refractory periods", stacklevel=2)
            return
        if isinstance(neuron.refractory, str):
            warnings.warn(f"{where}: the refractory period is the variable {neuron.refractory!r}: change its value "
                          "instead (nothing done)", stacklevel=2)
            return
        if self._compiled():
            raise ModelError("the refractory period is fixed at compile(): set it before, or give the neuron a "
                             "parameter as its refractory period (refractory='t_ref') and set that", where=where)
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or value < 0:
            raise ModelError(f"the refractory period must be a non-negative number of ms, got {value!r} (per-neuron "
                             "periods: a parameter named as the neuron's refractory)", where=where)
        own = copy.copy(neuron)            # this population only, as ANNarchy 4.8.2.6 does
        own.refractory = float(value)
        own._analysis = {}
        self._spec.neuron = own

    # -- Population.enable() / disable() (docs/annarchy-semantics.md, section p) --------------------------
    @property
    def enabled(self):
        """False after ``disable()``: the population is skipped by the step (see ``disable``)."""
        return self.__dict__.get("_enabled", True)

    @enabled.setter
    def enabled(self, value):
        self.enable() if value else self.disable()

    def enable(self):
        """Let the population be updated and receive its inputs again (after ``disable()``)."""
        self._switch(True)

    def disable(self):
        """Freeze the population, as ANNarchy does: its values stop changing (no neuron update, refractory
        counters and a source's schedule stand still), nothing is transmitted into it and the projections into
        it do not learn; its monitors go on recording, its last ``r`` or spikes keep being sent (the spikes of
        its last update again every step) and the learning of its outgoing projections goes on."""
        self._switch(False)

    def _switch(self, enabled):
        if self._compiled():
            self._net._sim.set_enabled(self.name, enabled)
        object.__setattr__(self, "_enabled", bool(enabled))

    def save(self, filename):
        """Write the population's parameters and variables to ``filename`` in ANNarchy's format (``.npz``,
        ``.gz``, ``.mat`` for external analysis, anything else a pickle; see ``session.object_file``)."""
        from . import object_file
        object_file.write(filename, object_file.population_data(self))

    def load(self, filename, pickle_encoding=None):
        """Set the parameters and variables from a file of ``save()`` (or of ANNarchy's ``Population.save``);
        before compile() they become the initial values."""
        from . import object_file
        object_file.load_population(self, filename, pickle_encoding)

    def size_in_bytes(self):
        """Bytes of the population's values in the running backend (0 before compile, as ANNarchy); annstudio
        counts its own arrays, so the number differs from ANNarchy's."""
        if not self._compiled():
            return 0
        sim = self._net._sim
        return int(sum(np.asarray(sim.get(self.name, n)).nbytes for n in self._analysis().names))
