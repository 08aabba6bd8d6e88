"""Short-term plasticity per pathway in the browser: the STP sliders act on a
chosen pathway, the page says which pathways have values of their own, and a
synapse of any pathway can be shown."""

from __future__ import annotations

import numpy as np
import pytest

from pages import REDRAW_TIMEOUT_S

pytestmark = pytest.mark.browser

TIMING_PREFIX = "pathways."


def _choose(dash, label: str) -> None:
    dash.page.locator(".stpx-control-pathway button", has_text=label).first.click()
    dash.poll(lambda: label in dash.text(".stpx-control-U_0 label") or label == "all", 10,
              f"the STP sliders to act on {label}")


def test_stp_sliders_act_on_the_chosen_pathway(dash):
    assert "All pathways use the shared values" in dash.text(".stpx-pathway-note")
    _choose(dash, "E→I")
    run = dash.run_number()
    before = dash.settle()
    start = dash.set_readout("U_0", "0.05")
    dash.wait_redraw(run, before, ("raster", "conductances", "resources"), start, "U_0 of E→I")
    params = dash.param_json()
    assert params["U_0_ei"] == 0.05 and params["U_0"] == 0.6 and params["U_0_ee"] is None
    dash.poll(lambda: "E→I (U₀ 0.05" in dash.text(".stpx-pathway-note"), 10, "the note naming E→I")
    _choose(dash, "all")
    dash.poll(lambda: dash.readout("U_0") == "0.600", 10, "the shared U_0 back on the slider")
    run = dash.run_number()
    _choose(dash, "E→I")
    dash.page.locator(".stpx-pathway-shared").click()  # the shared values again, one run
    dash.poll(lambda: dash.run_number() > run, REDRAW_TIMEOUT_S, "the run with shared values")
    dash.poll(lambda: "All pathways use the shared values" in dash.text(".stpx-pathway-note"), 10,
              "the note")
    assert dash.param_json()["U_0_ei"] is None
    _choose(dash, "all")


def test_a_synapse_of_another_pathway_can_be_shown(dash):
    from stpexplorer import model, presets

    real = model.draw_realisation(presets.DEFAULT, 0, noise=False)
    inh_to_exc = np.flatnonzero(real.inh.post < presets.DEFAULT.N_e)[0]  # an I→E synapse
    pre, post = int(real.inh.pre[inh_to_exc]), int(real.inh.post[inh_to_exc])
    before = dash.settle(("resources",))
    for css, value in (("syn-pre", pre), ("syn-post", post)):
        dash.page.locator(f".stpx-control-{css} input").fill(str(value))
    dash.page.locator(".stpx-show-synapse").click()
    dash.poll(lambda: (s := dash.panel("resources")) and s["hash"] != before["resources"]["hash"],
              REDRAW_TIMEOUT_S, f"the synapse {pre} → {post} drawn")
    assert not dash.error(), dash.error()
