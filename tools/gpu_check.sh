#!/usr/bin/env bash
# The CUDA checks on a machine with an NVIDIA GPU and nvcc: every test marked `cuda` on the real device
# (the CUDA kernels against the NumPy oracle), then COBA scaling CUDA vs C++ (benchmarks/cuda_scaling.py).
#
# Run from the repository root:  bash tools/gpu_check.sh [OUTPUT_DIR]
# Logs go to OUTPUT_DIR (default: $OUT, else ./gpu_check_out).  Where annstudio's dependencies cannot be
# installed from an index (an offline GPU machine), put their wheels in .whl/ first: they are installed
# into a temporary folder and put on PYTHONPATH; the binding is built in place.
set -o pipefail
OUTDIR=${1:-${OUT:-gpu_check_out}}
mkdir -p "$OUTDIR"
export PYTHONUNBUFFERED=1 MPLBACKEND=Agg
if [ -d .whl ]; then
    SITE=$(mktemp -d)
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$SITE" .whl/*.whl \
        || { echo "gpu_check: the wheels in .whl/ did not install"; exit 1; }
    export PYTHONPATH="$SITE:$PWD${PYTHONPATH:+:$PYTHONPATH}"
    python3 setup.py -q build_ext --inplace > "$OUTDIR/build.log" 2>&1 || tail -20 "$OUTDIR/build.log"
fi
nvidia-smi -L
nvcc --version | tail -2
python3 -c "import numpy, sympy; print('numpy', numpy.__version__, 'sympy', sympy.__version__)"
python3 -c "import annstudio.codegen; from annstudio.core.runtime import available_paradigms as a; print('backends:', a())" || exit 1
JOBS=${GPU_CHECK_JOBS:-$(( $(nproc) > 2 ? $(nproc) - 2 : 1 ))}
XDIST=$(python3 -c "import xdist" 2>/dev/null && echo "-n $JOBS")
timeout "${GPU_CHECK_TEST_LIMIT:-420}" python3 -m pytest -m cuda -k "not emulated" $XDIST -v -rfE --timeout 300 \
    --ignore=tests/gui -p no:cacheprovider 2>&1 | tee "$OUTDIR/pytest.log" | grep -E "FAILED|ERROR|passed|failed" | tail -60
(cd benchmarks && timeout "${GPU_CHECK_BENCH_LIMIT:-120}" python3 cuda_scaling.py --duration 1000) 2>&1 \
    | tee "$OUTDIR/scaling.log" | tail -30
