"""Plots of the synapse lab and the neuron gallery (stpexplorer.plotting.lab)."""

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from stpexplorer import lab
from stpexplorer.plotting import draw_neuron, draw_synapse_lab
from stpexplorer.plotting.style import round_step, round_up, rounded_range


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


# ---------------------------------------------------------------------- redrawn many times
def _pixels(fig) -> np.ndarray:
    """The figure drawn in full by Agg, as RGBA pixels."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def _synapse_axes():
    return Figure(figsize=(11.5, 6.4)).subplots(2, 2)


def _neuron_axes():
    fig = Figure(figsize=(11.5, 4.8))
    grid = fig.add_gridspec(2, 2, width_ratios=[2, 1])
    ax_v = fig.add_subplot(grid[0, 0])
    return ax_v, fig.add_subplot(grid[1, 0], sharex=ax_v), fig.add_subplot(grid[:, 1])


#: synapses (U_0, Omega_f, Omega_d) and trains (rate_hz, n_spikes, kind, gap) of the redraw tests
SYNAPSES = ((0.5, 50.0, 2.0), (0.05, 1.0, 50.0), (0.2, 3.0, 8.0), (0.9, 0.5, 0.5), (0.02, 0.0, 20.0))
TRAINS = ((20, 10, "regular", 500), (5, 4, "poisson", 50), (80, 40, "regular", 3000), (1, 2, "regular", 10),
          (40, 25, "poisson", 800))
#: 50 settings of the synapse lab: every synapse with every train, and back
SYNAPSE_SETTINGS = [(*synapse, *train) for synapse in SYNAPSES for train in TRAINS]
SYNAPSE_SETTINGS += SYNAPSE_SETTINGS[::-1]
#: 50 settings of the gallery: each neuron type, then its a, b, c, d and current moved
NEURON_SETTINGS = [(name, {"a": k.a * s, "b": k.b + 0.02 * (s - 1), "c": k.c + 5 * (s - 1), "d": k.d * s,
                           "I_after": k.I_after + 8 * (s - 1)})
                   for name, k in lab.NEURON_TYPES.items() for s in (1.0, 0.5, 1.5, 2.0, 0.8, 1.2, 0.9)][:50]


def test_fifty_synapse_lab_redraws_keep_the_axes_and_look_like_a_fresh_figure():
    axes = _synapse_axes()
    fig = axes.flat[0].figure
    assert len(SYNAPSE_SETTINGS) == 50
    plot = draw_synapse_lab(lab.synapse_lab(), axes)
    for setting in SYNAPSE_SETTINGS:
        # the same artists get the new data (what lets the dashboard blit them)
        assert draw_synapse_lab(lab.synapse_lab(*setting), axes) is plot
        assert len(fig.axes) == 5 and len(axes[1, 0].lines) == 0 and len(axes[0, 0].lines) == 4
    fresh = _synapse_axes()
    draw_synapse_lab(lab.synapse_lab(*SYNAPSE_SETTINGS[-1]), fresh)
    assert len(fresh.flat[0].figure.axes) == 5
    np.testing.assert_array_equal(_pixels(fig), _pixels(fresh.flat[0].figure))


def test_fifty_gallery_redraws_keep_the_axes_and_look_like_a_fresh_figure():
    axes = _neuron_axes()
    fig = axes[0].figure
    plot = draw_neuron(lab.neuron_type("regular spiking (RS)"), *axes, 10.0)
    for name, changes in NEURON_SETTINGS:
        assert draw_neuron(lab.neuron_type(name, **changes), *axes, changes["I_after"]) is plot
        assert len(fig.axes) == 4 and len(axes[2].lines) == 3
    fresh = _neuron_axes()
    name, changes = NEURON_SETTINGS[-1]
    draw_neuron(lab.neuron_type(name, **changes), *fresh, changes["I_after"])
    np.testing.assert_array_equal(_pixels(fig), _pixels(fresh[0].figure))


def test_axes_cleared_by_their_owner_are_drawn_again_with_one_twin():
    axes = _synapse_axes()
    res = lab.synapse_lab()
    draw_synapse_lab(res, axes)
    for ax in axes.flat:
        ax.clear()
    draw_synapse_lab(res, axes)
    assert len(axes.flat[0].figure.axes) == 5
    np.testing.assert_array_equal(axes[0, 0].lines[0].get_ydata(), res.curve_u)


def test_every_point_lies_inside_the_rounded_limits():
    axes = _synapse_axes()
    for setting in SYNAPSE_SETTINGS[:25]:
        res = lab.synapse_lab(*setting)
        plot = draw_synapse_lab(res, axes)
        shown = ((axes[1, 0], res.spike_t_ms, res.states.r), (plot.twin, res.spike_t_ms, res.amplitude_ratio),
                 (axes[0, 0], res.curve_t_ms, res.curve_x), (axes[0, 1], res.freqs_hz, res.r_star),
                 (axes[1, 1], res.freqs_hz, res.freqs_hz * res.r_star))
        for ax, x, y in shown:
            (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
            assert x0 <= x.min() and x.max() <= x1 and y0 <= y.min() and y.max() <= y1, (setting, ax.get_ylabel())
    ax_v, ax_u, ax_phase = _neuron_axes()
    for name, changes in NEURON_SETTINGS:
        trace = lab.neuron_type(name, **changes)
        plot = draw_neuron(trace, ax_v, ax_u, ax_phase, changes["I_after"])
        for ax, values in ((ax_v, trace.v_mV), (ax_u, trace.u), (ax_phase, trace.u), (plot.twin, trace.I)):
            low, high = ax.get_ylim()
            assert low <= values.min() and values.max() <= high, (name, changes, ax.get_ylabel())
        assert ax_phase.get_xlim()[0] <= trace.v_mV.min()


def test_round_up_is_the_smallest_ladder_value_at_or_above():
    ladder = (1, 1.5, 2, 3, 5, 7.5)
    candidates = sorted(m * 10.0 ** k for m in ladder for k in range(-4, 6))
    rng = np.random.default_rng(1)
    for value in [*10 ** rng.uniform(-3, 4, 200), 0.5, 1.0, 1060.0, 7.5e-3]:
        expected = min(c for c in candidates if c >= value * (1 - 1e-12))
        assert round_up(value, ladder) == pytest.approx(expected, rel=1e-12), value


ROUND_VALUES = sorted(m * 10.0 ** k for m in (1, 2, 2.5, 5) for k in range(-4, 4))


def test_rounded_range_holds_the_padded_data_on_round_steps():
    rng = np.random.default_rng(2)
    for _ in range(200):
        low = rng.uniform(-100, 100)
        high = low + 10 ** rng.uniform(-2, 2)
        lo, hi = rounded_range(low, high, intervals=3, pad=0.1)
        span = high - low
        assert lo <= low - 0.1 * span + 1e-9 and hi >= high + 0.1 * span - 1e-9
        # the step: the smallest round value (1, 2, 2.5, 5 × 10^k) giving at most 3 steps over the padded data
        step = min(c for c in ROUND_VALUES if c >= 1.2 * span / 3 * (1 - 1e-9))
        assert round_step(1.2 * span, 3) == pytest.approx(step)
        assert lo / step == pytest.approx(round(lo / step)) and hi / step == pytest.approx(round(hi / step))
        assert round((hi - lo) / step) <= 3 + 2  # at most one step more at each end
