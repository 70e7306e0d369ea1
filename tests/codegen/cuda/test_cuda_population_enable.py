"""Population.disable()/enable() in the CUDA kernels: the numbers measured on ANNarchy 5.0.4.1 and 4.8.2.6, and the
NumPy reference's on a larger network (the networks and assertions: tests/engine/test_population_enable.py)."""
import pytest

from engine import test_population_enable as cases


@pytest.mark.parametrize("case", ["test_a_disabled_population_is_frozen_and_receives_nothing",
                                  "test_a_disabled_source_sends_its_last_spikes_again_and_its_projections_learn",
                                  "test_rate_populations_sums_learning_and_input_arrays",
                                  "test_delay_queues_and_schedules_stand_still",
                                  "test_the_4x_api_and_disable_before_compile",
                                  "test_the_switch_and_the_clocks_survive_a_restructure"])
def test_measured_numbers(backend, case):
    getattr(cases, case)(backend)


def test_matches_the_reference(backend):
    cases.test_compiled_backends_match_the_reference(backend, 1)


@pytest.mark.parametrize("which", [0, 1], ids=["poisson", "correlated"])
def test_spike_generators(backend, which):
    make = cases.test_disabled_spike_generators_send_their_last_spikes_every_step.pytestmark[0].args[1][which]
    cases.test_disabled_spike_generators_send_their_last_spikes_every_step(backend, make)
