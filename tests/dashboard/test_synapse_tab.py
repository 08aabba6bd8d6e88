"""The synapse lab tab (its "Fit to data" part: test_fit_panel.py)."""

import pytest

from stpexplorer import presets
from stpexplorer.dashboard import Dashboard


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
