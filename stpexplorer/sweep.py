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

import contextlib
import csv
import hashlib
import io
import itertools
import json
import os
import sys
import uuid
import warnings
from pathlib import Path

import numpy as np

from .params import Params, coerce, field_info, plain_value
from .sweep_measures import (  # noqa: F401  (the sweep's public names)
    HARMONIC_SHARE,
    MEASURES,
    dominant_frequency,
    grid_table,
    mean_over_seeds,
    summarise,
)

COLUMNS = ("seed", *MEASURES, "status", "diverged", "error")

#: A row's ``status``: "ok" (measures present), "diverged" (the integration ran
#: away), "invalid" (the point's parameters or seed are refused) — a re-run gives
#: the same, so these rows are stored and reused — or "retry": the point failed
#: for a reason a re-run may not repeat (a killed binary, the time limit, a full
#: disk, a work limit of this machine, a lost worker); not stored, run again on resume.
STORED_STATUSES = ("ok", "diverged", "invalid")
RETRY = "retry"


_WORKER_ENGINE = None


def run_point(params_dict: dict, seed: int, cache_dir: str | None, engine=None) -> dict:
    """One task: simulate and summarise; errors become part of the row (see
    :data:`STORED_STATUSES` for its ``status``).

    Without ``engine``, a worker keeps one engine for all its tasks.
    """
    from .engine import BudgetError, check_request

    row = {"seed": seed, "status": "ok", "diverged": False, "error": ""}
    try:
        params = Params.from_dict(params_dict)
        check_request(params, seed)  # every refusal of the point itself, before any work
    except BudgetError as exc:  # a limit of this machine's settings, not of the point
        return {**row, "status": RETRY, "error": str(exc)}
    except ValueError as exc:
        return {**row, "status": "invalid", "error": str(exc)}
    return {**row, **_simulate_point(params, seed, cache_dir, engine)}


def _simulate_point(params: Params, seed: int, cache_dir: str | None, engine) -> dict:
    """The measures of a checked point, or its status and error."""
    global _WORKER_ENGINE
    from .engine import DivergenceError, StandaloneEngine, default_engine, simulate

    try:
        if engine is None:
            if _WORKER_ENGINE is None:
                _WORKER_ENGINE = StandaloneEngine(cache=cache_dir) if cache_dir else default_engine()
            engine = _WORKER_ENGINE
        return summarise(simulate(params, seed=seed, engine=engine))
    except DivergenceError as exc:
        return {"status": "diverged", "diverged": True, "error": str(exc)}
    except (ValueError, RuntimeError, OSError) as exc:  # killed, time limit, disk full, ...: may not repeat
        return {"status": RETRY, "error": str(exc)}
    except Exception as exc:  # noqa: BLE001  one bad point must not sink the sweep
        return {"status": RETRY, "error": f"unexpected {type(exc).__name__}: {exc}"}


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

            _ignore_ctrl_c_in_worker_process()

    return ImportBrian()


def _ignore_ctrl_c_in_worker_process() -> None:
    """Ctrl-C reaches every process of a terminal's foreground group: a local
    worker process (a child of the sweep) leaves it to the sweep, which stores
    what arrived and closes its cluster, instead of printing a traceback."""
    import multiprocessing
    import signal
    import threading

    if multiprocessing.parent_process() is not None and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def local_client(n_workers: int = 2):
    """A LocalCluster client with one single-threaded worker process per core."""
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    return Client(cluster)


def sweep(base: Params, grid: dict, seeds=(0,), client=None, cache_dir=None,
          results_dir=None, progress: bool = True) -> list[dict]:
    """Run every grid point and seed; one row per point and seed (grid fields,
    seed, MEASURES, status, diverged, error).

    Each row is stored in ``results_dir`` (default: ``sweep-rows`` in the build
    cache; ``False``: nowhere) as it arrives, under a hash of the parameters,
    seed and model code, so an interrupted or repeated sweep resumes.  Rows of
    status ``retry`` (and a task that failed on its worker) are not stored: a
    rerun computes them again.  A stored row that cannot be read is computed
    again, with a warning naming its file.  ``cache_dir`` is the build cache the
    workers share.  ``progress`` prints the count of finished rows to stderr.
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
    order = [(_row_key(c, base, s), c, s) for c, s in itertools.product(points, seeds)]
    rows = {key: row for key, _, seed in order if (row := load_row(store, key, seed)) is not None}
    jobs = [(key, changes, seed) for key, changes, seed in order if key not in rows]
    if jobs:
        rows.update(_run_jobs(base, jobs, client, cache_dir, store, progress))
    return [rows[key] for key, _, _ in order]


def _run_jobs(base: Params, jobs: list, client, cache_dir: str | None, store: Path | None,
              progress: bool) -> dict:
    """Run ``jobs`` ((key, changes, seed)) on ``client`` (a local one when None);
    each row is stored the moment it arrives.  Rows by key."""
    from dask.distributed import as_completed

    own_client = client is None
    if own_client:
        client = local_client()
    rows, futures = {}, {}
    try:
        client.register_plugin(_brian_plugin())
        for key, changes, seed in jobs:
            future = client.submit(run_point, {**base.to_dict(), **changes}, seed, cache_dir,
                                   key=f"stpx-{key}", pure=False)
            futures[future] = (key, changes, seed)
        for done, future in enumerate(as_completed(futures), start=1):
            key, changes, seed = futures[future]
            rows[key] = row = _row_of(future, changes, seed)
            if store and row["status"] in STORED_STATUSES:
                store_row(store, key, row)
            if progress:
                _show_progress(done, len(futures), sum(r["status"] == RETRY for r in rows.values()))
    finally:
        if progress and futures and sys.stderr.isatty():
            print(file=sys.stderr, flush=True)
        if own_client:
            cluster = client.cluster
            client.close()
            cluster.close()
        elif unfinished := [f for f in futures if not f.done()]:  # interrupted: stop them in a shared cluster
            client.cancel(unfinished)
    return rows


def _row_of(future, changes: dict, seed: int) -> dict:
    """The row of a finished task (grid fields first)."""
    try:
        outcome = future.result()
    except Exception as exc:  # noqa: BLE001  e.g. a worker killed under the task
        outcome = {"seed": seed, "status": RETRY, "diverged": False, "error": f"task failed: {exc}"}
    return {**{k: plain_value(v) for k, v in changes.items()}, **outcome}


def _show_progress(done: int, total: int, retry: int) -> None:
    """One line on stderr, rewritten in place on a terminal, else at every tenth."""
    line = f"sweep: {done}/{total} points ({100 * done // total} %)" + (f", {retry} to retry" if retry else "")
    if sys.stderr.isatty():
        print(f"\r{line}", end="", file=sys.stderr, flush=True)
    elif done == total or (10 * done) // total != (10 * (done - 1)) // total:
        print(line, file=sys.stderr, flush=True)


def row_path(store: Path, key: str) -> Path:
    return store / f"{key}.json"


def load_row(store: Path | None, key: str, seed: int) -> dict | None:
    """The stored row ``key``, or None when there is none or it cannot be used
    (unreadable, truncated, of another format: a warning names the file)."""
    if not store:
        return None
    path = row_path(store, key)
    try:
        row = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:  # ValueError: not JSON or not UTF-8
        return _unusable(path, str(exc))
    if not isinstance(row, dict) or row.get("seed") != seed or row.get("status") not in STORED_STATUSES:
        return _unusable(path, "not a finished row of this sweep")
    if row["status"] == "ok" and not all(isinstance(row.get(m), (int, float)) for m in MEASURES):
        return _unusable(path, "measures missing")
    return row


def _unusable(path: Path, reason: str) -> None:
    warnings.warn(f"sweep row {path} cannot be used ({reason}); computing it again", stacklevel=2)
    return None


def store_row(store: Path, key: str, row: dict) -> None:
    """Store ``row`` (complete or not at all, see :func:`write_atomically`); a
    row that cannot be written (e.g. a full disk) is computed again on resume."""
    path = row_path(store, key)
    try:
        write_atomically(path, json.dumps(row))
    except OSError as exc:
        warnings.warn(f"sweep row {path} could not be stored ({exc.strerror or exc}); a resumed sweep "
                      f"computes it again", stacklevel=2)


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path`` and rename it into
    place: ``path`` is complete or absent (or still the old one), even when the
    process is killed while writing.  Raises ``OSError``, leaving no temporary file."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(temporary, "x", encoding="utf-8", newline="") as handle:
            handle.write(text)
            _flush_to_disk(handle)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise


def _flush_to_disk(handle) -> None:
    """Where a full disk shows: the data leave the process and reach the device."""
    handle.flush()
    os.fsync(handle.fileno())


def write_csv(rows: list[dict], path) -> None:
    """The rows as a CSV table (grid fields, then :data:`COLUMNS`), replacing
    ``path`` in one step (an interrupted write leaves the old table)."""
    names = [k for k in rows[0] if k not in COLUMNS] + list(COLUMNS)
    table = io.StringIO(newline="")
    writer = csv.DictWriter(table, fieldnames=names)
    writer.writeheader()
    writer.writerows(rows)
    write_atomically(Path(path), table.getvalue())


#: Moved to :mod:`stpexplorer.plotting.sweep`; still found here for one release.
_PLOTS = ("draw_heatmap", "heatmaps", "tick_labels")


def __getattr__(name: str):
    if name in _PLOTS:  # imported on first use: workers of a sweep need no matplotlib
        from .plotting import sweep as plots

        return getattr(plots, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
