"""Four visitors at once: four browser contexts on one Voila server.

Every page gets its own kernel (Voila's pool of one preheated kernel serves
the first; the others wait for a preheat or get a kernel started for them),
each moves U_0 to its own value at about the same moment, and each must show
its own run.  Afterwards the memory of every kernel is measured.

The pages open the small "forum" network by link (``?preset=forum``), so the
four kernels' runs stay short on a small machine.
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from pages import NONBLANK_INK, REDRAW_TIMEOUT_S, open_page, shows_data
from servers import kernel_pids, rss_mb, wait_kernels_idle

pytestmark = pytest.mark.browser

VOILA_NEEDS_FORUM = True
VOILA_POOL_SIZE = 1
TIME_PANELS = ("raster", "conductances", "resources")
#: Four new values (the forum preset has U_0 = 0.6, which would start no run).
U0_VALUES = ("0.15", "0.3", "0.45", "0.75")
#: Four kernels start (import Brian2, run the notebook) at the same time.
ALL_PAGES_TIMEOUT_S = 240
#: Upper bound on the resident memory of one kernel after its runs (MB).
KERNEL_RSS_LIMIT_MB = 600


def _query(href: str) -> dict:
    return {k: v[-1] for k, v in parse_qs(urlsplit(href).query).items()}


@pytest.fixture(scope="module")
def pages(browser, voila_server, record_testsuite_property):
    """Four contexts opened at once on ``?preset=forum``; waits until each shows
    the forum run and its panels.

    A page served by a fully preheated kernel shows it as run #2 (after the
    default run the kernel made while waiting for a visitor); a page whose
    kernel was still starting shows it as run #1 when the forum run replaced
    the default run before that finished (the runner keeps only the latest)."""
    opened = [open_page(browser, voila_server["url"] + "?preset=forum") for _ in U0_VALUES]
    dashes = [dash for _, dash in opened]
    start = min(dash.opened_at for dash in dashes)
    loaded_after: dict[int, float] = {}
    deadline = time.monotonic() + ALL_PAGES_TIMEOUT_S
    try:
        while len(loaded_after) < len(dashes):
            for i, dash in enumerate(dashes):
                if i in loaded_after:
                    continue
                # the share link is rewritten after every run, from that run's parameters
                if (dash.run_number() >= 1 and _query(dash.share_href()) == {"preset": "forum"}
                        and dash.panels_drawn(min_ink=NONBLANK_INK)):
                    loaded_after[i] = time.perf_counter() - dash.opened_at
            if time.monotonic() > deadline:
                missing = [i for i in range(len(dashes)) if i not in loaded_after]
                raise AssertionError(f"pages {missing} did not show the forum run within "
                                     f"{ALL_PAGES_TIMEOUT_S} s\n" +
                                     "\n".join(dashes[i].diagnostics() for i in missing))
            dashes[0].page.wait_for_timeout(100)
        total = time.perf_counter() - start
        times = [round(loaded_after[i], 2) for i in range(len(dashes))]
        log = Path(voila_server["log"]).read_text()
        preheated = log.count("Using pre-heated kernel")
        print(f"\n[browser] 4 pages open -> forum run shown: {times} s (all within {total:.1f} s; "
              f"{preheated} page(s) got a preheated kernel)")
        record_testsuite_property("sessions.page_open_to_forum_run_s", times)
        record_testsuite_property("sessions.four_pages_loaded_s", round(total, 2))
        # the pool refills after the pages took its kernel: let that finish first
        wait_kernels_idle(voila_server["pid"])
        yield dashes
    finally:
        for context, _ in opened:
            context.close()


def test_four_pages_each_have_their_own_kernel(pages, voila_server):
    kernel_ids = [dash.kernel_id() for dash in pages]
    assert len(set(kernel_ids)) == 4, kernel_ids
    for dash in pages:
        assert dash.page.locator(".stpx-control-preset select").input_value() == "forum"
        assert dash.readout("U_0") == "0.600"
        assert dash.error() == ""
    assert len(kernel_pids(voila_server)) >= 4


def test_concurrent_slider_changes_stay_on_their_page(pages, record_property):
    before = []
    for dash in pages:
        before.append((dash.run_number(), dash.settle()))
    shots = [dash.screenshot("resources") for dash in pages]
    starts = [dash.set_readout("U_0", value) for dash, value in zip(pages, U0_VALUES)]
    spread = starts[-1] - starts[0]
    done_after: dict[int, float] = {}
    deadline = time.monotonic() + REDRAW_TIMEOUT_S * 2
    while len(done_after) < len(pages):
        for i, dash in enumerate(pages):
            if i in done_after:
                continue
            run, states = before[i]
            if dash.run_number() > run and all(
                    (s := dash.panel(n)) and s["hash"] != states[n]["hash"] and shows_data(s)
                    for n in TIME_PANELS):
                done_after[i] = time.perf_counter() - starts[i]
        if time.monotonic() > deadline:
            missing = [i for i in range(len(pages)) if i not in done_after]
            raise AssertionError(f"pages {missing} were not redrawn\n" +
                                 "\n".join(pages[i].diagnostics() for i in missing))
        pages[0].page.wait_for_timeout(20)
    times = [round(done_after[i], 3) for i in range(len(pages))]
    print(f"[browser] 4 concurrent U_0 changes (typed within {spread:.2f} s): "
          f"change -> redrawn panels {times} s")
    record_property("concurrent_change_to_redraw_s", times)

    resources = []
    for i, (dash, value) in enumerate(zip(pages, U0_VALUES)):
        dash.settle()
        run, _ = before[i]
        assert dash.run_number() == run + 1, f"page {i}: one change, one run: {dash.status()}"
        assert dash.readout("U_0") == f"{float(value):.3f}"
        assert dash.error() == ""
        # the share link and the parameter file are written after the page's own run
        assert _query(dash.share_href()) == {"preset": "forum", "U_0": value}, dash.share_href()
        assert dash.param_json()["U_0"] == float(value)
        assert dash.param_json()["N_e"] == 40
        print(f"[browser] page {i} (U_0={value}): {dash.status()}")
        resources.append(dash.panel("resources")["hash"])
    assert len(set(resources)) == 4, f"resources panels coincide between pages: {resources}"
    for i, dash in enumerate(pages):
        assert dash.screenshot("resources") != shots[i], f"page {i}: resources panel unchanged"


def test_kernel_memory(pages, voila_server, record_property):
    page_kernels = {dash.kernel_id(): i for i, dash in enumerate(pages)}
    measured = {}
    for pid in kernel_pids(voila_server):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        owner = next((f"page {i}" for kid, i in page_kernels.items() if kid in cmdline), "pool")
        rss = rss_mb(pid)
        if rss is not None:
            measured[f"{owner} (pid {pid})"] = round(rss, 1)
    print(f"[browser] kernel RSS (MB): {measured}; total {sum(measured.values()):.0f} MB")
    record_property("kernel_rss_mb", measured)
    assert sum(1 for name in measured if name.startswith("page")) == 4, measured
    for name, rss in measured.items():
        assert rss < KERNEL_RSS_LIMIT_MB, f"{name} uses {rss:.0f} MB (limit {KERNEL_RSS_LIMIT_MB})"
