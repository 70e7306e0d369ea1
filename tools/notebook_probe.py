"""The statistics prologue of tools/run_annarchy_notebooks.py: the same text, formatted with the simulator's module
(``ANNarchy`` or ``annstudio.engine``), runs first in both versions of a notebook's script (see that tool's
docstring for what it records and how the records are compared)."""

PROBE = r'''
import atexit as _nb_atexit, json as _nb_json, os as _nb_os, sys as _nb_sys
import numpy as _nb_np
import {module} as _nb_mod


def _nb_setup():
    def real(cls):
        """The class itself and the class of that name in its module (ANNarchy 5 exports the 4.x names as
        warning subclasses of a twin of the class its Network uses)."""
        while "DeprecatedClass" in cls.__qualname__:
            cls = cls.__mro__[1]
        twin = getattr(_nb_sys.modules.get(cls.__module__), cls.__name__, cls)
        return [cls] if twin is cls else [cls, twin]
    stats, made, counts, depth = {{}}, {{"pop": [], "proj": []}}, {{}}, [0]

    def reduce(key, value):
        if isinstance(value, dict):
            if value and all(isinstance(k, (int, _nb_np.integer)) for k in value):
                stats[key + ".spikes"] = {{"count": int(sum(len(v) for v in value.values()))}}
                return
            for k, v in value.items():
                reduce(f"{{key}}.{{k}}", v)
            return
        try:
            arr = _nb_np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            return
        if arr.size and _nb_np.all(_nb_np.isfinite(arr)):
            stats[key] = {{"mean": float(arr.mean()), "std": float(arr.std()), "shape": list(arr.shape)}}

    def probe(get):
        return lambda self, *args, **kwargs: probed_get(get, self, *args, **kwargs)

    def probed_get(get, self, *args, **kwargs):
        frame = _nb_sys._getframe(2)
        while frame.f_back is not None and frame.f_code.co_name == "get":   # a subclass's get() calling this one
            frame = frame.f_back
        caller = frame.f_code.co_filename
        depth[0] += 1
        try:
            out = get(self, *args, **kwargs)
        finally:
            depth[0] -= 1
        # a get() called by get() itself, or by the simulator (ANNarchy 4.8's reset() empties the monitors
        # through get()): not one the notebook made
        if depth[0] or caller != getattr(_nb_sys.modules["__main__"], "__file__", caller):
            return out
        names = args[0] if args else kwargs.get("variables")
        obj = getattr(self, "object", None)
        owner = getattr(obj, "name", type(obj).__name__)
        label = names if isinstance(names, str) else ("all" if names is None else "+".join(names))
        n = counts[(owner, label)] = counts.get((owner, label), 0) + 1
        value = {{label: out}} if isinstance(names, str) else out
        reduce(f"{{owner}}#{{n}}", value)
        return out
    for mon in real(_nb_mod.Monitor):
        mon.get = probe(mon.get)

    def plotted(plot):
        """Axes.plot recording each line it draws: its y values as the means of {blocks} consecutive blocks
        (key ``plot<figure>.<axes>.<line>[label]@block<i>/{blocks}``)."""
        def wrapped(self, *args, **kwargs):
            lines = plot(self, *args, **kwargs)
            try:
                fig = getattr(self.figure, "number", 0)
                ax = self.figure.axes.index(self)
                for line in lines:
                    y = _nb_np.asarray(line.get_ydata(), dtype=float).ravel()
                    if y.size < {blocks} or not _nb_np.all(_nb_np.isfinite(y)):
                        continue
                    label = "_".join(str(line.get_label()).split())
                    base = f"plot{{fig}}.{{ax}}.{{self.lines.index(line)}}" + (
                        f"[{{label}}]" if label and not label.startswith("_") else "")
                    for i, part in enumerate(_nb_np.array_split(y, {blocks})):
                        stats[f"{{base}}@block{{i + 1}}/{blocks}"] = {{"mean": float(part.mean()), "std": 0.0}}
            except Exception:   # a plot the probe cannot read: nothing recorded
                pass
            return lines
        return wrapped
    try:
        import matplotlib.axes as _nb_axes
        _nb_axes.Axes.plot = plotted(_nb_axes.Axes.plot)
    except ImportError:
        pass
    for kind, classes in (("pop", real(_nb_mod.Population)), ("proj", real(_nb_mod.Projection))):
        for cls in classes:
            init = cls.__init__

            def registered(self, *args, _nb_init=init, _nb_kind=kind, **kwargs):
                _nb_init(self, *args, **kwargs)
                if not any(o is self for o in made[_nb_kind]):
                    made[_nb_kind].append(self)
            cls.__init__ = registered

    def dump():
        for kind, attr in (("pop", "r"), ("proj", "w")):
            seen = {{}}
            for obj in made[kind]:
                if getattr(obj, "initialized", True) is False:   # ANNarchy: an object outside any compiled network
                    continue
                try:
                    value = getattr(obj, attr)
                    try:
                        arr = _nb_np.asarray(value, dtype=float)
                    except ValueError:  # ANNarchy: a sparse projection's w is a ragged list of lists
                        arr = _nb_np.concatenate([_nb_np.ravel(_nb_np.asarray(v, dtype=float)) for v in value])
                except Exception:  # not compiled, no such attribute: nothing to compare
                    continue
                if arr.size and _nb_np.all(_nb_np.isfinite(arr)):
                    seen[getattr(obj, "name", "?")] = (float(arr.mean()), float(arr.std()))
            for name, (mean, sd) in seen.items():
                stats[f"{{name}}.{{attr}}@exit"] = {{"mean": mean, "std": 0.0}}
                # extra: the mean judged at the scale of the values' spread, and that spread itself
                stats[f"{{name}}.{{attr}}.mean@exit"] = {{"mean": mean, "std": sd}}
                stats[f"{{name}}.{{attr}}.sd@exit"] = {{"mean": sd, "std": 0.0}}
        with open(_nb_os.environ["NB_STATS"], "w") as f:
            _nb_json.dump(stats, f)
    _nb_atexit.register(dump)


_nb_setup()
'''
