"""The synapse lab tab (its "Fit to data" part: test_fit_panel.py)."""

import numpy as np
import pytest

from stpexplorer import presets
from stpexplorer.dashboard import Dashboard
from stpexplorer.dashboard.synapse_tab import SynapseLab


def test_the_synapse_lab_loads_a_pathways_values_from_the_network(engine):
    dash = Dashboard("preset=forum&U_0_ei=0.05&Omega_f_ei=1.5", engine=engine)
    lab = dash.synapse_lab
    lab.load_from_network("ei")
    assert (lab.U_0.value, lab.Omega_f.value, lab.Omega_d.value) == (0.05, 1.5, presets.FORUM.Omega_d)
    assert lab.result.states.u[0] == pytest.approx(0.05)  # the lab redrew with them
    lab.load_from_network("all")
    assert (lab.U_0.value, lab.Omega_f.value) == (presets.FORUM.U_0, presets.FORUM.Omega_f)
    from stpexplorer import params as P
    for name in ("U_0", "Omega_f", "Omega_d"):  # one range: the parameter definition's
        m = P.field_info(name).metadata
        assert (getattr(lab, name).min, getattr(lab, name).max) == (m["lo"], m["slider_hi"])
    dash.explorer.close()


#: 50 slider moves of the synapse lab: (slider, value)
LAB_MOVES = [(name, value) for _ in range(2) for name, values in (
    ("U_0", (0.2, 0.35, 0.8, 0.05)), ("Omega_f", (1.0, 20.0, 0.2)), ("Omega_d", (1.0, 10.0, 40.0)),
    ("rate", (5.0, 40.0, 80.0)), ("n_spikes", (4, 30, 12)), ("gap", (100.0, 2000.0, 500.0)),
    ("kind", ("poisson", "regular")), ("U_0", (0.6, 0.3)), ("Omega_d", (3.0, 0.5))) for value in values]


def shown_pixels(fig) -> np.ndarray:
    return np.asarray(fig.canvas.get_renderer().buffer_rgba()).copy()


def test_fifty_lab_moves_keep_the_axes_blit_and_show_what_a_fresh_tab_draws():
    lab_tab = SynapseLab()
    lab_tab.fig.canvas._handle_custom_msg({"type": "initialized"}, [])  # as a page does
    axes = len(lab_tab.fig.axes)
    full_draws = lab_tab.blitter.full_draws
    assert len(LAB_MOVES) == 50
    for name, value in LAB_MOVES:
        getattr(lab_tab, name).value = value
        assert len(lab_tab.fig.axes) == axes == 5
    # every move drew the data over the kept axes; those whose limits changed redrew only their panels
    assert lab_tab.blitter.full_draws == full_draws and lab_tab.blitter.blits == 50
    assert 0 < lab_tab.blitter.partial_draws < 50
    fresh = SynapseLab()
    for name in dict(LAB_MOVES):
        getattr(fresh, name).value = getattr(lab_tab, name).value
    fresh.fig.canvas.draw()  # in full
    np.testing.assert_array_equal(shown_pixels(lab_tab.fig), shown_pixels(fresh.fig))


def test_every_end_of_every_lab_slider_is_a_setting_the_lab_accepts():
    """The sliders' windows come from the lab's definitions, inside the ranges
    its functions check: no slider position makes the tab show an error."""
    lab_tab = SynapseLab()
    sliders = {"U_0": lab_tab.U_0, "Omega_f": lab_tab.Omega_f, "Omega_d": lab_tab.Omega_d,
               "rate_hz": lab_tab.rate, "n_spikes": lab_tab.n_spikes, "recovery_gap_ms": lab_tab.gap}
    for name, widget in sliders.items():
        start = widget.value
        for end in (widget.min, widget.max):
            widget.value = end
            assert lab_tab.error.value == "", (name, end, lab_tab.error.value)
            assert getattr(lab_tab.result, name, end) == pytest.approx(end)
        widget.value = start
