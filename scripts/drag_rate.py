"""Redraws per second while a slider is dragged, in headless Chromium against
the production Voila server (``stpexplorer dashboard``'s command line).

For each tab (Network: the U₀ slider, redrawing the raster, conductance and
resource panels from a re-run of the default network; the synapse lab: U₀;
the neuron gallery: a) the mouse presses the slider's handle, moves it to and
fro across the track for ``--seconds`` with the button down, and releases.
Reported, in the page's clock:

* redraws per second with the button down (Network: runs drawn, read from the
  status line's run number, and the fewest canvas draws of the three time
  panels; lab tabs: canvas draws of the figure);
* release → last drawn image (s): the exact final value on the panels.

The page is read only at the press and at the release, so the measurement
does not load the machine it measures.

    python scripts/drag_rate.py                  # what scripts/bench.py --sections drag runs
    python scripts/drag_rate.py --seconds 10 --json out.json

Needs Debian's Chromium (/usr/bin/chromium) and the Playwright package
(``pip install '.[test]'``); the default network is compiled first if the
build cache does not have it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "browser"))
sys.path.insert(0, str(HERE))

from classroom import ensure_default_build  # noqa: E402

from pages import RUN_RE, Dashboard, launch, open_page, wait_loaded  # noqa: E402
from servers import start_voila, stop_voila, wait_kernels_idle  # noqa: E402

#: (tab title, slider's CSS selector, panels it redraws)
DRAGS = {
    "network": ("Network", ".stpx-control-U_0", ("raster", "conductances", "resources")),
    "synapse lab": ("Synapse lab", ".stpx-lab-control-U_0", ("lab",)),
    "gallery": ("Neuron types", ".stpx-gallery-control-a", ("gallery",)),
}
#: One evaluate: the status line's run number, each panel's drawImage count and last draw time (ms)
PAGE_STATE_JS = """
(names) => {
  const status = document.querySelector('.stpx-status');
  const draws = {}, last = {};
  for (const name of names) {
    const canvas = document.querySelector(`.stpx-panel-${name} canvas`);
    draws[name] = canvas ? (canvas.__stpxDraws || 0) : 0;
    last[name] = canvas ? (canvas.__stpxLastDraw || 0) : 0;
  }
  return {status: status ? status.innerText : '', draws, last, now: performance.now()};
}
"""
#: pause (s) between mouse moves, and moves per sweep across the track
MOVE_PAUSE_S = 0.02
MOVES_PER_SWEEP = 40


def _state(dash: Dashboard, names) -> dict:
    state = dash.page.evaluate(PAGE_STATE_JS, list(names))
    match = RUN_RE.search(state["status"])
    state["run"] = int(match.group(1)) if match else 0
    return state


def _drag(dash: Dashboard, selector: str, seconds: float) -> None:
    """Hold the handle and sweep it between 20 % and 80 % of the track for ``seconds``."""
    track = dash.page.locator(f"{selector} .noUi-base").bounding_box()
    handle = dash.page.locator(f"{selector} .noUi-handle").bounding_box()
    y = handle["y"] + handle["height"] / 2
    xs = [track["x"] + track["width"] * (0.2 + 0.6 * k / MOVES_PER_SWEEP) for k in range(MOVES_PER_SWEEP + 1)]
    mouse = dash.page.mouse
    mouse.move(handle["x"] + handle["width"] / 2, y)
    mouse.down()
    end, sweep = time.monotonic() + seconds, 0
    while time.monotonic() < end:
        for x in (xs if sweep % 2 == 0 else xs[::-1]):
            mouse.move(x, y)
            dash.page.wait_for_timeout(MOVE_PAUSE_S * 1000)
            if time.monotonic() >= end:
                break
        sweep += 1


def measure(dash: Dashboard, which: str, seconds: float) -> dict:
    tab, selector, names = DRAGS[which]
    dash.select_tab(tab)
    dash.page.wait_for_timeout(1000)
    before = _state(dash, names)
    _drag(dash, selector, seconds)
    held = _state(dash, names)
    dash.page.mouse.up()
    released_at = dash.page.evaluate("performance.now()")
    time.sleep(3.0)  # the release's run and drawing, then quiet
    after = _state(dash, names)
    held_s = (held["now"] - before["now"]) / 1000
    canvas_draws = min(held["draws"][n] - before["draws"][n] for n in names)
    last_draw = max(after["last"][n] for n in names)
    out = {"held_s": round(held_s, 2),
           "canvas_draws_per_s": round(canvas_draws / held_s, 2),
           "release_to_last_draw_s": round((last_draw - released_at) / 1000, 3)}
    if which == "network":
        out["runs_drawn_per_s"] = round((held["run"] - before["run"]) / held_s, 2)
    return out


@contextlib.contextmanager
def dashboard_page(cache: str | None, prefix: str):
    """The production Voila server on a build cache (a new one if None) with
    the default network compiled, and one loaded page in headless Chromium."""
    from playwright.sync_api import sync_playwright

    cache = cache or tempfile.mkdtemp(prefix=prefix)
    ensure_default_build(cache)
    server = start_voila(cache, Path(tempfile.mkstemp(suffix=".log")[1]))
    try:
        with sync_playwright() as playwright:
            browser = launch(playwright)
            context, dash = open_page(browser, server["url"])
            wait_loaded(dash)
            wait_kernels_idle(server["pid"])
            try:
                yield dash
            finally:
                context.close()
                browser.close()
    finally:
        stop_voila(server)


def run(args) -> dict:
    with dashboard_page(args.cache, "stpx-drag-") as dash:
        return {which: measure(dash, which, args.seconds) for which in args.tabs}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="time the button is held, per tab")
    parser.add_argument("--tabs", nargs="+", choices=list(DRAGS), default=list(DRAGS))
    parser.add_argument("--cache", help="build cache (default: a new temporary one)")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    results = run(args)
    for which, figures in results.items():
        print(f"drag, {which}: " + ", ".join(f"{key} {value}" for key, value in figures.items()))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
