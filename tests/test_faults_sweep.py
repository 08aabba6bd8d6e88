"""Faults injected into sweeps (failures a re-run may not repeat, a killed
sweep, damaged or unwritable row files): every sweep resumed without the fault
ends with rows equal to a clean sweep's, and a fault is never stored as a result."""

import contextlib
import csv
import errno
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

import pytest

from stpexplorer import presets, simulate
from stpexplorer import sweep as sw
from stpexplorer.engine.limits import time_limit_message
from stpexplorer.errors import NoSpaceError, TimeLimitError, TransientError

BASE = presets.FORUM.replace(duration=300.0)


@pytest.fixture(scope="module")
def client(build_cache, engine):
    """A Dask client whose worker is a thread of this process: faults injected
    here (monkeypatch, environment) reach the tasks."""
    import brian2  # noqa: F401  (its import sets a SIGINT handler: only the main thread may)
    from dask.distributed import Client

    simulate(BASE, seed=0, engine=engine)  # the build every point of these sweeps reuses
    c = Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None)
    yield c
    c.close()


def _run(client, build_cache, grid, rows_dir, seeds=(0,)):
    return sw.sweep(BASE, grid, seeds=seeds, client=client, cache_dir=build_cache, results_dir=rows_dir,
                    progress=False)


def _count_submits(client, monkeypatch) -> list:
    submitted = []
    real_submit = client.submit
    monkeypatch.setattr(client, "submit", lambda *a, **k: submitted.append(a) or real_submit(*a, **k))
    return submitted


def _stored(rows_dir) -> list[dict]:
    return [json.loads(path.read_text()) for path in sorted(rows_dir.glob("*.json"))]


# the failures the engines raise for a killed binary, the time limit and a full disk
TRANSIENT = {0.2: TimeLimitError(time_limit_message(0.2)),
             0.3: TransientError("the compiled network in /cache/build-1 was killed by signal 9 (SIGKILL)"),
             0.4: RuntimeError("the compiled network in /cache/build-1 failed (exit status -9)"),
             0.5: NoSpaceError("no space left in /cache/build-1/results"),
             0.55: OSError(errno.ENOSPC, "No space left on device")}


def test_transient_failures_are_retried_on_resume_not_stored(client, build_cache, tmp_path, monkeypatch):
    import stpexplorer.engine as engine_module

    grid = {"U_0": [*TRANSIENT, 0.6, 1.5]}  # five transient failures, one good point, one invalid one
    real_simulate = engine_module.simulate
    faults = dict(TRANSIENT)

    def faulty_simulate(params, seed=0, engine=None):
        if params.U_0 in faults:
            raise faults[params.U_0]
        return real_simulate(params, seed=seed, engine=engine)

    monkeypatch.setattr(engine_module, "simulate", faulty_simulate)
    first = _run(client, build_cache, grid, tmp_path)
    by_u = {row["U_0"]: row for row in first}
    for u, fault in TRANSIENT.items():
        assert by_u[u]["status"] == "retry" and by_u[u]["error"] == str(fault)
        assert "rate_e_hz" not in by_u[u]
    assert by_u[0.6]["status"] == "ok" and by_u[1.5]["status"] == "invalid"
    assert sorted(r["U_0"] for r in _stored(tmp_path)) == [0.6, 1.5]  # what a re-run would reproduce

    faults.clear()  # the fault is gone: the resume runs only the five failed points
    submitted = _count_submits(client, monkeypatch)
    resumed = _run(client, build_cache, grid, tmp_path)
    assert len(submitted) == len(TRANSIENT)
    clean = _run(client, build_cache, grid, False)
    assert resumed == clean and all(r["status"] == "ok" for r in resumed if r["U_0"] != 1.5)


def test_a_work_limit_of_this_machine_is_not_stored(client, build_cache, tmp_path, monkeypatch):
    """A point over STPEXPLORER_MAX_NEURON_STEPS runs once the limit is raised."""
    grid = {"U_0": [0.25]}
    monkeypatch.setenv("STPEXPLORER_MAX_NEURON_STEPS", "1000")
    (limited,) = _run(client, build_cache, grid, tmp_path)
    assert limited["status"] == "retry" and "STPEXPLORER_MAX_NEURON_STEPS" in limited["error"]
    assert _stored(tmp_path) == []
    monkeypatch.delenv("STPEXPLORER_MAX_NEURON_STEPS")
    clean = _run(client, build_cache, grid, False)
    submitted = _count_submits(client, monkeypatch)
    assert _run(client, build_cache, grid, tmp_path) == clean and len(submitted) == 1
    assert _stored(tmp_path)[0]["status"] == "ok"


def test_rows_that_arrived_before_an_interrupt_are_stored(client, build_cache, tmp_path, monkeypatch):
    """Ctrl-C (KeyboardInterrupt in the loop that collects the rows) after two
    of four rows: both are stored, the resume runs the other two."""
    grid = {"U_0": [0.2, 0.3, 0.4, 0.5]}

    def interrupt_after_two(done, total, retry):
        if done == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(sw, "_show_progress", interrupt_after_two)
    with pytest.raises(KeyboardInterrupt):
        sw.sweep(BASE, grid, client=client, cache_dir=build_cache, results_dir=tmp_path, progress=True)
    assert len(_stored(tmp_path)) == 2
    clean = _run(client, build_cache, grid, False)
    submitted = _count_submits(client, monkeypatch)
    assert _run(client, build_cache, grid, tmp_path) == clean and len(submitted) == 2


DAMAGES = {"truncated": lambda text: text[: len(text) // 2].encode(),
           "empty": lambda text: b"",
           "not UTF-8": lambda text: text.encode().replace(b'"seed"', b'"s\xe9ed"'),
           "a list": lambda text: b"[1, 2]",
           # a transient failure stored by an earlier version, without a status
           "without status": lambda text: json.dumps({**{k: v for k, v in json.loads(text).items()
                                                         if k not in (*sw.MEASURES, "status")},
                                                      "error": "failed (exit status -9)"}).encode()}


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_row_file_is_named_and_computed_again(client, build_cache, tmp_path, monkeypatch, damage):
    grid = {"U_0": [0.3, 0.45]}
    first = _run(client, build_cache, grid, tmp_path)
    victim = sorted(tmp_path.glob("*.json"))[0]
    victim.write_bytes(DAMAGES[damage](victim.read_text()))
    submitted = _count_submits(client, monkeypatch)
    with pytest.warns(UserWarning, match=re.escape(str(victim))):
        again = _run(client, build_cache, grid, tmp_path)
    assert again == first and len(submitted) == 1
    assert json.loads(victim.read_text()) in first  # stored again, complete


def test_a_row_that_cannot_be_stored_is_named_and_computed_on_resume(client, build_cache, tmp_path, monkeypatch):
    grid = {"U_0": [0.35]}

    def disk_full(handle):
        assert any(tmp_path.glob(".*.tmp"))  # the temporary file exists when the write fails
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(sw, "_flush_to_disk", disk_full)
    with pytest.warns(UserWarning, match=r"sweep row .*\.json could not be stored \(No space left on device\)"):
        (row,) = _run(client, build_cache, grid, tmp_path)
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []  # neither the row nor its temporary file
    clean = _run(client, build_cache, grid, False)
    assert [row] == clean
    submitted = _count_submits(client, monkeypatch)
    assert _run(client, build_cache, grid, tmp_path) == clean and len(submitted) == 1
    assert _stored(tmp_path) == clean


# -- the command line: a real time limit, a real SIGKILL ---------------------------
def _cli_sweep(out, grid: str, workers: int = 1, **popen):
    command = [sys.executable, "-m", "stpexplorer.cli", "sweep", "--preset", "forum", "--set", "duration=300",
               "--grid", grid, "--workers", str(workers), "--out", str(out)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def _finish(process, timeout=300) -> None:
    stdout, stderr = process.communicate(timeout=timeout)
    assert process.returncode == 0, stderr[-3000:]


def _csv_rows(out) -> list[dict]:
    with open(out / "sweep.csv") as handle:
        return list(csv.DictReader(handle))


def _equal_to_clean(csv_rows, engine) -> None:
    """Each CSV row holds the measures of a direct run of its point (floats
    are written with repr, so they read back exactly)."""
    for row in csv_rows:
        clean = sw.run_point(BASE.replace(U_0=float(row["U_0"])).to_dict(), int(row["seed"]), None, engine=engine)
        assert row["status"] == "ok" and row["error"] == ""
        for measure in sw.MEASURES:
            assert float(row[measure]) == clean[measure], (row, measure)


def test_cli_sweep_stopped_at_the_time_limit_stores_nothing_and_resumes(build_cache, engine, tmp_path):
    simulate(BASE, seed=0, engine=engine)  # no compile under the time limit: only runs are stopped
    limited = _cli_sweep(tmp_path, "U_0=0.2,0.6", env={**os.environ, "STPEXPLORER_MAX_SECONDS": "0.0001"})
    _finish(limited)
    rows = _csv_rows(tmp_path)
    assert [r["status"] for r in rows] == ["retry", "retry"]
    assert all("wall-clock limit" in r["error"] and r["rate_e_hz"] == "" for r in rows)
    assert list((tmp_path / "rows").glob("*.json")) == []
    _finish(_cli_sweep(tmp_path, "U_0=0.2,0.6"))
    rows = _csv_rows(tmp_path)
    assert [float(r["U_0"]) for r in rows] == [0.2, 0.6]
    _equal_to_clean(rows, engine)


def _stderr_reader(process) -> tuple[list[int], list[str], threading.Thread]:
    """The counts of finished points the sweep reports on stderr, as they
    come, all of stderr's lines and the thread reading them."""
    counts, lines = [], []

    def read():
        for line in process.stderr:
            lines.append(line)
            if found := re.match(r"sweep: (\d+)/\d+ points", line):
                counts.append(int(found[1]))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return counts, lines, reader


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "Ctrl-C"])
def test_cli_sweep_stopped_part_way_keeps_its_rows_and_resumes(build_cache, engine, tmp_path, stop):
    """The sweep's process group is sent ``stop`` once the sweep reports a fifth
    of its points done: those rows are on disk, complete; the resume reuses
    them and computes the rest.  Ctrl-C (SIGINT to the terminal's foreground
    group, workers included) ends the command with status 130 and no traceback."""
    simulate(BASE, seed=0, engine=engine)
    points = 20
    sweep = _cli_sweep(tmp_path, f"U_0=0.1:0.9:{points}", start_new_session=True)  # its own process group
    reported, stderr, reader = _stderr_reader(sweep)
    deadline = time.monotonic() + 300
    try:
        while not (reported and reported[-1] >= points // 5) and time.monotonic() < deadline and sweep.poll() is None:
            time.sleep(0.01)
    finally:
        os.killpg(sweep.pid, stop)  # the command and its Dask workers
        try:
            sweep.wait(timeout=60)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(sweep.pid, signal.SIGKILL)
    if stop == signal.SIGINT:
        reader.join(timeout=30)  # the last of stderr
        assert sweep.returncode == 130 and "Traceback" not in "".join(stderr), "".join(stderr)[-3000:]
    rows_dir = tmp_path / "rows"
    kept = {path.name: path.stat().st_mtime_ns for path in rows_dir.glob("*.json")}
    assert reported and reported[-1] >= points // 5 and len(kept) >= reported[-1], (reported, len(kept))
    assert len(kept) < points, "the sweep ended before it was stopped: the test needs it still running"
    for path in rows_dir.glob("*.json"):
        assert json.loads(path.read_text())["status"] == "ok"  # every stored row is complete

    _finish(_cli_sweep(tmp_path, f"U_0=0.1:0.9:{points}", workers=2))
    assert {name: (rows_dir / name).stat().st_mtime_ns for name in kept} == kept  # reused, not recomputed
    rows = _csv_rows(tmp_path)
    assert len(rows) == points and len(list(rows_dir.glob("*.json"))) == points
    _equal_to_clean(rows, engine)
