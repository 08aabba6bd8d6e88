"""Time stpexplorer.fit.fit_stp on three trains of 20 spikes (5 % multiplicative noise).

Trains: 20 spikes at 20 Hz; 20 spikes at 50 Hz; 16 spikes at 40 Hz followed by
recovery probes 100 ms, 300 ms, 1 s and 3 s after the spike before each.
Synapse: U_0 0.15, Omega_f 5/s, Omega_d 3/s, A 50 (facilitates, then depresses).
Reports the first fit in this process (includes importing scipy) and the
median, minimum and maximum over ``--repeats`` fits of fresh noise draws
(intervals and warnings included).  Run: ``python scripts/bench_fit.py``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from stpexplorer import fit

TRUE = dict(U_0=0.15, Omega_f=5.0, Omega_d=3.0)
A = 50.0


def trains() -> list[np.ndarray]:
    probes = 375.0 + np.cumsum([100.0, 300.0, 1000.0, 3000.0])
    return [np.arange(20) * 50.0, np.arange(20) * 20.0, np.concatenate([np.arange(16) * 25.0, probes])]


def draw(rng: np.random.Generator):
    return [(t, A * r * (1 + 0.05 * rng.standard_normal(len(t))))
            for t, r in zip(trains(), fit.release(trains(), **TRUE))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    fit.fit_stp(draw(rng))
    first = time.perf_counter() - start
    times = []
    for _ in range(args.repeats):
        data = draw(rng)
        start = time.perf_counter()
        fit.fit_stp(data)
        times.append(time.perf_counter() - start)
    print(f"fit_stp, 3 trains x 20 spikes: first fit {first:.3f} s (includes importing scipy); "
          f"then median {np.median(times):.3f} s (min {min(times):.3f}, max {max(times):.3f}) "
          f"over {args.repeats} fits")


if __name__ == "__main__":
    main()
