"""``Population.save`` / ``load`` and ``Projection.save`` / ``load``: ANNarchy's files of one object.

The formats, read from files ANNarchy 5.0.4.1 and 4.8.2.6 wrote (tests/session/test_object_file.py):

- a population: a dictionary with ``name``, ``geometry``, ``size``, ``attributes`` (parameters then
  variables), ``parameters``, ``variables`` and one entry per attribute: an array of the population's
  geometry for a per-neuron value (``int``/``bool`` types keep their dtype), a number for a
  population-wide one.  A spiking population also lists ``r`` (the rate ``compute_firing_rate`` gives);
  loading skips it (it is derived from the spike history);
- a projection: ``name``, ``pre``, ``post``, ``target``, ``post_ranks``, ``attributes``, ``parameters``,
  ``variables``, ``delays`` (ms: one number when every synapse has the same delay, else one list per
  dendrite), ``pre_ranks`` (a 2-D array when every dendrite has as many synapses, else one list per
  dendrite) and one entry per attribute: per synapse like the delays (``w`` is one number when the
  projection shares one weight), one value per dendrite for a per-post-neuron value, a number for a
  projection-wide one.

Files: ``.npz`` (``numpy.savez_compressed``), ``.gz`` (gzipped pickle), ``.mat`` (MATLAB, written for
external analysis only: loading it is refused, as in ANNarchy), anything else a pickle.  Pickles and the
object arrays of ``.npz`` files are read by connection_file's data-only unpickler: a file never runs code.

Loading a projection whose file holds other synapses (another draw of a random connector, other delays, a
shared weight that became per-synapse values) replaces its synapses (``structural.edit_synapses``), as
ANNarchy does; the file's ranks must fit the populations.
"""
import gzip
import pickle
import zipfile

import numpy as np

from annstudio.core.errors import ModelError

from . import connection_file, structural
from .dendrite import _set_synaptic

_DTYPES = {"int": int, "bool": bool}


def write(filename, data):
    """``data`` in ANNarchy's format for the extension of ``filename``."""
    name = str(filename)
    if name.endswith(".npz"):
        np.savez_compressed(name, **data)
    elif name.endswith(".mat"):
        from scipy import io as sio
        sio.savemat(name, {k: v for k, v in data.items() if v is not None})
    else:
        with (gzip.open(name, "wb") if name.endswith(".gz") else open(name, "wb")) as f:
            pickle.dump(data, f, protocol=pickle.HIGHEST_PROTOCOL)


def read(filename, pickle_encoding, where):
    """The dictionary of a file written by ``write`` (or by ANNarchy's ``save``)."""
    name = str(filename)
    if name.endswith(".mat"):
        raise ModelError(f"{name}: a .mat file is written for external analysis and cannot be loaded (as in "
                         "ANNarchy)", where=where, hint="save to .npz, .gz or a pickle to load it again")
    try:
        if name.endswith(".npz"):
            data = connection_file._read_npz(name, pickle_encoding)
            data = {k: (v.item() if isinstance(v, np.ndarray) and v.ndim == 0 else v) for k, v in data.items()}
        else:
            with (gzip.open(name, "rb") if name.endswith(".gz") else open(name, "rb")) as f:
                data = connection_file._unpickle(f, pickle_encoding)
    except (OSError, pickle.UnpicklingError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise ModelError(f"cannot read {name}: {exc}", where=where) from None
    if not isinstance(data, dict) or "attributes" not in data:
        raise ModelError(f"{name} is not a file of Population.save() / Projection.save() (no 'attributes')",
                         where=where)
    data["attributes"] = [str(a) for a in np.asarray(data["attributes"]).reshape(-1)]
    return data


# -- populations ------------------------------------------------------------------------------------
def population_data(pop):
    """The dictionary ``Population.save`` writes."""
    a = pop._analysis()
    spiking = pop.neuron_type.type == "spike" and "r" not in a.names
    variables = list(a.state) + (["r"] if spiking else [])
    desc = {"name": pop.name, "geometry": tuple(pop.geometry), "size": pop.size,
            "attributes": list(a.parameters) + variables, "parameters": list(a.parameters), "variables": variables}
    for var in desc["attributes"]:
        decl = a.var(var)
        value = getattr(pop, var)
        if decl is not None and decl.locality == "global":
            desc[var] = _DTYPES.get(decl.dtype, float)(np.asarray(value).reshape(-1)[0])
        else:
            desc[var] = np.asarray(value, dtype=_DTYPES.get(getattr(decl, "dtype", ""), float)).reshape(pop.geometry)
    return desc


def load_population(pop, filename, pickle_encoding=None):
    """Set ``pop``'s parameters and variables from a ``Population.save`` file (before compile(): their
    initial values)."""
    where = f"Population '{pop.name}'"
    desc = read(filename, pickle_encoding, where)
    size = desc.get("size")
    if size is not None and int(np.asarray(size).reshape(-1)[0]) != pop.size:
        raise ModelError(f"{filename} holds {int(np.asarray(size).reshape(-1)[0])} neurons, the population has "
                         f"{pop.size}", where=where)
    a = pop._analysis()
    unknown = [v for v in desc["attributes"] if a.var(v) is None and v != "r"]
    if unknown:
        raise ModelError(f"{filename} holds {', '.join(map(repr, unknown))}, which the neuron "
                         f"{pop.neuron_type.name!r} does not have (its attributes: {', '.join(a.names)})", where=where)
    values = {}
    for var in desc["attributes"]:
        decl = a.var(var)
        if decl is None:            # 'r' of a spiking population: derived from the spike history
            continue
        if var not in desc:
            raise ModelError(f"{filename} lists {var!r} but holds no value for it", where=where)
        value = np.asarray(desc[var], dtype=float)
        if decl.locality == "global":
            if value.size != 1:
                raise ModelError(f"{var!r} is population-wide but {filename} holds {value.size} values for it",
                                 where=where)
            values[var] = float(value.reshape(-1)[0])
        elif value.size not in (1, pop.size):
            raise ModelError(f"{filename} holds {value.size} values of {var!r}, the population has {pop.size} "
                             "neurons", where=where)
        else:
            values[var] = value.reshape(-1) if value.size > 1 else float(value.reshape(-1)[0])
    for var, value in values.items():
        pop._write(var, value, None)


# -- projections ------------------------------------------------------------------------------------
def _rows(flat, ptr, ranks, cast=float):
    rows = [[cast(x) for x in flat[ptr[r]:ptr[r + 1]]] for r in ranks]
    if len({len(r) for r in rows}) <= 1:
        return np.array(rows, dtype=float if cast is float else np.int64).reshape(len(rows), -1)
    out = np.empty(len(rows), dtype=object)
    for i, r in enumerate(rows):
        out[i] = r
    return out


def projection_data(proj):
    """The dictionary ``Projection.save`` writes (ANNarchy 5.0.4.1's; a per-synapse variable or delays of
    dendrites of equal sizes are a 2-D array, else one list per dendrite)."""
    sim = proj._sim()
    conn, a = proj._conn(), proj._analysis()
    ptr, post = conn.row_ptr(), proj.post_ranks
    attributes = list(a.parameters) + list(a.state)
    if "w" not in attributes:
        attributes.append("w")
    steps = sim.data.delays[proj.name]
    desc = {"name": proj.name, "pre": _population_name(proj.pre), "post": _population_name(proj.post),
            "target": proj.target, "post_ranks": list(post), "attributes": attributes,
            "parameters": list(a.parameters), "variables": list(a.state),
            "delays": float(proj.delay) if np.ndim(steps) == 0 else _rows(np.asarray(steps) * float(sim.ir.dt),
                                                                          ptr, post),
            "pre_ranks": _rows(conn.pre, ptr, post, int)}
    for var in attributes:
        decl = a.var(var)
        value = np.asarray(sim.get(proj.name, var))
        if value.ndim == 0 or decl is not None and decl.locality == "global":
            desc[var] = float(np.asarray(value).reshape(-1)[0])
        elif decl is not None and decl.locality == "semiglobal":
            desc[var] = [float(x) for x in value[post]]
        else:
            desc[var] = _rows(value, ptr, post)
    return desc


def _population_name(side):
    return getattr(side, "population", side).name


def _scalar(value):
    return isinstance(value, (int, float, np.number)) or isinstance(value, np.ndarray) and value.ndim == 0


def _per_dendrite(value, lengths, what, where):
    """The values of a per-synapse entry (one number, or one row per dendrite) flattened in file order."""
    if _scalar(value):
        return np.full(sum(lengths), float(value))
    rows = list(value)
    if len(rows) != len(lengths):
        raise ModelError(f"{what}: {len(rows)} rows for {len(lengths)} dendrites", where=where)
    out = []
    for row, n in zip(rows, lengths):
        row = np.asarray(row, dtype=float).reshape(-1)
        if row.size != n:
            raise ModelError(f"{what}: a dendrite of {n} synapses has {row.size} values", where=where)
        out.append(row)
    return np.concatenate(out) if out else np.zeros(0)


def load_projection(proj, filename, pickle_encoding=None):
    """Set ``proj``'s synapses and their values from a ``Projection.save`` file."""
    where = f"Projection '{proj.name}'"
    sim = proj._sim()
    desc = read(filename, pickle_encoding, where)
    for key in ("post_ranks", "pre_ranks", "w"):
        if key not in desc:
            raise ModelError(f"{filename} is not a projection file: it has no {key!r}", where=where)
    a = proj._analysis()
    unknown = [v for v in desc["attributes"] if a.var(v) is None]
    if unknown:
        raise ModelError(f"{filename} holds {', '.join(map(repr, unknown))}, which the synapse of the projection "
                         f"does not have (its attributes: {', '.join(a.names)})", where=where)
    post = [int(r) for r in np.asarray(desc["post_ranks"]).reshape(-1)]
    pre_rows = [np.asarray(r, dtype=np.int64).reshape(-1) for r in desc["pre_ranks"]]
    if len(pre_rows) != len(post):
        raise ModelError(f"{filename} has {len(post)} post ranks but {len(pre_rows)} rows of pre ranks", where=where)
    conn = proj._conn()
    lengths = [r.size for r in pre_rows]
    f_post = np.repeat(np.asarray(post, dtype=np.int64), lengths)
    f_pre = np.concatenate(pre_rows) if pre_rows else np.zeros(0, dtype=np.int64)
    if f_post.size and (f_post.min() < 0 or f_post.max() >= conn.post_size or f_pre.min() < 0 or
                        f_pre.max() >= conn.pre_size):
        raise ModelError(f"the ranks of {filename} do not fit populations of {conn.pre_size} (pre) and "
                         f"{conn.post_size} (post) neurons", where=where)
    order = np.lexsort((f_pre, f_post))              # annstudio's post-major order
    dt = float(sim.ir.dt)
    delays = desc.get("delays", dt)
    f_delay = _per_dendrite(delays, lengths, "delays", where)[order]
    f_w = _per_dendrite(desc["w"], lengths, "w", where)[order]
    same = np.array_equal(conn.post, f_post[order]) and np.array_equal(conn.pre, f_pre[order])
    cur_delay = sim.data.delays[proj.name]
    cur_steps = np.broadcast_to(np.maximum(1, np.asarray(cur_delay, dtype=np.int64)), (conn.size,)) if same else None
    shared_w = np.ndim(sim.get(proj.name, "w")) == 0
    if not same or not np.array_equal(cur_steps, np.maximum(1, np.rint(f_delay / dt).astype(np.int64))) or \
            shared_w and f_w.size and np.any(f_w != f_w[0]):
        structural.edit_synapses(sim, proj.name, remove=np.arange(conn.size), add_post=f_post[order],
                                 add_pre=f_pre[order], add_w=f_w, add_delay=f_delay)
    for var in desc["attributes"]:
        if var not in desc:
            raise ModelError(f"{filename} lists {var!r} but holds no value for it", where=where)
        decl = a.var(var)
        value = desc[var]
        if _scalar(value) or decl.locality == "global":
            value = np.asarray(value, dtype=float)
            if value.size != 1:
                raise ModelError(f"{var!r} is projection-wide but {filename} holds {value.size} values for it",
                                 where=where)
            _set_synaptic(sim, proj.name, var, float(value.reshape(-1)[0]), None)
        elif decl.locality == "semiglobal":
            vals = np.asarray(value, dtype=float).reshape(-1)
            arr = np.array(sim.get(proj.name, var), dtype=float)
            if vals.size != len(post):
                raise ModelError(f"{var!r}: {vals.size} values for {len(post)} dendrites", where=where)
            arr[post] = vals
            _set_synaptic(sim, proj.name, var, arr, None)
        else:
            flat = _per_dendrite(value, lengths, var, where)[order]
            if np.ndim(sim.get(proj.name, var)) == 0 and flat.size and np.all(flat == flat[0]):
                _set_synaptic(sim, proj.name, var, float(flat[0]), None)
            else:
                _set_synaptic(sim, proj.name, var, flat, None)
