"""The thalamic noise, read into ``I_noise`` by a ``run_regularly`` operation,
is at every step what ``sigma*noise_ta(t, i)`` in the equations gave: the
row of the TimedArray at the step's own time, for every dt (1 ms a whole
number of steps or not), from the first step on."""

from __future__ import annotations

import numpy as np
import pytest

from stpexplorer import model, presets

#: dividing 1 ms (the draw's own 1 ms clock) and not (a draw at every step):
#: steps that start just before a millisecond take its row
DTS = [0.1, 0.125, 0.005, 0.135, 0.33, 0.595, 0.995]


@pytest.mark.parametrize("dt", DTS)
def test_each_step_sees_the_noise_row_of_its_own_time(dt):
    import brian2 as b2

    from stpexplorer.engine import runtime_device

    params = presets.DEFAULT.replace(N_e=4, N_i=2, p_e=1.0, p_i=1.0, dt=dt,
                                     duration=12.0 if dt < 0.05 else 60.0)
    real = model.draw_realisation(params, 0)
    with runtime_device("numpy"):
        built = model.build(params, real)
        seen = b2.StateMonitor(built.neurons, "I_noise", record=True, when="before_groups", name="noise_seen")
        built.net.add(seen)
        built.net.run(params.duration * b2.ms, namespace={})
        t = seen.t[:]
        expected = np.array([built.neurons.namespace["noise_ta"](t, i) for i in range(6)])
        expected = expected * np.asarray(built.neurons.sigma[:])[:, None]
        np.testing.assert_array_equal(np.asarray(seen.I_noise[:]), np.asarray(expected))
    assert len(t) >= params.duration / dt - 1e-6  # every step was seen
    assert (model.noise_draw_ms(dt) is None) == (dt in (0.135, 0.33, 0.595, 0.995))


def test_the_draw_runs_once_per_millisecond_when_that_is_a_whole_number_of_steps():
    assert model.noise_draw_ms(0.1) == model.NOISE_DT_MS
    assert model.noise_draw_ms(0.005) == model.NOISE_DT_MS
    assert model.noise_draw_ms(1.0) == model.NOISE_DT_MS
    assert model.noise_draw_ms(0.3) is None and model.noise_draw_ms(0.75) is None
