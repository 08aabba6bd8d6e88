"""Warm re-run time with per-pathway STP values against the shared setting, in one run.

    python scripts/bench_pathways.py                 # 1 000 neurons
    python scripts/bench_pathways.py --sizes 1000 10000 --repeats 15

For each size (the ``default`` preset scaled to N neurons: 80 % excitatory,
10 % connectivity, conductance synapses with STP, 1 s at dt 0.1 ms) it builds
the network once (or reuses the cached build) and then alternates re-runs of
three settings, each a parameter change against the previous run:

* shared: one U_0, Omega_f, Omega_d for every synapse (a new U_0 each run);
* per-pathway: the Maass et al. (2002) values on the four pathways (a new
  U_0_ee each run);
* per-pathway equal: all four pathways set to the shared values.

Runs alternate so that machine load hits all three alike; medians are printed
with the spike counts (a different setting is a different network activity,
and the run time grows with the number of synaptic events).  A per-pathway
change never compiles: the script fails if the engine compiled after the
first run.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

import numpy as np

MAASS = {"ee": (0.5, 20.0, 0.909), "ei": (0.05, 0.833, 8.0), "ie": (0.25, 50.0, 1.43),
         "ii": (0.32, 16.7, 6.94)}


def settings(base, k: int):
    from stpexplorer.params import PATHWAYS, pathway_fields

    jiggle = 1e-3 * (k % 7)  # a real parameter change every run
    shared = base.replace(U_0=base.U_0 + jiggle)
    per = {}
    for pw, values in MAASS.items():
        per.update(dict(zip(pathway_fields(pw), values)))
    per["U_0_ee"] += jiggle
    equal = {}
    for pw in PATHWAYS:
        equal.update(dict(zip(pathway_fields(pw), (base.U_0 + jiggle, base.Omega_f, base.Omega_d))))
    return {"shared": shared, "per-pathway": base.replace(**per), "per-pathway equal": base.replace(**equal)}


def main() -> None:
    from stpexplorer import StandaloneEngine, presets

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--cache", help="build cache (default: a new temporary directory)")
    args = parser.parse_args()
    cache = args.cache or tempfile.mkdtemp(prefix="stpx-bench-")
    print("| neurons | setting | warm re-run, median (min–max) | spikes |")
    print("|---|---|---|---|")
    for n in args.sizes:
        base = presets.DEFAULT.replace(N_e=int(0.8 * n), N_i=n - int(0.8 * n))
        engine = StandaloneEngine(cache=cache)
        engine.run(base)  # build (or load) once
        compiles = engine.compiles
        times: dict[str, list[float]] = {}
        spikes: dict[str, int] = {}
        for k in range(args.repeats):
            for name, params in settings(base, k).items():
                start = time.perf_counter()  # writing run arguments, the binary, reading results
                result = engine.run(params)
                times.setdefault(name, []).append(time.perf_counter() - start)
                spikes[name] = len(result.spike_i)
        assert engine.compiles == compiles, "a per-pathway change compiled the network"
        for name, values in times.items():
            print(f"| {n:,} | {name} | {statistics.median(values):.3f} s ({min(values):.3f}–"
                  f"{max(values):.3f}) | {spikes[name]:,} |".replace(",", " "))


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
