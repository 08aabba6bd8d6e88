"""Live dragging in a real browser against a real Voila server: while a
slider's handle is held and moved, the panels follow (several redraws with the
mouse button down); after the release the slider's exact value is drawn.

Redraws per second while dragging are printed, not asserted (the speed claim
lives in ``scripts/bench.py --sections drag``)."""

from __future__ import annotations

import time

import pytest

from pages import DRAGGING

pytestmark = pytest.mark.browser

TIMING_PREFIX = "live_drag."
TIME_PANELS = ("raster", "conductances", "resources")
#: seconds the handle is moved with the button down
DRAG_S = 3.0


def _draws(dash, names) -> dict:
    return {name: (dash.panel(name) or {}).get("draws", 0) for name in names}


def _readout(dash, control: str) -> float:
    return float(dash.text(f"{control} .widget-readout").replace("\\u2212", "-"))


def test_dragging_an_stp_slider_redraws_the_time_panels_while_the_button_is_down(dash, record_property):
    dash.select_tab("Network")
    dash.settle()
    run0, draws0 = dash.run_number(), _draws(dash, TIME_PANELS)
    start = time.perf_counter()
    samples = dash.hold_and_drag(".stpx-control-U_0", 0.15, DRAG_S,
                                 lambda: (dash.run_number(), _draws(dash, TIME_PANELS), dash.readout("U_0")))
    held_s = time.perf_counter() - start
    runs_held = samples[-1][0] - run0
    redrawn = {name: samples[-1][1][name] - draws0[name] for name in TIME_PANELS}
    rate = runs_held / held_s
    record_property("network_redraws_per_s_while_dragging", round(rate, 2))
    print(f"\n[browser] network drag: {runs_held} runs drawn in {held_s:.2f} s with the button down "
          f"({rate:.1f} per second); canvas draws {redrawn}")
    assert runs_held >= 3, f"the panels did not follow the drag\n{dash.diagnostics()}"
    assert all(count >= 3 for count in redrawn.values()), redrawn
    assert len({readout for _, _, readout in samples}) >= 3  # the handle moved
    dash.settle()
    assert DRAGGING not in dash.status(), "a frame of the drag is on the panels after the release"
    final = _readout(dash, ".stpx-control-U_0")
    assert dash.param_json()["U_0"] == pytest.approx(final, abs=0.0051), (final, dash.param_json()["U_0"])
    assert not dash.error(), dash.error()


def test_an_arrow_key_or_a_tap_runs_once(dash):
    dash.select_tab("Network")
    for act in ("key", "tap"):
        dash.settle()
        run0 = dash.run_number()
        if act == "key":
            dash.page.locator(".stpx-control-U_0 .noUi-handle").focus()
            dash.page.keyboard.press("ArrowRight")
        else:
            track = dash.page.locator(".stpx-control-U_0 .noUi-base").bounding_box()
            dash.page.mouse.click(track["x"] + 0.6 * track["width"], track["y"] + track["height"] / 2)
        dash.poll(lambda before=run0: dash.run_number() > before, 30, f"the run of the {act}")
        dash.settle()
        assert dash.run_number() == run0 + 1, f"a {act} ran {dash.run_number() - run0} times"
        assert DRAGGING not in dash.status()
        assert dash.param_json()["U_0"] == pytest.approx(_readout(dash, ".stpx-control-U_0"), abs=0.0051)


def test_the_fiftieth_drag_still_follows_and_ends_on_the_slider_value(dash):
    for k in range(49):  # short drags: press, a few moves, release
        dash.hold_and_drag(".stpx-control-U_0", 0.2 + 0.5 * (k % 2), 0.2, lambda: None)
    dash.check_follows_drag("Voila, 50th drag")


@pytest.mark.parametrize("tab, panel, control", [
    ("Synapse lab", "lab", ".stpx-lab-control-U_0"),
    ("Neuron types", "gallery", ".stpx-gallery-control-a"),
])
def test_the_lab_and_the_gallery_follow_a_drag(dash, tab, panel, control):
    dash.select_tab(tab)
    dash.page.wait_for_timeout(300)
    draws0 = _draws(dash, (panel,))[panel]
    samples = dash.hold_and_drag(control, 0.8, 1.5, lambda: _draws(dash, (panel,))[panel])
    print(f"\n[browser] {tab} drag: {samples[-1] - draws0} draws with the button down")
    assert samples[-1] - draws0 >= 3, f"the {tab} did not follow the drag"
    assert not dash.page.locator(".stpx-lab-error").first.is_visible()
