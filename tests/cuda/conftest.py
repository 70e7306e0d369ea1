"""CUDA backend tests: skipped only where nvcc is missing.

Registers ``cuda-emulated`` (the CUDA kernels compiled for the CPU against
``emulation.h``) for the duration of the session, so networks written with the
ANNarchy-style facade can be compiled with ``compile(paradigm="cuda-emulated")``.
"""
import pytest

import annstudio.engine  # noqa: F401  (imports the engine before codegen, as applications do)
from annstudio.codegen.cuda import toolchain


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(reason=toolchain.missing() or "nvcc missing")
    for item in items:
        if "tests/cuda/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.cuda)
            if toolchain.find_nvcc() is None:
                item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def emulated_paradigm():
    from annstudio.codegen.cuda.backend import CudaBackend
    from annstudio.core.runtime import registry

    def factory(ir, data, settings, **kwargs):
        return CudaBackend(ir, data, settings, emulate=True, **kwargs)

    registry.register_backend("cuda-emulated", factory, lambda: None, "CUDA kernels emulated on the CPU (tests)")
    yield "cuda-emulated"
    registry._REGISTRY.pop("cuda-emulated", None)
