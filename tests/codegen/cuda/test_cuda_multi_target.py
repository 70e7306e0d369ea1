"""The CUDA kernels feed every conductance of a projection's list of targets, with ANNarchy's numbers
(measured on ANNarchy 5.0.4.1 and 4.8.2.6: see tests/engine/test_multi_target.py, which builds the network)."""
from engine.test_multi_target import check_against_annarchy, run_multi_target


def test_list_of_targets_feeds_each_conductance(backend):
    check_against_annarchy(run_multi_target(backend))
