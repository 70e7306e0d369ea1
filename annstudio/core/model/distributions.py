"""Random distributions used for initial values, weights and delays.

A distribution is a small declarative object (kind + arguments) that can be
serialised to a dict and sampled with a ``numpy.random.Generator``.  The
same objects also appear inside equations (``Normal(0, 1)``), where the
equation parser maps them to per-step random draws.
"""
import numpy as np

from ..errors import ModelError


class Distribution:
    """Base class: ``get_values(shape, rng)`` returns samples, optionally clipped."""

    kind = "Distribution"
    arg_names = ()

    def __init__(self, *args, min=None, max=None, seed=None, **kwargs):
        names = self.arg_names
        values = dict(zip(names, args))
        for k, v in kwargs.items():
            if k not in names:
                raise ModelError(f"unknown argument '{k}'", where=self.kind)
            values[k] = v
        missing = [n for n in names if n not in values and n not in self.defaults()]
        if missing:
            raise ModelError(f"missing argument(s) {', '.join(missing)}", where=self.kind)
        self.args = {n: values.get(n, self.defaults().get(n)) for n in names}
        for n, v in self.args.items():
            if not isinstance(v, (int, float, np.integer, np.floating)):
                raise ModelError(f"argument '{n}' must be a number, got {v!r}", where=self.kind)
        self.min = min
        self.max = max
        # seed=: the distribution draws from its own generator, made once (ANNarchy 4.8/5 do the same)
        self.seed = seed
        self._rng = None if seed is None else np.random.default_rng(int(seed))
        self._check()

    def defaults(self):
        return {}

    def _check(self):
        pass

    def __getattr__(self, name):
        args = self.__dict__.get("args", {})
        if name in args:
            return args[name]
        raise AttributeError(name)

    def _draw(self, shape, rng):
        raise NotImplementedError

    def get_values(self, shape, rng=None):
        if self._rng is not None:
            rng = self._rng
        elif rng is None:
            rng = np.random.default_rng()
        values = np.asarray(self._draw(shape, rng), dtype=float)
        if self.min is not None or self.max is not None:
            values = np.clip(values, self.min, self.max)
        return values

    def get_value(self, rng=None):
        return float(self.get_values((), rng))

    def get_list_values(self, size):
        """``size`` samples as a list of floats (ANNarchy's ``get_list_values``)."""
        return [float(x) for x in self.get_values(int(size))]

    def to_dict(self):
        d = {"distribution": self.kind, "args": [float(self.args[n]) for n in self.arg_names]}
        if self.min is not None:
            d["min"] = float(self.min)
        if self.max is not None:
            d["max"] = float(self.max)
        return d

    def __eq__(self, other):
        return isinstance(other, Distribution) and self.to_dict() == other.to_dict()

    def __hash__(self):
        return hash(repr(self.to_dict()))

    def __repr__(self):
        args = ", ".join(repr(self.args[n]) for n in self.arg_names)
        extra = ""
        if self.min is not None:
            extra += f", min={self.min!r}"
        if self.max is not None:
            extra += f", max={self.max!r}"
        return f"{self.kind}({args}{extra})"


class _Bounded(Distribution):
    """Uniform and DiscreteUniform: ANNarchy names their bounds ``min`` and ``max`` (``Uniform(min=0, max=1)``,
    ``u.min``); given positionally they are ``min_value``/``max_value``.  Clipping to them changes nothing, so
    ``min``/``max`` read the bounds unless other clipping bounds were given."""

    def __init__(self, *args, min=None, max=None, seed=None, **kwargs):
        if not args and not {"min_value", "max_value"} & set(kwargs):
            if min is None or max is None:
                raise ModelError("needs both bounds: min and max", where=self.kind)
            args, min, max = (min, max), None, None
        super().__init__(*args, min=min, max=max, seed=seed, **kwargs)
        self.min = self.args["min_value"] if self.min is None else self.min
        self.max = self.args["max_value"] if self.max is None else self.max

    def to_dict(self):
        d = super().to_dict()
        for key, i in (("min", 0), ("max", 1)):
            if d.get(key) == d["args"][i]:
                del d[key]
        return d

    def __repr__(self):
        d = self.to_dict()
        extra = "".join(f", {k}={d[k]!r}" for k in ("min", "max") if k in d)
        return f"{self.kind}({self.args['min_value']!r}, {self.args['max_value']!r}{extra})"


class Uniform(_Bounded):
    kind = "Uniform"
    arg_names = ("min_value", "max_value")

    def _check(self):
        if self.args["max_value"] < self.args["min_value"]:
            raise ModelError("max_value must not be smaller than min_value", where=self.kind)

    def _draw(self, shape, rng):
        return rng.uniform(self.args["min_value"], self.args["max_value"], shape)


class DiscreteUniform(_Bounded):
    kind = "DiscreteUniform"
    arg_names = ("min_value", "max_value")

    def _draw(self, shape, rng):
        return rng.integers(int(self.args["min_value"]), int(self.args["max_value"]) + 1, shape)


class Normal(Distribution):
    kind = "Normal"
    arg_names = ("mu", "sigma")

    def _check(self):
        if self.args["sigma"] < 0:
            raise ModelError("sigma must be non-negative", where=self.kind)

    def _draw(self, shape, rng):
        return rng.normal(self.args["mu"], self.args["sigma"], shape)


class LogNormal(Distribution):
    kind = "LogNormal"
    arg_names = ("mu", "sigma")

    def _draw(self, shape, rng):
        return rng.lognormal(self.args["mu"], self.args["sigma"], shape)


class Exponential(Distribution):
    kind = "Exponential"
    arg_names = ("Lambda",)

    def _check(self):
        if self.args["Lambda"] <= 0:
            raise ModelError("Lambda must be positive", where=self.kind)

    def _draw(self, shape, rng):
        return rng.exponential(1.0 / self.args["Lambda"], shape)


class Gamma(Distribution):
    kind = "Gamma"
    arg_names = ("alpha", "beta")

    def defaults(self):
        return {"beta": 1.0}

    def _draw(self, shape, rng):
        return rng.gamma(self.args["alpha"], self.args["beta"], shape)


class Binomial(Distribution):
    kind = "Binomial"
    arg_names = ("n", "p")

    def _draw(self, shape, rng):
        return rng.binomial(int(self.args["n"]), self.args["p"], shape)


DISTRIBUTIONS = {cls.kind: cls for cls in
                 (Uniform, DiscreteUniform, Normal, LogNormal, Exponential, Gamma, Binomial)}


def _argument(name):
    def get(self):
        return self.args[name]

    def set_(self, value):
        if not isinstance(value, (int, float, np.integer, np.floating)):
            raise ModelError(f"argument '{name}' must be a number, got {value!r}", where=self.kind)
        old = self.args[name]
        self.args[name] = value
        try:
            self._check()
        except ModelError:
            self.args[name] = old
            raise
    return property(get, set_, doc=f"The distribution's argument {name} (as ANNarchy names it).")


for _cls in DISTRIBUTIONS.values():      # Normal.mu, Exponential.Lambda, Binomial.n... (min/max: _Bounded)
    for _name in _cls.arg_names:
        if _name not in ("min_value", "max_value"):
            setattr(_cls, _name, _argument(_name))


def distribution_from_dict(d, where="distribution"):
    """Rebuild a distribution from ``to_dict()`` output, checking every field."""
    if not isinstance(d, dict) or d.get("distribution") not in DISTRIBUTIONS:
        raise ModelError(f"unknown distribution {d!r}; expected one of {sorted(DISTRIBUTIONS)}",
                         where=where)
    cls = DISTRIBUTIONS[d["distribution"]]
    args = d.get("args", [])
    if not isinstance(args, list):
        raise ModelError("'args' must be a list of numbers", where=where)
    return cls(*args, min=d.get("min"), max=d.get("max"))


def sample(value, shape, rng):
    """Turn a constant, array or distribution into an array of ``shape``."""
    if isinstance(value, Distribution):
        return value.get_values(shape, rng)
    arr = np.asarray(value, dtype=float)
    if arr.shape == ():
        return np.full(shape, float(arr))
    if arr.size == int(np.prod(shape)):
        return arr.reshape(shape).astype(float)
    raise ModelError(f"expected a scalar or {int(np.prod(shape))} values, got shape {arr.shape}")
