"""Slider moves in the synapse lab and the neuron gallery, in a real (headless)
Chromium against a real Voila server.

Each move must redraw the figure (new pixels); after the moves the sliders go
back to where they started and the figure must be pixel for pixel the one
shown first (a figure that piles up Axes or old curves cannot come back).  The
median time from releasing a readout (Enter, in the page's clock) to the last
image drawn on the panel's canvas is printed and recorded, not asserted (speed
claims live in ``scripts/bench.py``).

Run with ``python -m pytest tests/browser/test_lab_speed.py -s -q`` (``-s`` shows timings).
"""

from __future__ import annotations

import statistics

import pytest

from pages import RELEASE_TO_DRAW_JS, shows_data

pytestmark = pytest.mark.browser

TIMING_PREFIX = "lab_speed."
#: Typing a readout value to a redrawn panel.
LAB_REDRAW_TIMEOUT_S = 15
#: (tab, panel, control DOM class prefix, [(slider, typed value)]); the last moves return
#: each slider to its starting value (the depressing synapse, the regular-spiking neuron)
MOVES = {
    "synapse lab": ("Synapse lab", "lab", ".stpx-lab-control-", [
        ("U_0", "0.2"), ("U_0", "0.3"), ("U_0", "0.7"), ("rate", "30"), ("rate", "40"),
        ("rate", "20"), ("U_0", "0.5")]),
    "gallery": ("Neuron types", "gallery", ".stpx-gallery-control-", [
        ("a", "0.03"), ("a", "0.05"), ("a", "0.1"), ("I", "15"), ("I", "5"),
        ("I", "10"), ("a", "0.02")]),
}


def _settle(dash, name: str, quiet_s: float = 0.4) -> dict:
    """Wait until panel ``name`` shows data and stopped changing for ``quiet_s``; return its state."""
    last = [None, None]

    def quiet():
        state = dash.panel(name)
        key = state and (state["hash"], state["draws"])
        now = dash.page.evaluate("performance.now()") / 1000
        if key != last[0] or not shows_data(state):
            last[:] = [key, now]
            return None
        return state if now - last[1] >= quiet_s else None

    return dash.poll(quiet, LAB_REDRAW_TIMEOUT_S, f"panel {name} to settle", interval=0.05)


def _move(dash, name: str, control: str, value: str, before: dict) -> tuple[float | None, dict]:
    """Type ``value`` into the readout of ``control``; wait until panel
    ``name`` shows new pixels and settles; return (release -> last drawn
    image in seconds, the panel's state)."""
    dash.type_readout(control, value)
    dash.poll(lambda: (s := dash.panel(name)) and s["hash"] != before["hash"] and shows_data(s),
              LAB_REDRAW_TIMEOUT_S, f"panel {name} to be redrawn after {control} = {value}")
    state = _settle(dash, name)
    return dash.page.evaluate(RELEASE_TO_DRAW_JS, [name]), state


@pytest.mark.parametrize("which", list(MOVES))
def test_slider_moves_redraw_and_return_to_the_first_picture(dash, which, record_property):
    tab, name, prefix, moves = MOVES[which]
    dash.select_tab(tab)
    first = _settle(dash, name)
    state, times = first, []
    for slider, value in moves:
        elapsed, state = _move(dash, name, prefix + slider, value, state)
        readout = dash.text(f"{prefix}{slider} .widget-readout").replace("\u2212", "-")
        assert float(readout) == float(value), (slider, value, readout)
        assert elapsed is not None and elapsed > 0, f"no release or draw seen for {slider} = {value}"
        times.append(elapsed)
        dash.redraw_s.append((f"{which} {slider}={value}", elapsed))
        print(f"[browser] {which} {slider}={value}: release -> redrawn figure {elapsed:.3f} s")
    median = statistics.median(times)
    record_property(f"{name}_median_release_to_redraw_s", round(median, 3))
    print(f"[browser] {which}: median release -> redrawn figure {median:.3f} s over {len(times)} moves "
          f"({', '.join(f'{t:.3f}' for t in times)})")
    # every slider back at its start: the figure must be the first one again, pixel for pixel
    assert state["hash"] == first["hash"], "the figure differs from the first one after returning the sliders"
    assert not dash.page.locator(".stpx-lab-error").first.is_visible()
