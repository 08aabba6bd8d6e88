"""A compiled network that stays resident between runs gives, run after run,
exactly what a new process of the same binary gives (spikes, traces, u, x, r,
connectivity), whatever the runs change: parameters, per-pathway values, the
seed (connectivity, draws, noise), the recording.  The process is reused, is
replaced when it died, and ends when its input closes; code whose state the
reset does not know stays one process per run."""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
from pathlib import Path

import numpy as np
import pytest

from stpexplorer import presets
from stpexplorer.engine import resident

BASE = presets.FORUM.replace(duration=300.0)
#: (what changes, params, seed): each run follows the one before in the same resident binary
RUNS = [
    ("start", BASE, 0),
    ("U_0", BASE.replace(U_0=0.25), 0),
    ("weights", BASE.replace(w_e=0.2, w_i=2.0), 0),
    ("seed", BASE, 5),
    ("recording", BASE.replace(rec_neuron=3, rec_pre=2, rec_post=41), 5),
    ("pathway", BASE.replace(Omega_d_ei=7.0, U_0_ie=0.1), 5),
    ("back to the start", BASE, 0),
]


def assert_same_result(a, b, what: str) -> None:
    for field in dataclasses.fields(a):
        x, y = getattr(a, field.name), getattr(b, field.name)
        if isinstance(x, np.ndarray):
            np.testing.assert_array_equal(x, y, err_msg=f"{what}: {field.name}")
        elif field.name not in ("run_time_s", "engine"):
            assert x == y, f"{what}: {field.name} {x!r} != {y!r}"


def one_process_per_run(engine, params, seed, monkeypatch):
    with monkeypatch.context() as m:
        m.setenv(resident.ENVIRONMENT, "0")
        return engine.run(params, seed)


def residents(engine) -> list:
    return [binary for _, binary in engine._residents.values()]


def test_a_resident_binary_gives_what_a_new_process_gives_run_after_run(engine, monkeypatch):
    spec, _, _ = engine._prepare(BASE, 0, None)
    assert spec["resident"], "the default model's build should be able to stay resident"
    engine.close_residents()
    pids = set()
    for what, params, seed in RUNS:
        kept = engine.run(params, seed)
        pids.update(binary.process.pid for binary in residents(engine))
        fresh = one_process_per_run(engine, params, seed, monkeypatch)
        assert len(kept.spike_i) > 0, what
        assert_same_result(kept, fresh, what)
    assert len(pids) == 1, f"the resident binary was started {len(pids)} times"


def test_a_resident_binary_that_died_is_replaced(engine, monkeypatch):
    engine.close_residents()
    engine.run(BASE, 0)
    (binary,) = residents(engine)
    os.killpg(binary.process.pid, signal.SIGKILL)
    binary.process.wait()
    kept = engine.run(BASE.replace(U_0=0.4), 1)
    assert_same_result(kept, one_process_per_run(engine, BASE.replace(U_0=0.4), 1, monkeypatch), "after a kill")
    (replacement,) = residents(engine)
    assert replacement.process.pid != binary.process.pid and replacement.alive()


def test_a_resident_binary_ends_when_its_input_closes(engine):
    engine.close_residents()
    engine.run(BASE, 0)
    (binary,) = residents(engine)
    binary.process.stdin.close()
    assert binary.process.wait(30) == 0


def test_a_resident_binary_does_not_grow_run_after_run(engine):
    """Brian2 frees only its static arrays after a run (its process used to
    end there): the reset frees the others, or each run would leak them."""
    engine.close_residents()
    for k in range(20):  # the heap settles to the largest run (a step of ~130 kB once, measured)
        engine.run(BASE.replace(U_0=0.2 + 0.01 * k), k % 3)
    (binary,) = residents(engine)
    before = _data_kb(binary.process.pid)
    for k in range(20):  # leaking its arrays, this network grew by 28 kB per run (560 kB here)
        engine.run(BASE.replace(U_0=0.2 + 0.02 * k), k % 3)
    (same,) = residents(engine)
    assert same is binary
    assert _data_kb(binary.process.pid) - before < 256, "the resident binary's memory grows with each run"


def _data_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("VmData:")[1].split()[0])


def _generated_code(engine, tmp_path):
    """A copy of the default model's generated code (its main.cpp already made resident)."""
    _, directory, _ = engine._prepare(BASE, 0, None)
    copy = tmp_path / "code"
    (copy / "code_objects").mkdir(parents=True)
    for name in ("main.cpp", "objects.h"):
        shutil.copy(directory / name, copy / name)
    for source in (directory / "code_objects").glob("*.cpp"):
        shutil.copy(source, copy / "code_objects" / source.name)
    return copy


@pytest.mark.parametrize("change", ["unknown state", "random numbers", "a static variable", "another main"])
def test_code_the_reset_does_not_know_stays_one_process_per_run(engine, tmp_path, change):
    code = _generated_code(engine, tmp_path)
    if change == "unknown state":
        header = code / "objects.h"
        header.write_text(header.read_text().replace("extern Network network;",
                                                     "extern Network network;\nextern std::map<int, int> _cache;"))
    elif change == "random numbers":
        source = next((code / "code_objects").glob("*.cpp"))
        source.write_text(source.read_text() + "\ndouble _draw() { return _rand(0); }\n")
    elif change == "a static variable":
        source = next((code / "code_objects").glob("*.cpp"))
        source.write_text(source.read_text() + "\nint _counter() { static int calls = 0; return ++calls; }\n")
    else:
        main = code / "main.cpp"
        main.write_text(main.read_text().replace("\tbrian_end();", "\tbrian_end();\n\tbrian_end();"))
    before = (code / "main.cpp").read_text()
    assert not resident.make_resident(code)
    assert (code / "main.cpp").read_text() == before


def test_a_resident_binary_does_not_outlive_the_process_that_started_it(build_cache):
    import subprocess
    import sys
    import time

    script = ("import json; from stpexplorer import StandaloneEngine, presets\n"
              f"engine = StandaloneEngine(cache={build_cache!r})\n"
              "engine.run(presets.FORUM.replace(duration=300.0), 0)\n"
              "print(json.dumps([b.process.pid for _, b in engine._residents.values()]))\n"
              "import os; os._exit(0)  # no clean-up, as a killed kernel\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True)
    (pid,) = __import__("json").loads(done.stdout.strip().splitlines()[-1])
    deadline = time.monotonic() + 30
    while Path(f"/proc/{pid}").exists() and b"Z" not in _state(pid):
        assert time.monotonic() < deadline, "the resident binary outlived its process"
        time.sleep(0.1)


def _state(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[:1][0]
    except OSError:
        return b"Z"
