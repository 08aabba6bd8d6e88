"""The dashboard page as the browser tests and ``scripts/classroom.py`` see
it: Chromium's command line, what counts as a drawn panel, and a page object
(:class:`Dashboard`) with the reading, waiting and acting steps they share.
"""

from __future__ import annotations

import base64
import json
import os
import re
import time
from pathlib import Path

CHROMIUM = os.environ.get("STPEXPLORER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
#: Wide enough for the controls column plus the three time panels and the connectivity panel.
VIEWPORT = {"width": 1800, "height": 1300}
PANELS = ("raster", "conductances", "resources", "connectivity")
SERVER_START_TIMEOUT_S = 60
#: A cold C++ build of a new network structure takes ~10-20 s; the fixture pre-builds.
FIRST_PANELS_TIMEOUT_S = 120
REDRAW_TIMEOUT_S = 30
#: Fraction of non-white pixels: an empty matplotlib axes of these sizes inks
#: about 0.035, the dashboard's plots 0.07 (resources) to 0.35 (connectivity).
DATA_INK = 0.05
#: Clearly not a blank canvas (used after redraws, where content varies).
NONBLANK_INK = 0.02
#: Fraction of coloured pixels (channels differing by more than 60): axes,
#: ticks, labels and titles are black or grey, so only plotted data (spikes,
#: traces, u/x/r, connections, cells) is coloured.  Empty axes: 0; the
#: dashboard's plots about 0.004 (resources) to 0.2 (connectivity).
DATA_COLOUR = 0.001
#: Give up early when the first run is reported but its panels never appear.
PANELS_AFTER_STATUS_TIMEOUT_S = 30

# Counts drawImage calls per canvas, so a redraw is seen even when the pixels
# come out the same (for instance the same parameters run again).
INIT_SCRIPT = """
(() => {
  const orig = CanvasRenderingContext2D.prototype.drawImage;
  CanvasRenderingContext2D.prototype.drawImage = function (...args) {
    try {
      this.canvas.__stpxDraws = (this.canvas.__stpxDraws || 0) + 1;
      this.canvas.__stpxLastDraw = performance.now();
    } catch (e) {}
    return orig.apply(this, args);
  };
  // the moment a control is released (Enter in a readout, the mouse button up), in the page's clock
  const released = () => { window.__stpxReleasedAt = performance.now(); };
  document.addEventListener('keydown', (e) => { if (e.key === 'Enter') released(); }, true);
  document.addEventListener('pointerup', released, true);
})();
"""

# Seconds from the last release to the last drawImage of the named panels, in
# the page's clock (so the test's polling adds nothing); null if unknown.
RELEASE_TO_DRAW_JS = """
(names) => {
  if (window.__stpxReleasedAt === undefined) return null;
  const last = names.map((n) => {
    const c = document.querySelector(`.stpx-panel-${n} canvas`);
    return c && c.__stpxLastDraw !== undefined ? c.__stpxLastDraw : null;
  });
  if (last.some((t) => t === null)) return null;
  return (Math.max(...last) - window.__stpxReleasedAt) / 1000;
}
"""

# State of the figure canvas of one panel (the first <canvas>; the second is
# ipympl's rubber-band overlay): size, drawImage count, content hash, the
# fraction of pixels that are neither transparent nor white, and the fraction
# of coloured pixels (plotted data).
PANEL_STATE_JS = """
(name) => {
  const canvas = document.querySelector(`.stpx-panel-${name} canvas`);
  if (!canvas) return null;
  const out = {width: canvas.width, height: canvas.height, draws: canvas.__stpxDraws || 0,
               hash: 0, inked: 0, coloured: 0};
  if (!canvas.width || !canvas.height) return out;
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let h = 0x811c9dc5, inked = 0, coloured = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] > 0 && (data[i] < 250 || data[i + 1] < 250 || data[i + 2] < 250)) inked++;
    if (data[i + 3] > 0 && Math.max(data[i], data[i + 1], data[i + 2])
        - Math.min(data[i], data[i + 1], data[i + 2]) > 60) coloured++;
    h = Math.imul(h ^ data[i], 16777619) ^ data[i + 1];
    h = Math.imul(h ^ data[i + 2], 16777619) ^ data[i + 3];
  }
  out.hash = h >>> 0;
  out.inked = inked / (data.length / 4);
  out.coloured = coloured / (data.length / 4);
  return out;
}
"""

TABS_JS = """
() => [...document.querySelectorAll('.stpx-tabs .lm-TabBar-tab')].map(
  (tab) => [tab.innerText.trim(), tab.classList.contains('lm-mod-current')])
"""

RUN_RE = re.compile(r"run #(\d+)")
#: what the status line says while it shows a frame of a drag
DRAGGING = "being dragged"


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def shows_data(state: dict | None, min_ink: float = NONBLANK_INK) -> bool:
    """A panel state (see PANEL_STATE_JS) of a canvas that shows plotted data,
    not just axes: inked and coloured."""
    return bool(state and state["width"] > 0 and state["height"] > 0 and state["inked"] > min_ink
                and state["coloured"] > DATA_COLOUR)


class Dashboard:
    """The dashboard page plus the helpers the tests share."""

    PANELS = PANELS
    DATA_INK = DATA_INK
    NONBLANK_INK = NONBLANK_INK

    def __init__(self, page, url: str):
        self.page = page
        self.url = url
        self.console_errors: list[str] = []
        self.failed_requests: list[str] = []
        self.load_s: float | None = None
        self.load_error = ""
        #: perf_counter() when :func:`open_page` started the navigation
        self.opened_at: float | None = None
        #: (label, seconds) from a slider release to its redrawn panels
        self.redraw_s: list[tuple[str, float]] = []
        page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.console_errors.append(f"pageerror: {e}"))
        page.on("requestfailed", lambda r: self.failed_requests.append(f"{r.url[:90]} ({r.failure})"))
        page.on("response", lambda r: self.failed_requests.append(f"{r.url[:90]} (HTTP {r.status})")
                if r.status >= 400 else None)

    # ---------------------------------------------------------------- reading
    def text(self, selector: str) -> str:
        loc = self.page.locator(selector)
        return loc.inner_text().strip() if loc.count() else ""

    def status(self) -> str:
        return self.text(".stpx-status")

    def run_number(self) -> int:
        match = RUN_RE.search(self.status())
        return int(match.group(1)) if match else 0

    def error(self) -> str:
        return self.text(".stpx-error")

    def busy(self) -> str:
        return self.text(".stpx-busy")

    def readout(self, field: str) -> str:
        return self.text(f".stpx-control-{field} .widget-readout")

    def panel(self, name: str) -> dict | None:
        return self.page.evaluate(PANEL_STATE_JS, name)

    def panels(self, names=PANELS) -> dict[str, dict | None]:
        return {name: self.panel(name) for name in names}

    def screenshot(self, name: str) -> bytes:
        return self.page.locator(f".stpx-panel-{name}").screenshot()

    def param_json(self) -> dict:
        href = self.page.locator("a.stpx-link-params").get_attribute("href")
        prefix = "data:application/json;base64,"
        assert href and href.startswith(prefix), f"unexpected parameter link: {href!r:.80}"
        return json.loads(base64.b64decode(href[len(prefix):]))

    def diagnostics(self) -> str:
        """What a failure message needs: status, error, panel sizes, console errors."""
        sizes = {n: (s and (s["width"], s["height"], round(s["inked"], 3), round(s["coloured"], 4)))
                 for n, s in self.panels().items()}
        errors = "\n  ".join(dict.fromkeys(self.console_errors)) or "(none)"
        requests = "\n  ".join(dict.fromkeys(self.failed_requests)) or "(none)"
        return (f"status={self.status()!r} busy={self.busy()!r} error={self.error()!r}\n"
                f"panels (w, h, inked, coloured)={sizes}\nbrowser console errors:\n  {errors}\n"
                f"failed requests:\n  {requests}")

    # ---------------------------------------------------------------- waiting
    def poll(self, predicate, timeout: float, what: str, interval: float = 0.02):
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout:g} s waiting for {what}\n"
                                     f"{self.diagnostics()}")
            self.page.wait_for_timeout(interval * 1000)

    def panels_drawn(self, names=PANELS, min_ink: float = NONBLANK_INK) -> bool:
        """Every panel in ``names`` is on the page and shows plotted data."""
        return all(shows_data(s, min_ink) for s in self.panels(names).values())

    def settle(self, names=PANELS, quiet_s: float = 0.4, timeout: float = REDRAW_TIMEOUT_S) -> dict:
        """Wait until no run is pending and the panels stopped changing; return their states."""
        self.poll(lambda: not self.busy(), timeout, "the busy indicator to clear")
        deadline = time.monotonic() + timeout
        last, since = None, time.monotonic()
        while True:
            states = self.panels(names)
            key = {n: (s and (s["hash"], s["draws"])) for n, s in states.items()}
            if key != last:
                last, since = key, time.monotonic()
            elif time.monotonic() - since >= quiet_s:
                return states
            if time.monotonic() > deadline:
                raise AssertionError(f"panels kept changing for {timeout:g} s\n{self.diagnostics()}")
            self.page.wait_for_timeout(50)

    def wait_redraw(self, before_run: int, before: dict, names, start: float,
                    label: str, must_change=True, slider=False) -> float:
        """Poll until the run number passed ``before_run`` and every panel in
        ``names`` was redrawn (changed pixels if ``must_change``, else a new
        drawImage); return the seconds since ``start`` (kept in ``redraw_s``
        when the change was a ``slider`` release)."""
        def done():
            if self.run_number() <= before_run:
                return False
            for name in names:
                s = self.panel(name)
                if not shows_data(s):
                    return False
                if must_change and s["hash"] == before[name]["hash"]:
                    return False
                if not must_change and s["draws"] <= before[name]["draws"]:
                    return False
            return True

        self.poll(done, REDRAW_TIMEOUT_S, f"run #{before_run + 1} and redrawn {', '.join(names)} ({label})")
        polled = time.perf_counter() - start
        in_page = self.page.evaluate(RELEASE_TO_DRAW_JS, list(names)) if slider else None
        # the page's own clock where it saw the release; else the test's (includes polling)
        elapsed = in_page if in_page is not None and 0 < in_page <= polled else polled
        if slider:
            self.redraw_s.append((label, elapsed))
        print(f"[browser] {label}: change -> redrawn panels {elapsed:.3f} s (polled {polled:.3f} s; "
              f"status: {self.status()})")
        return elapsed

    # ---------------------------------------------------------------- acting
    def set_readout(self, field: str, value: str) -> float:
        """Type into a slider's editable readout; return the time Enter was pressed."""
        return self.type_readout(f".stpx-control-{field}", value)

    def type_readout(self, control: str, value: str) -> float:
        """Type into the editable readout of the slider matching the CSS
        selector ``control`` (e.g. ``.stpx-lab-control-U_0``); return the time
        Enter was pressed."""
        readout = self.page.locator(f"{control} .widget-readout")
        readout.click()
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(value)
        start = time.perf_counter()
        self.page.keyboard.press("Enter")
        return start

    def drag_slider(self, field: str, fraction: float) -> float:
        """Drag a slider handle with the mouse to ``fraction`` of its track;
        return the time the button was released."""
        track = self.page.locator(f".stpx-control-{field} .noUi-base").bounding_box()
        handle = self.page.locator(f".stpx-control-{field} .noUi-handle").bounding_box()
        x0, y0 = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
        x1 = track["x"] + fraction * track["width"]
        mouse = self.page.mouse
        mouse.move(x0, y0)
        mouse.down()
        mouse.move(x1, y0, steps=12)
        start = time.perf_counter()
        mouse.up()
        return start

    def hold_and_drag(self, control: str, to_fraction: float, seconds: float, sample) -> list:
        """Press the handle of the slider matching the CSS selector
        ``control``, move it in small steps to ``to_fraction`` of its track
        over about ``seconds``, calling ``sample()`` after each step with the
        button still down; release.  Returns the samples."""
        self.page.locator(control).scroll_into_view_if_needed()
        track = self.page.locator(f"{control} .noUi-base").bounding_box()
        handle = self.page.locator(f"{control} .noUi-handle").bounding_box()
        x0, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
        x1 = track["x"] + to_fraction * track["width"]
        steps = max(2, round(seconds / 0.1))
        mouse, samples = self.page.mouse, []
        mouse.move(x0, y)
        mouse.down()
        for k in range(1, steps + 1):
            mouse.move(x0 + (x1 - x0) * k / steps, y, steps=3)
            self.page.wait_for_timeout(100)
            samples.append(sample())
        mouse.up()
        return samples

    def check_follows_drag(self, where: str, seconds: float = 1.5) -> int:
        """Drag the Network tab's U₀ slider for ``seconds``: assert that runs were
        drawn while the button was down and that, after the release, the last
        run is the slider's value (its parameter link); return the runs drawn while held."""
        self.settle()
        run0 = self.run_number()
        statuses = self.hold_and_drag(".stpx-control-U_0", 0.15, seconds, self.status)
        runs = RUN_RE.search(statuses[-1]) and int(RUN_RE.search(statuses[-1]).group(1)) - run0
        assert runs and runs >= 2, f"{where}: {runs} runs drawn while the U0 slider was dragged\n{self.diagnostics()}"
        assert any(DRAGGING in status for status in statuses), statuses
        self.settle()
        assert DRAGGING not in self.status(), f"{where}: a frame of the drag is on the panels after the release"
        final = float(self.readout("U_0").replace("\u2212", "-"))
        drawn = self.param_json()["U_0"]
        assert abs(drawn - final) <= 0.0051, f"{where}: the slider reads {final}, the last run used {drawn}"
        print(f"[browser] {where}: {runs} runs drawn while dragging for {seconds} s; release drew U0 = {drawn}")
        return runs

    def open_advanced(self, section: str) -> None:
        """Open the "Advanced" accordion and its ``section`` (e.g. "Synapses")."""
        advanced = self.page.locator(".stpx-advanced")
        for title in ("Advanced", section):
            header = advanced.locator(".jupyter-widget-Collapse-header", has_text=title).first
            contents = header.locator("xpath=following-sibling::*[1]")
            if "lm-mod-hidden" in (contents.get_attribute("class") or ""):
                header.click()
            self.page.wait_for_timeout(100)

    def set_number(self, field: str, value: str) -> float:
        """Type into a Bounded*Text control and commit with Enter; return the commit time."""
        box = self.page.locator(f".stpx-control-{field} input")
        box.scroll_into_view_if_needed()
        box.fill(value)
        start = time.perf_counter()
        box.press("Enter")
        return start

    def upload(self, path: Path) -> float:
        """Load a file through the FileUpload button (a real file chooser)."""
        with self.page.expect_file_chooser() as chooser:
            self.page.locator(".stpx-upload").click()
        start = time.perf_counter()
        chooser.value.set_files(str(path))
        return start

    # ---------------------------------------------------------------- tabs, link, kernel
    def tab_titles(self) -> list[tuple[str, bool]]:
        """(title, selected) of every tab of the dashboard's Tab widget."""
        return self.page.evaluate(TABS_JS)

    def selected_tab(self) -> str | None:
        return next((title for title, current in self.tab_titles() if current), None)

    def select_tab(self, title: str) -> None:
        """Click a tab and wait until it is the current one and its page is shown."""
        self.page.locator(".stpx-tabs .lm-TabBar-tab", has_text=title).first.click()
        self.poll(lambda: self.selected_tab() == title, 10, f"tab {title!r} to be selected")

    def share_href(self) -> str:
        link = self.page.locator(".stpx-share-link a.stpx-link")
        return (link.get_attribute("href") or "") if link.count() else ""

    def kernel_id(self) -> str:
        """The id of this page's kernel, from Voila's page configuration."""
        return self.page.evaluate(
            "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")

    def choose_preset(self, name: str, wait: bool = True) -> float:
        """Select a preset; if it is already selected, press Reset (also a run).

        With ``wait``, block until that run is shown and the panels are still.
        Returns the time of the selection."""
        select = self.page.locator(".stpx-control-preset select")
        run = self.run_number()
        start = time.perf_counter()
        if select.input_value() == name:
            self.page.locator(".stpx-reset").click()
        else:
            select.select_option(name)
        if wait:
            self.poll(lambda: self.run_number() > run, REDRAW_TIMEOUT_S, f"the run of preset {name}")
            self.settle()
        return start


def open_page(browser, url: str):
    """A new browser context (own cookies, own kernel) with one page on ``url``,
    navigated without waiting for the page to finish; returns (context, Dashboard)."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.add_init_script(INIT_SCRIPT)
    dash = Dashboard(page, url)
    dash.opened_at = time.perf_counter()
    page.goto(url, wait_until="commit")
    return context, dash


def wait_loaded(dash: Dashboard, min_run: int = 1, timeout: float = FIRST_PANELS_TIMEOUT_S,
                names=PANELS, min_ink: float = DATA_INK, extra=None) -> None:
    """Poll until the status shows run #``min_run`` (or later), the panels
    ``names`` are plotted and ``extra()`` (if given) is true."""
    status_seen = None

    def loaded():
        nonlocal status_seen
        if dash.run_number() < min_run:
            return False
        status_seen = status_seen or time.monotonic()
        if dash.panels_drawn(names, min_ink=min_ink) and (extra is None or extra()):
            return True
        if time.monotonic() - status_seen > PANELS_AFTER_STATUS_TIMEOUT_S:
            raise AssertionError(f"the status reports run #{dash.run_number()} but the panels stayed "
                                 f"empty for {PANELS_AFTER_STATUS_TIMEOUT_S} s\n{dash.diagnostics()}")
        return False

    dash.poll(loaded, timeout, f"the status 'run #{min_run}' and plotted panels {', '.join(names)}",
              interval=0.05)


