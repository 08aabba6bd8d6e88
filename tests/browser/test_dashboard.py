"""The Voila dashboard in a real (headless) Chromium.

One Voila server, one browser and one page for the module (see conftest.py);
the tests run in order on the same page and each starts from the state the
previous one left, choosing a preset where it needs a known one.

Run with ``python -m pytest tests/browser -x -s -q`` (``-s`` shows timings).
"""

from __future__ import annotations

import json
import statistics

import pytest

from pages import shows_data

pytestmark = pytest.mark.browser

TIME_PANELS = ("raster", "conductances", "resources")


def test_page_loads_with_four_panels_and_first_run(dashboard, record_property):
    """Page open -> status "run #1" and four plotted panels (timed by the fixture)."""
    dash = dashboard
    assert dash.load_s is not None, dash.load_error
    record_property("time_to_first_panels_s", round(dash.load_s, 3))
    states = dash.panels()
    for name in dash.PANELS:
        state = states[name]
        assert state is not None, f"no canvas in .stpx-panel-{name}"
        assert state["width"] > 100 and state["height"] > 100, (name, state)
        assert shows_data(state, dash.DATA_INK), f"panel {name} shows no plot: {state}"
        assert dash.page.locator(f".stpx-panel-{name}").is_visible()
    assert dash.run_number() == 1, dash.status()
    assert "simulated in" in dash.status() and "Hz" in dash.status()
    assert dash.error() == ""
    dash.settle()
    assert dash.busy() == ""
    assert dash.readout("U_0") == "0.600"


def test_dragging_u0_redraws_the_panels(dash, record_property):
    before = dash.settle()
    run = dash.run_number()
    shots = {name: dash.screenshot(name) for name in ("raster", "resources")}
    start = dash.drag_slider("U_0", 0.2)
    elapsed = dash.wait_redraw(run, before, TIME_PANELS, start, "U_0 drag", slider=True)
    record_property("u0_drag_release_to_redraw_s", round(elapsed, 3))
    dash.settle()
    value = float(dash.readout("U_0"))
    assert 0.1 <= value <= 0.3, f"U_0 readout after dragging to 20 % of the track: {value}"
    # the panels follow the drag (runs while the button is down), never a queue: at most one run per
    # mouse move the drag made (12) and one for the release
    assert run + 1 <= dash.run_number() <= run + 13, (run, dash.run_number())
    for name, shot in shots.items():
        assert dash.screenshot(name) != shot, f"panel {name} looks the same after moving U_0"
    assert dash.error() == ""
    assert dash.param_json()["U_0"] == pytest.approx(value, abs=0.006)


@pytest.mark.parametrize("field, value, shown", [("d_e", "2", "2.00"), ("a_e", "0.05", "0.0500")])
def test_izhikevich_slider_readout_redraws_the_panels(dash, record_property, field, value, shown):
    before = dash.settle()
    run = dash.run_number()
    shots = {name: dash.screenshot(name) for name in ("raster", "resources")}
    start = dash.set_readout(field, value)
    elapsed = dash.wait_redraw(run, before, TIME_PANELS, start, f"{field} readout", slider=True)
    record_property(f"{field}_release_to_redraw_s", round(elapsed, 3))
    dash.settle()
    assert dash.readout(field) == shown
    assert dash.run_number() == run + 1
    for name, shot in shots.items():
        assert dash.screenshot(name) != shot, f"panel {name} looks the same after setting {field}"
    assert dash.param_json()[field] == pytest.approx(float(value))


def test_more_slider_changes_for_the_timing_median(dash, record_property):
    """A few more releases so the median is not two or three samples."""
    for field, value in (("Omega_d", "20"), ("w_i", "2"), ("U_0", "0.45")):
        before = dash.settle()
        run = dash.run_number()
        start = dash.set_readout(field, value)
        dash.wait_redraw(run, before, TIME_PANELS, start, f"{field} readout", slider=True)
    samples = [t for _, t in dash.redraw_s]
    assert len(samples) >= 5
    median = statistics.median(samples)
    record_property("median_release_to_redraw_s", round(median, 3))
    record_property("release_to_redraw_samples", json.dumps([round(t, 3) for t in samples]))
    print(f"[browser] median release -> redrawn panels over {len(samples)} changes: {median:.3f} s")


def test_choosing_a_preset_sets_the_controls_and_redraws(dash):
    dash.choose_preset("default")
    assert dash.readout("U_0") == "0.600"
    before = dash.settle()
    run = dash.run_number()
    shots = {name: dash.screenshot(name) for name in ("raster", "resources")}
    start = dash.choose_preset("depressing", wait=False)
    dash.wait_redraw(run, before, TIME_PANELS, start, "preset depressing")
    dash.settle()
    assert dash.run_number() == run + 1, "a preset sets every control but runs once"
    assert dash.readout("U_0") == "0.500"
    assert dash.readout("Omega_f") == "50.0"
    assert dash.readout("w_e") == "0.150"
    assert dash.readout("d_e") == "8.00"  # back from the earlier change
    for name, shot in shots.items():
        assert dash.screenshot(name) != shot, f"panel {name} looks the same after the preset"
    saved = dash.param_json()
    assert (saved["U_0"], saved["Omega_f"], saved["w_e"]) == (0.5, 50.0, 0.15)


def test_unstable_setting_shows_the_error_and_the_page_recovers(dash):
    dash.choose_preset("default")
    before = dash.settle()
    run = dash.run_number()
    dash.open_advanced("Synapses")
    dash.set_number("C_m", "0.01")
    dash.poll(lambda: "diverged" in dash.error(), 30, "the divergence message")
    dash.poll(lambda: not dash.busy(), 30, "the busy indicator to clear")
    message = dash.error()
    assert message.startswith("⚠"), message
    assert "dt" in message and "weights" in message, message
    # the last good panels and status stay
    assert dash.run_number() == run
    after = dash.panels()
    for name in dash.PANELS:
        assert shows_data(after[name]), f"panel {name} went blank after the error"
        assert after[name]["hash"] == before[name]["hash"], f"panel {name} changed after a failed run"
        assert dash.page.locator(f".stpx-panel-{name}").is_visible()
    assert dash.page.locator(".stpx-error").is_visible()
    # a valid value clears the error and redraws (the connectivity is unchanged and kept)
    start = dash.set_number("C_m", "1")
    dash.wait_redraw(run, after, TIME_PANELS, start, "C_m back to 1", must_change=False)
    dash.settle()
    assert dash.error() == ""
    assert dash.run_number() == run + 1
    assert dash.panels_drawn()
    assert dash.param_json()["C_m"] == 1.0


def test_error_box_is_hidden_when_there_is_no_error(dash):
    dash.settle()
    assert dash.error() == ""
    box = dash.page.locator(".stpx-error").bounding_box()
    assert box is None or box["height"] == 0, (
        f"the empty error box is still drawn ({box}); its CSS rule '.stpx-error:empty' never "
        f"matches the widget element, which always holds a label and a content div")


def test_parameter_file_round_trip_and_rejected_file(dash, tmp_path):
    dash.choose_preset("default")
    saved = dash.param_json()
    assert saved["U_0"] == 0.6
    saved["U_0"] = 0.25
    good = tmp_path / "params.json"
    good.write_text(json.dumps(saved))
    before = dash.settle()
    run = dash.run_number()
    start = dash.upload(good)
    dash.wait_redraw(run, before, TIME_PANELS, start, "upload U_0=0.25")
    dash.settle()
    assert dash.readout("U_0") == "0.250"
    assert dash.run_number() == run + 1
    assert dash.error() == ""
    assert dash.param_json() == saved, "the download link should hold exactly the uploaded values"

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"U_0": 7}))
    before = dash.settle()
    run = dash.run_number()
    dash.upload(bad)
    dash.poll(lambda: "U_0" in dash.error(), 30, "the rejection message")
    message = dash.error()
    assert "rejected" in message and "U_0=7" in message and "0.001" in message, message
    dash.page.wait_for_timeout(500)  # a run, if one were started, would show by now
    assert dash.run_number() == run, "a rejected file must not start a run"
    assert dash.readout("U_0") == "0.250", "a rejected file must not change the controls"
    after = dash.panels()
    assert all(after[n]["hash"] == before[n]["hash"] for n in dash.PANELS)
    # the page still works
    start = dash.set_readout("U_0", "0.3")
    dash.wait_redraw(run, before, TIME_PANELS, start, "U_0 readout after rejected file")
    dash.settle()
    assert dash.error() == ""
    assert dash.readout("U_0") == "0.300"
