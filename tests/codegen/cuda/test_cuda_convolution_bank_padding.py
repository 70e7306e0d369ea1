"""The CUDA kernels run filter banks with a padding, and max/min convolutions starting from 0.0, with the numbers
ANNarchy 5.0.4.1 printed (the networks and numbers of tests/engine/test_convolution_bank_padding.py)."""
from engine.test_convolution_bank_padding import check_banks, check_from_zero, run_banks, run_from_zero


def test_banks_with_padding_as_annarchy(backend):
    check_banks(run_banks(backend))


def test_max_min_from_zero_as_annarchy(backend):
    check_from_zero(run_from_zero(backend))
