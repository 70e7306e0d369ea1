// annstudio C++/OpenMP kernels in single precision (NetworkIR.precision == "float32"): the float overloads of
// the runtime's value functions, included by float32 kernels only, after annstudio_runtime.h.  State, weights
// and every operation of the equations are float (the NumPy reference then computes in float32 as well);
// time, event times, random draws before rounding and decoding sums stay double, as in the reference.
// Reductions give the bits of NumPy's float32 reductions: pairwise sums with float accumulators.
#pragma once
#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
#endif
// (annstudio_runtime.h comes first, from the kernel: its copy beside the precompiled header)

// the float overloads of exp, log, pow... for the printed expressions (expf, not exp on a promoted double)
using std::exp; using std::log; using std::sqrt; using std::pow; using std::fabs; using std::fmod;
using std::sin; using std::cos; using std::tan; using std::tanh; using std::sinh; using std::cosh;
using std::asin; using std::acos; using std::atan; using std::atan2; using std::floor; using std::ceil;
using std::log10; using std::log2; using std::exp2; using std::cbrt; using std::round; using std::trunc;

namespace ann {

// Single-precision kernels run with subnormal numbers flushed to zero (x86: MXCSR's FTZ and DAZ bits, set
// for the thread while it runs steps, restored after).  Values below 1.2e-38 count as 0 there: a decaying
// float32 rate would otherwise crawl through the subnormal range at a hundred cycles per operation.
struct FlushDenormals {
#if defined(__SSE__) || defined(__x86_64__)
    unsigned saved;
    FlushDenormals() : saved(_mm_getcsr()) { _mm_setcsr(saved | 0x8040u); }
    ~FlushDenormals() { _mm_setcsr(saved); }
#endif
};

static inline float minnum(float x, float y) {
    float m = x < y ? x : y;
    m = x != x ? y : m;
    return y != y ? x : m;
}
static inline float maxnum(float x, float y) {
    float m = x > y ? x : y;
    m = x != x ? y : m;
    return y != y ? x : m;
}

// NumPy's pairwise summation (float32: float accumulators, blocks of 8 below 128 elements)
static inline float pairwise_sum(const float* a, int64_t n, int64_t stride, bool squares = false,
                                 bool absval = false) {
    auto f = [&](float x) { return squares ? x * x : (absval ? std::fabs(x) : x); };
    if (n < 8) {
        float r = 0.0f;
        for (int64_t i = 0; i < n; ++i) r += f(a[i * stride]);
        return r;
    } else if (n <= 128) {
        float r[8];
        for (int j = 0; j < 8; ++j) r[j] = f(a[j * stride]);
        int64_t i;
        for (i = 8; i < n - (n % 8); i += 8)
            for (int j = 0; j < 8; ++j) r[j] += f(a[(i + j) * stride]);
        float res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; ++i) res += f(a[i * stride]);
        return res;
    }
    int64_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise_sum(a, n2, stride, squares, absval) + pairwise_sum(a + n2 * stride, n - n2, stride, squares, absval);
}
// op: 0 mean, 1 max, 2 min, 3 norm1, 4 norm2 (as the double version)
static inline float global_op(int op, const float* a, int64_t n) {
    if (n == 0) return 0.0f;
    switch (op) {
    case 0: return pairwise_sum(a, n, 1) / (float)n;
    case 1: { float m = a[0]; for (int64_t i = 1; i < n; ++i) m = (a[i] > m || std::isnan(a[i])) ? a[i] : m; return m; }
    case 2: { float m = a[0]; for (int64_t i = 1; i < n; ++i) m = (a[i] < m || std::isnan(a[i])) ? a[i] : m; return m; }
    case 3: return pairwise_sum(a, n, 1, false, true);
    default: return std::sqrt(pairwise_sum(a, n, 1, true, false));
    }
}

// tiles of 8 rows (Proj::tile8) as tile_mirror in annstudio_runtime.h, float values.  In float the mirror pays
// beyond the caches too (unlike double, where a streamed projection is bound by the memory either way): the
// row path's per-row float sums wait on their adds, the tiles' do not (2 x 4000 all-to-all: 4.5 ms a step
// from the rows, ~2.3 ms from the tiles), so it is kept up to TILE_MAX_SYN_F32 synapses (a 128 MB copy).
static const int64_t TILE_MAX_SYN_F32 = int64_t(1) << 25;
static inline bool tile_mirror(const Proj& C, const float* src, std::vector<float>& m) {
    bool finite = true;
    for (int64_t j = 0; j < C.n_syn; ++j) finite &= std::isfinite(src[j]);
    if (C.n_syn > TILE_MAX_SYN_F32) { std::vector<float>().swap(m); return finite; }
    m.assign((size_t)C.tile_total, 0.0f);
    const int64_t* ptr = C.post_ptr.data();
    for (int64_t t = 0; t < (int64_t)C.tile8.size(); ++t) {
        if (!C.tile8[t]) continue;
        float* d = m.data() + C.tile_off[t] - (int64_t)C.tile_first[t] * 8;
        for (int64_t r = 0; r < 8; ++r)
            for (int64_t j = ptr[8 * t + r]; j < ptr[8 * t + r + 1]; ++j) d[(int64_t)C.pre_of[j] * 8 + r] = src[j];
    }
    return finite;
}
static inline int64_t active_ranks(const float* x, int64_t len, std::vector<int32_t>& out) {
    if ((int64_t)out.size() < len) out.resize((size_t)len);
    int32_t* o = out.data();
    int64_t n = 0;
    for (int64_t m = 0; m < len; ++m) { o[n] = (int32_t)m; n += !(x[m] == 0.0f); }
    return n;
}
static inline bool all_finite(const float* x, int64_t len) {
    bool ok = true;
    for (int64_t m = 0; m < len; ++m) ok &= std::isfinite(x[m]);
    return ok;
}
typedef float v8f __attribute__((vector_size(32)));
static inline v8f load8(const float* p) { v8f v; std::memcpy(&v, p, sizeof v); return v; }
// Four tiles after tile t0 (t0 included) over the same span [first, + len) that the dense tile loop may take
// together: a row's hole (tile8 == 2) adds x * 0.0, harmless when the span's inputs are finite (fin)
static inline bool same_span4(const Proj& C, int64_t t0, int64_t first, int64_t len, bool fin_span) {
    if ((int64_t)C.tile8.size() < t0 + 4) return false;
    for (int64_t k = 1; k < 4; ++k)
        if (!C.tile8[t0 + k] || C.tile_first[t0 + k] != first || C.tile_len[t0 + k] != len ||
            (C.tile8[t0 + k] == 2 && !fin_span)) return false;
    return true;
}
// 32 rows at once (float kernels): four independent sums in flight and four weight streams, where two leave
// the loop waiting on the adds; each lane still sums its row in synapse order (the same bits)
static inline void tile_sum4(const float* __restrict MT, const Proj& C, int64_t t0, const float* __restrict x,
                             int64_t len, float* __restrict A) {
    const float* __restrict W0 = MT + C.tile_off[t0];
    const float* __restrict W1 = MT + C.tile_off[t0 + 1];
    const float* __restrict W2 = MT + C.tile_off[t0 + 2];
    const float* __restrict W3 = MT + C.tile_off[t0 + 3];
    v8f s0 = {0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f}, s1 = s0, s2 = s0, s3 = s0;
    for (int64_t m = 0; m < len; ++m) {
        const float xm = x[m];
        s0 += xm * load8(W0 + 8 * m); s1 += xm * load8(W1 + 8 * m);
        s2 += xm * load8(W2 + 8 * m); s3 += xm * load8(W3 + 8 * m);
    }
    for (int l = 0; l < 8; ++l) { A[l] += s0[l]; A[8 + l] += s1[l]; A[16 + l] += s2[l]; A[24 + l] += s3[l]; }
}

// Rate-coded sums w * pre.r over dense rows sharing their presynaptic ranks (a streamed all-to-all projection,
// too large for a tile mirror), 8 rows at a time from row p: each row's sum in synapse order (the reference's
// bits), 8 independent chains of additions (float rows stream half the bytes of double ones, so 4 chains left
// the loop bound by the latency of the additions).  Stops at the first row that does not fit, or where the
// inputs are sparse (under 1/8 of them non-zero: the caller's 4-row loop then skips the silent ones); returns
// that row.
static inline int64_t rate_rows8(const Proj& C, int64_t p, int64_t hi, const float* r, const float* w, float* sum) {
    const int64_t* ptr = C.post_ptr.data();
    const int32_t* pre_of = C.pre_of.data();
    int64_t span_first = -1, span_len = -1;
    bool dense_input = false;
    for (; p + 8 <= hi; p += 8) {
        const int64_t b0 = ptr[p], len = ptr[p + 1] - b0;
        bool ok = len > 0;
        for (int k = 0; ok && k < 8; ++k)
            ok = C.dense[p + k] && ptr[p + k + 1] - ptr[p + k] == len && pre_of[ptr[p + k]] == pre_of[b0];
        if (!ok) break;
        const float* __restrict x = r + pre_of[b0];
        if (pre_of[b0] != span_first || len != span_len) {
            span_first = pre_of[b0]; span_len = len;
            int64_t active = 0;
            for (int64_t m = 0; m < len; ++m) active += !(x[m] == 0.0f);
            dense_input = 8 * active >= len;
        }
        if (!dense_input) break;
        const float* __restrict w0 = w + b0;
        float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f, s4 = 0.0f, s5 = 0.0f, s6 = 0.0f, s7 = 0.0f;
        for (int64_t m = 0; m < len; ++m) {
            const float xm = x[m];
            s0 += xm * w0[m]; s1 += xm * w0[len + m]; s2 += xm * w0[2 * len + m]; s3 += xm * w0[3 * len + m];
            s4 += xm * w0[4 * len + m]; s5 += xm * w0[5 * len + m]; s6 += xm * w0[6 * len + m];
            s7 += xm * w0[7 * len + m];
        }
        sum[p] += s0; sum[p + 1] += s1; sum[p + 2] += s2; sum[p + 3] += s3;
        sum[p + 4] += s4; sum[p + 5] += s5; sum[p + 6] += s6; sum[p + 7] += s7;
    }
    return p;
}

// decoding projections keep their sums in double (as the reference: weights times counts, in double)
static inline void decoder_weights(const Proj& C, const float* w, bool scalar, int64_t window,
                                   std::vector<Decoder>& decs, const std::vector<int64_t>& lo,
                                   const std::vector<int64_t>& hi) {
    std::vector<double> wd(w, w + (scalar ? 1 : C.n_syn));
    decoder_weights(C, wd.data(), scalar, window, decs, lo, hi);
}

}  // namespace ann
