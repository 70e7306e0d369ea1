"""CUDA backend tests: the generated kernels run everywhere a C++ compiler is (emulated on the CPU), on the
GPU where one is; only the tests that need nvcc itself are skipped where it is missing, by name.

Registers ``cuda-emulated`` (the CUDA kernels compiled for the CPU against
``emulation.h``) for the duration of the session, so networks written with the
ANNarchy-style facade can be compiled with ``compile(paradigm="cuda-emulated")``.
"""
from pathlib import Path

import pytest

import annstudio.engine  # noqa: F401  (imports the engine before codegen, as applications do)
from annstudio.codegen.cuda import toolchain
from annstudio.core.runtime import available_paradigms
from backend_fixtures import backend_params

HERE = Path(__file__).resolve().parent
# the CUDA kernels emulated on the CPU (g++ against emulation.h); the real GPU where the suite's fixture lists it
CUDA_PARAMS = [pytest.param("cuda-emulated", id="cuda-emulated")] + [p for p in backend_params()
                                                                      if p.values[0] == "cuda"]
# the tests that run nvcc itself (the emulation needs only the C++ compiler)
NEEDS_NVCC = {"test_nvcc_compiles", "test_no_gpu_clear_error"}


def pytest_collection_modifyitems(config, items):
    no_nvcc = None if toolchain.find_nvcc() is not None else pytest.mark.skip(
        reason=toolchain.missing() or "nvcc missing")
    cxx = available_paradigms().get("openmp", "no C++ backend registered")
    no_cxx = None if cxx is None else pytest.mark.skip(reason=f"the CUDA emulation needs a C++ compiler: {cxx}")
    for item in items:
        if HERE in item.path.parents:   # the hook sees the whole session's items
            item.add_marker(pytest.mark.cuda)
            if no_nvcc is not None and item.originalname in NEEDS_NVCC:
                item.add_marker(no_nvcc)
            elif no_cxx is not None and "cuda-emulated" in item.name:   # (the real GPU needs no g++ OpenMP)
                item.add_marker(no_cxx)


@pytest.fixture(scope="session", autouse=True)
def emulated_paradigm():
    from annstudio.codegen.cuda.backend import CudaBackend
    from annstudio.core.runtime import registry

    def factory(ir, data, settings, **kwargs):
        return CudaBackend(ir, data, settings, emulate=True, **kwargs)

    registry.register_backend("cuda-emulated", factory, lambda: None, "CUDA kernels emulated on the CPU (tests)")
    yield "cuda-emulated"
    registry._REGISTRY.pop("cuda-emulated", None)


@pytest.fixture(params=CUDA_PARAMS)
def backend(request):
    """The CUDA backends a test compares with the NumPy oracle: ``cuda-emulated``, and ``cuda`` on a GPU."""
    return request.param
