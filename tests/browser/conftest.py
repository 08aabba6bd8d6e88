"""Fixtures for the real-browser tests: one Voila server (the production
command line from :func:`stpexplorer.serve.voila_command`), one headless
Chromium and one dashboard page per module.

Nothing is written into the repository: the server log goes to a pytest tmp
dir, timings go to stdout (``pytest -s``) and into the report
(``record_property`` / ``record_testsuite_property``).
"""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

#: In CI a missing browser or Playwright fails the run instead of skipping every browser test.
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _missing(what: str):
    if IN_CI:
        pytest.fail(f"{what} (CI=true: browser tests must run; scripts/test.sh installs both)",
                    pytrace=False)
    pytest.skip(what)


try:
    import playwright.sync_api as playwright_sync
except ImportError:
    playwright_sync = None

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
    try { this.canvas.__stpxDraws = (this.canvas.__stpxDraws || 0) + 1; } catch (e) {}
    return orig.apply(this, args);
  };
})();
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


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    """Any HTTP answer counts.  HEAD, because a GET of the notebook page would
    take the preheated kernel and start a dashboard nobody looks at."""
    try:
        urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=2)
        return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def _children(pid: int) -> list[int]:
    """Direct children of ``pid`` (the kernels Voila started in their own sessions)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _cpu_seconds(pid: int) -> float:
    """CPU time of a process and its reaped children (the simulation binaries)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def wait_kernels_idle(server_pid: int, timeout: float = 90.0, window: float = 1.0,
                      busy_cpu_s: float = 0.1) -> float:
    """Wait until Voila's kernels used less than ``busy_cpu_s`` CPU over ``window``.

    Voila logs "Kernel pool ... is filled" as soon as a kernel *starts*; the
    preheat (importing Brian2, running the notebook, the first simulation)
    continues afterwards.  Returns the seconds waited."""
    start = time.monotonic()
    while not _children(server_pid) and time.monotonic() - start < min(timeout, 30.0):
        time.sleep(0.2)
    while time.monotonic() - start < timeout:
        kernels = _children(server_pid)
        before = sum(_cpu_seconds(pid) for pid in kernels)
        time.sleep(window)
        if sum(_cpu_seconds(pid) for pid in kernels) - before < busy_cpu_s:
            break
    return time.monotonic() - start


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


@pytest.fixture(scope="session")
def prebuilt(build_cache):
    """Compile the default network once in this process, so the Voila kernel
    (same STPEXPLORER_CACHE) finds the build and the first page is fast."""
    from stpexplorer import StandaloneEngine, presets, simulate

    start = time.perf_counter()
    simulate(presets.DEFAULT, engine=StandaloneEngine(cache=build_cache))
    print(f"\n[browser] default network built/loaded in {time.perf_counter() - start:.1f} s")
    return build_cache


@pytest.fixture(scope="session")
def prebuilt_forum(prebuilt):
    """Also compile the small "forum" network (40 + 10 neurons), which the link
    and session tests open, so no kernel has to build it during a test."""
    from stpexplorer import StandaloneEngine, presets, simulate

    start = time.perf_counter()
    simulate(presets.FORUM, engine=StandaloneEngine(cache=prebuilt))
    print(f"\n[browser] forum network built/loaded in {time.perf_counter() - start:.1f} s")
    return prebuilt


def start_voila(cache: str, log_path: Path, pool_size: int = 1, wait_idle: bool = True,
                **options) -> dict:
    """Start the production Voila command on a free port and wait until it
    answers (and, with ``wait_idle``, its preheated kernels are idle); returns
    the server dict (``url``, ``log``, ``pid``, ``proc``, ``pool_size``).
    ``options`` go to :func:`stpexplorer.serve.voila_command` (e.g.
    ``kernel_timeout``).  Stop it with :func:`stop_voila`."""
    from stpexplorer.serve import voila_command, voila_environment

    port = _free_port()
    env = voila_environment()
    env["STPEXPLORER_CACHE"] = cache
    log = open(log_path, "w")
    start = time.monotonic()
    proc = subprocess.Popen(voila_command(port, open_browser=False, pool_size=pool_size, **options),
                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    server = {"url": f"http://127.0.0.1:{port}/", "port": port, "log": log_path, "pid": proc.pid,
              "proc": proc, "log_file": log, "pool_size": pool_size}
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not _answers(server["url"]):
            if proc.poll() is not None:
                raise RuntimeError(f"voila exited with {proc.returncode}:\n{log_path.read_text()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"voila did not answer within {SERVER_START_TIMEOUT_S} s:\n"
                                   f"{log_path.read_text()}")
            time.sleep(0.2)
        if not wait_idle:
            return server
        # Let the preheated kernel(s) finish the notebook and its first run, so
        # the measured page load is that of a server that has been up a while.
        waited = wait_kernels_idle(proc.pid)
        print(f"[browser] voila up (pool_size={pool_size}); preheated kernel(s) idle after "
              f"{waited:.1f} s more ({time.monotonic() - start:.1f} s from start)")
    except BaseException:
        stop_voila(server)
        raise
    return server


def stop_voila(server: dict) -> None:
    proc = server["proc"]
    kernels = _children(proc.pid)
    _signal_group(proc.pid, signal.SIGTERM)  # Voila shuts its kernels down on SIGTERM
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        _signal_group(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    for pid in kernels:  # kernels run in their own sessions: clean up stragglers
        _signal_group(pid, signal.SIGKILL)
    server["log_file"].close()


@pytest.fixture(scope="module")
def voila_server(request, prebuilt, tmp_path_factory):
    """The production Voila command on a free port; yields the server dict.

    A test module sets ``VOILA_POOL_SIZE`` to preheat more than one kernel and
    ``VOILA_NEEDS_FORUM = True`` to have the forum network compiled first."""
    if getattr(request.module, "VOILA_NEEDS_FORUM", False):
        request.getfixturevalue("prebuilt_forum")
    pool_size = getattr(request.module, "VOILA_POOL_SIZE", 1)
    server = start_voila(prebuilt, tmp_path_factory.mktemp("voila") / "voila.log", pool_size)
    try:
        yield server
    finally:
        stop_voila(server)


def kernel_pids(server: dict) -> list[int]:
    """The kernel processes of a Voila server (its direct children)."""
    return sorted(_children(server["pid"]))


def rss_mb(pid: int) -> float | None:
    """Resident set size (VmRSS) of a process in MB, None if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def require_browser() -> None:
    """Skip (fail in CI) without Playwright or Chromium."""
    if playwright_sync is None:
        _missing("the Playwright package is not installed")
    if not os.access(CHROMIUM, os.X_OK):
        _missing(f"no Chromium at {CHROMIUM} (set STPEXPLORER_CHROMIUM)")


@pytest.fixture(scope="module")
def playwright():
    require_browser()
    with playwright_sync.sync_playwright() as pw:
        yield pw


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


@pytest.fixture(scope="module")
def browser(playwright):
    chromium = launch(playwright)
    try:
        yield chromium
    finally:
        chromium.close()


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
        elapsed = time.perf_counter() - start
        if slider:
            self.redraw_s.append((label, elapsed))
        print(f"[browser] {label}: change -> redrawn panels {elapsed:.3f} s (status: {self.status()})")
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


@pytest.fixture(scope="module")
def dashboard(request, browser, voila_server, record_testsuite_property):
    """The dashboard page, opened once; waits for the first four panels and
    records the time from opening the page to seeing them."""
    context, dash = open_page(browser, voila_server["url"])
    try:
        wait_loaded(dash)
        dash.load_s = time.perf_counter() - dash.opened_at
        print(f"\n[browser] page open -> four panels: {dash.load_s:.2f} s")
    except AssertionError as exc:
        dash.load_error = str(exc)  # reported by every test that needs the panels
    # Opening the page takes the preheated kernel and Voila starts preheating
    # the next one; let it finish so it does not skew the redraw timings.
    wait_kernels_idle(voila_server["pid"])
    yield dash
    summary = {"time_to_first_panels_s": dash.load_s}
    if dash.redraw_s:
        summary["median_release_to_redraw_s"] = statistics.median(t for _, t in dash.redraw_s)
        summary["release_to_redraw_samples"] = {label: round(t, 3) for label, t in dash.redraw_s}
    # modules other than test_dashboard name their keys, so the report keeps them apart
    prefix = getattr(request.module, "TIMING_PREFIX", "")
    for key, value in summary.items():
        record_testsuite_property(prefix + key, value)
    print(f"\n[browser] {prefix}timings: {json.dumps(summary)}")
    context.close()


def require_loaded(dashboard: Dashboard) -> None:
    if dashboard.load_s is None:
        pytest.fail(dashboard.load_error or "the dashboard did not load", pytrace=False)


@pytest.fixture
def dash(dashboard):
    """The shared page, failing early (with the reason) if it never showed its panels."""
    require_loaded(dashboard)
    return dashboard
