"""The figure of a run, drawn with matplotlib: ``annstudio run --plot``, the exported script, notebooks.

Owns ``draw_figure(results)`` -> ``matplotlib.figure.Figure`` (a ``results.Results``): per spike
monitor a raster (time in ms, neuron index) and its population-rate panel (Hz); per recorded
variable a trace panel (up to ``MAX_TRACES`` neurons, a legend naming their ranks, the variable's
unit); per plastic projection a histogram of its weights after the run.  ``write_figure(path,
results)`` saves it as PNG, SVG or PDF by extension (atomically).

The figure is a bare ``Figure`` with matplotlib's Agg canvas, never pyplot: the CLI imports no GUI
toolkit and no backend is chosen behind the user's back.  A notebook shows the returned figure
inline; the exported script draws into ``plt.figure()`` so an interactive run can also show it.
"""
import io
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .format import write_atomic
from .results import UNITS

FORMATS = (".png", ".svg", ".pdf")
MAX_TRACES = 5
RATE_BINS = 100


def _panels(results):
    """[(kind, monitor-or-projection, variable)] in recording order, weight histograms last."""
    out = []
    for mon, variables in results.monitors.items():
        for var in variables:
            if var == "spike":
                out += [("raster", mon, var), ("rate", mon, var)]
            elif np.asarray(results.recordings[f"{mon}.{var}"]).dtype != object:
                out.append(("trace", mon, var))
    out += [("weights", proj, "w") for proj in results.weights]
    return out


def _t_max(results):
    t = results.metadata.get("simulated_ms")
    if t:
        return float(t)
    ends = [results.spikes(m)[0].max() for m, vs in results.monitors.items() if "spike" in vs
            and len(results.recordings[f"{m}.spike.times"])]
    return float(max(ends, default=0.0)) + results.dt


def _raster(ax, results, mon, t_max):
    times, ranks = results.spikes(mon)
    ax.scatter(times, ranks, s=10 if len(times) < 5000 else 2, marker="|", linewidths=0.8, color="C0",
               rasterized=len(times) > 20000)
    n = results.size(mon) or (int(ranks.max()) + 1 if ranks.size else 1)
    ax.set_ylim(-0.5, n - 0.5)
    ax.set_xlim(0.0, t_max)
    ax.set_ylabel("Neuron index")
    ax.set_title(f"{mon}: {len(times)} spikes")


def _rate(ax, results, mon, t_max):
    times, ranks = results.spikes(mon)
    n = results.size(mon) or (int(ranks.max()) + 1 if ranks.size else 1)
    dt = results.dt
    width = max(dt, round(t_max / RATE_BINS / dt) * dt) if t_max > 0 else dt
    edges = np.arange(0.0, t_max + width, width)
    if len(edges) < 2:
        edges = np.array([0.0, width])
    counts, _ = np.histogram(times, bins=edges)
    rate = counts / (n * width / 1000.0)
    ax.stairs(rate, edges, color="C3", label=f"{width:g} ms bins")
    ax.set_xlim(0.0, t_max)
    ax.set_ylabel(f"Rate ({UNITS['rate']})")
    ax.set_title(f"{mon}: population rate ({rate.mean() if rate.size else 0.0:.3g} Hz mean)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")


def _trace(ax, results, mon, var, t_max):
    times, values = results.trace(mon, var)
    values = np.asarray(values, dtype=float)
    info = results.metadata.get("monitors", {}).get(mon) or {}
    ranks, unit = info.get("ranks"), "synapse" if info.get("kind") == "projection" else "neuron"
    if values.ndim == 1:
        ax.plot(times, values, label=var)
    else:
        flat = values.reshape(values.shape[0], -1)
        for k in range(min(MAX_TRACES, flat.shape[1])):
            rank = ranks[k] if ranks and k < len(ranks) else k
            ax.plot(times, flat[:, k], lw=1.0, label=f"{unit} {rank}")
        if flat.shape[1] > MAX_TRACES:
            ax.text(0.99, 0.02, f"{MAX_TRACES} of {flat.shape[1]} {unit}s", transform=ax.transAxes,
                    ha="right", va="bottom", fontsize="small", color="0.4")
    ax.set_xlim(0.0, t_max)
    ax.set_ylabel(f"{var} ({results.unit(mon, var)})")
    ax.set_title(f"{mon}.{var}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")


def _weights(ax, results, proj):
    w = np.asarray(results.weights[proj], dtype=float)
    ax.hist(w[np.isfinite(w)], bins=40, color="C2")
    ax.set_xlabel(f"w ({UNITS['weights']})")
    ax.set_ylabel("Synapses")
    ax.set_title(f"{proj}: weights after {results.metadata.get('simulated_ms', 0.0):g} ms ({w.size} synapses)")


def draw_figure(results, fig=None):
    """The run's figure (see the module docstring); drawn into ``fig`` when one is given."""
    panels = _panels(results)
    heights = {"raster": 2.2, "rate": 1.2, "trace": 1.6, "weights": 1.6}
    if fig is None:
        fig = Figure(figsize=(9.0, 1.0 + sum(heights[p[0]] for p in panels)), layout="constrained")
        FigureCanvasAgg(fig)
    else:
        fig.set_size_inches(9.0, 1.0 + sum(heights[p[0]] for p in panels))
        fig.set_layout_engine("constrained")
    name = results.metadata.get("project") or "annstudio run"
    fig.suptitle(f"{name}: {results.metadata.get('simulated_ms', 0.0):g} ms, dt {results.dt:g} ms, "
                 f"seed {results.metadata.get('seed', '?')}")
    if not panels:
        ax = fig.add_subplot()
        ax.set_axis_off()
        ax.text(0.5, 0.5, "nothing was recorded", ha="center", va="center")
        return fig
    axes = fig.subplots(len(panels), 1, gridspec_kw={"height_ratios": [heights[p[0]] for p in panels]},
                        squeeze=False)[:, 0]
    t_max = _t_max(results)
    time_axes = []
    for ax, (kind, name, var) in zip(axes, panels):
        if kind == "weights":
            _weights(ax, results, name)
            continue
        {"raster": lambda: _raster(ax, results, name, t_max), "rate": lambda: _rate(ax, results, name, t_max),
         "trace": lambda: _trace(ax, results, name, var, t_max)}[kind]()
        time_axes.append(ax)
    for ax in time_axes:
        ax.set_xlabel(f"Time ({UNITS['time']})")
    return fig


def write_figure(path, results):
    """Draw ``results`` and save it to ``path`` (.png, .svg or .pdf); returns the figure."""
    path = Path(path)
    fmt = path.suffix.lower()
    if fmt not in FORMATS:
        raise ValueError(f"{path}: a figure is saved as {', '.join(FORMATS)}, not {fmt or 'a file without extension'}")
    fig = draw_figure(results)
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt[1:], dpi=120)
    write_atomic(path, buffer.getvalue(), backup=False)
    return fig
