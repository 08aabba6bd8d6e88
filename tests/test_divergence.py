"""Divergence detection: where and when a runaway is reported."""

import math

import pytest

from stpexplorer import DivergenceError, model, presets
from stpexplorer.engine import collect, runtime_device

SMALL = presets.FORUM.replace(duration=30.0)


def _run_with_nan(params, neuron: int, at_ms: float):
    """Run the model (numpy target), make ``neuron``'s v NaN at ``at_ms`` and
    run on: a NaN never crosses the spike threshold, so the reset never sees
    it; only the periodic check can."""
    import brian2 as b2

    real = model.draw_realisation(params, 0)
    with runtime_device("numpy"):
        built = model.build(params, real)
        built.net.run(at_ms * b2.ms, namespace={})
        built.neurons.v[neuron] = math.nan * b2.mV
        built.net.run((params.duration - at_ms) * b2.ms, namespace={})
        return collect(model.monitor_arrays(built), params, real, 0, "runtime-numpy", 0.0)


@pytest.mark.parametrize("neuron, at_ms, population", [(7, 12.35, "excitatory"), (47, 20.05, "inhibitory")])
def test_a_nan_only_the_periodic_check_sees_is_reported_where_and_when(neuron, at_ms, population):
    assert neuron not in model.recorded_neurons(SMALL)  # no recorded trace shows it either
    with pytest.raises(DivergenceError) as info:
        _run_with_nan(SMALL, neuron, at_ms)
    error = info.value
    assert error.neuron == neuron and error.population == population
    # checked every DIVERGENCE_CHECK_MS: found within one check interval
    assert at_ms <= error.t_ms <= at_ms + model.DIVERGENCE_CHECK_MS
    assert f"neuron {neuron}" in str(error) and f"the {population} population" in str(error)


def test_the_error_keeps_its_details_through_pickling():
    import pickle

    error = DivergenceError("simulation diverged", t_ms=3.0, population="inhibitory", neuron=44)
    again = pickle.loads(pickle.dumps(error))
    assert (str(again), again.t_ms, again.population, again.neuron) == \
        ("simulation diverged", 3.0, "inhibitory", 44)
    assert isinstance(again, RuntimeError)


def test_a_nan_is_found_in_the_compiled_network_too(engine, monkeypatch):
    """The same check in C++ (the default engine): neuron 7 starts with v = NaN."""
    import numpy as np

    real_run_values = model.run_values

    def nan_start(*args, **kwargs):
        values = []
        for obj, var, value in real_run_values(*args, **kwargs):
            if (obj, var) == (model.NEURON_NAME, "v"):
                value = np.array(value, dtype=float)
                value[7] = np.nan
            values.append((obj, var, value))
        return values

    from stpexplorer import simulate

    simulate(SMALL, engine=engine)  # compiled and fine without the NaN
    monkeypatch.setattr(model, "run_values", nan_start)
    with pytest.raises(DivergenceError) as info:
        simulate(SMALL, engine=engine)
    assert (info.value.neuron, info.value.population) == (7, "excitatory")
    assert 0 <= info.value.t_ms <= model.DIVERGENCE_CHECK_MS
