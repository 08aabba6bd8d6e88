"""Fixtures for the real-browser tests: one Voila server (the production
command line from :func:`stpexplorer.dashboard.serve.voila_command`), one headless
Chromium and one dashboard page per module.

Nothing is written into the repository: the server log goes to a pytest tmp
dir, timings go to stdout (``pytest -s``) and into the report
(``record_property`` / ``record_testsuite_property``).
"""

from __future__ import annotations

import json
import os
import statistics
import time

import pytest

from pages import (  # noqa: F401
    CHROMIUM,
    CHROMIUM_ARGS,
    DATA_COLOUR,
    DATA_INK,
    FIRST_PANELS_TIMEOUT_S,
    NONBLANK_INK,
    PANELS,
    REDRAW_TIMEOUT_S,
    VIEWPORT,
    Dashboard,
    launch,
    open_page,
    shows_data,
    wait_loaded,
)
from servers import _answers, _children, free_port, kernel_pids, rss_mb, start_voila, stop_voila, wait_kernels_idle  # noqa: F401

#: In CI (and under scripts/test.sh, which installs both) a missing browser or
#: Playwright fails the run instead of skipping every browser test.
IN_CI = any(os.environ.get(name, "").lower() in ("1", "true", "yes")
            for name in ("CI", "STPEXPLORER_REQUIRE_BROWSER"))


def _missing(what: str):
    if IN_CI:
        pytest.fail(f"{what} (CI or scripts/test.sh: browser tests must run; scripts/test.sh installs both)",
                    pytrace=False)
    pytest.skip(what)


try:
    import playwright.sync_api as playwright_sync
except ImportError:
    playwright_sync = None


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


def require_browser() -> None:
    """Skip (fail in CI) without Playwright or Chromium."""
    if playwright_sync is None:
        _missing("the Playwright package is not installed")
    if not os.access(CHROMIUM, os.X_OK):
        _missing(f"no Chromium at {CHROMIUM} (set STPEXPLORER_CHROMIUM)")


@pytest.fixture(scope="session", autouse=True)
def browser_available():
    """Checked before any server starts: every test here needs the browser."""
    require_browser()


@pytest.fixture(scope="module")
def playwright():
    require_browser()
    with playwright_sync.sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="module")
def browser(playwright):
    chromium = launch(playwright)
    try:
        yield chromium
    finally:
        chromium.close()


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
