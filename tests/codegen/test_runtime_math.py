"""The compiled kernels' own log and cos (annstudio_runtime.h: rlog, rcos2pi, used by the random draws so
that neuron loops vectorise) against the C library's, in long double, over a million arguments."""
import os
import subprocess

import pytest

from annstudio.codegen.cpp import toolchain

RUNTIME = os.path.join(os.path.dirname(toolchain.__file__), "runtime")   # annstudio_runtime.h


def _run(tmp_path, name, program):
    """Compile ``program`` (C++ including the runtime header) with the kernels' flags, run it, return the
    words it prints."""
    if toolchain.availability() is not None:
        pytest.skip(toolchain.availability())
    src = tmp_path / f"{name}.cpp"
    src.write_text(program)
    exe = tmp_path / name
    cmd = [toolchain.compiler(), *toolchain.flags(), "-std=c++17", "-fopenmp", "-w", f"-I{RUNTIME}", str(src),
           "-o", str(exe)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=300)
    return subprocess.run([str(exe)], check=True, capture_output=True, text=True, timeout=120).stdout.split()

PROGRAM = r"""
#include "annstudio_runtime.h"
#include <cstdio>
static double ulps(double a, long double ref) {
    const double r = (double)ref;
    return (double)(std::fabs((long double)a - ref) / std::fabs(std::nextafter(r, INFINITY) - r));
}
int main() {
    double mlog = 0, mcos = 0, acos = 0;
    for (int64_t i = 0; i < 1000000; ++i) {
        const double u = i < 64 ? std::ldexp(1.0, -(int)i) : ann::u01(99, i, 3);   // powers of 2 too
        if (u != 1.0) mlog = std::max(mlog, ulps(ann::rlog(u), std::log((long double)u)));
        const long double c = std::cos(2.0L * 3.14159265358979323846264338327950288L * (long double)u);
        acos = std::max(acos, (double)std::fabs((long double)ann::rcos2pi(u) - c));
        if (std::fabs(c) > 1e-3L) mcos = std::max(mcos, ulps(ann::rcos2pi(u), c));
    }
    std::printf("%.3f %.3f %.3g %.17g %.17g\n", mlog, mcos, acos, ann::rlog(1.0), ann::rcos2pi(0.5));
    return 0;
}
"""


@pytest.mark.compiler
def test_runtime_log_and_cos_are_accurate(tmp_path):
    out = _run(tmp_path, "check", PROGRAM)
    mlog, mcos, acos, log1, cos_half = map(float, out)
    assert mlog <= 2.5 and mcos <= 3.0 and acos < 3e-16   # measured: 1.98, 2.26, 1.8e-16
    assert log1 == 0.0 and cos_half == -1.0


MINMAX = r"""
#include "annstudio_runtime.h"
#include <cstdio>
#include <cstring>
static bool same(double a, double b) {   // bit for bit; any NaN equals any NaN
    if (a != a || b != b) return a != a && b != b;
    return std::memcmp(&a, &b, sizeof a) == 0;
}
int main() {
    const double v[] = {0.0, -0.0, 1.0, -1.0, 0.5, 1e-310, -1e-310, INFINITY, -INFINITY, NAN, -NAN, 3.0, 1e308};
    const int nv = sizeof v / sizeof v[0];
    int64_t bad = 0, n = 0;
    for (int a = 0; a < nv; ++a)
        for (int b = 0; b < nv; ++b, ++n)
            bad += !same(ann::minnum(v[a], v[b]), std::fmin(v[a], v[b])) +
                   !same(ann::maxnum(v[a], v[b]), std::fmax(v[a], v[b]));
    double x[4096], y[4096], lo[4096], hi[4096];   // a loop the compiler may vectorise, as in a kernel
    for (int i = 0; i < 4096; ++i) {
        x[i] = ann::u01(5, i, 0) - 0.5; y[i] = (i % 7 == 0) ? x[i] : ann::u01(5, i, 1) - 0.5;
        if (i % 97 == 0) x[i] = NAN;
        if (i % 89 == 0) y[i] = -0.0 * x[i];
    }
    for (int i = 0; i < 4096; ++i) { lo[i] = ann::minnum(x[i], y[i]); hi[i] = ann::maxnum(x[i], y[i]); }
    for (int i = 0; i < 4096; ++i, ++n)
        bad += !same(lo[i], std::fmin(x[i], y[i])) + !same(hi[i], std::fmax(x[i], y[i]));
    std::printf("%lld %lld\n", (long long)bad, (long long)n);
    return 0;
}
"""


@pytest.mark.compiler
def test_inline_min_and_max_match_the_c_library_bit_for_bit(tmp_path):
    """Kernels print Min/Max as ann::minnum/maxnum: signed zeros, infinities, subnormals and NaN on either
    side give exactly what fmin/fmax give, in a loop the compiler may vectorise too."""
    out = _run(tmp_path, "minmax", MINMAX)
    bad, n = map(int, out)
    assert n == 13 * 13 + 4096 and bad == 0


EXP = r"""
#include "annstudio_runtime.h"
#include <cstdio>
#include <cstring>
static double ulps(double a, long double ref) {
    const double r = (double)ref;
    if (r == 0.0) return a == 0.0 ? 0.0 : 1e9;
    return (double)(std::fabs((long double)a - ref) / std::fabs(std::nextafter(r, INFINITY) - r));
}
__attribute__((noinline)) double one(double x) { return ann::rexp(x); }
int main() {
    static double xs[1 << 20], ys[1 << 20];
    const int n = 1 << 20;
    for (int i = 0; i < n; ++i) {
        const double u = ann::u01(7, i, 0);
        xs[i] = i % 3 == 0 ? (u - 0.5) * 1460.0 - 17.0      // [-747, 713]: overflow, subnormals, underflow
              : (i % 3 == 1 ? (u - 0.5) * 60.0 : -u * 1e-3);   // decays: small negative arguments
    }
    for (int i = 0; i < n; ++i) ys[i] = ann::rexp(xs[i]);   // vectorised here, as in a kernel's row loop
    double m = 0; long long lanes = 0;
    for (int i = 0; i < n; ++i) {
        m = std::max(m, ulps(ys[i], std::exp((long double)xs[i])));
        const double s = one(xs[i]);
        lanes += std::memcmp(&s, &ys[i], sizeof s) != 0;
    }
    const double sp[] = {0.0, -0.0, 709.78, 709.79, -708.4, -745.1, -745.2, INFINITY, -INFINITY};
    for (double x : sp) m = std::max(m, ulps(ann::rexp(x), std::exp((long double)x)));
    std::printf("%.3f %lld %d\n", m, lanes, (int)(ann::rexp(NAN) != ann::rexp(NAN)));
    return 0;
}
"""


@pytest.mark.compiler
def test_runtime_exp_is_accurate_over_the_whole_range(tmp_path):
    """ann::rexp (printed for event-driven decays so that a post spike's row of synapses vectorises): within
    1 ulp of exp in long double from overflow to underflow, the same bits in SIMD lanes and scalar calls,
    NaN in NaN out."""
    out = _run(tmp_path, "exp", EXP)
    m, lanes, nan = float(out[0]), int(out[1]), int(out[2])
    assert m <= 1.0 and lanes == 0 and nan == 1   # measured: 0.95 ulp
