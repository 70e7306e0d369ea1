"""The compiled kernels' own log and cos (annstudio_runtime.h: rlog, rcos2pi, used by the random draws so
that neuron loops vectorise) against the C library's, in long double, over a million arguments."""
import os
import subprocess

import pytest

from annstudio.codegen.cpp import toolchain

TEMPLATES = os.path.join(os.path.dirname(toolchain.__file__), "templates")

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
    if toolchain.availability() is not None:
        pytest.skip(toolchain.availability())
    src = tmp_path / "check.cpp"
    src.write_text(PROGRAM)
    exe = tmp_path / "check"
    cmd = [toolchain.compiler(), *toolchain.flags(), "-std=c++17", "-fopenmp", "-w", f"-I{TEMPLATES}", str(src),
           "-o", str(exe)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=300)
    out = subprocess.run([str(exe)], check=True, capture_output=True, text=True, timeout=120).stdout.split()
    mlog, mcos, acos, log1, cos_half = map(float, out)
    assert mlog <= 2.5 and mcos <= 3.0 and acos < 3e-16   # measured: 1.98, 2.26, 1.8e-16
    assert log1 == 0.0 and cos_half == -1.0
