"""Parameter sweeps on Dask: every grid point and seed is one task.

>>> from stpexplorer import presets
>>> from stpexplorer.sweep import sweep
>>> rows = sweep(presets.FORUM, {"U_0": [0.2, 0.5], "Omega_f": [1.0, 10.0]}, seeds=[0, 1])

Tasks run on a ``dask.distributed`` client — a LocalCluster on this machine by
default, or any scheduler (``client=Client("tcp://host:8786")``).  Each worker
keeps one :class:`~stpexplorer.StandaloneEngine`, so a grid over run-time
parameters compiles the network once per worker and re-runs it (the build
cache on disk is shared by workers on one machine).  Each finished row is
stored under ``cache_dir`` by a hash of its parameters and seed, so an
interrupted sweep resumes where it stopped.  A failing point is reported in
its row (``error``) and does not stop the sweep.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import os
from pathlib import Path

import numpy as np

from . import stp
from .params import Params, coerce, field_info, plain_value

MEASURES = ("rate_e_hz", "rate_i_hz", "synchrony", "dominant_hz", "mean_release")
COLUMNS = ("seed", *MEASURES, "diverged", "error")


def summarise(result) -> dict:
    """Summary measures of one run.

    synchrony: coefficient of variation of the population rate in 5 ms bins
    (0 for asynchronous firing, larger for population bursts); dominant_hz: the
    lowest spectral peak of the rate (1 ms bins) between 2 and 100 Hz with at
    least :data:`HARMONIC_SHARE` of the largest one's power (a train of brief
    population bursts has harmonics as strong as its fundamental: its repetition
    rate is the answer); mean_release: mean r = u·x over all excitatory spikes
    (closed-form recursion on every neuron's train).
    """
    _, rate = result.population_rate(5.0)
    synchrony = float(rate.std() / rate.mean()) if rate.mean() > 0 else 0.0
    _, fine = result.population_rate(1.0)
    power = np.abs(np.fft.rfft(fine - fine.mean())) ** 2
    freqs = np.fft.rfftfreq(len(fine), 1e-3)
    dominant = dominant_frequency(freqs, power)
    p = result.params
    releases = []
    if p.stp:
        # an excitatory spike releases with the E→E values onto E targets and
        # the E→I values onto I targets: weight the two by the neuron's targets
        exc_pre = result.conn_pre < result.Ne
        onto_e = np.bincount(result.conn_pre[exc_pre & (result.conn_post < result.Ne)], minlength=result.Ne)
        onto_i = np.bincount(result.conn_pre[exc_pre & (result.conn_post >= result.Ne)], minlength=result.Ne)
        exc = result.spike_i < result.Ne
        for neuron in np.unique(result.spike_i[exc]):
            times = result.spike_t_ms[result.spike_i == neuron]
            r_ee = stp.recursion(times, *p.pathway_values("ee")).r
            targets = onto_e[neuron] + onto_i[neuron]
            if onto_i[neuron] == 0:  # (a neuron without targets counts with the E→E values)
                releases.append(r_ee)
                continue
            r_ei = stp.recursion(times, *p.pathway_values("ei")).r
            releases.append((onto_e[neuron] * r_ee + onto_i[neuron] * r_ei) / targets)
    mean_release = float(np.concatenate(releases).mean()) if releases else (1.0 if not p.stp else 0.0)
    return {"rate_e_hz": result.mean_rate_hz("e"), "rate_i_hz": result.mean_rate_hz("i"),
            "synchrony": synchrony, "dominant_hz": dominant, "mean_release": mean_release}


#: Share of the largest peak's power a lower spectral peak needs to be the dominant frequency.
HARMONIC_SHARE = 0.9


def dominant_frequency(freqs: np.ndarray, power: np.ndarray, lo: float = 2.0, hi: float = 100.0) -> float:
    """The lowest local maximum of ``power`` in [lo, hi] Hz with at least
    HARMONIC_SHARE of the band's largest power (0.0 for a flat, silent spectrum)."""
    band = (freqs >= lo) & (freqs <= hi)
    f, p = freqs[band], power[band]
    if len(p) == 0 or not p.any():
        return 0.0
    padded = np.concatenate([[-np.inf], p, [-np.inf]])
    peaks = (p >= padded[:-2]) & (p >= padded[2:]) & (p >= HARMONIC_SHARE * p.max())
    return float(f[np.flatnonzero(peaks)[0]])


_WORKER_ENGINE = None


def run_point(params_dict: dict, seed: int, cache_dir: str | None, engine=None) -> dict:
    """One task: simulate and summarise; errors become part of the row.

    Without ``engine``, a worker keeps one engine for all its tasks.
    """
    global _WORKER_ENGINE
    from .engine import DivergenceError, StandaloneEngine, default_engine, simulate

    row = {"seed": seed, "diverged": False, "error": ""}
    try:
        params = Params.from_dict(params_dict)
        if engine is None:
            if _WORKER_ENGINE is None:
                _WORKER_ENGINE = StandaloneEngine(cache=cache_dir) if cache_dir else default_engine()
            engine = _WORKER_ENGINE
        row.update(summarise(simulate(params, seed=seed, engine=engine)))
    except DivergenceError as exc:
        row.update(diverged=True, error=str(exc))
    except (ValueError, RuntimeError) as exc:
        row["error"] = str(exc)
    except Exception as exc:  # noqa: BLE001  one bad point must not sink the sweep
        row["error"] = f"unexpected {type(exc).__name__}: {exc}"
    return row


def expand_grid(base: Params, grid: dict) -> list[dict]:
    """Every combination of the grid values as changes to ``base`` (validated later, per row)."""
    for name in grid:
        field_info(name)
    names = list(grid)
    return [dict(zip(names, values)) for values in itertools.product(*(grid[n] for n in names))]


def parse_grid(spec: str) -> tuple[str, list]:
    """'U_0=0.1:0.9:9' (start:stop:count, inclusive) or 'stp=true,false' (a list)."""
    if "=" not in spec:
        raise ValueError(f"--grid expects FIELD=START:STOP:COUNT or FIELD=V1,V2,..., got {spec!r}")
    name, values = (part.strip() for part in spec.split("=", 1))
    field_info(name)
    if ":" in values:
        parts = values.split(":")
        if len(parts) != 3:
            raise ValueError(f"--grid {name}: expected START:STOP:COUNT, got {values!r}")
        start, stop = coerce(name, parts[0]), coerce(name, parts[1])
        count = int(coerce("N_e", parts[2]))  # an integer
        if not 1 <= count <= 1000:
            raise ValueError(f"--grid {name}: count={count} is invalid; allowed 1..1000")
        points = np.linspace(start, stop, count)
        return name, [type(start)(round(float(x), 12)) for x in points]
    return name, [coerce(name, item) for item in values.split(",")]


def _row_key(changes: dict, base: Params, seed: int) -> str:
    from .engine import code_fingerprint  # rows of another model version are not reused

    payload = json.dumps({"base": base.to_dict(), "changes": changes, "seed": seed,
                          "code": code_fingerprint()}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def _brian_plugin():
    from dask.distributed import WorkerPlugin

    class ImportBrian(WorkerPlugin):
        """Brian2 sets a SIGINT handler at import, which only a main thread may do:
        import it in the worker's main thread before tasks run in its pool."""

        name = "stpexplorer-import-brian2"

        def setup(self, worker):
            import brian2  # noqa: F401

    return ImportBrian()


def local_client(n_workers: int = 2):
    """A LocalCluster client with one single-threaded worker process per core."""
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    return Client(cluster)


def sweep(base: Params, grid: dict, seeds=(0,), client=None, cache_dir=None,
          results_dir=None, progress: bool = True) -> list[dict]:
    """Run every grid point and seed; one row per point and seed (grid fields,
    seed, MEASURES, diverged, error).

    Finished rows are stored in ``results_dir`` (default: ``sweep-rows`` in the
    build cache; ``False``: nowhere) under a hash of the parameters, seed and
    model code, so an interrupted or repeated sweep resumes.  ``cache_dir`` is
    the build cache the workers share.  A task that fails on its worker gives a
    row with the error (not stored, so a rerun retries it).
    """
    from .engine import cache_root

    points = expand_grid(base, grid)
    seeds = [int(s) for s in seeds]
    if results_dir is None:
        results_dir = Path(cache_dir or cache_root()) / "sweep-rows"
    store = Path(results_dir) if results_dir else None
    if store:
        store.mkdir(parents=True, exist_ok=True)
    cache_dir = str(cache_dir) if cache_dir else os.environ.get("STPEXPLORER_CACHE")
    jobs, rows = [], {}
    for changes, seed in itertools.product(points, seeds):
        key = _row_key(changes, base, seed)
        saved = store / f"{key}.json" if store else None
        if saved is not None and saved.exists():
            rows[key] = json.loads(saved.read_text())
        else:
            jobs.append((key, changes, seed))
    own_client = client is None and jobs
    if own_client:
        client = local_client()
    try:
        if jobs:
            client.register_plugin(_brian_plugin())
        futures = {client.submit(run_point, {**base.to_dict(), **changes}, seed, cache_dir,
                                 key=f"stpx-{key}", pure=False): (key, changes, seed)
                   for key, changes, seed in jobs}
        if progress and futures:
            from dask.distributed import progress as show_progress

            show_progress(list(futures))
        for future, (key, changes, seed) in futures.items():
            try:
                outcome, keep = future.result(), True
            except Exception as exc:  # noqa: BLE001  e.g. a worker killed under the task
                outcome = {"seed": seed, "diverged": False, "error": f"task failed: {exc}"}
                keep = False
            row = {**{k: plain_value(v) for k, v in changes.items()}, **outcome}
            rows[key] = row
            if store and keep:
                (store / f"{key}.json").write_text(json.dumps(row))
    finally:
        if own_client:
            cluster = client.cluster
            client.close()
            cluster.close()
    order = [_row_key(c, base, s) for c, s in itertools.product(points, seeds)]
    return [rows[k] for k in order]


def grid_table(rows: list[dict], grid: dict, measure: str) -> np.ndarray:
    """(len(y values), len(x values)) mean over seeds of ``measure`` on the first two grid axes."""
    (xname, xs), (yname, ys) = list(grid.items())[:2]
    return np.array([[mean_over_seeds([r.get(measure) for r in rows if r[xname] == x and r[yname] == y])
                      for x in xs] for y in ys], dtype=float)


def mean_over_seeds(values) -> float:
    """Mean over seeds of the values that exist (NaN when none: failed points)."""
    present = [v for v in values if v is not None and v != ""]
    return float(np.mean(present)) if present else float("nan")


def write_csv(rows: list[dict], path) -> None:
    names = [k for k in rows[0] if k not in COLUMNS] + list(COLUMNS)
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=names)
        writer.writeheader()
        writer.writerows(rows)


#: Moved to :mod:`stpexplorer.plotting.sweep`; still found here for one release.
_PLOTS = ("draw_heatmap", "heatmaps", "tick_labels")


def __getattr__(name: str):
    if name in _PLOTS:  # imported on first use: workers of a sweep need no matplotlib
        from .plotting import sweep as plots

        return getattr(plots, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
