"""Structure changes in headless Chromium against the production Voila
server: a size not compiled yet, changed in the Network tab, to redrawn panels.

Each change sets the number of inhibitory neurons (``N_i``) to a value whose
network is not compiled yet; the page draws it from Brian2's numpy target
while the compiled network is built in the background (at low priority, on
the same cores).  A change follows the previous one after ``--pause``
seconds, so later changes meet the earlier ones' compiles.  Reported: change
→ all three time panels redrawn, each change, median and p95 (the test's
clock, polling every 20 ms), and which engine drew them.

    python scripts/structure_rate.py                 # 6 sizes
    python scripts/structure_rate.py --sizes 185 190 --json out.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from drag_rate import dashboard_page  # noqa: E402

TIME_PANELS = ("raster", "conductances", "resources")


def change_size(dash, value: int) -> dict:
    dash.settle()
    before_run, before = dash.run_number(), dash.panels()
    start = dash.set_number("N_i", str(value))
    elapsed = dash.wait_redraw(before_run, before, TIME_PANELS, start, f"N_i -> {value}")
    return {"N_i": value, "change_to_panels_s": round(elapsed, 3), "status": dash.status()}


def run(args) -> dict:
    with dashboard_page(args.cache, "stpx-structure-") as dash:
        dash.open_advanced("Network")
        rows = []
        for value in args.sizes:
            rows.append(change_size(dash, value))
            time.sleep(args.pause)
    times = sorted(row["change_to_panels_s"] for row in rows)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return {"changes": rows, "median_s": statistics.median(times), "p95_s": p95}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[185, 190, 195, 205, 210, 215])
    parser.add_argument("--pause", type=float, default=2.0, help="seconds between a drawn change and the next")
    parser.add_argument("--cache", help="build cache (default: a new temporary one)")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    out = run(args)
    for row in out["changes"]:
        print(f"N_i {row['N_i']}: {row['change_to_panels_s']:.2f} s ({row['status'][:90]})")
    print(f"change -> panels: median {out['median_s']:.2f} s, p95 {out['p95_s']:.2f} s over {len(out['changes'])}")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
