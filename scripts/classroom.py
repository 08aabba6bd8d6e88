"""A class on one machine: N students open the dashboard and move sliders.

Starts the production Voila server (``stpexplorer dashboard``'s command line)
on a free port of 127.0.0.1, opens N pages in headless Chromium within
``--open-within`` seconds (each page its own browser context, so its own
kernel), waits for every page's panels, then lets every page move a slider
every ``--period`` seconds for ``--duration`` seconds, closes the pages and
waits for their kernels to go.  Prints:

* page open → first panels, p50 / p95 (s);
* slider release → redrawn panels, p50 / p95 (s) and the number of moves;
* kernel count and per-kernel resident memory (MB) before, during and after.

Every request of the pages to a host other than the server is counted (there
must be none).  The whole run is bounded by ``--timeout``.

    python scripts/classroom.py --pages 10 --pool-size 2
    python scripts/classroom.py --pages 3 --json out.json     # what CI runs

Needs Debian's Chromium (/usr/bin/chromium) and the Playwright package
(``pip install '.[test]'``); the default network is compiled first if the
build cache does not have it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "browser"))

from pages import INIT_SCRIPT, RUN_RE, VIEWPORT, launch  # noqa: E402
from servers import kernel_pids, rss_mb, start_voila, stop_voila, wait_kernels_idle  # noqa: E402

TIME_PANELS = ("raster", "conductances", "resources")
#: One evaluate per page per poll: run number and each time panel's drawImage count.
PAGE_STATE_JS = """
() => {
  const status = document.querySelector('.stpx-status');
  const draws = {};
  for (const name of %s) {
    const canvas = document.querySelector(`.stpx-panel-${name} canvas`);
    draws[name] = canvas ? (canvas.__stpxDraws || 0) : -1;
  }
  return {status: status ? status.innerText : '', draws};
}
""" % json.dumps(TIME_PANELS)


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


class Student:
    """One browser context with the dashboard page."""

    def __init__(self, browser, url: str, own_host: str, foreign: list[str]):
        self.context = browser.new_context(viewport=VIEWPORT)

        def note_foreign(request):
            # watched, not intercepted: an intercepted page cannot send its unload beacon
            url = urlsplit(request.url)  # data: and blob: URLs are the page's own memory
            if url.scheme in ("http", "https", "ws", "wss") and url.netloc != own_host:
                foreign.append(request.url)

        self.context.on("request", note_foreign)
        self.page = self.context.new_page()
        self.page.add_init_script(INIT_SCRIPT)
        self.opened_at = time.perf_counter()
        self.page.goto(url, wait_until="commit")
        self.loaded_after: float | None = None
        self.moves = 0
        self.pending: tuple[float, int, dict] | None = None  # (released at, run number, draws)

    def state(self) -> dict:
        try:
            state = self.page.evaluate(PAGE_STATE_JS)
        except Exception:  # noqa: BLE001  a page still loading its scripts
            return {"run": 0, "draws": {name: -1 for name in TIME_PANELS}}
        match = RUN_RE.search(state["status"])
        return {"run": int(match.group(1)) if match else 0, "draws": state["draws"]}

    def move_slider(self, value: str) -> None:
        before = self.state()
        readout = self.page.locator(".stpx-control-U_0 .widget-readout")
        readout.click()
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(value)
        released = time.perf_counter()
        self.page.keyboard.press("Enter")
        self.pending = (released, before["run"], before["draws"])
        self.moves += 1

    def redrawn_after(self) -> float | None:
        """Seconds from the pending release to its redrawn panels, once they are."""
        released, run, draws = self.pending
        now = self.state()
        if now["run"] > run and all(now["draws"][n] > draws[n] for n in TIME_PANELS):
            self.pending = None
            return time.perf_counter() - released
        return None

    def close(self) -> None:
        try:
            self.page.close(run_before_unload=True)
        finally:
            self.context.close()


def kernel_memory(server: dict) -> dict:
    sizes = [mb for mb in (rss_mb(pid) for pid in kernel_pids(server)) if mb is not None]
    return {"kernels": len(sizes), "rss_mb": sorted(round(mb) for mb in sizes),
            "rss_mb_max": round(max(sizes), 1) if sizes else None,
            "rss_mb_median": round(statistics.median(sizes), 1) if sizes else None,
            "rss_mb_total": round(sum(sizes), 1)}


def ensure_default_build(cache: str) -> float:
    from stpexplorer import StandaloneEngine, presets, simulate

    start = time.perf_counter()
    simulate(presets.DEFAULT, engine=StandaloneEngine(cache=cache))
    return time.perf_counter() - start


def run(args) -> dict:
    from playwright.sync_api import sync_playwright

    deadline = time.monotonic() + args.timeout
    cache = args.cache or tempfile.mkdtemp(prefix="stpx-classroom-")
    built_s = ensure_default_build(cache)
    log = Path(tempfile.mkdtemp(prefix="stpx-classroom-log-")) / "voila.log"
    server = start_voila(cache, log, pool_size=args.pool_size, kernel_timeout=args.kernel_timeout)
    report = {"pages": args.pages, "pool_size": args.pool_size, "default_build_s": round(built_s, 1),
              "server_log": str(log)}
    students: list[Student] = []
    foreign: list[str] = []
    try:
        report["before"] = kernel_memory(server)
        with sync_playwright() as pw:
            browser = launch(pw)
            own_host = urlsplit(server["url"]).netloc
            # open the pages evenly spread over --open-within seconds, polling meanwhile
            gap = args.open_within / max(1, args.pages - 1) if args.pages > 1 else 0.0
            start = time.perf_counter()
            while len(students) < args.pages or any(s.loaded_after is None for s in students):
                if len(students) < args.pages and time.perf_counter() - start >= len(students) * gap:
                    students.append(Student(browser, server["url"], own_host, foreign))
                for s in students:
                    if s.loaded_after is None and s.state()["run"] >= 1:
                        s.loaded_after = time.perf_counter() - s.opened_at
                if time.monotonic() > deadline:
                    waiting = [i for i, s in enumerate(students) if s.loaded_after is None]
                    seen = {i: students[i].page.evaluate(
                        "() => [document.querySelector('.stpx-busy')?.innerText, "
                        "document.querySelector('.stpx-error')?.innerText, document.body.innerText.slice(0, 300)]")
                        for i in waiting}
                    raise TimeoutError(f"pages {waiting} did not show their panels within --timeout: {seen}; "
                                       f"server log {log}")
                time.sleep(0.05)
            opened = [s.loaded_after for s in students]
            report["open_to_panels_s"] = {"p50": percentile(opened, 50), "p95": percentile(opened, 95),
                                          "all": [round(t, 2) for t in opened]}
            wait_kernels_idle(server["pid"], timeout=60)  # the pool refilled
            report["during_open"] = kernel_memory(server)

            # every page moves U_0 every --period s, staggered; poll for redrawn panels
            latencies: list[float] = []
            values = ("0.3", "0.45", "0.6", "0.35", "0.5")
            phase = {i: args.period * i / len(students) for i in range(len(students))}
            start = time.perf_counter()
            samples = []
            while time.perf_counter() - start < args.duration or any(s.pending for s in students):
                now = time.perf_counter() - start
                for i, s in enumerate(students):
                    if s.pending:
                        elapsed = s.redrawn_after()
                        if elapsed is not None:
                            latencies.append(elapsed)
                    elif now < args.duration and now >= phase[i]:
                        s.move_slider(values[s.moves % len(values)])
                        phase[i] += args.period
                if not samples or now - samples[-1][0] > 5:
                    samples.append((now, kernel_memory(server)))
                if time.monotonic() > deadline:
                    raise TimeoutError("slider moves were not redrawn within --timeout")
                time.sleep(0.02)
            report["slider_to_panels_s"] = {"p50": percentile(latencies, 50),
                                            "p95": percentile(latencies, 95), "moves": len(latencies),
                                            "max": max(latencies) if latencies else None}
            report["during_sliders"] = max((m for _, m in samples), key=lambda m: m["rss_mb_total"])

            for s in students:
                s.close()
            students = []
            closed_at = time.monotonic()
            while len(kernel_pids(server)) > args.pool_size and time.monotonic() - closed_at < 30:
                time.sleep(0.25)
            report["after_close_s"] = round(time.monotonic() - closed_at, 1)
            report["after"] = kernel_memory(server)
            browser.close()
    finally:
        for s in students:
            try:
                s.close()
            except Exception:  # noqa: BLE001
                pass
        stop_voila(server)
    report["foreign_requests"] = foreign
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=10, help="students (browser pages), 1..40")
    parser.add_argument("--pool-size", type=int, default=2, help="preheated kernels (default 2)")
    parser.add_argument("--open-within", type=float, default=10.0, help="seconds over which pages open")
    parser.add_argument("--period", type=float, default=4.0, help="seconds between a page's slider moves")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of slider moves")
    parser.add_argument("--kernel-timeout", type=int, default=120)
    parser.add_argument("--timeout", type=float, default=900.0, help="bound on the whole run (s)")
    parser.add_argument("--cache", help="build cache (default: a new temporary one)")
    parser.add_argument("--json", help="also write the report to this file")
    args = parser.parse_args(argv)
    if not 1 <= args.pages <= 40:
        parser.error("--pages must be in 1..40")
    report = run(args)
    text = json.dumps(report, indent=1)
    print(text)
    if args.json:
        Path(args.json).write_text(text)
    o, s = report["open_to_panels_s"], report["slider_to_panels_s"]
    print(f"\n{args.pages} pages, pool {args.pool_size}: open -> panels p50 {o['p50']:.1f} s, p95 "
          f"{o['p95']:.1f} s; slider -> panels p50 {s['p50']:.2f} s, p95 {s['p95']:.2f} s "
          f"({s['moves']} moves); kernels before/during/after {report['before']['kernels']}/"
          f"{report['during_sliders']['kernels']}/{report['after']['kernels']}, per-kernel RSS "
          f"max {report['during_sliders']['rss_mb_max']} MB; requests to other hosts: "
          f"{len(report['foreign_requests'])}")
    return 0 if not report["foreign_requests"] else 1


if __name__ == "__main__":
    sys.exit(main())
