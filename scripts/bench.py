"""Speed and memory of stpexplorer against a plain Brian2 baseline, in one run.

    python scripts/bench.py                 # 1 000 and 10 000 neurons
    python scripts/bench.py --sizes 1000    # quicker
    python scripts/bench.py --sections lab  # only the synapse lab and the neuron gallery
    python scripts/bench.py --sections drag # redraws per second while dragging (Chromium)

For each size (the ``default`` preset: 80 % excitatory, 10 % connectivity,
conductance synapses with STP, 1 s at dt 0.1 ms) it measures

* baseline: a plain Brian2 numpy-target build + run of the same network
  (per-synapse STP as in Stimberg et al. 2019), in this process;
* first run in a fresh environment (new process, empty build cache);
* a second process reusing that build: time to its first result;
* warm re-runs after a parameter change (U_0), median over --repeats, on the
  resident binary and with a new process per run (``STPEXPLORER_RESIDENT=0``);
* peak memory of the Python process (the larger of the compiling process and
  the one reusing its build) and of the compiled simulation binary;
* for 1 000 neurons, the dashboard's change-to-redrawn-panels time in this
  kernel (simulation + drawing the three time panels), with the panels told
  that a page is attached, as the browser does (the panels then stop
  re-encoding each image as a data URL for a page still to come);
* each kind of control of the Network tab (STP slider, seed, recorded synapse
  and neuron, a size and a duration not compiled yet): control to redrawn
  panels in this kernel with the dashboard's engine (``--sections controls``);
* the synapse lab and the neuron gallery: a slider move to the redrawn figure
  in this kernel (closed forms or the single-neuron loop, then drawing), median
  over a sequence of moves of every slider, and the number of Axes after it;
* redraws per second while a slider is dragged, in headless Chromium against
  the Voila server (``scripts/drag_rate.py``), beside this kernel's serial
  rate for the same network: 1 / (re-run + drawing) (``--sections drag``).

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
#: off (one process per run) with "0": see stpexplorer.engine.resident
RESIDENT_SWITCH = "STPEXPLORER_RESIDENT"

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


#: (slider attribute, values) moved in turn in the synapse lab and in the gallery
LAB_MOVES = (("U_0", (0.2, 0.35, 0.5, 0.65, 0.8)), ("Omega_f", (1.0, 5.0, 20.0, 50.0)),
             ("Omega_d", (1.0, 2.0, 5.0, 10.0)), ("rate", (10.0, 20.0, 30.0, 40.0)),
             ("n_spikes", (8, 10, 12)), ("gap", (300.0, 500.0, 800.0)))
GALLERY_MOVES = (("a", (0.02, 0.03, 0.05, 0.1)), ("b", (0.2, 0.22, 0.25)), ("c", (-65.0, -55.0, -50.0)),
                 ("d", (8.0, 4.0, 2.0)), ("current", (10.0, 15.0, 5.0, 10.0)))


def slider_moves(tab, moves, rounds: int) -> list[float]:
    """Seconds from setting a slider of ``tab`` to its redrawn figure, for each move
    (a value the slider already has is skipped: it redraws nothing)."""
    times = []
    for _ in range(rounds):
        for name, values in moves:
            for value in values:
                if getattr(tab, name).value == value:
                    continue
                start = time.perf_counter()
                getattr(tab, name).value = value
                times.append(time.perf_counter() - start)
    return times


def lab_latency(rounds: int) -> dict:
    """Slider move to redrawn figure (kernel side) in the synapse lab and the gallery."""
    from stpexplorer.dashboard.neuron_tab import NeuronGallery
    from stpexplorer.dashboard.synapse_tab import SynapseLab

    out = {}
    for name, tab, moves in (("synapse_lab", SynapseLab(), LAB_MOVES),
                             ("gallery", NeuronGallery(), GALLERY_MOVES)):
        tab.fig.canvas._handle_custom_msg({"type": "initialized"}, [])  # as a page does
        axes_before = len(tab.fig.axes)
        if getattr(tab, "blitter", None):
            tab.blitter.full_draws = tab.blitter.blits = tab.blitter.partial_draws = 0
        times = slider_moves(tab, moves, rounds)
        blitter = getattr(tab, "blitter", None)  # what the moves drew: whole figures or data over kept axes
        draws = ({"full_draws": blitter.full_draws, "blits": blitter.blits,
                  "partial_draws": getattr(blitter, "partial_draws", 0)} if blitter else {})
        out[name] = {**draws, "moves": len(times), "median_s": statistics.median(times),
                     "first_5_median_s": statistics.median(times[:5]),
                     "last_5_median_s": statistics.median(times[-5:]), "max_s": max(times),
                     "axes_before": axes_before, "axes_after": len(tab.fig.axes)}
    return out


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


def network_section(sizes, repeats: int) -> None:
    from stpexplorer import StandaloneEngine

    rows = []
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="stpx-bench-") as cache:
            first = fresh_process(n, cache)
            second = fresh_process(n, cache)
            engine = StandaloneEngine(cache=cache)
            warm = warm_reruns(engine, n, repeats)
            os.environ[RESIDENT_SWITCH] = "0"  # the same runs, one process each
            try:
                warm_new_process = warm_reruns(engine, n, repeats)
            finally:
                del os.environ[RESIDENT_SWITCH]
            peak_binary = binary_peak_mb(engine, n)
            dash = dashboard_latency(engine, repeats) if n <= 1000 else {}
        base = baseline(n, 1 if n > 2000 else 3)
        row = {
            "neurons": n, "baseline_numpy_s": base, "warm_rerun_median_s": statistics.median(warm),
            "warm_rerun_min_s": min(warm), "speedup": base / statistics.median(warm),
            "warm_rerun_new_process_s": statistics.median(warm_new_process),
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

    print("\n| neurons | baseline: Brian2 numpy build+run | warm re-run (median) | ratio | "
          "warm re-run, new process each | first run, fresh | "
          "second process | peak MB (Python / binary) | dashboard change→panels |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        dash = f"{r['dashboard_change_to_panels_s']:.3f} s" if r["dashboard_change_to_panels_s"] else "–"
        print(f"| {r['neurons']} | {r['baseline_numpy_s']:.2f} s | {r['warm_rerun_median_s']:.3f} s | "
              f"{r['speedup']:.0f}x | {r['warm_rerun_new_process_s']:.3f} s | {r['first_run_fresh_s']:.1f} s | "
              f"{r['second_process_first_result_s']:.1f} s | {r['python_peak_mb']:.0f} / "
              f"{r['binary_peak_mb']:.0f} | {dash} |")


def sweep_section(points_per_axis: int) -> None:
    with tempfile.TemporaryDirectory(prefix="stpx-sweep-") as cache:
        s = sweep_benchmark(points_per_axis, cache)
    print(json.dumps(s))
    print(f"\nsweep of {s['points']} points (1000 neurons, 1 s each): serial {s['serial_s']:.1f} s "
          f"({s['serial_points_per_s']:.1f} points/s), Dask LocalCluster with 2 workers "
          f"{s['dask_2_workers_s']:.1f} s ({s['dask_points_per_s']:.1f} points/s)")


def lab_section(rounds: int) -> None:
    lab = lab_latency(rounds)
    print(json.dumps(lab))
    print("\n| tab | slider moves | median move→figure | first 5 | last 5 | max | Axes before → after | "
          "full draws / blits (with panels redrawn) |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in lab.items():
        draws = f"{r['full_draws']} / {r['blits']} ({r['partial_draws']})" if "blits" in r else "all full"
        print(f"| {name} | {r['moves']} | {r['median_s']:.3f} s | {r['first_5_median_s']:.3f} s | "
              f"{r['last_5_median_s']:.3f} s | {r['max_s']:.3f} s | {r['axes_before']} → {r['axes_after']} | "
              f"{draws} |")


#: (label, control, values) of :func:`control_latency`: each kind of control a user reaches for.
#: The size and duration values are new structures: their first move runs on Brian2's runtime target.
CONTROL_MOVES = (("STP slider (U_0)", "U_0", (0.3, 0.4, 0.5, 0.6, 0.5)),
                 ("seed", "seed", (1, 2, 3, 4, 0)),
                 ("recorded synapse (rec_pre)", "rec_pre", (5, 10, 15, 20, 0)),
                 ("recorded neuron", "rec_neuron", (100, 300, 850, 900, 0)),
                 ("size (N_i), not compiled yet", "N_i", (190,)),
                 ("duration, not compiled yet", "duration", (900.0,)))


def _attached_explorer(engine):
    from stpexplorer.dashboard.network_tab import Explorer

    explorer = Explorer(engine=engine)
    explorer.wait()
    for fig in explorer.figures.values():  # the message a page sends when its canvas is ready
        fig.canvas._handle_custom_msg({"type": "initialized"}, [])
    return explorer


def _move(explorer, name, value) -> float:
    """Set a control as the page would and wait for its panels: seconds from the change to drawn panels."""
    widget = explorer.seed if name == "seed" else explorer.controls[name]
    explorer.timings.clear()
    widget.value = value
    explorer.wait()
    return explorer.timings[-1]["total_s"]


def control_latency(cache: str) -> dict:
    """Control → redrawn panels in this kernel for each kind of control
    (:data:`CONTROL_MOVES`), the dashboard's own engine (:class:`InstantEngine`)
    on a build of the default network."""
    from stpexplorer import StandaloneEngine, presets
    from stpexplorer.engine import InstantEngine

    engine = InstantEngine(StandaloneEngine(cache=cache, isolate_build=True))
    engine.standalone.run(presets.DEFAULT)  # compiled first, as on a server that prepared the presets
    explorer = _attached_explorer(engine)
    rows = {}
    for label, name, values in CONTROL_MOVES:
        times = [_move(explorer, name, value) for value in values]
        rows[label] = {"moves": len(times), "median_s": statistics.median(times), "max_s": max(times),
                       "engine": explorer.result.engine}
        engine.wait_compiled()
        if name in ("N_i", "duration"):
            explorer.controls[name].value = getattr(presets.DEFAULT, name)
            explorer.wait()
    explorer.runner.stop()
    return rows


def controls_section() -> None:
    with tempfile.TemporaryDirectory(prefix="stpx-controls-") as cache:
        rows = control_latency(cache)
    print(json.dumps(rows))
    print("\n| control (default network) | moves | median control→panels | max | drawn by |")
    print("|---|---|---|---|---|")
    for label, r in rows.items():
        print(f"| {label} | {r['moves']} | {r['median_s']:.3f} s | {r['max_s']:.3f} s | {r['engine']} |")


def drag_section(seconds: float) -> None:
    import drag_rate

    with tempfile.TemporaryDirectory(prefix="stpx-drag-") as cache:
        from stpexplorer import StandaloneEngine

        serial = dashboard_latency(StandaloneEngine(cache=cache), repeats=7)
        rates = drag_rate.run(argparse.Namespace(cache=cache, seconds=seconds, tabs=list(drag_rate.DRAGS)))
    serial_rate = 1 / (serial["run_s"] + serial["draw_s"])
    print(json.dumps({"kernel_serial": serial, "chromium": rates}))
    print(f"\nkernel alone, one frame after another: re-run {serial['run_s']:.3f} s + drawing "
          f"{serial['draw_s']:.3f} s = {serial_rate:.1f} frames/s")
    print("\n| tab (dragged slider) | redraws/s with the button down | release → last image |")
    print("|---|---|---|")
    for which, r in rates.items():
        per_s = r.get("runs_drawn_per_s", r["canvas_draws_per_s"])
        print(f"| {which} | {per_s:.1f} | {r['release_to_last_draw_s']:.3f} s |")
    network = rates.get("network")
    if network:
        print(f"\nnetwork tab in Chromium / kernel alone, serial: "
              f"{network['runs_drawn_per_s'] / serial_rate:.2f}×")


SECTIONS = ("network", "sweep", "lab", "controls", "drag")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sections", nargs="+", choices=SECTIONS, default=list(SECTIONS))
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--sweep-grid", type=int, default=10, help="points per axis (0: skip)")
    parser.add_argument("--lab-rounds", type=int, default=3, help="rounds over every slider of the lab tabs")
    parser.add_argument("--drag-seconds", type=float, default=6.0, help="time each drag holds the button")
    args = parser.parse_args(argv)

    print(f"stpexplorer benchmark: default preset, 1 s at dt 0.1 ms, {os.cpu_count()} cores\n")
    if "network" in args.sections:
        network_section(args.sizes, args.repeats)
    if "sweep" in args.sections and args.sweep_grid:
        sweep_section(args.sweep_grid)
    if "lab" in args.sections:
        lab_section(args.lab_rounds)
    if "controls" in args.sections:
        controls_section()
    if "drag" in args.sections:
        drag_section(args.drag_seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
