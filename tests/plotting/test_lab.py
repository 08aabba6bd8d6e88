"""Plots of the synapse lab and the neuron gallery (stpexplorer.plotting.lab)."""

import numpy as np
from matplotlib.figure import Figure

from stpexplorer import lab
from stpexplorer.plotting import draw_neuron, draw_synapse_lab


def test_synapse_lab_draws_its_four_panels_from_the_result():
    res = lab.synapse_lab(0.5, 2.0, 1.0, 20.0, 8, "regular", 500.0)
    axes = Figure().subplots(2, 2)
    draw_synapse_lab(res, axes)
    (ax_ux, ax_ss), (ax_r, _) = axes
    np.testing.assert_array_equal(ax_ux.lines[0].get_ydata(), res.curve_u)
    np.testing.assert_array_equal(ax_ux.lines[2].get_ydata(), res.states.u)
    np.testing.assert_array_equal(ax_ss.lines[0].get_ydata(), res.r_star)
    assert "500 ms" in ax_r.get_title(loc="left")
    draw_synapse_lab(res, axes)  # drawn again into the same axes: cleared first
    assert len(ax_ux.lines) == 4


def test_neuron_draws_v_u_and_the_phase_plane_with_nullclines():
    k = lab.NEURON_TYPES["regular spiking (RS)"]
    trace = lab.simulate_neuron(k.a, k.b, k.c, k.d, I_before=k.I_before, I_after=k.I_after, step_ms=k.step_ms)
    fig = Figure()
    ax_v, ax_u, ax_phase = fig.subplots(3)
    draw_neuron(trace, ax_v, ax_u, ax_phase, k.I_after)
    np.testing.assert_array_equal(ax_v.lines[0].get_ydata(), trace.v_mV)
    assert [line.get_label() for line in ax_phase.lines] == ["trajectory", "v-nullcline", "u-nullcline"]
    assert f"{len(trace.spike_t_ms)} spikes" in ax_v.get_title(loc="left")
