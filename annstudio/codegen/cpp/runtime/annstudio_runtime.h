// annstudio C++/OpenMP kernel runtime: the network-independent half of every kernel.
// Counter-based random numbers, numpy-compatible pairwise sums, thread partitions,
// spike ring buffers, compressed projections and C++-side monitors.
// Plain C++17 + OpenMP, no Python headers (see ABI.md).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>
#include <algorithm>
#include <atomic>
#include <omp.h>
#include <sched.h>
#if defined(__x86_64__) || defined(__i386__)
#define ANN_PAUSE() __builtin_ia32_pause()
#else
#define ANN_PAUSE() do {} while (0)
#endif
// Loops that touch element i (or synapse j) only, in distinct arrays: the compiler need not prove it
#if defined(__clang__)
#define ANN_IVDEP _Pragma("clang loop vectorize(assume_safety)")
#elif defined(__GNUC__)
#define ANN_IVDEP _Pragma("GCC ivdep")
#else
#define ANN_IVDEP
#endif

namespace ann {

// ---------------------------------------------------------------- random numbers
// value = f(seed, stream, iteration, element): identical for any thread count.
static inline uint64_t mix64(uint64_t z) {
    z += 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static inline uint64_t rbits(uint64_t key, int64_t it, int64_t idx, uint64_t sub) {
    return mix64(mix64(key ^ mix64((uint64_t)it * 4ULL + sub)) + (uint64_t)idx);
}
// (0, 1]
static inline double u01(uint64_t key, int64_t it, int64_t idx, uint64_t sub = 0) {
    return (double)((rbits(key, it, idx, sub) >> 11) + 1) * 0x1.0p-53;
}
static inline double draw_uniform(uint64_t k, int64_t it, int64_t i, double a, double b) {
    return a + (b - a) * (u01(k, it, i) - 0x1.0p-53);
}
// fmin / fmax with the C library's results bit for bit (x86-64 glibc: minsd/maxsd, a NaN argument ignored),
// inline and branch-free: the library calls kept synaptic clips scalar (STDP: 7 % of the run in __fmin/__fmax)
static inline double minnum(double x, double y) {
    double m = x < y ? x : y;
    m = x != x ? y : m;
    return y != y ? x : m;
}
static inline double maxnum(double x, double y) {
    double m = x > y ? x : y;
    m = x != x ? y : m;
    return y != y ? x : m;
}
// exp(x) for every double, within ~1 ulp, branch-free like rlog below: printed for the event-driven decays of
// synaptic traces (two a synapse a spike in STDP, 40 % of such a run in the C library's exp), so that a post
// spike's row of synapses vectorises.  x = k ln2 + r, |r| <= ln2/2 (Cody-Waite, k ln2 exact in two parts);
// exp(r) by its Taylor series to r^13 (the rest is below 2^-57); 2^k applied in two exact halves so that
// results near overflow and in the subnormal range come out right; NaN stays NaN, +-inf give inf and 0.
static inline double rexp(double x) {
    const double xc = x < -745.2 ? -745.2 : (x > 709.8 ? 709.8 : x);
    const double kd = (xc * 1.4426950408889634 + 0x1.8p52) - 0x1.8p52;          // round(x / ln2)
    const double r = (xc - kd * 6.93147180369123816490e-01) - kd * 1.90821492927058770002e-10;
    double p = 1.0 / 6227020800.0;                                              // 1/13!
    p = 1.0 / 479001600.0 + r * p; p = 1.0 / 39916800.0 + r * p; p = 1.0 / 3628800.0 + r * p;
    p = 1.0 / 362880.0 + r * p;    p = 1.0 / 40320.0 + r * p;    p = 1.0 / 5040.0 + r * p;
    p = 1.0 / 720.0 + r * p;       p = 1.0 / 120.0 + r * p;      p = 1.0 / 24.0 + r * p;
    p = 1.0 / 6.0 + r * p;         p = 0.5 + r * p;
    const double e = 1.0 + (r + (r * r) * p);
    const int64_t k = (int64_t)(kd == kd ? kd : 0.0), k1 = k >> 1, k2 = k - k1;   // |k1|, |k2| <= 538
    const uint64_t b1 = (uint64_t)(k1 + 1023) << 52, b2 = (uint64_t)(k2 + 1023) << 52;
    double s1, s2;
    std::memcpy(&s1, &b1, sizeof s1);
    std::memcpy(&s2, &b2, sizeof s2);
    return (e * s1) * s2;
}
// log(x) for x in [2^-53, 1] (what u01 returns), within ~1 ulp.  Branch-free arithmetic only, so that a
// neuron loop drawing random numbers vectorises (a call to the C library's log kept it scalar: 1,000
// Box-Muller draws a step were 70 % of the Izhikevich network's time), and the SIMD lanes and the scalar
// remainder compute the same bits (no FMA contraction: -ffp-contract=off), whatever the thread blocks.
static inline double rlog(double x) {
    uint64_t b;
    std::memcpy(&b, &x, sizeof b);
    int64_t e = (int64_t)(b >> 52) - 1023;
    const uint64_t mb = (b & 0x000FFFFFFFFFFFFFULL) | 0x3FF0000000000000ULL;
    double m;
    std::memcpy(&m, &mb, sizeof m);                     // x = m * 2^e, m in [1, 2)
    const bool big = m > 1.4142135623730951;
    m = big ? 0.5 * m : m;                              // m in [sqrt(1/2), sqrt(2)): |f| <= 0.1716
    e = big ? e + 1 : e;
    const double f = (m - 1.0) / (m + 1.0), f2 = f * f;
    // log(m) = 2 atanh(f) = 2 (f + f^3/3 + ... + f^21/21): the next term is below 2^-55 of the sum
    double q = 1.0 / 21.0;
    q = q * f2 + 1.0 / 19.0; q = q * f2 + 1.0 / 17.0; q = q * f2 + 1.0 / 15.0; q = q * f2 + 1.0 / 13.0;
    q = q * f2 + 1.0 / 11.0; q = q * f2 + 1.0 / 9.0;  q = q * f2 + 1.0 / 7.0;  q = q * f2 + 1.0 / 5.0;
    q = q * f2 + 1.0 / 3.0;
    const double de = (double)e;
    // ln 2 = LN2_HI + LN2_LO, LN2_HI with trailing zero bits so that de * LN2_HI is exact
    return de * 6.93147180369123816490e-01 + (de * 1.90821492927058770002e-10 + (2.0 * f + 2.0 * f * f2 * q));
}
// cos(2 pi u) for u in [0, 1], within ~1 ulp; branch-free like rlog
static inline double rcos2pi(double u) {
    const double r = u - ((u + 0x1.8p52) - 0x1.8p52);   // u - round(u), exact: in [-1/2, 1/2]
    const double a = r < 0.0 ? -r : r;                   // cos is even
    const bool flip = a > 0.25;                          // cos(2 pi a) = -cos(2 pi (1/2 - a))
    const double b = flip ? 0.5 - a : a;                 // [0, 1/4], exact
    const bool use_sin = b > 0.125;                      // cos(2 pi b) = sin(2 pi (1/4 - b))
    const double y = 6.283185307179586 * (use_sin ? 0.25 - b : b), y2 = y * y;   // |y| <= pi/4
    double c = -1.0 / 6402373705728000.0;                // -1/18!: Taylor series to y^16 and y^17
    c = 1.0 / 20922789888000.0 + y2 * c;  c = -1.0 / 87178291200.0 + y2 * c; c = 1.0 / 479001600.0 + y2 * c;
    c = -1.0 / 3628800.0 + y2 * c;        c = 1.0 / 40320.0 + y2 * c;        c = -1.0 / 720.0 + y2 * c;
    c = 1.0 / 24.0 + y2 * c;              c = 0.5 - y2 * c;                  c = 1.0 - y2 * c;
    double t = -1.0 / 355687428096000.0;                 // -1/17!
    t = 1.0 / 1307674368000.0 + y2 * t;   t = -1.0 / 6227020800.0 + y2 * t;  t = 1.0 / 39916800.0 + y2 * t;
    t = -1.0 / 362880.0 + y2 * t;         t = 1.0 / 5040.0 + y2 * t;         t = -1.0 / 120.0 + y2 * t;
    t = 1.0 / 6.0 + y2 * t;               t = y - y * (y2 * t);
    const double v = use_sin ? t : c;
    return flip ? -v : v;
}
static inline double std_normal(uint64_t k, int64_t it, int64_t i, uint64_t sub = 0) {
    double u1 = u01(k, it, i, sub), u2 = u01(k, it, i, sub + 1);
    return std::sqrt(-2.0 * rlog(u1)) * rcos2pi(u2);
}
static inline double draw_normal(uint64_t k, int64_t it, int64_t i, double m, double s) {
    return m + s * std_normal(k, it, i);
}
static inline double draw_lognormal(uint64_t k, int64_t it, int64_t i, double m, double s) {
    return std::exp(m + s * std_normal(k, it, i));
}
static inline double draw_exponential(uint64_t k, int64_t it, int64_t i, double lam) {
    return -rlog(u01(k, it, i)) / lam;
}
static inline double draw_discrete_uniform(uint64_t k, int64_t it, int64_t i, double a, double b) {
    double lo = std::floor(a), n = std::floor(b) - lo + 1.0;
    double v = lo + std::floor((u01(k, it, i) - 0x1.0p-53) * n);
    return v > lo + n - 1.0 ? lo + n - 1.0 : v;
}
static inline double draw_gamma(uint64_t k, int64_t it, int64_t i, double shape, double scale) {
    // Marsaglia-Tsang; the attempt number selects fresh counters
    double boost = 1.0;
    if (shape < 1.0) { boost = std::pow(u01(k, it, i, 3), 1.0 / shape); shape += 1.0; }
    double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
    for (uint64_t a = 0; a < 64; ++a) {
        double x = std_normal(k ^ (0x5851F42D4C957F2DULL * (a + 1)), it, i), v = 1.0 + c * x;
        if (v <= 0.0) continue;
        v = v * v * v;
        double u = u01(k ^ (0x5851F42D4C957F2DULL * (a + 1)), it, i, 2);
        if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v * scale * boost;
    }
    return d * scale * boost;
}
static inline double draw_binomial(uint64_t k, int64_t it, int64_t i, double n, double p) {
    int64_t nn = (int64_t)n, c = 0;
    for (int64_t a = 0; a < nn; ++a) c += u01(k ^ (0x2545F4914F6CDD1DULL * (a + 1)), it, i) <= p;
    return (double)c;
}

// out[i - lo] = draw of element i in [lo, hi) at step it, for dist 0 Uniform(a, b), 1 Normal(a, b),
// 2 LogNormal(a, b), 3 Exponential(a), 4 Gamma(a, b), 5 DiscreteUniform(a, b), 6 Binomial(a, b): the same
// bits as the draw_* functions above, computed in the runtime library (vectorised there, once per machine)
void fill_draws(int dist, uint64_t key, int64_t it, int64_t lo, int64_t hi, double a, double b, double* out);

// ---------------------------------------------------------------- reductions (bitwise numpy)
double pairwise_sum(const double* a, int64_t n, int64_t stride, bool squares = false, bool absval = false);
// op: 0 mean, 1 max, 2 min, 3 norm1, 4 norm2
double global_op(int op, const double* a, int64_t n);

// ---------------------------------------------------------------- barrier
// Flag barrier: thread k publishes how many barriers it has reached and waits until every other thread has
// reached as many.  Cross-core traffic is what a step pays for (one cache-line transfer costs ~0.25 us on
// this kind of VM, against a few us of work per step), so each thread publishes in a line of its own, one
// line for even and one for odd barriers, and the rest of that line carries a payload: the spikes the
// thread emitted in the step that ends there, which the other threads need first thing in the next step.
// They then arrive with the flag, in the one transfer the barrier costs anyway (reading them from the
// spike rings costs two or three more per step).  A payload at barrier c lies in line c % 2; it is written
// before the thread arrives at c and read by the others between c and c + 1, so the next write to that
// line (before c + 2) cannot overtake a reader.  Spins briefly, then yields the core, so that on a loaded
// machine a waiting thread does not steal the core of the one it waits for.
struct Barrier {
    static const int MAIL = 14;                     // int32 payload words per line
    struct alignas(64) Line { std::atomic<int64_t> v{0}; int32_t d[MAIL]; };
    struct alignas(128) Box { Line line[2]; alignas(128) int64_t own = 0; };   // own: this thread's count
    Box* box = nullptr;
    int T = 1;
    Barrier() = default;
    Barrier(const Barrier&) = delete;
    Barrier& operator=(const Barrier&) = delete;
    ~Barrier() { delete[] box; }
    void init(int T_) {
        delete[] box; T = T_ < 1 ? 1 : T_; box = new Box[T];
        for (int k = 0; k < T; ++k) for (int j = 0; j < 2; ++j) box[k].line[j].d[0] = -1;
    }
    // barriers thread tid has passed
    int64_t passed(int tid) const { return box[tid].own; }
    // the payload thread tid publishes at its next barrier
    int32_t* outbox(int tid) { return box[tid].line[(box[tid].own + 1) & 1].d; }
    // the payload thread k published at the barrier that thread tid passed last
    const int32_t* inbox(int k, int tid) const { return box[k].line[box[tid].own & 1].d; }
    void wait(int tid) { arrive(tid); await(tid); }
    // split barrier: publish this thread's arrival (and ask for the others' lines early), work, then await
    void arrive(int tid) {
        if (T <= 1) return;
        const int64_t mine = box[tid].own + 1;
        box[tid].own = mine;
        box[tid].line[mine & 1].v.store(mine, std::memory_order_release);
        for (int k = 0; k < T; ++k) if (k != tid) __builtin_prefetch(&box[k].line[mine & 1]);
    }
    void await(int tid) {
        if (T <= 1) return;
        const int64_t mine = box[tid].own;
        for (int k = 0; k < T; ++k) {
            if (k == tid) continue;
            const std::atomic<int64_t>& f = box[k].line[mine & 1].v;
            int spins = 0;
            while (f.load(std::memory_order_acquire) < mine) {
                if (++spins < 256) ANN_PAUSE(); else sched_yield();
            }
        }
    }
};

static const int64_t PRIVATE_GAP = 520;     // doubles: a 4 KiB page plus one cache line

// ---------------------------------------------------------------- partitions
// Thread k owns [lo[k], hi[k]) of a population (blocks rounded to 8 for SIMD).
void partition(int64_t n, int T, std::vector<int64_t>& lo, std::vector<int64_t>& hi);
// The same with thread k's block about share[k] of the n elements (shares > 0, summing to 1; empty: equal
// blocks, exactly as above): the blocks of a balanced run (Base::repartition)
void partition(int64_t n, int T, const std::vector<double>& share, std::vector<int64_t>& lo,
               std::vector<int64_t>& hi);
// Thread balance (ann_run): in runs of BAL_STEPS steps or more, each thread's work in every BAL_SAMPLE-th step
// is timed (bal_clock: the time-stamp counter, ~20 cycles); a run of at least 4 BAL_STEPS steps starts with
// BAL_ROUNDS segments of BAL_STEPS steps, then goes on in segments of at most BAL_PERIOD steps, and after each
// the blocks may move (Base::rebalance); a thread's share stays within [1/(2T), 3/(2T)] and moves by
// BAL_MIN_MOVE or more
static const int64_t BAL_STEPS = 1000;
static const int BAL_ROUNDS = 2;
static const int64_t BAL_PERIOD = 16000;
static const int64_t BAL_SAMPLE = 8;
static const double BAL_MIN_MOVE = 0.01;
static const int64_t BAL_STRIDE = BAL_PERIOD / BAL_SAMPLE + 16;   // rows of Base::bal_busy, a cache line apart
static inline double bal_clock() {
#if defined(__x86_64__) || defined(__i386__)
    return (double)__builtin_ia32_rdtsc();
#else
    return omp_get_wtime();
#endif
}

// Ranks i in [lo, hi) with M[i] != 0, ascending, into out; spikes are rare, so 8 flags are tested at once.
static inline int64_t compact(const uint8_t* __restrict M, int64_t lo, int64_t hi, int32_t* __restrict out) {
    int64_t c = 0, i = lo;
    for (; i < hi && (i & 7); ++i) { out[c] = (int32_t)i; c += M[i]; }
    for (; i + 8 <= hi; i += 8) {
        uint64_t word;
        std::memcpy(&word, M + i, 8);
        if (!word) continue;
        for (int64_t k = i; k < i + 8; ++k) { out[c] = (int32_t)k; c += M[k]; }
    }
    for (; i < hi; ++i) { out[c] = (int32_t)i; c += M[i]; }
    return c;
}

// Spike lists: H ring slots; in slot h thread k writes its ascending ranks at store[h*n + lo[k]...].
struct SpikeRing {
    int64_t n = 0;
    int H = 1, T = 1;
    std::vector<int32_t> store;
    // spike counts, one per (history slot h, thread k), each in its own pair of cache lines: thread k
    // writes its count while the others read theirs (adjacent counters cost a line transfer per step)
    static const int64_t CSTRIDE = 16;
    std::vector<int64_t> count;
    void init(int64_t n_, int H_, int T_) {
        n = n_; H = H_; T = T_;
        store.assign((size_t)H * (size_t)std::max<int64_t>(n, 1), 0);
        count.assign((size_t)H * T * CSTRIDE, 0);
    }
    int64_t& cnt(int64_t h, int64_t k) { return count[(h * T + k) * CSTRIDE]; }
    int64_t cnt(int64_t h, int64_t k) const { return count[(h * T + k) * CSTRIDE]; }
    int slot(int64_t it) const { int64_t h = it % H; return (int)(h < 0 ? h + H : h); }
};

// A projection's synapses, both ways: post-major rows (the NumPy layout) and rows per presynaptic
// neuron (post ascending), split per thread by the post ranges.
// A borrowed, read-only int32 array (a slot the caller keeps alive): indexed like a vector.
struct I32View {
    const int32_t* p = nullptr;
    size_t n = 0;
    const int32_t* data() const { return p; }
    int32_t operator[](size_t i) const { return p[i]; }
    size_t size() const { return n; }
};

struct Proj {
    int64_t n_syn = 0, pre_size = 0, post_size = 0;
    std::vector<int64_t> post_ptr;   // post-major rows
    I32View pre_of;                  // pre rank per synapse (post-major): the caller's _pre slot, borrowed
    std::vector<int64_t> pre_ptr;    // pre-major rows
    std::vector<int32_t> pre_post;   // post rank per pre-major entry
    std::vector<int32_t> pre_syn;    // synapse index per pre-major entry
    std::vector<int32_t> pre_delay;  // delay (steps) per pre-major entry (variable delays)
    std::vector<int64_t> split;      // [k*(pre_size+1) + i]: entries of pre row i for thread k (thread-major)
    std::vector<uint8_t> dense;      // post row p: pre ranks are pre_of[ptr[p]] + 0, 1, 2 ...
    // Tiles: rows 8t..8t+7 whose presynaptic ranks all lie in one span [tile_first[t], + tile_len[t]), each
    // row either the whole span or the span less one rank (a "hole": an all-to-all projection onto its own
    // population leaves out each row's own rank); tile_off[t]: where the tile starts in a tile mirror
    std::vector<uint8_t> tile8;      // 0: no tile, 1: dense rows, 2: some row has a hole
    std::vector<int32_t> tile_first;
    std::vector<int64_t> tile_len, tile_off;
    int64_t tile_total = 0;          // size of a tile mirror
    void build(const int32_t* pre, const int32_t* post, const int32_t* delay, int64_t n, int64_t npre,
               int64_t npost, int T, const std::vector<int64_t>& lo);
    // pre-major entries (post ascending within a row) into thread-major order for the post blocks lo
    void thread_major(int T, const std::vector<int64_t>& lo);
    // the same after the post blocks moved: back to pre-major order, then thread-major for lo
    void resplit(int T, const std::vector<int64_t>& lo);
};

// Tiled copy of a read-only per-synapse array of a rate-coded projection: in each valid tile of 8 rows
// (Proj::tile8), which occupies [tile_off[t], + 8 tile_len[t]), the values of the 8 rows for presynaptic
// rank tile_first[t] + m lie side by side (m * 8 + row), so that one SIMD lane sums one row, in the
// reference's synapse order; a hole holds 0.0 (its term x * 0.0 is a signed zero, which leaves a sum that
// starts at +0.0 unchanged while x is finite: kernels check that x is, see all_finite).
// (left empty above TILE_MAX_SYN synapses: the kernel then sums rows 4 at a time from the weights themselves)
// Returns whether every value of src is finite: only then may the kernel leave out the terms of
// presynaptic neurons whose rate is exactly 0 (w * 0 is a signed zero, which adds nothing to a sum that
// starts at +0.0, so the sum keeps every bit; an infinite or NaN weight would make it NaN instead).
static const int64_t TILE_MAX_SYN = int64_t(1) << 22;
bool tile_mirror(const Proj& C, const double* src, std::vector<double>& m);
// Ranks m in [0, len) with x[m] != 0 (NaN included), in increasing order; returns how many.
int64_t active_ranks(const double* x, int64_t len, std::vector<int32_t>& out);
bool all_finite(const double* x, int64_t len);
typedef double v8d __attribute__((vector_size(64)));
static inline v8d load8(const double* p) { v8d v; std::memcpy(&v, p, sizeof v); return v; }

// Decoding projections: spike counts of the last `window` steps per presynaptic neuron.  When every weight
// is an integer multiple of 2^-shift small enough that no sum of weights times counts can round (checked by
// decoder_weights whenever the weights change), each post neuron's sum is kept exactly in `acc` (in units of
// 2^-shift), updated only by the spikes that enter and leave the window: the same number the reference's sum
// over all synapses gives, since with no rounding the order of the terms does not matter.
struct Decoder {
    std::vector<double> counts;
    std::vector<std::vector<int32_t>> hist;
    int64_t pos = 0;
    bool ready = false, exact = false;   // ready: weights analysed (decoder_weights) since the last change
    double unit = 1.0;                   // 2^-shift
    int64_t wint0 = 0;                   // the shared weight in units (one shared weight)
    std::vector<int64_t> wint;           // per synapse, in units (decoders[k][0] only)
    std::vector<int64_t> acc;            // per post rank: sum of weights times counts, in units
};
// Analyse the weights (w: one value when `scalar`, else per synapse) and rebuild every thread's acc from its
// counts for the post ranks [lo[t], hi[t]) it owns.
void decoder_weights(const Proj& C, const double* w, bool scalar, int64_t window, std::vector<Decoder>& decs,
                     const std::vector<int64_t>& lo, const std::vector<int64_t>& hi);

// ---------------------------------------------------------------- monitors
struct CopyRun { int64_t dest, slot, src, len; };

// One thread's recorded spikes: int32 ranks in fixed-size chunks (growing never copies, and a drain frees each
// chunk as soon as it is copied out) and, per step that recorded any, that step and the count so far (steps
// cost nothing per spike).
struct SpikeLog {
    static constexpr int64_t CHUNK = 1 << 18;      // ranks a chunk (1 MiB)
    std::vector<std::vector<int32_t>> chunks;      // each reserved at CHUNK: push_back never reallocates
    int64_t n = 0;                                 // ranks logged
    std::vector<int64_t> step_of, end_of;          // per step with spikes: the step, n after it
    void push(int32_t r) {
        if (chunks.empty() || (int64_t)chunks.back().size() == CHUNK) {
            chunks.emplace_back(); chunks.back().reserve((size_t)CHUNK);
        }
        chunks.back().push_back(r); ++n;
    }
    void close_step(int64_t step) {
        if (n > (end_of.empty() ? 0 : end_of.back())) { step_of.push_back(step); end_of.push_back(n); }
    }
    void clear() {
        std::vector<std::vector<int32_t>>().swap(chunks); n = 0;
        std::vector<int64_t>().swap(step_of); std::vector<int64_t>().swap(end_of);
    }
};

struct Monitor {
    bool alive = true, active = true, spikes = false;
    bool f32 = false;                              // every recorded slot holds floats: records are float too
    int64_t period = 1, offset = 0, record_len = 0;
    int pop = -1;                                  // population whose spikes are recorded
    std::vector<std::vector<CopyRun>> runs;        // per thread, copied at the end of the step
    std::vector<std::vector<CopyRun>> truns;       // per thread, conductances: copied before the neuron update
    std::vector<uint8_t> rank_mask;                // spikes: recorded ranks (empty: all)
    // records in blocks of rows (about 4 MiB each): a run adds blocks rather than growing (copying) one array,
    // and a drain frees each block as soon as it is copied out
    static constexpr int64_t BLOCK_BYTES = 1 << 22;
    int64_t rows_per_block = 1;
    std::vector<std::vector<double>> vblocks;      // record-major values (f32: fblocks instead)
    std::vector<std::vector<float>> fblocks;
    double* vrow(int64_t r) { return vblocks[r / rows_per_block].data() + (r % rows_per_block) * record_len; }
    float* frow(int64_t r) { return fblocks[r / rows_per_block].data() + (r % rows_per_block) * record_len; }
    template <class V> void grow_blocks(std::vector<std::vector<V>>& b, int64_t rows) {   // room for rows records
        const int64_t nb = (rows + rows_per_block - 1) / rows_per_block;
        if ((int64_t)b.size() < nb) b.resize((size_t)nb);
        for (int64_t k = 0; k < nb; ++k) {
            const size_t want = (size_t)(std::min(rows_per_block, rows - k * rows_per_block) * record_len);
            if (b[k].size() < want) b[k].resize(want);      // only a last, partly used block grows
        }
    }
    std::vector<int64_t> steps;
    int64_t n_records = 0;
    std::vector<int64_t> row_of_thread;            // per thread: next row to write during a run
    std::vector<SpikeLog> spk;                     // per thread
    bool due(int64_t step) const {
        int64_t r = (step - offset) % period;
        return active && (r < 0 ? r + period : r) == 0;
    }
};

struct Base {
    int T = 1;
    uint64_t seed = 0;
    int64_t step = 0, iter = 0;
    std::vector<void*> slot;
    std::vector<int64_t> slot_size;
    std::vector<int> slot_owner;                   // population (>=0) or -(projection+1)... see kind
    std::vector<std::vector<int64_t>> slot_lo, slot_hi;   // per slot, per thread element ranges
    std::vector<std::vector<int64_t>> pop_lo, pop_hi;
    std::vector<SpikeRing> rings;
    std::vector<uint8_t> pop_spiking;
    std::vector<int> mail_pops;                    // spiking populations whose spikes travel with the barrier
    std::vector<int> mail_idx;                     // per population: position in mail_pops, or -1
    int64_t mail_from = INT64_MAX;                 // first iteration of the run that may read payloads
    std::vector<Proj> projs;
    std::vector<Monitor> monitors;
    bool any_monitor = false;
    Barrier barrier;
    std::vector<std::vector<int32_t>> refr;    // refractory steps left, per population (storage)
    std::vector<std::vector<uint8_t>> mask;    // spike flags of the last update (storage)
    std::vector<int32_t*> refr_ptr;            // page-aligned element 0 inside refr[p]; thread k at + k * ipad
    std::vector<uint8_t*> mask_ptr;
    std::vector<std::vector<double>> rhist;    // delayed rates: ring of D copies of r
    std::vector<int> rhist_D;
    std::vector<double> stage;                 // population-wide values computed this step
    std::vector<std::vector<double>> mirror;   // pre-major copies of read-only synapse arrays
    std::vector<uint8_t> mirror_finite;        // per mirror: every source value finite (tile mirrors)
    std::vector<std::vector<Decoder>> decoders;   // decoding projections, per thread
    std::string error;
    // Private slots: per-neuron arrays that threads only touch inside their own block.  With T > 1, a run
    // works on a padded copy in which consecutive thread blocks are PRIVATE_GAP elements apart, because
    // the hardware prefetchers of one core otherwise keep pulling the cache lines next to its block away
    // from the core that owns them (measured: 2 threads slower than 1 on COBA without the gap).
    std::vector<uint8_t> slot_private;
    std::vector<uint8_t> slot_target;          // conductances g_*: monitors record them before the neuron update
    std::vector<uint8_t> slot_f32;             // float values (single-precision kernels): copies and records convert
    std::vector<int64_t> slot_pad;             // during a run: element offset between thread blocks, else 0
    std::vector<void*> user_slot;              // during a run: the caller's array of a privatised slot
    std::vector<std::vector<double>> work;     // padded working copies
    int64_t ipad = 0;                          // gap between thread blocks of refr/mask (0 when T == 1)
    // Thread balance: every population's blocks follow share (thread k about share[k] of its neurons;
    // empty: equal blocks).  bal_mode 1 (default): ann_run measures each thread's busy time in every step of
    // calibration segments (bal_busy) and moves the blocks (rebalance, repartition); 0: blocks
    // stay; 2: switch to bal_forced after bal_after steps of the next run, then stay (ann_balance)
    std::vector<double> share, bal_forced, bal_busy;
    bool relaid = false;                       // repartitioned since the kernel last refreshed its mirrors
    int bal_mode = 1;
    int64_t bal_after = 0;
    std::vector<std::vector<int64_t>> pop_slots, proj_syn_slots, proj_post_slots;   // slots ranged by blocks
    std::vector<int> proj_post_pop;
    double* D(int s) const { return (double*)slot[s]; }
    // Population.disable(): slot act_slot holds a flag per population (0: disabled), lag_slot the steps each
    // spent disabled; a population's spike and rate histories and its schedule run on its own iteration
    // own(p, it), which stands still while it is disabled (its last spikes are read again every step)
    int act_slot = -1, lag_slot = -1;
    int64_t seg_it0 = 0, seg_n = 0;            // the running segment's first iteration and length
    bool on(int p) const { return act_slot < 0 || ((const double*)slot[act_slot])[p] != 0.0; }
    int64_t own(int p, int64_t it) const {
        if (lag_slot < 0) return it;
        const int64_t L = ((const int64_t*)slot[lag_slot])[p];
        return on(p) ? it - L : seg_it0 - L;
    }
    // pointer for thread tid's own block of slot s, indexed by global rank
    double* P(int s, int tid) const { return (double*)slot[s] + tid * slot_pad[s]; }
    Base();
    ~Base();
    // set-up, out of line (runtime library) so that kernels compile quickly
    void init(void* const* slots, const int64_t* sizes, int64_t n_slots, int T_, uint64_t seed_, int n_pops,
              int n_projs, int n_mirrors);
    void set_private(const int64_t* slots, int64_t n);
    void set_targets(const int64_t* slots, int64_t n);
    void set_f32(const int64_t* slots, int64_t n);
    void setup_pop(int p, int64_t size, int history, bool spiking, int rate_history, int r_slot,
                   const int64_t* local_slots, int64_t n_local, const int64_t* scalar_slots, int64_t n_scalar);
    void setup_proj(int k, int pre_slot, int post_slot, int delay_slot, int64_t npre, int post_pop, int64_t npost,
                    const int64_t* syn_slots, int64_t n_syn, const int64_t* post_slots, int64_t n_post,
                    const int64_t* scalar_slots, int64_t n_scalar);
    void setup_decoder(int k, int64_t pre_size, int64_t window);
    void spike_state(int p, int64_t n);
    void set_slot_ranges(int s, const std::vector<int64_t>& lo, const std::vector<int64_t>& hi);
    void scalar_slot(int s);

    void begin_run(int64_t nsteps);
    void end_run();
    // between runs (private slots unpadded): new blocks for every population, and what hangs on them (slot
    // ranges, spike rings, refractory counts and flags, projections' thread-major rows, monitors' copy runs,
    // decoders' sums); the kernel then refreshes its mirrors
    void repartition(const std::vector<double>& share_);
    // after a measured segment of n sampled steps (bal_busy[k * BAL_STRIDE + e]: thread k's work in the e-th): new
    // shares from each thread's time in all but its slowest tenth of the steps (a step in which the OS took
    // the core away is an outlier, not a slower thread), the blocks moved when a share moves by BAL_MIN_MOVE
    // or more; true when they moved
    bool rebalance(int64_t n);
    // called by every thread right before the barrier that ends iteration it: its spikes of that iteration
    // into its barrier payload (words 0..P-1: end offset of population j's ranks; -1: did not fit)
    void pack_spikes(int tid, int64_t it) {
        if (T <= 1 || mail_pops.empty()) return;
        int32_t* d = barrier.outbox(tid);
        const int np = (int)mail_pops.size();
        int64_t pos = np;
        for (int j = 0; j < np; ++j) {
            const int p = mail_pops[j];
            const SpikeRing& R = rings[p];
            const int h = R.slot(own(p, it));
            const int64_t c = on(p) ? R.cnt(h, tid) : 0;   // a disabled population's: read from its ring
            if (pos + c > Barrier::MAIL) { d[0] = -1; return; }
            const int32_t* l = R.store.data() + (int64_t)h * R.n + pop_lo[p][tid];
            for (int64_t e = 0; e < c; ++e) d[pos + e] = l[e];
            pos += c;
            d[j] = (int32_t)pos;
        }
    }
    // the ranks of population p that thread k's block emitted at iteration src, as seen by thread tid at
    // iteration it: from k's barrier payload when they are the last step's and fitted, else from the ring
    const int32_t* spikes(int p, int64_t src, int k, int tid, int64_t it, int64_t& cnt) const {
        const SpikeRing& R = rings[p];
        if (k != tid && src == it - 1 && it >= mail_from && mail_idx[p] >= 0 && on(p)) {
            const int32_t* d = barrier.inbox(k, tid);
            if (d[0] >= 0) {
                const int j = mail_idx[p];
                const int64_t b = j ? d[j - 1] : (int64_t)mail_pops.size();
                cnt = d[j] - b;
                return d + b;
            }
        }
        const int h = R.slot(own(p, it) - (it - src));
        cnt = R.cnt(h, k);
        return R.store.data() + (int64_t)h * R.n + pop_lo[p][k];
    }
    // called by every thread at the end of a step
    void record(int tid, int64_t step_now, int64_t it);
    // called by every thread right after its transmission phase (as ANNarchy's record_targets)
    void record_targets(int tid, int64_t step_now);
};

}  // namespace ann

#ifdef ANN_RUNTIME_IMPL
// ---------------------------------------------------------------- the out-of-line part: compiled once into
// libannstudio_rt.so (annstudio_runtime.cpp), shared by every kernel, so kernels compile quickly
namespace ann {
double pairwise_sum(const double* a, int64_t n, int64_t stride, bool squares, bool absval) {
    auto f = [&](double x) { return squares ? x * x : (absval ? std::fabs(x) : x); };
    if (n < 8) {
        double r = 0.0;
        for (int64_t i = 0; i < n; ++i) r += f(a[i * stride]);
        return r;
    } else if (n <= 128) {
        double r[8];
        for (int j = 0; j < 8; ++j) r[j] = f(a[j * stride]);
        int64_t i;
        for (i = 8; i < n - (n % 8); i += 8)
            for (int j = 0; j < 8; ++j) r[j] += f(a[(i + j) * stride]);
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; ++i) res += f(a[i * stride]);
        return res;
    }
    int64_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise_sum(a, n2, stride, squares, absval) + pairwise_sum(a + n2 * stride, n - n2, stride, squares, absval);
}
// op: 0 mean, 1 max, 2 min, 3 norm1, 4 norm2
double global_op(int op, const double* a, int64_t n) {
    if (n == 0) return 0.0;
    switch (op) {
    case 0: return pairwise_sum(a, n, 1) / (double)n;
    case 1: { double m = a[0]; for (int64_t i = 1; i < n; ++i) m = (a[i] > m || std::isnan(a[i])) ? a[i] : m; return m; }
    case 2: { double m = a[0]; for (int64_t i = 1; i < n; ++i) m = (a[i] < m || std::isnan(a[i])) ? a[i] : m; return m; }
    case 3: return pairwise_sum(a, n, 1, false, true);
    default: return std::sqrt(pairwise_sum(a, n, 1, true, false));
    }
}
Base::Base() {}
Base::~Base() {}
void Base::init(void* const* slots, const int64_t* sizes, int64_t n_slots, int T_, uint64_t seed_, int n_pops,
                int n_projs, int n_mirrors) {
    T = T_ < 1 ? 1 : T_; seed = seed_; barrier.init(T);
    slot.assign(slots, slots + n_slots);
    slot_size.assign(sizes, sizes + n_slots);
    slot_lo.assign(n_slots, std::vector<int64_t>(T, 0));
    slot_hi.assign(n_slots, std::vector<int64_t>(T, 0));
    stage.assign(n_slots, 0.0);
    slot_private.assign(n_slots, 0); slot_pad.assign(n_slots, 0); slot_target.assign(n_slots, 0);
    slot_f32.assign(n_slots, 0);
    user_slot.assign(n_slots, nullptr); work.resize(n_slots);
    ipad = T > 1 ? 4096 : 0;
    pop_lo.resize(n_pops); pop_hi.resize(n_pops); rings.resize(n_pops);
    pop_spiking.assign(n_pops, 0); mail_idx.assign(n_pops, -1); mail_pops.clear();
    refr.resize(n_pops); mask.resize(n_pops); refr_ptr.assign(n_pops, nullptr); mask_ptr.assign(n_pops, nullptr);
    rhist.resize(n_pops); rhist_D.assign(n_pops, 1);
    projs.resize(n_projs);
    decoders.resize(n_projs);
    mirror.resize(n_mirrors);
    mirror_finite.assign(n_mirrors, 0);
}
void Base::set_private(const int64_t* slots, int64_t n) {
    for (int64_t e = 0; e < n; ++e) slot_private[slots[e]] = 1;
}
void Base::set_targets(const int64_t* slots, int64_t n) {
    for (int64_t e = 0; e < n; ++e) slot_target[slots[e]] = 1;
}
void Base::set_f32(const int64_t* slots, int64_t n) {
    for (int64_t e = 0; e < n; ++e) slot_f32[slots[e]] = 1;
}
// a monitor's copy runs of thread tid into its record row (doubles; floats for an f32 monitor)
template <class V>
static inline void copy_runs(const Base& b, const std::vector<CopyRun>& runs, int tid, V* row) {
    for (const CopyRun& c : runs) {
        if (b.slot_f32[c.slot]) {
            const float* src = (const float*)b.slot[c.slot] + tid * b.slot_pad[c.slot] + c.src;
            for (int64_t e = 0; e < c.len; ++e) row[c.dest + e] = (V)src[e];
            continue;
        }
        const double* src = b.P((int)c.slot, tid) + c.src;
        for (int64_t e = 0; e < c.len; ++e) row[c.dest + e] = (V)src[e];
    }
}
void Base::record_targets(int tid, int64_t step_now) {
    for (auto& m : monitors) {
        if (!m.alive || !m.active || !m.record_len || m.truns[tid].empty() || !m.due(step_now)) continue;
        if (m.f32) copy_runs(*this, m.truns[tid], tid, m.frow(m.row_of_thread[tid]));
        else copy_runs(*this, m.truns[tid], tid, m.vrow(m.row_of_thread[tid]));
    }
}
void Base::setup_pop(int p, int64_t size, int history, bool spiking, int rate_history, int r_slot,
                     const int64_t* local_slots, int64_t n_local, const int64_t* scalar_slots, int64_t n_scalar) {
    partition(size, T, pop_lo[p], pop_hi[p]);
    rings[p].init(size, history, T);
    pop_spiking[p] = spiking ? 1 : 0;
    // a few populations at most: each needs a payload word, and the ranks of a step must fit in the rest
    mail_pops.clear(); mail_idx.assign(mail_idx.size(), -1);
    for (int q = 0; q < (int)pop_spiking.size(); ++q)
        if (pop_spiking[q] && mail_pops.size() < 4) { mail_idx[q] = (int)mail_pops.size(); mail_pops.push_back(q); }
    if (spiking) spike_state(p, size);
    for (int64_t e = 0; e < n_local; ++e) set_slot_ranges((int)local_slots[e], pop_lo[p], pop_hi[p]);
    if (pop_slots.size() < pop_lo.size()) pop_slots.resize(pop_lo.size());
    pop_slots[p].assign(local_slots, local_slots + n_local);
    for (int64_t e = 0; e < n_scalar; ++e) scalar_slot((int)scalar_slots[e]);
    if (rate_history > 1) {
        rhist_D[p] = rate_history;
        rhist[p].resize((size_t)rate_history * size);
        for (int d = 0; d < rate_history; ++d)
            std::memcpy((char*)rhist[p].data() + (size_t)d * size * (slot_f32[r_slot] ? sizeof(float) : sizeof(double)),
                        slot[r_slot], (slot_f32[r_slot] ? sizeof(float) : sizeof(double)) * size);
    }
}
void Base::setup_proj(int k, int pre_slot, int post_slot, int delay_slot, int64_t npre, int post_pop, int64_t npost,
                      const int64_t* syn_slots, int64_t n_syn, const int64_t* post_slots, int64_t n_post,
                      const int64_t* scalar_slots, int64_t n_scalar) {
    Proj& C = projs[k];
    C.build((const int32_t*)slot[pre_slot], (const int32_t*)slot[post_slot],
            delay_slot >= 0 ? (const int32_t*)slot[delay_slot] : nullptr, slot_size[pre_slot], npre, npost, T,
            pop_lo[post_pop]);
    std::vector<int64_t> slo(T), shi(T);
    for (int t = 0; t < T; ++t) {
        slo[t] = C.post_ptr[pop_lo[post_pop][t]];
        shi[t] = C.post_ptr[pop_hi[post_pop][t]];
    }
    for (int64_t e = 0; e < n_syn; ++e) set_slot_ranges((int)syn_slots[e], slo, shi);
    for (int64_t e = 0; e < n_post; ++e) set_slot_ranges((int)post_slots[e], pop_lo[post_pop], pop_hi[post_pop]);
    if (proj_post_pop.size() < projs.size()) {
        proj_post_pop.resize(projs.size(), -1);
        proj_syn_slots.resize(projs.size()); proj_post_slots.resize(projs.size());
    }
    proj_post_pop[k] = post_pop;
    proj_syn_slots[k].assign(syn_slots, syn_slots + n_syn);
    proj_post_slots[k].assign(post_slots, post_slots + n_post);
    for (int64_t e = 0; e < n_scalar; ++e) scalar_slot((int)scalar_slots[e]);
}
void Base::setup_decoder(int k, int64_t pre_size, int64_t window) {
    decoders[k].resize(T);
    for (auto& d : decoders[k]) { d.counts.assign(pre_size, 0.0); d.hist.resize(window < 1 ? 1 : window); }
}
void Base::set_slot_ranges(int s, const std::vector<int64_t>& lo, const std::vector<int64_t>& hi) {
    slot_lo[s] = lo; slot_hi[s] = hi;
}
void Base::scalar_slot(int s) {
    slot_lo[s].assign(T, 0); slot_hi[s].assign(T, 0); slot_hi[s][0] = 1;
}
void Base::spike_state(int p, int64_t n) {
    const int64_t len = n + (int64_t)(T - 1) * ipad;
    refr[p].assign((size_t)(len + 2048), 0);     // room for alignment (1023) + stagger (624)
    mask[p].assign((size_t)(len + 8192), 0);     // alignment (4095) + stagger (3520)
    refr_ptr[p] = (int32_t*)((((uintptr_t)refr[p].data() + 4095) & ~(uintptr_t)4095) + 2048 + 64 * (p % 8));
    mask_ptr[p] = (uint8_t*)((((uintptr_t)mask[p].data() + 4095) & ~(uintptr_t)4095) + 3072 + 64 * (p % 8));
}

void partition(int64_t n, int T, std::vector<int64_t>& lo, std::vector<int64_t>& hi) {
    lo.assign(T, 0); hi.assign(T, 0);
    for (int k = 0; k < T; ++k) {
        int64_t a = (n * k) / T, b = (n * (k + 1)) / T;
        if (k > 0) a = std::min(n, (a / 8) * 8);
        if (k + 1 < T) b = std::min(n, (b / 8) * 8); else b = n;
        lo[k] = a; hi[k] = std::max(a, b);
    }
    for (int k = 1; k < T; ++k) lo[k] = hi[k - 1];
}
void partition(int64_t n, int T, const std::vector<double>& share, std::vector<int64_t>& lo,
               std::vector<int64_t>& hi) {
    if ((int)share.size() != T) { partition(n, T, lo, hi); return; }
    lo.assign(T, 0); hi.assign(T, 0);
    double cum = 0.0;
    for (int k = 0; k < T; ++k) {
        cum += share[k];
        int64_t b = k + 1 < T ? std::min(n, ((int64_t)(cum * (double)n) / 8) * 8) : n;
        lo[k] = k ? hi[k - 1] : 0;
        hi[k] = std::max(lo[k], b);
    }
}
// Base::repartition helpers: a per-thread array laid out as element i of thread k at ptr[i + k * pad]
template <class V>
static void relay_blocks(V* ptr, int64_t pad, const std::vector<int64_t>& olo, const std::vector<int64_t>& ohi,
                         const std::vector<int64_t>& nlo, const std::vector<int64_t>& nhi) {
    if (!ptr) return;
    std::vector<V> flat((size_t)ohi.back());
    for (size_t k = 0; k < olo.size(); ++k)
        for (int64_t i = olo[k]; i < ohi[k]; ++i) flat[i] = ptr[i + (int64_t)k * pad];
    for (size_t k = 0; k < nlo.size(); ++k)
        for (int64_t i = nlo[k]; i < nhi[k]; ++i) ptr[i + (int64_t)k * pad] = flat[i];
}
void Base::repartition(const std::vector<double>& share_) {
    share = share_;
    relaid = true;
    std::vector<uint8_t> moved(pop_lo.size(), 0);
    for (size_t p = 0; p < pop_lo.size(); ++p) {
        if (pop_hi[p].empty()) continue;
        std::vector<int64_t> lo, hi;
        partition(pop_hi[p].back(), T, share, lo, hi);
        if (lo == pop_lo[p] && hi == pop_hi[p]) continue;
        moved[p] = 1;
        // spike lists: each ring slot's ranks (ascending over the old blocks) dealt out to the new ones
        SpikeRing& R = rings[p];
        std::vector<int32_t> all;
        for (int h = 0; h < R.H && R.n > 0; ++h) {
            all.clear();
            for (int k = 0; k < T; ++k) {
                const int32_t* l = R.store.data() + (int64_t)h * R.n + pop_lo[p][k];
                all.insert(all.end(), l, l + R.cnt(h, k));
            }
            size_t e = 0;
            for (int k = 0; k < T; ++k) {
                int32_t* out = R.store.data() + (int64_t)h * R.n + lo[k];
                int64_t c = 0;
                while (e < all.size() && all[e] < hi[k]) out[c++] = all[e++];
                R.cnt(h, k) = c;
            }
        }
        relay_blocks(refr_ptr[p], ipad, pop_lo[p], pop_hi[p], lo, hi);
        relay_blocks(mask_ptr[p], ipad, pop_lo[p], pop_hi[p], lo, hi);
        pop_lo[p] = lo; pop_hi[p] = hi;
        if (p < pop_slots.size())
            for (int64_t sl : pop_slots[p]) set_slot_ranges((int)sl, lo, hi);
    }
    for (size_t k = 0; k < proj_post_pop.size(); ++k) {
        const int q = proj_post_pop[k];
        if (q < 0 || !moved[q]) continue;
        Proj& C = projs[k];
        C.resplit(T, pop_lo[q]);
        std::vector<int64_t> slo(T), shi(T);
        for (int t = 0; t < T; ++t) { slo[t] = C.post_ptr[pop_lo[q][t]]; shi[t] = C.post_ptr[pop_hi[q][t]]; }
        for (int64_t sl : proj_syn_slots[k]) set_slot_ranges((int)sl, slo, shi);
        for (int64_t sl : proj_post_slots[k]) set_slot_ranges((int)sl, pop_lo[q], pop_hi[q]);
        if (k < decoders.size())
            for (auto& d : decoders[k]) d.ready = false;     // per-thread sums: rebuilt for the new blocks
    }
    // monitors: every copy run cut at the new slot ranges and given to the thread that owns each piece
    for (auto& m : monitors) {
        for (auto* runs : {&m.runs, &m.truns}) {
            std::vector<std::vector<CopyRun>> out(T);
            for (const auto& tr : *runs)
                for (const CopyRun& c : tr)
                    for (int k = 0; k < T; ++k) {
                        const int64_t a = std::max(c.src, slot_lo[c.slot][k]);
                        const int64_t b = std::min(c.src + c.len, slot_hi[c.slot][k]);
                        if (a < b) out[k].push_back({c.dest + (a - c.src), c.slot, a, b - a});
                    }
            *runs = std::move(out);
        }
    }
}
bool Base::rebalance(int64_t n) {
    if (T <= 1 || n < BAL_STEPS / BAL_SAMPLE || n > BAL_STRIDE - 16) return false;
    if ((int64_t)bal_busy.size() < (int64_t)T * BAL_STRIDE) return false;
    // the share of the neurons each thread owns now, over every population
    std::vector<double> own(T, 0.0), next(T);
    double total = 0.0;
    for (size_t p = 0; p < pop_lo.size(); ++p)
        for (int k = 0; k < T && k < (int)pop_lo[p].size(); ++k) {
            own[k] += (double)(pop_hi[p][k] - pop_lo[p][k]); total += (double)(pop_hi[p][k] - pop_lo[p][k]);
        }
    if (total <= 0.0) return false;
    double speed_sum = 0.0;
    for (int k = 0; k < T; ++k) {
        double* row = bal_busy.data() + (size_t)k * BAL_STRIDE;
        const int64_t keep = n - n / 10;                     // the slowest tenth of the steps left out
        std::nth_element(row, row + keep, row + n);
        double busy = 0.0;
        for (int64_t e = 0; e < keep; ++e) busy += row[e];
        row[0] = busy;
        if (!(busy > 0.0) || own[k] <= 0.0) return false;
        own[k] /= total;
        next[k] = own[k] / busy;                         // share per second: the thread's speed
        speed_sum += next[k];
    }
    double sum = 0.0, move = 0.0;
    for (int k = 0; k < T; ++k) {
        next[k] = std::min(1.5 / T, std::max(0.5 / T, next[k] / speed_sum));
        sum += next[k];
    }
    for (int k = 0; k < T; ++k) { next[k] /= sum; move = std::max(move, std::fabs(next[k] - own[k])); }
#ifdef ANN_PROFILE
    for (int k = 0; k < T; ++k)
        std::fprintf(stderr, "ann-balance thread %d: share %.4f busy %.4g -> share %.4f%s\n", k, own[k],
                     bal_busy[(size_t)k * BAL_STRIDE], next[k], move < BAL_MIN_MOVE ? " (kept)" : "");
#endif
    if (move < BAL_MIN_MOVE) return false;
    repartition(next);
    return true;
}
void decoder_weights(const Proj& C, const double* w, bool scalar, int64_t window, std::vector<Decoder>& decs,
                     const std::vector<int64_t>& lo, const std::vector<int64_t>& hi) {
    const int64_t nw = scalar ? 1 : C.n_syn;
    int64_t row = 1;
    for (int64_t p = 0; p < C.post_size; ++p) row = std::max(row, C.post_ptr[p + 1] - C.post_ptr[p]);
    // |weight in units| * window * row must stay below 2^53: every partial sum is then exact in a double
    const double limit = std::ldexp(1.0, 53) / ((double)row * (double)std::max<int64_t>(window, 1));
    int shift = 0;
    bool exact = true;
    for (int64_t j = 0; j < nw && exact; ++j) {
        const double x = w[j];
        if (!std::isfinite(x)) { exact = false; break; }
        if (x == 0.0) continue;
        int e; const double m = std::frexp(x, &e);                  // x = m 2^e, 0.5 <= |m| < 1
        int64_t M = (int64_t)std::ldexp(m, 53);                    // exact: 53 significant bits
        int tz = 0; while ((M & 1) == 0) { M >>= 1; ++tz; }
        const int need = 53 - e - tz;                              // fractional bits x needs
        if (need > shift) shift = need;
        if (shift > 60) exact = false;
    }
    std::vector<int64_t> wint;
    int64_t wint0 = 0;
    if (exact) {
        if (scalar) wint.clear(); else wint.resize((size_t)nw);
        for (int64_t j = 0; j < nw; ++j) {
            const double u = std::ldexp(w[j], shift);
            if (!(std::fabs(u) < limit)) { exact = false; break; }
            if (scalar) wint0 = (int64_t)u; else wint[j] = (int64_t)u;
        }
    }
    const double unit = std::ldexp(1.0, -shift);
    for (size_t t = 0; t < decs.size(); ++t) {
        Decoder& d = decs[t];
        d.ready = true; d.exact = exact; d.unit = unit; d.wint0 = wint0;
        if (t == 0) d.wint = exact ? wint : std::vector<int64_t>(); else std::vector<int64_t>().swap(d.wint);
        if (!exact) { std::vector<int64_t>().swap(d.acc); continue; }
        d.acc.assign((size_t)C.post_size, 0);
        for (int64_t p = lo[t]; p < hi[t]; ++p) {
            int64_t a = 0;
            for (int64_t j = C.post_ptr[p]; j < C.post_ptr[p + 1]; ++j)
                a += (scalar ? wint0 : wint[j]) * (int64_t)d.counts[C.pre_of[j]];
            d.acc[p] = a;
        }
    }
}
bool tile_mirror(const Proj& C, const double* src, std::vector<double>& m) {
    bool finite = true;
    for (int64_t j = 0; j < C.n_syn; ++j) finite &= std::isfinite(src[j]);
    // worth it while the weights stay in the caches: a projection streamed from memory is bound by the
    // memory's bandwidth either way (4000 x 4000 ran at 10 GB/s both ways), and the copy doubles its size
    if (C.n_syn > TILE_MAX_SYN) { std::vector<double>().swap(m); return finite; }
    m.assign((size_t)C.tile_total, 0.0);
    const int64_t* ptr = C.post_ptr.data();
    for (int64_t t = 0; t < (int64_t)C.tile8.size(); ++t) {
        if (!C.tile8[t]) continue;
        double* d = m.data() + C.tile_off[t] - (int64_t)C.tile_first[t] * 8;
        for (int64_t r = 0; r < 8; ++r)
            for (int64_t j = ptr[8 * t + r]; j < ptr[8 * t + r + 1]; ++j) d[(int64_t)C.pre_of[j] * 8 + r] = src[j];
    }
    return finite;
}
bool all_finite(const double* x, int64_t len) {
    bool ok = true;
    for (int64_t m = 0; m < len; ++m) ok &= std::isfinite(x[m]);
    return ok;
}
void fill_draws(int dist, uint64_t key, int64_t it, int64_t lo, int64_t hi, double a, double b,
                double* __restrict out) {
    out -= lo;
    switch (dist) {
    case 0: for (int64_t i = lo; i < hi; ++i) out[i] = draw_uniform(key, it, i, a, b); break;
    case 1: for (int64_t i = lo; i < hi; ++i) out[i] = draw_normal(key, it, i, a, b); break;
    case 2: for (int64_t i = lo; i < hi; ++i) out[i] = draw_lognormal(key, it, i, a, b); break;
    case 3: for (int64_t i = lo; i < hi; ++i) out[i] = draw_exponential(key, it, i, a); break;
    case 4: for (int64_t i = lo; i < hi; ++i) out[i] = draw_gamma(key, it, i, a, b); break;
    case 5: for (int64_t i = lo; i < hi; ++i) out[i] = draw_discrete_uniform(key, it, i, a, b); break;
    default: for (int64_t i = lo; i < hi; ++i) out[i] = draw_binomial(key, it, i, a, b); break;
    }
}
int64_t active_ranks(const double* x, int64_t len, std::vector<int32_t>& out) {
    if ((int64_t)out.size() < len) out.resize((size_t)len);
    int32_t* o = out.data();
    int64_t n = 0, m = 0;
    for (; m + 8 <= len; m += 8) {      // silent inputs come in runs: 8 ranks tested at once
        bool any = false;
        for (int k = 0; k < 8; ++k) any |= !(x[m + k] == 0.0);   // NaN counts as active
        if (!any) continue;
        for (int64_t k = m; k < m + 8; ++k) { o[n] = (int32_t)k; n += !(x[k] == 0.0); }
    }
    for (; m < len; ++m) { o[n] = (int32_t)m; n += !(x[m] == 0.0); }
    return n;
}
void Proj::build(const int32_t* pre, const int32_t* post, const int32_t* delay, int64_t n, int64_t npre,
           int64_t npost, int T, const std::vector<int64_t>& lo) {
    n_syn = n; pre_size = npre; post_size = npost;
    post_ptr.assign(npost + 1, 0);
    pre_of = I32View{pre, (size_t)n};
    for (int64_t j = 0; j < n; ++j) post_ptr[post[j] + 1]++;
    for (int64_t p = 0; p < npost; ++p) post_ptr[p + 1] += post_ptr[p];
    dense.assign(npost, 1);
    for (int64_t p = 0; p < npost; ++p)
        for (int64_t j = post_ptr[p] + 1; j < post_ptr[p + 1]; ++j)
            if (pre_of[j] != pre_of[j - 1] + 1) { dense[p] = 0; break; }
    tile8.assign(npost / 8, 0);
    tile_first.assign(npost / 8, 0); tile_len.assign(npost / 8, 0); tile_off.assign(npost / 8, 0);
    tile_total = 0;
    for (int64_t t = 0; t < npost / 8; ++t) {
        const int64_t p0 = 8 * t;
        int64_t a = INT64_MAX, z = -1;
        bool ok = true, holed = false;
        for (int64_t p = p0; ok && p < p0 + 8; ++p) {
            const int64_t b = post_ptr[p], e = post_ptr[p + 1];
            ok = e > b;
            for (int64_t j = b + 1; ok && j < e; ++j) ok = pre_of[j] > pre_of[j - 1];   // ascending, no repeat
            if (ok) { a = std::min<int64_t>(a, pre_of[b]); z = std::max<int64_t>(z, pre_of[e - 1]); }
        }
        for (int64_t p = p0; ok && p < p0 + 8; ++p) {     // each row: the span, or the span less one rank
            const int64_t len = post_ptr[p + 1] - post_ptr[p];
            ok = len == z - a + 1 || (len == z - a && len > 1);
            holed |= len != z - a + 1;
        }
        if (!ok) continue;
        tile8[t] = holed ? 2 : 1;
        tile_first[t] = (int32_t)a; tile_len[t] = z - a + 1; tile_off[t] = tile_total;
        tile_total += 8 * (z - a + 1);
    }
    pre_ptr.assign(npre + 1, 0);
    for (int64_t j = 0; j < n; ++j) pre_ptr[pre[j] + 1]++;
    for (int64_t i = 0; i < npre; ++i) pre_ptr[i + 1] += pre_ptr[i];
    std::vector<int64_t> fill(pre_ptr.begin(), pre_ptr.end() - 1);
    pre_post.resize(n); pre_syn.resize(n);
    if (delay) pre_delay.resize(n);
    for (int64_t j = 0; j < n; ++j) {   // stable: post-major order kept within a pre row
        int64_t q = fill[pre[j]]++;
        pre_post[q] = (int32_t)post[j]; pre_syn[q] = (int32_t)j;
        if (delay) pre_delay[q] = (int32_t)delay[j];
    }
    thread_major(T, lo);
}
void Proj::thread_major(int T, const std::vector<int64_t>& lo) {
    const int64_t n = n_syn, npre = pre_size;
    const bool delay = !pre_delay.empty();
    std::vector<int64_t> cut((size_t)npre * (T + 1), 0);   // [i*(T+1) + k]: thread k's part of row i
    for (int64_t i = 0; i < npre; ++i) {
        int64_t b = pre_ptr[i], e = pre_ptr[i + 1], q = b;
        for (int k = 0; k < T; ++k) {
            while (q < e && pre_post[q] < lo[k]) ++q;
            cut[i * (T + 1) + k] = q;
        }
        cut[i * (T + 1) + T] = e;
    }
    // Thread-major order: all of thread 0's row parts (rows ascending), then thread 1's ... so that what
    // one thread reads during transmission is contiguous and shares no cache line with another thread's
    // part.  The order inside a part (post ascending) is unchanged: sums accumulate in the same order.
    split.assign((size_t)T * (npre + 1), 0);
    if (T > 1) {
        std::vector<int32_t> pp(n), ps(n), pd(delay ? n : 0);
        int64_t w = 0;
        for (int k = 0; k < T; ++k) {
            for (int64_t i = 0; i < npre; ++i) {
                split[(size_t)k * (npre + 1) + i] = w;
                for (int64_t q = cut[i * (T + 1) + k]; q < cut[i * (T + 1) + k + 1]; ++q, ++w) {
                    pp[w] = pre_post[q]; ps[w] = pre_syn[q];
                    if (delay) pd[w] = pre_delay[q];
                }
            }
            split[(size_t)k * (npre + 1) + npre] = w;
        }
        pre_post.swap(pp); pre_syn.swap(ps);
        if (delay) pre_delay.swap(pd);
    } else {
        for (int64_t i = 0; i <= npre; ++i) split[i] = pre_ptr[i];
    }
}
void Proj::resplit(int T, const std::vector<int64_t>& lo) {
    if (T <= 1) return;
    const int64_t npre = pre_size;
    const bool delay = !pre_delay.empty();
    std::vector<int32_t> pp(n_syn), ps(n_syn), pd(delay ? n_syn : 0);
    for (int64_t i = 0; i < npre; ++i) {     // row i: thread 0's part, thread 1's ... (post ascending)
        int64_t w = pre_ptr[i];
        for (int k = 0; k < T; ++k)
            for (int64_t q = split[(size_t)k * (npre + 1) + i]; q < split[(size_t)k * (npre + 1) + i + 1]; ++q, ++w) {
                pp[w] = pre_post[q]; ps[w] = pre_syn[q];
                if (delay) pd[w] = pre_delay[q];
            }
    }
    pre_post.swap(pp); pre_syn.swap(ps);
    if (delay) pre_delay.swap(pd);
    thread_major(T, lo);
}
void Base::begin_run(int64_t nsteps) {
    seg_it0 = iter; seg_n = nsteps;
    if (T > 1 || nsteps >= 8) {
        for (size_t s = 0; s < slot_private.size(); ++s) {
            if (!slot_private[s] || slot_size[s] <= 0) continue;
            // thread k's block [lo_k, hi_k) lives at base + lo_k + k * PRIVATE_GAP; the base is page aligned
            // and staggered by slot so that the arrays of one loop do not alias modulo 4 KiB
            std::vector<double>& w = work[s];
            w.resize((size_t)(slot_size[s] + (int64_t)T * PRIVATE_GAP + 512 + 1024));
            uintptr_t a = ((uintptr_t)w.data() + 4095) & ~(uintptr_t)4095;
            double* base = (double*)a + (int64_t)(s % 16) * 8;
            if (slot_f32[s]) {      // float values: the same bytes apart (twice the elements)
                float* fb = (float*)base;
                const float* fs = (const float*)slot[s];
                for (int k = 0; k < T; ++k)
                    for (int64_t i = slot_lo[s][k]; i < slot_hi[s][k]; ++i) fb[i + k * 2 * PRIVATE_GAP] = fs[i];
                user_slot[s] = slot[s]; slot[s] = fb; slot_pad[s] = 2 * PRIVATE_GAP;
                continue;
            }
            const double* src = (const double*)slot[s];
            for (int k = 0; k < T; ++k)
                for (int64_t i = slot_lo[s][k]; i < slot_hi[s][k]; ++i) base[i + k * PRIVATE_GAP] = src[i];
            user_slot[s] = slot[s]; slot[s] = base; slot_pad[s] = PRIVATE_GAP;
        }
    }
    any_monitor = false;
    for (auto& m : monitors) {
        if (!m.alive || !m.active) continue;
        any_monitor = true;
        int64_t due = 0;
        for (int64_t s = 0; s < nsteps; ++s) due += m.due(step + s);
        if (m.f32) m.grow_blocks(m.fblocks, m.n_records + due);
        else m.grow_blocks(m.vblocks, m.n_records + due);
        m.steps.resize(m.n_records + due);
        m.row_of_thread.assign(T, m.n_records);
        for (int64_t s = 0, r = m.n_records; s < nsteps; ++s)
            if (m.due(step + s)) m.steps[r++] = step + s;
    }
}
void Base::end_run() {
    for (int p = 0; lag_slot >= 0 && p < (int)rings.size(); ++p)   // disabled populations' clocks stood still
        if (!on(p)) ((int64_t*)slot[lag_slot])[p] += seg_n;
    seg_it0 = iter + seg_n;
    for (size_t s = 0; s < slot_pad.size(); ++s) {
        if (!slot_pad[s]) continue;
        if (slot_f32[s]) {
            const float* fb = (const float*)slot[s];
            float* fd = (float*)user_slot[s];
            for (int k = 0; k < T; ++k)
                for (int64_t i = slot_lo[s][k]; i < slot_hi[s][k]; ++i) fd[i] = fb[i + k * slot_pad[s]];
            slot[s] = user_slot[s]; user_slot[s] = nullptr; slot_pad[s] = 0;
            continue;
        }
        const double* base = (const double*)slot[s];
        double* dst = (double*)user_slot[s];
        for (int k = 0; k < T; ++k)
            for (int64_t i = slot_lo[s][k]; i < slot_hi[s][k]; ++i) dst[i] = base[i + k * slot_pad[s]];
        slot[s] = user_slot[s]; user_slot[s] = nullptr; slot_pad[s] = 0;
    }
    for (auto& m : monitors)
        if (m.alive && m.active && !m.row_of_thread.empty()) m.n_records = m.row_of_thread[0];
}
// called by every thread at the end of a step
void Base::record(int tid, int64_t step_now, int64_t it) {
    for (auto& m : monitors) {
        if (!m.alive || !m.active) continue;
        if (m.spikes) {
            const SpikeRing& R = rings[m.pop];
            int h = R.slot(own(m.pop, it) - (on(m.pop) ? 0 : 1));   // disabled: its last spikes, again
            int64_t c = R.cnt(h, tid);
            const int32_t* l = R.store.data() + h * R.n + pop_lo[m.pop][tid];
            SpikeLog& L = m.spk[tid];
            if (m.rank_mask.empty()) { for (int64_t e = 0; e < c; ++e) L.push(l[e]); }
            else { for (int64_t e = 0; e < c; ++e) if (m.rank_mask[l[e]]) L.push(l[e]); }
            L.close_step(step_now);
        }
        if (m.record_len && m.due(step_now)) {
            if (m.f32) copy_runs(*this, m.runs[tid], tid, m.frow(m.row_of_thread[tid]));
            else copy_runs(*this, m.runs[tid], tid, m.vrow(m.row_of_thread[tid]));
            m.row_of_thread[tid]++;
        }
    }
}
// Copies a monitor's buffers out and empties them: values (doubles, or the monitor's own type when `own_type`),
// steps, and the spikes merged over the threads (step ascending, then thread, i.e. rank, order), each chunk of
// ranks freed as soon as it is copied, so a drain holds little more than its output.
void monitor_take(Monitor& m, void* values, bool own_type, int64_t* steps, int64_t* spike_steps,
                  int64_t* spike_ranks) {
    if (m.n_records) std::memcpy(steps, m.steps.data(), sizeof(int64_t) * m.n_records);
    for (int64_t r0 = 0, k = 0; m.record_len && r0 < m.n_records; r0 += m.rows_per_block, ++k) {
        const size_t cnt = (size_t)(std::min(m.rows_per_block, m.n_records - r0) * m.record_len);
        const size_t at = (size_t)(r0 * m.record_len);
        if (m.f32 && own_type) std::memcpy((float*)values + at, m.fblocks[k].data(), sizeof(float) * cnt);
        else if (m.f32) { double* d = (double*)values + at; for (size_t i = 0; i < cnt; ++i) d[i] = m.fblocks[k][i]; }
        else std::memcpy((double*)values + at, m.vblocks[k].data(), sizeof(double) * cnt);
        if (m.f32) std::vector<float>().swap(m.fblocks[k]); else std::vector<double>().swap(m.vblocks[k]);
    }
    std::vector<std::vector<double>>().swap(m.vblocks); std::vector<std::vector<float>>().swap(m.fblocks);
    std::vector<int64_t>().swap(m.steps);
    m.n_records = 0;
    const size_t T = m.spk.size();
    std::vector<size_t> g(T, 0);
    std::vector<int64_t> pos(T, 0);
    int64_t c = 0;
    for (;;) {
        int64_t bs = 0; bool any = false;
        for (size_t k = 0; k < T; ++k)
            if (g[k] < m.spk[k].step_of.size() && (!any || m.spk[k].step_of[g[k]] < bs)) {
                bs = m.spk[k].step_of[g[k]]; any = true;
            }
        if (!any) break;
        for (size_t k = 0; k < T; ++k) {
            SpikeLog& L = m.spk[k];
            if (g[k] >= L.step_of.size() || L.step_of[g[k]] != bs) continue;
            for (const int64_t end = L.end_of[g[k]++]; pos[k] < end;) {
                const int64_t ci = pos[k] / SpikeLog::CHUNK, off = pos[k] % SpikeLog::CHUNK;
                const int64_t len = std::min(end - pos[k], SpikeLog::CHUNK - off);
                const int32_t* src = L.chunks[ci].data() + off;
                for (int64_t e = 0; e < len; ++e) { spike_steps[c + e] = bs; spike_ranks[c + e] = src[e]; }
                c += len; pos[k] += len;
                if (pos[k] % SpikeLog::CHUNK == 0) std::vector<int32_t>().swap(L.chunks[ci]);   // copied: freed
            }
        }
    }
    for (auto& L : m.spk) L.clear();
}
}  // namespace ann


// ---------------------------------------------------------------- generic part of the C ABI
#define ANN_GENERIC_ABI(NET)                                                                          \
extern "C" {                                                                                         \
int32_t ann_abi_version(void) { return 1; }                                                          \
int64_t ann_get_step(void* h) { return ((NET*)h)->step; }                                            \
void ann_set_step(void* h, int64_t s) { ((NET*)h)->step = s; }                                       \
void ann_set_slot(void* h, int64_t s, void* ptr, int64_t size) {                                     \
    NET& n = *(NET*)h; n.slot[s] = ptr; n.slot_size[s] = size;                                       \
}                                                                                                    \
int64_t ann_spikes_last_step(void* h, int32_t pop, int64_t* out) {                                  \
    NET& n = *(NET*)h;                                                                               \
    if (pop < 0 || pop >= (int32_t)n.rings.size() || n.rings[pop].n == 0) return 0;                  \
    const ann::SpikeRing& R = n.rings[pop]; int hh = R.slot(n.own(pop, n.iter) - 1); int64_t c = 0;  \
    if (n.iter == 0) return 0;                                                                       \
    for (int k = 0; k < R.T; ++k) {                                                                  \
        const int32_t* l = R.store.data() + hh * R.n + n.pop_lo[pop][k];                            \
        for (int64_t e = 0; e < R.cnt(hh, k); ++e) out[c++] = l[e];                         \
    }                                                                                                \
    return c;                                                                                        \
}                                                                                                    \
/* optional: take over the private state of another instance of the same kernel (restructuring) */     \
void ann_carry_state(void* dst, void* src) {                                                         \
    NET& d = *(NET*)dst; const NET& s = *(const NET*)src;                                            \
    d.iter = s.iter; d.step = s.step;                                                                \
    if (d.T == s.T && d.share != s.share) d.repartition(s.share);   /* the same blocks as the source */  \
    for (size_t p = 0; p < d.rings.size() && p < s.rings.size(); ++p) {                              \
        if (d.rings[p].n != s.rings[p].n || d.rings[p].H != s.rings[p].H || d.T != s.T) continue;    \
        d.rings[p] = s.rings[p];                                                                     \
        if (p < d.refr.size() && d.refr[p].size() == s.refr[p].size() && d.refr_ptr[p]) {            \
            const int64_t len = s.rings[p].n + (int64_t)(s.T - 1) * s.ipad;                          \
            std::memcpy(d.refr_ptr[p], s.refr_ptr[p], (size_t)len * sizeof(int32_t));                \
        }                                                                                            \
        if (p < d.rhist.size() && d.rhist[p].size() == s.rhist[p].size()) d.rhist[p] = s.rhist[p];   \
    }                                                                                                \
    for (size_t k = 0; k < d.decoders.size() && k < s.decoders.size(); ++k)                          \
        if (d.decoders[k].size() == s.decoders[k].size()) {                                          \
            d.decoders[k] = s.decoders[k];                                                           \
            for (auto& dec : d.decoders[k]) dec.ready = false;     /* acc: rebuilt for d's weights */  \
        }                                                                                            \
}                                                                                                    \
int32_t ann_monitor_add(void* h, int32_t kind, int32_t obj, const int32_t* slots, int32_t n_slots,  \
                        int32_t spikes, const int64_t* ranks, int64_t n_ranks, int64_t period,       \
                        int64_t offset, int32_t active) {                                            \
    NET& n = *(NET*)h; ann::Monitor m;                                                              \
    m.period = period < 1 ? 1 : period; m.offset = offset; m.active = active != 0;                   \
    m.runs.assign(n.T, {}); m.truns.assign(n.T, {}); m.spk.resize(n.T);                             \
    m.spikes = spikes != 0 && kind == 0; m.pop = kind == 0 ? obj : -1;                               \
    if (m.spikes && n_ranks >= 0) {                                                                  \
        m.rank_mask.assign(n.rings[obj].n, 0);                                                       \
        for (int64_t r = 0; r < n_ranks; ++r) if (ranks[r] >= 0 && ranks[r] < n.rings[obj].n) m.rank_mask[ranks[r]] = 1; \
    }                                                                                                \
    int64_t dest = 0;                                                                                \
    for (int32_t q = 0; q < n_slots; ++q) {                                                          \
        int s = slots[q]; bool scalar = n.slot_size[s] == 1 && n.slot_hi[s][0] == 1 && (n.T == 1 || n.slot_hi[s][1] == 0); \
        auto& runs = (s < (int)n.slot_target.size() && n.slot_target[s]) ? m.truns : m.runs;              \
        if (kind == 0 && n_ranks >= 0 && !scalar) {                                                  \
            for (int64_t r = 0; r < n_ranks; ++r)                                                    \
                for (int k = 0; k < n.T; ++k)                                                        \
                    if (ranks[r] >= n.slot_lo[s][k] && ranks[r] < n.slot_hi[s][k])                   \
                        runs[k].push_back({dest + r, s, ranks[r], 1});                               \
            dest += n_ranks;                                                                         \
        } else {                                                                                     \
            for (int k = 0; k < n.T; ++k)                                                            \
                if (n.slot_hi[s][k] > n.slot_lo[s][k])                                               \
                    runs[k].push_back({dest + n.slot_lo[s][k], s, n.slot_lo[s][k], n.slot_hi[s][k] - n.slot_lo[s][k]}); \
            dest += n.slot_size[s];                                                                  \
        }                                                                                            \
    }                                                                                                \
    m.record_len = dest; m.f32 = n_slots > 0;                                                        \
    for (int32_t q = 0; q < n_slots; ++q)                                                            \
        m.f32 = m.f32 && slots[q] < (int32_t)n.slot_f32.size() && n.slot_f32[slots[q]];               \
    m.rows_per_block = std::max<int64_t>(1, ann::Monitor::BLOCK_BYTES / std::max<int64_t>(1, dest * (m.f32 ? 4 : 8))); \
    n.monitors.push_back(std::move(m));                                                              \
    return (int32_t)n.monitors.size() - 1;                                                           \
}                                                                                                    \
void ann_monitor_set(void* h, int32_t mid, int32_t active, int64_t period, int64_t offset) {         \
    ann::Monitor& m = ((NET*)h)->monitors[mid];                                                     \
    m.active = active != 0; m.period = period < 1 ? 1 : period; m.offset = offset;                   \
}                                                                                                    \
void ann_monitor_remove(void* h, int32_t mid) {                                                      \
    ann::Monitor& m = ((NET*)h)->monitors[mid];                                                     \
    m.alive = false; std::vector<std::vector<double>>().swap(m.vblocks);                             \
    std::vector<std::vector<float>>().swap(m.fblocks);                                               \
    std::vector<int64_t>().swap(m.steps); m.n_records = 0;                                           \
    for (auto& L : m.spk) L.clear();                                                                 \
}                                                                                                    \
void ann_monitor_counts(void* h, int32_t mid, int64_t* n_records, int64_t* record_len, int64_t* n_spikes) { \
    ann::Monitor& m = ((NET*)h)->monitors[mid];                                                     \
    *n_records = m.n_records; *record_len = m.record_len; int64_t c = 0;                             \
    for (auto& L : m.spk) c += L.n;                                                                  \
    *n_spikes = c;                                                                                   \
}                                                                                                    \
/* optional: the counts of ann_monitor_counts and the bytes of a recorded value (4: float32 records) */      \
void ann_monitor_info(void* h, int32_t mid, int64_t* out) {                                          \
    ann_monitor_counts(h, mid, out, out + 1, out + 2);                                               \
    out[3] = ((NET*)h)->monitors[mid].f32 ? 4 : 8;                                                   \
}                                                                                                    \
/* optional: ann_monitor_drain with the values in the monitor's own type (ann_monitor_info's bytes) */      \
void ann_monitor_take(void* h, int32_t mid, void* values, int64_t* steps, int64_t* spike_steps,       \
                      int64_t* spike_ranks) {                                                        \
    ann::monitor_take(((NET*)h)->monitors[mid], values, true, steps, spike_steps, spike_ranks);      \
}                                                                                                    \
void ann_monitor_drain(void* h, int32_t mid, double* values, int64_t* steps, int64_t* spike_steps,  \
                       int64_t* spike_ranks) {                                                       \
    ann::monitor_take(((NET*)h)->monitors[mid], values, false, steps, spike_steps, spike_ranks);     \
}                                                                                                    \
}

ANN_GENERIC_ABI(ann::Base)
extern "C" {
// Thread balance of the next runs (optional entry point): mode 0 keeps the blocks, 1 (default) measures and
// moves them during runs, 2 switches to shares[0..n) (n = the thread count) after `after` steps of the next
// run and keeps them from then on.  Returns 0, or -1 when the shares do not fit.
int32_t ann_balance(void* h, int32_t mode, const double* shares, int32_t n, int64_t after) {
    ann::Base& b = *(ann::Base*)h;
    if (mode == 2) {
        if (n != b.T || after < 0) return -1;
        double sum = 0.0;
        for (int32_t k = 0; k < n; ++k) { if (!(shares[k] > 0.0)) return -1; sum += shares[k]; }
        b.bal_forced.assign(shares, shares + n);
        for (double& x : b.bal_forced) x /= sum;
        b.bal_after = after;
    }
    b.bal_mode = mode;
    return 0;
}
// First rank of each thread's block of population pop into lo[0..T); returns T (0: no such population)
int32_t ann_blocks(void* h, int32_t pop, int64_t* lo) {
    ann::Base& b = *(ann::Base*)h;
    if (pop < 0 || pop >= (int32_t)b.pop_lo.size()) return 0;
    for (int k = 0; k < b.T; ++k) lo[k] = b.pop_lo[pop][k];
    return b.T;
}
}
#endif  // ANN_RUNTIME_IMPL
