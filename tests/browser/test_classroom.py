"""Serving a class: kernels freed when pages go, an offline page, the first
visit on a fresh install.

* Pages closed normally free their kernels at once (the unload shutdown);
  pages of a browser that was killed are freed after ``--kernel-timeout``;
  an open page that idles longer than the timeout keeps its kernel, and the
  preheated kernel waiting for the next visitor stays.
* The page requests nothing from any host but the server, and its icons
  (Font Awesome, from Voila's own bundle) load.
* With an empty build cache the app shows within seconds and says that it is
  compiling the network; the panels follow.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from pages import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, Dashboard, open_page, wait_loaded
from servers import free_port, kernel_pids, start_voila, stop_voila, wait_kernels_idle

pytestmark = pytest.mark.browser

#: Short, so the test is: a page that is gone is freed after this (s).
KERNEL_TIMEOUT_S = 15
#: how long before the kill the killed pages' kernels may have been idle already (their last run)
IDLE_BEFORE_KILL_S = 5
#: A closed page's unload shutdown frees its kernel well before the timeout.
UNLOAD_SHUTDOWN_S = 6
#: The culler looks every timeout/5 s; kernels take a moment to stop.
CULL_MARGIN_S = 12
#: The app must appear this soon on a fresh install, while the network compiles.
FIRST_APP_S = 10


def kernel_ids(server: dict) -> dict[str, int]:
    """kernel id -> pid of every kernel the server runs (from the connection file name)."""
    found = {}
    for pid in kernel_pids(server):
        try:
            args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        for arg in args:
            name = os.path.basename(arg.decode(errors="replace"))
            if name.startswith("kernel-") and name.endswith(".json"):
                found[name[len("kernel-"):-len(".json")]] = pid
    return found


def wait_until(predicate, timeout: float, what: str, server: dict):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting until {what}; "
                                 f"kernels now: {sorted(kernel_ids(server))}")
        time.sleep(0.25)


@pytest.fixture(scope="module")
def class_server(prebuilt, tmp_path_factory):
    server = start_voila(prebuilt, tmp_path_factory.mktemp("voila") / "voila.log", pool_size=1,
                         kernel_timeout=KERNEL_TIMEOUT_S)
    try:
        yield server
    finally:
        stop_voila(server)


@pytest.fixture
def killable_browser(playwright, tmp_path):
    """A Chromium this test starts itself (so it can SIGKILL it), driven over CDP."""
    port = free_port()
    process = subprocess.Popen([CHROMIUM, *CHROMIUM_ARGS, f"--remote-debugging-port={port}",
                                f"--user-data-dir={tmp_path / 'profile'}", "about:blank"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(endpoint + "/json/version", timeout=1)
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the killable Chromium did not start") from None
            time.sleep(0.2)
    browser = playwright.chromium.connect_over_cdp(endpoint)
    try:
        yield browser, process
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()


def _open_loaded(browser, url: str, n: int) -> list:
    pages = [open_page(browser, url) for _ in range(n)]
    for _, dash in pages:
        wait_loaded(dash)
    return pages


def test_kernels_of_pages_that_are_gone_are_freed(browser, killable_browser, class_server):
    server = class_server
    (pool_kernel,) = kernel_ids(server)  # the preheated kernel, no visitor yet
    kept, closed = _open_loaded(browser, server["url"], 1), _open_loaded(browser, server["url"], 2)
    chromium, chromium_process = killable_browser
    killed = _open_loaded(chromium, server["url"], 2)
    page_kernels = {name: [dash.kernel_id() for _, dash in group]
                    for name, group in (("kept", kept), ("closed", closed), ("killed", killed))}
    wait_kernels_idle(server["pid"])  # the pool refilled after the visits took its kernel
    running = kernel_ids(server)
    assert all(k in running for ids in page_kernels.values() for k in ids), (page_kernels, running)
    pool = set(running) - {k for ids in page_kernels.values() for k in ids}
    assert len(pool) == server["pool_size"], (running, page_kernels)
    assert pool_kernel not in pool  # the first visitor took the preheated kernel

    # closed normally: the page's unload shutdown frees the kernel at once
    for context, dash in closed:
        dash.page.close(run_before_unload=True)
        context.close()
    wait_until(lambda: not set(page_kernels["closed"]) & set(kernel_ids(server)), UNLOAD_SHUTDOWN_S,
               "the kernels of the pages closed normally were shut down", server)
    assert set(page_kernels["killed"]) <= set(kernel_ids(server))  # no goodbye: still there

    # the browser killed: no unload; the culler frees its kernels after the timeout
    killed_at = time.monotonic()
    os.killpg(chromium_process.pid, signal.SIGKILL)
    wait_until(lambda: not set(page_kernels["killed"]) & set(kernel_ids(server)),
               KERNEL_TIMEOUT_S + CULL_MARGIN_S, "the killed browser's kernels were culled", server)
    freed_after = time.monotonic() - killed_at
    print(f"\n[browser] killed browser's kernels freed after {freed_after:.1f} s "
          f"(--kernel-timeout {KERNEL_TIMEOUT_S})")
    # culled for being gone, not shut down early (an unload shutdown takes a second or two); the
    # idle time counts from the kernel's last message, which can come seconds before the kill
    assert freed_after >= KERNEL_TIMEOUT_S - IDLE_BEFORE_KILL_S

    # the open page idled longer than the timeout and keeps its kernel, which still answers
    (context, dash), = kept
    time.sleep(max(0.0, KERNEL_TIMEOUT_S + 3 - (time.monotonic() - killed_at)))
    running = kernel_ids(server)
    assert set(page_kernels["kept"]) <= set(running)
    assert set(running) - set(page_kernels["kept"]) == pool  # and the preheated kernel waits on
    run = dash.run_number()
    dash.set_readout("U_0", "0.35")
    dash.poll(lambda: dash.run_number() > run, 30, "a run of the idle page's kernel")

    # and when it closes too, only the pool remains
    dash.page.close(run_before_unload=True)
    context.close()
    wait_until(lambda: set(kernel_ids(server)) == pool, UNLOAD_SHUTDOWN_S,
               "only the preheated kernel remained", server)


def test_the_page_requests_nothing_from_other_hosts_and_shows_its_icons(browser, class_server):
    server = class_server
    own = urlsplit(server["url"]).netloc
    foreign: list[str] = []
    context = browser.new_context(viewport=VIEWPORT)

    def only_own_host(route):
        if urlsplit(route.request.url).netloc == own or route.request.url.startswith("data:"):
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    context.route("**/*", only_own_host)
    page = context.new_page()
    try:
        dash = Dashboard(page, server["url"])
        page.goto(server["url"], wait_until="commit")
        wait_loaded(dash)
        for tab in ("Synapse lab", "Neuron types", "Sweep", "Network"):
            dash.select_tab(tab)
        page.evaluate("document.fonts.ready")
        icon_fonts = page.evaluate(
            "[...document.fonts].filter(f => /Font Awesome/.test(f.family) && f.status === 'loaded')"
            ".map(f => f.family)")
        reset_icon = page.locator(".stpx-reset i.fa").first
        icon_font = reset_icon.evaluate("e => getComputedStyle(e, '::before').fontFamily")
        icon_width = reset_icon.evaluate("e => e.getBoundingClientRect().width")
    finally:
        context.close()
    assert not foreign, f"the page requested other hosts: {foreign}"
    assert icon_fonts, "no Font Awesome font loaded: icons would show as boxes"
    assert "Font Awesome" in icon_font and icon_width > 0, (icon_font, icon_width)


def test_first_visit_on_a_fresh_install_shows_the_app_while_compiling(browser, tmp_path):
    """An empty build cache: the page shows the app within seconds and says
    the network is not compiled yet; the panels follow from Brian2's runtime
    target while the compiled network is built in the background."""
    server = start_voila(str(tmp_path / "empty-cache"), tmp_path / "voila.log", pool_size=1,
                         wait_idle=False)
    try:
        context, dash = open_page(browser, server["url"])
        dash.poll(lambda: "not compiled yet" in dash.busy(), FIRST_APP_S,
                  "the app and its busy line 'not compiled yet: running on Brian2's numpy target'")
        shown_after = time.perf_counter() - dash.opened_at
        busy = dash.busy()
        print(f"\n[browser] fresh install: app shown {shown_after:.1f} s after opening: {busy!r}")
        assert "numpy target" in busy and "few seconds" in busy, busy  # says what and about how long
        assert dash.page.locator(".stpx-control-U_0").count() == 1  # the controls are there
        wait_loaded(dash)
        print(f"[browser] fresh install: panels {time.perf_counter() - dash.opened_at:.1f} s after opening")
        assert "Brian2 numpy target" in dash.status(), dash.status()
        context.close()
    finally:
        stop_voila(server)
