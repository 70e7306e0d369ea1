"""``Projection.save_connectivity`` / ``connect_from_file``: ANNarchy's connectivity files.

The format, read from files real ANNarchy wrote (4.8.2.6 and 5.0.4.1): a dictionary with ``name``,
``post_ranks`` (list), ``pre_ranks`` (one list per post rank), ``w`` (one list per post rank, or one number
when the weight is shared), ``delay`` (likewise, or one number when uniform), ``max_delay`` and
``uniform_delay`` (steps; ``-1`` when delays differ), ``size`` (dendrites) and ``nb_synapses``.  ANNarchy
5.0.4.1 writes delays in ms (floats), 4.8.2.6 in steps (integers); a file's delays are read accordingly.
Files: ``.npz`` (object arrays), ``.gz`` (gzipped pickle), anything else a pickle; ``.mat`` is written for
external analysis only, as in ANNarchy.  Pickles are read by an unpickler that builds only plain data
(lists, dicts, numbers, NumPy arrays): a file never runs code.
"""
import gzip
import io
import pickle
import zipfile

import numpy as np

from annstudio.core.errors import ModelError
from annstudio.core.runtime.connectivity import CSR

_SAFE = {("numpy", "ndarray"), ("numpy", "dtype"), ("numpy.core.multiarray", "_reconstruct"),
         ("numpy._core.multiarray", "_reconstruct"), ("numpy.core.multiarray", "scalar"),
         ("numpy._core.multiarray", "scalar"), ("builtins", "list"), ("builtins", "dict"), ("builtins", "int"),
         ("builtins", "float"), ("builtins", "complex"), ("copyreg", "_reconstructor"), ("builtins", "object"),
         ("numpy.core.numeric", "_frombuffer"), ("numpy._core.numeric", "_frombuffer"),   # protocol-5 arrays
         ("builtins", "tuple"), ("builtins", "bool"), ("builtins", "str")}


class _DataUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in _SAFE:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"the file may hold only data, not {module}.{name}")


def _unpickle(f, encoding):
    return _DataUnpickler(f, encoding=encoding or "ASCII").load()


def _read_npz(filename, encoding):
    out = {}
    with zipfile.ZipFile(filename) as z:
        for member in z.namelist():
            with z.open(member) as f:
                version = np.lib.format.read_magic(f)
                header = np.lib.format.read_array_header_1_0 if version == (1, 0) else \
                    np.lib.format.read_array_header_2_0
                shape, fortran, dtype = header(f)
                if dtype.hasobject:
                    arr = _unpickle(io.BytesIO(f.read()), encoding or "latin1")
                else:
                    arr = np.frombuffer(f.read(), dtype=dtype).reshape(shape, order="F" if fortran else "C")
            out[member[:-4] if member.endswith(".npy") else member] = arr
    return out


def read_connectivity(filename, pickle_encoding=None):
    """The dictionary of an ANNarchy connectivity file (see the module docstring)."""
    name = str(filename)
    if name.endswith(".mat"):
        raise ModelError("a .mat connectivity file is written for external analysis and cannot be loaded "
                         "(as in ANNarchy)", where=name)
    try:
        if name.endswith(".npz"):
            data = _read_npz(name, pickle_encoding)
        else:
            with (gzip.open(name, "rb") if name.endswith(".gz") else open(name, "rb")) as f:
                data = _unpickle(f, pickle_encoding)
    except (OSError, pickle.UnpicklingError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise ModelError(f"cannot read the connectivity file: {exc}", where=name) from None
    if not isinstance(data, dict) or not {"post_ranks", "pre_ranks", "w", "delay"} <= set(data):
        raise ModelError("not a connectivity file (save_connectivity): it needs post_ranks, pre_ranks, w and "
                         "delay", where=name)
    return data


def _scalar(v):
    return isinstance(v, (int, float, np.number)) or (isinstance(v, np.ndarray) and v.ndim == 0)


def _delays_ms(value, dt):
    """Delays of a file in ms: integers are steps (ANNarchy 4.8), floats ms (ANNarchy 5)."""
    arr = np.asarray(value)
    ints = arr.dtype.kind in "iu" or (arr.dtype == object and all(isinstance(x, (int, np.integer))
                                                                  for x in arr.reshape(-1)))
    return np.asarray(arr, dtype=float) * (dt if ints else 1.0)


def connectivity_csr(data, dt, where):
    """The file's synapses as a ``CSR`` (delays in ms)."""
    post = [int(r) for r in np.asarray(data["post_ranks"]).reshape(-1)]
    pre, w, d = data["pre_ranks"], data["w"], data["delay"]
    if len(pre) != len(post):
        raise ModelError(f"{len(post)} post ranks but {len(pre)} rows of pre ranks", where=where)
    csr = CSR()
    for i, rank in enumerate(post):
        ranks = [int(r) for r in np.asarray(pre[i]).reshape(-1)]
        wi = float(np.asarray(w).reshape(())) if _scalar(w) else np.asarray(w[i], dtype=float).reshape(-1)
        di = _delays_ms(d if _scalar(d) else d[i], dt).reshape(-1)
        csr.add(rank, ranks, wi, di if di.size > 1 else float(di[0]) if di.size else 0.0)
    return csr


def _from_file(pre, post, csr=None, where=""):
    for rank, (ranks, _w, _d) in csr.rows.items():
        if rank >= post.size or any(r >= pre.size or r < 0 for r in ranks) or rank < 0:
            raise ModelError(f"the file's ranks do not fit populations of {pre.size} (pre) and {post.size} (post) "
                             f"neurons", where=where)
    return csr


def connect_from_file(proj, filename, pickle_encoding=None):
    """Build ``proj`` from a ``save_connectivity`` file (only ranks, weights and delays are read)."""
    data = read_connectivity(filename, pickle_encoding)
    csr = connectivity_csr(data, float(proj._net.spec.settings.dt), str(filename))
    return proj.connect_with_func(_from_file, csr=csr, where=str(filename))


def _rows(rows, cast):
    """One Python list per dendrite, in a 1-D object array (as ANNarchy writes them)."""
    out = np.empty(len(rows), dtype=object)
    for i, r in enumerate(rows):
        out[i] = [cast(x) for x in np.asarray(r).reshape(-1)]
    return out


def save_connectivity(proj, filename):
    """Write ``proj``'s ranks, weights and delays (ms) in ANNarchy 5's format."""
    post = [int(r) for r in proj.post_ranks]
    pre = proj.pre_ranks
    w, d = proj.w, proj.delay
    dt = float(proj._net.spec.settings.dt)
    uniform = isinstance(d, (int, float, np.number))
    longest = float(d) if uniform else max([float(np.max(r)) for r in d if len(r)] or [0.0])
    shared_w = isinstance(w, (int, float, np.number))
    data = {"name": proj.name, "post_ranks": post, "pre_ranks": _rows(pre, int),
            "w": float(w) if shared_w else _rows(w, float), "delay": float(d) if uniform else _rows(d, float),
            "max_delay": int(round(longest / dt)), "uniform_delay": int(round(float(d) / dt)) if uniform else -1,
            "size": len(post), "nb_synapses": int(sum(len(r) for r in pre))}
    name = str(filename)
    if name.endswith(".npz"):
        np.savez_compressed(name, **data)
    elif name.endswith(".mat"):
        from scipy import io as sio
        sio.savemat(name, data)
    elif name.endswith(".gz"):
        with gzip.open(name, "wb") as f:
            pickle.dump(data, f)
    else:
        with open(name, "wb") as f:
            pickle.dump(data, f)


def matrix_market_csr(filename, dt):
    """The synapses of a Matrix Market file as ANNarchy 5.0.4.1 reads them (measured): row ``i`` is post
    neuron ``i``, column ``j`` pre neuron ``j``; a sparse (coordinate) file gives a synapse per stored entry
    (a row without one has no dendrite), a dense (array) file one per entry, zeros included; delay: one step."""
    from scipy import io as sio
    from scipy import sparse
    name = str(filename)
    if not name.endswith(".mtx"):
        raise ModelError("from_matrix_market() expects a .mtx file", where=name)
    try:
        mat = sio.mmread(name)
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read the Matrix Market file: {exc}", where=name) from None
    csr = CSR()
    if sparse.issparse(mat):
        lil = sparse.lil_matrix(mat)
        for row, (cols, vals) in enumerate(zip(lil.rows, lil.data)):
            if cols:
                csr.add(row, [int(c) for c in cols], np.asarray(vals, dtype=float), dt)
    else:
        mat = np.asarray(mat, dtype=float)
        for row in range(mat.shape[0]):
            csr.add(row, list(range(mat.shape[1])), mat[row].copy(), dt)
    return csr


def connect_from_matrix_market(proj, filename):
    """Build ``proj`` from a Matrix Market file (``matrix_market_csr``)."""
    csr = matrix_market_csr(filename, float(proj._net.spec.settings.dt))
    return proj.connect_with_func(_from_file, csr=csr, where=str(filename))
