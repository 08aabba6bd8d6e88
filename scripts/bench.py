"""Speed and memory of stpexplorer against a plain Brian2 baseline, in one run.

    python scripts/bench.py                 # 1 000 and 10 000 neurons
    python scripts/bench.py --sizes 1000    # quicker

For each size (the ``default`` preset: 80 % excitatory, 10 % connectivity,
conductance synapses with STP, 1 s at dt 0.1 ms) it measures

* baseline: a plain Brian2 numpy-target build + run of the same network
  (per-synapse STP as in Stimberg et al. 2019), in this process;
* first run in a fresh environment (new process, empty build cache);
* a second process reusing that build: time to its first result;
* warm re-runs after a parameter change (U_0), median over --repeats;
* peak memory of the Python process (the larger of the compiling process and
  the one reusing its build) and of the compiled simulation binary;
* for 1 000 neurons, the dashboard's change-to-redrawn-panels time in this
  kernel (simulation + drawing the three time panels), with the panels told
  that a page is attached, as the browser does (the panels then stop
  re-encoding each image as a data URL for a page still to come).

Ratios are baseline time / project time from the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent

CHILD = r"""
import json, os, re, sys, time
start = time.perf_counter()
from stpexplorer import StandaloneEngine, presets
n = int(sys.argv[1])
params = presets.DEFAULT.replace(N_e=int(0.8 * n), N_i=n - int(0.8 * n))
engine = StandaloneEngine(cache=os.environ["STPEXPLORER_CACHE"])
result = engine.run(params)
elapsed = time.perf_counter() - start
hwm = int(re.search(r"VmHWM:\s+(\d+)", open("/proc/self/status").read()).group(1))
print(json.dumps({"first_result_s": elapsed, "build_s": engine.last_build_s,
                  "python_peak_mb": hwm / 1024, "spikes": len(result.spike_i)}))
"""


def sized(n: int):
    from stpexplorer import presets

    return presets.DEFAULT.replace(N_e=int(0.8 * n), N_i=n - int(0.8 * n))


def fresh_process(n: int, cache: str) -> dict:
    env = dict(os.environ, STPEXPLORER_CACHE=cache)
    done = subprocess.run([sys.executable, "-c", CHILD, str(n)], env=env, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def baseline(n: int, repeats: int) -> float:
    from stpexplorer import RuntimeEngine

    engine = RuntimeEngine("numpy", stp_storage="synaptic")
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        engine.run(sized(n))
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def warm_reruns(engine, n: int, repeats: int) -> list[float]:
    params = sized(n)
    engine.run(params)
    times = []
    for k in range(repeats):
        changed = params.replace(U_0=0.2 + 0.6 * k / max(repeats - 1, 1))
        start = time.perf_counter()
        engine.run(changed)
        times.append(time.perf_counter() - start)
    return times


def binary_peak_mb(engine, n: int) -> float:
    peak_file = Path(tempfile.mkstemp(suffix=".peak")[1])
    os.environ["PEAK_RSS_FILE"] = str(peak_file)
    previous = engine.run_command
    engine.run_command = [sys.executable, str(HERE / "peak_rss.py"), "./main"]
    try:
        engine.run(sized(n).replace(U_0=0.33))
    finally:
        engine.run_command = previous
    return int(peak_file.read_text() or 0) / 1024


def dashboard_latency(engine, repeats: int) -> dict:
    from stpexplorer.dashboard.network_tab import Explorer, median_timings

    explorer = Explorer(engine=engine)
    explorer.wait()
    for fig in explorer.figures.values():  # the message a page sends when its canvas is ready
        fig.canvas._handle_custom_msg({"type": "initialized"}, [])
    explorer.timings.clear()
    for k in range(repeats):
        explorer.controls["U_0"].value = round(0.2 + 0.05 * k, 3)
        explorer.wait()
    explorer.runner.stop()
    return median_timings(explorer)


def sweep_benchmark(points_per_axis: int, cache: str) -> dict:
    """A points × points grid over U_0 × Omega_f (default preset), serial in
    this process against the Dask path on a two-worker LocalCluster."""
    from stpexplorer import StandaloneEngine, presets, simulate
    from stpexplorer import sweep as sw

    base = presets.DEFAULT
    grid = {"U_0": list(np.linspace(0.1, 0.9, points_per_axis)),
            "Omega_f": list(np.linspace(1.0, 10.0, points_per_axis))}
    engine = StandaloneEngine(cache=cache)
    simulate(base, engine=engine)  # compile once, outside both timings
    start = time.perf_counter()
    for changes in sw.expand_grid(base, grid):
        sw.summarise(simulate(base.replace(**changes), engine=engine))
    serial = time.perf_counter() - start
    client = sw.local_client(2)
    try:
        client.register_plugin(sw._brian_plugin())
        client.run(lambda: None)  # workers up before timing
        start = time.perf_counter()
        sw.sweep(base, grid, client=client, cache_dir=cache, progress=False)
        dask_s = time.perf_counter() - start
    finally:
        cluster = client.cluster
        client.close()
        cluster.close()
    n = points_per_axis ** 2
    return {"points": n, "serial_s": serial, "dask_2_workers_s": dask_s,
            "serial_points_per_s": n / serial, "dask_points_per_s": n / dask_s}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--sweep-grid", type=int, default=10, help="points per axis (0: skip)")
    args = parser.parse_args(argv)

    from stpexplorer import StandaloneEngine

    print(f"stpexplorer benchmark: default preset, 1 s at dt 0.1 ms, {os.cpu_count()} cores\n")
    rows = []
    for n in args.sizes:
        with tempfile.TemporaryDirectory(prefix="stpx-bench-") as cache:
            first = fresh_process(n, cache)
            second = fresh_process(n, cache)
            engine = StandaloneEngine(cache=cache)
            warm = warm_reruns(engine, n, args.repeats)
            peak_binary = binary_peak_mb(engine, n)
            dash = dashboard_latency(engine, args.repeats) if n <= 1000 else {}
        base = baseline(n, 1 if n > 2000 else 3)
        row = {
            "neurons": n, "baseline_numpy_s": base, "warm_rerun_median_s": statistics.median(warm),
            "warm_rerun_min_s": min(warm), "speedup": base / statistics.median(warm),
            "first_run_fresh_s": first["first_result_s"], "first_build_s": first["build_s"],
            "second_process_first_result_s": second["first_result_s"],
            # the larger of the compiling process and the one reusing its build
            "python_peak_mb": max(first["python_peak_mb"], second["python_peak_mb"]),
            "python_peak_compiling_mb": first["python_peak_mb"],
            "python_peak_reusing_mb": second["python_peak_mb"], "binary_peak_mb": peak_binary,
            "dashboard_change_to_panels_s": dash.get("total_s"), "dashboard_draw_s": dash.get("draw_s"),
        }
        rows.append(row)
        print(json.dumps(row))

    print("\n| neurons | baseline: Brian2 numpy build+run | warm re-run (median) | ratio | first run, fresh | "
          "second process | peak MB (Python / binary) | dashboard change→panels |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        dash = f"{r['dashboard_change_to_panels_s']:.3f} s" if r["dashboard_change_to_panels_s"] else "–"
        print(f"| {r['neurons']} | {r['baseline_numpy_s']:.2f} s | {r['warm_rerun_median_s']:.3f} s | "
              f"{r['speedup']:.0f}x | {r['first_run_fresh_s']:.1f} s | "
              f"{r['second_process_first_result_s']:.1f} s | {r['python_peak_mb']:.0f} / "
              f"{r['binary_peak_mb']:.0f} | {dash} |")

    if args.sweep_grid:
        with tempfile.TemporaryDirectory(prefix="stpx-sweep-") as cache:
            s = sweep_benchmark(args.sweep_grid, cache)
        print(json.dumps(s))
        print(f"\nsweep of {s['points']} points (1000 neurons, 1 s each): serial {s['serial_s']:.1f} s "
              f"({s['serial_points_per_s']:.1f} points/s), Dask LocalCluster with 2 workers "
              f"{s['dask_2_workers_s']:.1f} s ({s['dask_points_per_s']:.1f} points/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
