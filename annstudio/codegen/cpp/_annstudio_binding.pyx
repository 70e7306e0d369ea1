# cython: language_level=3, boundscheck=False, wraparound=False
"""Generic binding: loads any kernel that exports the ABI of ABI.md and drives it.

Compiled by ``pip install`` (``setup.py``) or else once per machine (see ``binding.py``), never per network;
``SOURCE_HASH`` (set by the build) tells ``binding.py`` which source a compiled module came from.  Arrays cross
as raw addresses of NumPy buffers that Python allocates and keeps alive, so no
copy is made in either direction; ``run`` releases the GIL.
"""
cimport cython
from libc.stdint cimport int32_t, int64_t, uint64_t

cdef extern from "<dlfcn.h>" nogil:
    void* dlopen(const char* filename, int flag)
    void* dlsym(void* handle, const char* symbol)
    char* dlerror()
    int RTLD_NOW
    int RTLD_LOCAL

ctypedef int32_t (*abi_t)() noexcept nogil
ctypedef const char* (*str_t)() noexcept nogil
ctypedef void* (*create_t)(void**, const int64_t*, int64_t, int32_t, uint64_t) noexcept nogil
ctypedef void (*destroy_t)(void*) noexcept nogil
ctypedef int64_t (*run_t)(void*, int64_t) noexcept nogil
ctypedef int64_t (*get_step_t)(void*) noexcept nogil
ctypedef void (*set_step_t)(void*, int64_t) noexcept nogil
ctypedef void (*set_slot_t)(void*, int64_t, void*, int64_t) noexcept nogil
ctypedef void (*carry_t)(void*, void*) noexcept nogil
ctypedef int64_t (*spikes_t)(void*, int32_t, int64_t*) noexcept nogil
ctypedef int32_t (*mon_add_t)(void*, int32_t, int32_t, const int32_t*, int32_t, int32_t, const int64_t*, int64_t,
                              int64_t, int64_t, int32_t) noexcept nogil
ctypedef void (*mon_set_t)(void*, int32_t, int32_t, int64_t, int64_t) noexcept nogil
ctypedef void (*mon_remove_t)(void*, int32_t) noexcept nogil
ctypedef void (*mon_counts_t)(void*, int32_t, int64_t*, int64_t*, int64_t*) noexcept nogil
ctypedef void (*mon_drain_t)(void*, int32_t, double*, int64_t*, int64_t*, int64_t*) noexcept nogil
ctypedef void (*mon_info_t)(void*, int32_t, int64_t*) noexcept nogil
ctypedef void (*mon_take_t)(void*, int32_t, void*, int64_t*, int64_t*, int64_t*) noexcept nogil

cdef extern from *:
    """
    #ifndef ANN_PYX_HASH
    #define ANN_PYX_HASH ""
    #endif
    """
    const char* ANN_PYX_HASH

ABI_VERSION = 1
SOURCE_HASH = (<bytes>ANN_PYX_HASH).decode()


cdef void* _sym(void* lib, bytes name) except NULL:
    cdef void* p = dlsym(lib, name)
    if p == NULL:
        raise OSError(f"kernel lacks symbol {name.decode()}")
    return p


cdef class Kernel:
    """One loaded kernel library."""
    cdef void* lib
    cdef create_t _create
    cdef str_t _create_error
    cdef destroy_t _destroy
    cdef run_t _run
    cdef get_step_t _get_step
    cdef set_step_t _set_step
    cdef set_slot_t _set_slot
    cdef carry_t _carry
    cdef spikes_t _spikes
    cdef mon_add_t _mon_add
    cdef mon_set_t _mon_set
    cdef mon_remove_t _mon_remove
    cdef mon_counts_t _mon_counts
    cdef mon_drain_t _mon_drain
    cdef mon_info_t _mon_info
    cdef mon_take_t _mon_take
    cdef readonly str path
    cdef readonly str digest

    def __cinit__(self, str path):
        self.path = path
        cdef bytes p = path.encode()
        self.lib = dlopen(p, RTLD_NOW | RTLD_LOCAL)
        if self.lib == NULL:
            raise OSError(f"cannot load {path}: {dlerror().decode()}")
        cdef abi_t abi = <abi_t>_sym(self.lib, b"ann_abi_version")
        if abi() != ABI_VERSION:
            raise OSError(f"{path}: kernel ABI {abi()} != {ABI_VERSION}")
        self.digest = (<str_t>_sym(self.lib, b"ann_digest"))().decode()
        self._create = <create_t>_sym(self.lib, b"ann_create")
        self._create_error = <str_t>_sym(self.lib, b"ann_create_error")
        self._destroy = <destroy_t>_sym(self.lib, b"ann_destroy")
        self._run = <run_t>_sym(self.lib, b"ann_run")
        self._get_step = <get_step_t>_sym(self.lib, b"ann_get_step")
        self._set_step = <set_step_t>_sym(self.lib, b"ann_set_step")
        self._set_slot = <set_slot_t>_sym(self.lib, b"ann_set_slot")
        self._carry = <carry_t>dlsym(self.lib, b"ann_carry_state")   # optional
        self._spikes = <spikes_t>_sym(self.lib, b"ann_spikes_last_step")
        self._mon_add = <mon_add_t>_sym(self.lib, b"ann_monitor_add")
        self._mon_set = <mon_set_t>_sym(self.lib, b"ann_monitor_set")
        self._mon_remove = <mon_remove_t>_sym(self.lib, b"ann_monitor_remove")
        self._mon_counts = <mon_counts_t>_sym(self.lib, b"ann_monitor_counts")
        self._mon_drain = <mon_drain_t>_sym(self.lib, b"ann_monitor_drain")
        self._mon_info = <mon_info_t>dlsym(self.lib, b"ann_monitor_info")       # optional (with _take)
        self._mon_take = <mon_take_t>dlsym(self.lib, b"ann_monitor_take")

    def create(self, arrays, int num_threads, uint64_t seed):
        """``arrays``: contiguous NumPy arrays in layout order (kept alive by the caller)."""
        return Instance(self, arrays, num_threads, seed)


cdef inline void* _addr(a):
    return <void*><size_t>a.ctypes.data


@cython.no_gc_clear
cdef class Instance:
    # no_gc_clear and a private copy of the destroy pointer: when an instance dies in a reference cycle
    # (at interpreter exit, say) the collector must not empty ``k``/``arrays`` before ``__dealloc__``
    # frees the kernel's state, which would call through a cleared ``k`` (a crash) or after the arrays.
    cdef Kernel k
    cdef destroy_t _destroy
    cdef void* h
    cdef object arrays

    def __cinit__(self, Kernel k, arrays, int num_threads, uint64_t seed):
        import numpy as np
        self.k = k
        self._destroy = k._destroy
        self.arrays = list(arrays)
        cdef Py_ssize_t n = len(self.arrays)
        ptrs = np.zeros(n, dtype=np.uint64)
        sizes = np.zeros(n, dtype=np.int64)
        for i, a in enumerate(self.arrays):
            if not a.flags["C_CONTIGUOUS"]:
                raise ValueError("kernel arrays must be C-contiguous")
            ptrs[i] = a.ctypes.data
            sizes[i] = a.size
        self.h = k._create(<void**>_addr(ptrs), <const int64_t*>_addr(sizes), n, num_threads, seed)
        if self.h == NULL:
            raise RuntimeError(f"kernel creation failed: {k._create_error().decode()}")

    def __dealloc__(self):
        if self.h != NULL:
            self._destroy(self.h)
            self.h = NULL

    def close(self):
        if self.h != NULL:
            self._destroy(self.h)
            self.h = NULL

    def run(self, int64_t nsteps):
        cdef int64_t done
        if self.h == NULL:
            raise RuntimeError("the kernel instance is closed")
        with nogil:
            done = self.k._run(self.h, nsteps)
        return done

    @property
    def handle(self):
        """The raw kernel instance pointer as an int (0 once closed), read-only: lets a backend call its own
        extensions of the ABI (e.g. the CUDA backend's ``ann_cuda_pull``) on this instance."""
        return <size_t>self.h

    @property
    def step(self):
        return self.k._get_step(self.h)

    @step.setter
    def step(self, int64_t value):
        self.k._set_step(self.h, value)

    def set_slot(self, int64_t index, array):
        """Point slot ``index`` at another C-contiguous array (kept alive here), between runs only."""
        if not array.flags["C_CONTIGUOUS"]:
            raise ValueError("kernel arrays must be C-contiguous")
        self.arrays[index] = array
        self.k._set_slot(self.h, index, _addr(array), array.size)

    def carry_state_from(self, Instance other):
        """Take over ``other``'s private state (histories, refractory counters, step); same kernel only."""
        if other.k is not self.k or self.k._carry == NULL:
            return False
        self.k._carry(self.h, other.h)
        return True

    def spikes_last_step(self, int pop, out):
        return self.k._spikes(self.h, pop, <int64_t*>_addr(out))

    def monitor_add(self, int kind, int obj, slots, int spikes, ranks, int64_t period, int64_t offset, int active):
        """``slots``: int32 array; ``ranks``: int64 array or None (every element)."""
        import numpy as np
        s = np.ascontiguousarray(slots, dtype=np.int32)
        r = np.ascontiguousarray(ranks if ranks is not None else np.zeros(1), dtype=np.int64)
        cdef int64_t nr = len(ranks) if ranks is not None else -1
        if s.size == 0:
            s = np.zeros(1, dtype=np.int32)
            return self.k._mon_add(self.h, kind, obj, <const int32_t*>_addr(s), 0, spikes,
                                   <const int64_t*>_addr(r), nr, period, offset, active)
        return self.k._mon_add(self.h, kind, obj, <const int32_t*>_addr(s), <int32_t>len(slots), spikes,
                               <const int64_t*>_addr(r), nr, period, offset, active)

    def monitor_set(self, int mid, int active, int64_t period, int64_t offset):
        self.k._mon_set(self.h, mid, active, period, offset)

    def monitor_remove(self, int mid):
        self.k._mon_remove(self.h, mid)

    def monitor_drain(self, int mid):
        """(values[n_records, record_len], steps, spike_steps, spike_ranks), emptying the buffers.  The values
        are float32 where the kernel records floats (``ann_monitor_info``), else float64; the kernel frees its
        buffers as it copies them into these arrays."""
        import numpy as np
        cdef int64_t nrec = 0, rlen = 0, nspk = 0
        cdef int64_t info[4]
        if self.k._mon_info != NULL and self.k._mon_take != NULL:
            self.k._mon_info(self.h, mid, info)
            nrec, rlen, nspk = info[0], info[1], info[2]
            values = np.empty((nrec, rlen), dtype=np.float32 if info[3] == 4 else np.float64)
        else:
            self.k._mon_counts(self.h, mid, &nrec, &rlen, &nspk)
            values = np.empty((nrec, rlen), dtype=np.float64)
        steps = np.empty(nrec, dtype=np.int64)
        sst = np.empty(nspk, dtype=np.int64)
        srk = np.empty(nspk, dtype=np.int64)
        v1 = values if values.size else np.empty(1)
        s1 = steps if steps.size else np.empty(1, dtype=np.int64)
        a1 = sst if sst.size else np.empty(1, dtype=np.int64)
        b1 = srk if srk.size else np.empty(1, dtype=np.int64)
        if self.k._mon_take != NULL and self.k._mon_info != NULL:
            self.k._mon_take(self.h, mid, _addr(v1), <int64_t*>_addr(s1), <int64_t*>_addr(a1),
                             <int64_t*>_addr(b1))
            return values, steps, sst, srk
        self.k._mon_drain(self.h, mid, <double*>_addr(v1), <int64_t*>_addr(s1), <int64_t*>_addr(a1),
                          <int64_t*>_addr(b1))
        return values, steps, sst, srk
