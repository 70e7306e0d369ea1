/* runtime.cuh: the network-independent part of every generated CUDA kernel library.
 *
 * - the launch macros (real <<<grid, block>>> launches, or emulation.h's sequential
 *   launcher when compiled for the CPU with -DANN_EMULATION);
 * - a counter-based random generator (Philox4x32-10) and the distributions of the
 *   equation language: a draw depends only on (seed, stream, element, step, k), so
 *   the GPU and the CPU emulation produce the same numbers whatever the launch shape;
 * - generic kernels: gather for monitors, spike recording, parallel reductions;
 * - monitors recorded on the device into buffers that are copied back when full or
 *   when Python drains them (once per chunk).
 */
#pragma once

#ifdef ANN_EMULATION
#include "emulation.h"
#else
#include <cuda_runtime.h>
#define ANN_LAUNCH(kernel, grid, block, ...) kernel<<<(grid), (block)>>>(__VA_ARGS__)
#define ANN_LAUNCH_COOP(kernel, grid, block, ...) kernel<<<(grid), (block)>>>(__VA_ARGS__)
#endif

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#define ANN_REDUCE_THREADS 256

/* ------------------------------------------------------------------ random numbers */
struct AnnKey { uint32_t k0, k1; };

__host__ __device__ inline void ann_philox(uint32_t c[4], uint32_t k0, uint32_t k1) {
    for (int r = 0; r < 10; ++r) {
        const uint64_t p0 = (uint64_t)0xD2511F53u * c[0];
        const uint64_t p1 = (uint64_t)0xCD9E8D57u * c[2];
        const uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
        const uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
        const uint32_t n0 = hi1 ^ c[1] ^ k0, n2 = hi0 ^ c[3] ^ k1;
        c[0] = n0; c[1] = lo1; c[2] = n2; c[3] = lo0;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
}

/* four 32-bit words for draw ``k`` of ``elem`` in ``stream`` at ``step`` */
__host__ __device__ inline void ann_bits(AnnKey key, uint32_t stream, uint32_t elem, int64_t step, uint32_t k,
                                         uint32_t out[4]) {
    out[0] = elem;
    out[1] = stream;
    out[2] = (uint32_t)step;
    out[3] = ((uint32_t)((uint64_t)step >> 32) & 0xFFFFFu) | (k << 20);
    ann_philox(out, key.k0, key.k1);
}

/* (0, 1] with 53 random bits */
__host__ __device__ inline double ann_u01(uint32_t a, uint32_t b) {
    return ((double)((((uint64_t)(a >> 5)) << 26) | (b >> 6)) + 1.0) * (1.0 / 9007199254740992.0);
}

__host__ __device__ inline double ann_std_normal(AnnKey key, uint32_t s, uint32_t e, int64_t step, uint32_t k) {
    uint32_t w[4];
    ann_bits(key, s, e, step, k, w);
    const double u1 = ann_u01(w[0], w[1]), u2 = ann_u01(w[2], w[3]);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

__host__ __device__ inline double ann_draw_uniform(AnnKey key, uint32_t s, uint32_t e, int64_t step, double a, double b) {
    uint32_t w[4];
    ann_bits(key, s, e, step, 0, w);
    return a + (b - a) * (1.0 - ann_u01(w[0], w[1]));   /* [a, b) */
}

__host__ __device__ inline double ann_draw_normal(AnnKey key, uint32_t s, uint32_t e, int64_t step, double mu, double sigma) {
    return mu + sigma * ann_std_normal(key, s, e, step, 0);
}

__host__ __device__ inline double ann_draw_lognormal(AnnKey key, uint32_t s, uint32_t e, int64_t step, double mu, double sigma) {
    return exp(mu + sigma * ann_std_normal(key, s, e, step, 0));
}

__host__ __device__ inline double ann_draw_exponential(AnnKey key, uint32_t s, uint32_t e, int64_t step, double lambda) {
    uint32_t w[4];
    ann_bits(key, s, e, step, 0, w);
    return -log(ann_u01(w[0], w[1])) / lambda;
}

/* Marsaglia & Tsang (2000); shape < 1 boosted with u^(1/shape) */
__host__ __device__ inline double ann_draw_gamma(AnnKey key, uint32_t s, uint32_t e, int64_t step, double shape, double scale) {
    double boost = 1.0;
    uint32_t k = 0;
    if (shape < 1.0) {
        uint32_t w[4];
        ann_bits(key, s, e, step, k++, w);
        boost = pow(ann_u01(w[0], w[1]), 1.0 / shape);
        shape += 1.0;
    }
    const double d = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (int tries = 0; tries < 64; ++tries) {
        const double x = ann_std_normal(key, s, e, step, k++);
        double v = 1.0 + c * x;
        if (v <= 0.0) continue;
        v = v * v * v;
        uint32_t w[4];
        ann_bits(key, s, e, step, k++, w);
        const double u = ann_u01(w[0], w[1]);
        if (log(u) < 0.5 * x * x + d - d * v + d * log(v)) return scale * boost * d * v;
    }
    return scale * boost * d;
}

__host__ __device__ inline double ann_draw_discrete_uniform(AnnKey key, uint32_t s, uint32_t e, int64_t step, double a, double b) {
    uint32_t w[4];
    ann_bits(key, s, e, step, 0, w);
    const double lo = floor(a + 0.5), n = floor(b + 0.5) - lo + 1.0;
    double v = floor((1.0 - ann_u01(w[0], w[1])) * n);
    return lo + (v >= n ? n - 1.0 : v);
}

__host__ __device__ inline double ann_draw_binomial(AnnKey key, uint32_t s, uint32_t e, int64_t step, double n, double p) {
    const int64_t trials = (int64_t)floor(n + 0.5);
    int64_t hits = 0;
    uint32_t w[4];
    for (int64_t i = 0; i < trials; ++i) {
        if ((i & 3) == 0) ann_bits(key, s, e, step, (uint32_t)(i >> 2), w);
        hits += ((double)w[i & 3] + 0.5) * (1.0 / 4294967296.0) < p;
    }
    return (double)hits;
}

/* ------------------------------------------------------------------ expression helpers */
__host__ __device__ inline double ann_heaviside0(double x) { return x != x ? x : (x > 0.0 ? 1.0 : 0.0); }
__host__ __device__ inline float ann_heaviside0(float x) { return x != x ? x : (x > 0.0f ? 1.0f : 0.0f); }

/* ------------------------------------------------------------------ generic kernels */
template <typename T>      /* T: double, or float in single-precision networks (records are double) */
__global__ void ann_k_gather(double* __restrict__ dst, const T* __restrict__ src,
                             const int32_t* __restrict__ idx, int64_t n) {
    const int64_t k = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (k < n) dst[k] = src[idx ? idx[k] : k];
}

__global__ void ann_k_record_spikes(const int32_t* __restrict__ list, const int32_t* __restrict__ count,
                                    const uint8_t* __restrict__ mask, int32_t* __restrict__ out_rank,
                                    int64_t* __restrict__ out_step, int32_t* __restrict__ out_count, int64_t step) {
    const int32_t n = *count;
    for (int32_t s = blockIdx.x * blockDim.x + threadIdx.x; s < n; s += gridDim.x * blockDim.x) {
        const int32_t r = list[s];
        if (mask && !mask[r]) continue;
        const int32_t pos = atomicAdd(out_count, 1);
        out_rank[pos] = r;
        out_step[pos] = step;
    }
}

enum AnnReduceOp { ANN_MEAN = 0, ANN_MAX = 1, ANN_MIN = 2, ANN_NORM1 = 3, ANN_NORM2 = 4 };

/* one block of ANN_REDUCE_THREADS threads: strided partials, then a shared-memory tree */
template <typename T>      /* T: double, or float in single-precision networks */
__global__ void ann_k_reduce(const T* __restrict__ x, int64_t n, int op, T* __restrict__ out) {
    __shared__ T buf[ANN_REDUCE_THREADS];
    const unsigned tid = threadIdx.x;
    const bool is_max = op == ANN_MAX, is_min = op == ANN_MIN;
    T acc = is_max ? -INFINITY : (is_min ? INFINITY : 0.0);
    for (int64_t i = tid; i < n; i += blockDim.x) {
        const T v = x[i];
        if (is_max) acc = fmax(acc, v);
        else if (is_min) acc = fmin(acc, v);
        else if (op == ANN_NORM1) acc += fabs(v);
        else if (op == ANN_NORM2) acc += v * v;
        else acc += v;
    }
    buf[tid] = acc;
    __syncthreads();
    for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
        if (tid < s) {
            const T o = buf[tid + s];
            buf[tid] = is_max ? fmax(buf[tid], o) : (is_min ? fmin(buf[tid], o) : buf[tid] + o);
        }
        __syncthreads();
    }
    if (tid == 0) {
        T r = buf[0];
        if (op == ANN_MEAN) r = n ? r / (T)n : NAN;
        if (op == ANN_NORM2) r = sqrt(r);
        out[0] = r;
    }
}

/* ------------------------------------------------------------------ host side */
struct AnnError {
    std::string text;
    bool check(cudaError_t e, const char* what) {
        if (e == cudaSuccess) return true;
        if (text.empty()) text = std::string(what) + ": " + cudaGetErrorString(e);
        return false;
    }
};

struct AnnSlot {
    void* host = nullptr;
    void* dev = nullptr;
    int64_t n = 0;
    int elem = 8;
    bool scalar = false;
    bool target = false;    /* a conductance g_*: monitors record it before the neuron update */
};

struct AnnSpikeRing {       /* a population's spike lists of the last ``ring`` steps, on the device */
    int32_t* list = nullptr;   /* ring x n */
    int32_t* count = nullptr;  /* ring */
    int64_t n = 0;
    int64_t ring = 1;
};

struct AnnMonitor {
    bool used = false, active = true;
    int64_t period = 1, offset = 0;
    /* values */
    std::vector<int> slots;
    std::vector<int64_t> lens;
    int64_t record_len = 0;
    int32_t* idx_dev = nullptr;          /* ranks (populations), nullptr: every element */
    double* vbuf = nullptr;
    int64_t cap_records = 0, n_dev_records = 0;
    std::vector<double> values;
    std::vector<int64_t> steps;
    /* spikes */
    int spike_pop = -1;
    uint8_t* mask = nullptr;
    int32_t* s_rank = nullptr;
    int64_t* s_step = nullptr;
    int32_t* s_count = nullptr;
    int64_t s_cap = 0, s_upper = 0, s_per_step = 0;
    std::vector<std::pair<int64_t, int64_t>> spikes;
};

inline int64_t ann_blocks(int64_t n, int64_t threads) { return n > 0 ? (n + threads - 1) / threads : 1; }

inline bool ann_monitor_flush(AnnMonitor& m, AnnError& err) {
    if (m.n_dev_records) {
        const size_t off = m.values.size();
        m.values.resize(off + (size_t)(m.n_dev_records * m.record_len));
        if (!err.check(cudaMemcpy(m.values.data() + off, m.vbuf, sizeof(double) * m.n_dev_records * m.record_len,
                                  cudaMemcpyDeviceToHost), "monitor copy")) return false;
        m.n_dev_records = 0;
    }
    if (m.spike_pop >= 0 && m.s_upper) {
        int32_t n = 0;
        if (!err.check(cudaMemcpy(&n, m.s_count, sizeof n, cudaMemcpyDeviceToHost), "monitor copy")) return false;
        std::vector<int32_t> r(n);
        std::vector<int64_t> s(n);
        if (n) {
            err.check(cudaMemcpy(r.data(), m.s_rank, sizeof(int32_t) * n, cudaMemcpyDeviceToHost), "monitor copy");
            err.check(cudaMemcpy(s.data(), m.s_step, sizeof(int64_t) * n, cudaMemcpyDeviceToHost), "monitor copy");
        }
        const size_t off = m.spikes.size();
        for (int32_t i = 0; i < n; ++i) m.spikes.emplace_back(s[i], r[i]);
        std::sort(m.spikes.begin() + off, m.spikes.end());   /* atomics scramble the order on a GPU */
        err.check(cudaMemset(m.s_count, 0, sizeof(int32_t)), "monitor reset");
        m.s_upper = 0;
    }
    return err.text.empty();
}

inline void ann_monitor_free(AnnMonitor& m) {
    cudaFree(m.idx_dev); cudaFree(m.vbuf); cudaFree(m.mask); cudaFree(m.s_rank); cudaFree(m.s_step);
    cudaFree(m.s_count);
    m = AnnMonitor();
}

/* phase 0: right after transmission (conductances, as ANNarchy's record_targets); phase 1: at the end of
   every step (everything else, spikes; completes the record) */
inline void ann_monitor_record(AnnMonitor& m, const std::vector<AnnSlot>& slots,
                               const std::vector<AnnSpikeRing>& rings, int64_t step, AnnError& err, int phase = 1,
                               const int64_t* back = nullptr) {   /* back: steps each population's clock is behind */
    if (!m.used || !m.active) return;
    if (phase == 0) {
        if (m.record_len == 0 || (step - m.offset) % m.period != 0) return;
        /* flush now whatever phase 1 would flush, so that it cannot move this half-written row */
        if (m.n_dev_records == m.cap_records || (m.spike_pop >= 0 && m.s_upper + m.s_per_step > m.s_cap))
            ann_monitor_flush(m, err);
        double* dst = m.vbuf + m.n_dev_records * m.record_len;
        for (size_t k = 0; k < m.slots.size(); ++k) {
            const AnnSlot& S = slots[m.slots[k]];
            if (S.target) {
                const bool all = S.scalar || !m.idx_dev;
                if (S.elem == 4)
                    ANN_LAUNCH(ann_k_gather<float>, (unsigned)ann_blocks(m.lens[k], 256), 256, dst,
                               (const float*)S.dev, all ? (const int32_t*)nullptr : m.idx_dev, m.lens[k]);
                else
                    ANN_LAUNCH(ann_k_gather<double>, (unsigned)ann_blocks(m.lens[k], 256), 256, dst,
                               (const double*)S.dev, all ? (const int32_t*)nullptr : m.idx_dev, m.lens[k]);
            }
            dst += m.lens[k];
        }
        return;
    }
    if (m.spike_pop >= 0) {
        const AnnSpikeRing& R = rings[m.spike_pop];
        if (m.s_upper + m.s_per_step > m.s_cap) ann_monitor_flush(m, err);
        const int64_t own = step - (back ? back[m.spike_pop] : 0), slot = (own % R.ring + R.ring) % R.ring;
        ANN_LAUNCH(ann_k_record_spikes, (unsigned)std::min<int64_t>(ann_blocks(R.n, 256), 1024), 256,
                   R.list + slot * R.n, R.count + slot, m.mask, m.s_rank, m.s_step, m.s_count, step);
        m.s_upper += m.s_per_step;
    }
    if (m.record_len == 0 || (step - m.offset) % m.period != 0) return;
    if (m.n_dev_records == m.cap_records) ann_monitor_flush(m, err);   /* (phase 0 flushed already) */
    double* dst = m.vbuf + m.n_dev_records * m.record_len;
    for (size_t k = 0; k < m.slots.size(); ++k) {
        const AnnSlot& S = slots[m.slots[k]];
        if (!S.target) {
            const bool all = S.scalar || !m.idx_dev;
            if (S.elem == 4)
                ANN_LAUNCH(ann_k_gather<float>, (unsigned)ann_blocks(m.lens[k], 256), 256, dst, (const float*)S.dev,
                           all ? (const int32_t*)nullptr : m.idx_dev, m.lens[k]);
            else
                ANN_LAUNCH(ann_k_gather<double>, (unsigned)ann_blocks(m.lens[k], 256), 256, dst, (const double*)S.dev,
                           all ? (const int32_t*)nullptr : m.idx_dev, m.lens[k]);
        }
        dst += m.lens[k];
    }
    m.steps.push_back(step);
    m.n_dev_records += 1;
}
