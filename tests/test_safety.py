"""Hostile input, runaway runs, limits, concurrency, fallbacks (the library side)."""

import json
import math
import os
import subprocess
import sys
import threading

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stpexplorer import DivergenceError, StandaloneEngine, presets, simulate
from stpexplorer import params as P
from strategies import in_range

BASE = presets.FORUM
RUNTIME_FIELDS = [f for f in P.fields() if not f.metadata["structural"]]

hostile_numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, -1.0, 1e308, -1e308, 1e-308, 5e-324]),
    st.integers(-10**12, 10**12),
    st.sampled_from([10**400, -10**400]),  # beyond any float
)
hostile_values = st.one_of(hostile_numbers, st.text(max_size=5), st.none(), st.booleans(),
                           st.lists(st.integers(), max_size=2))


def _assert_valid_outcome(changes, engine):
    """Either a finite Result, a ValueError naming a field, or a divergence error."""
    try:
        params = BASE.replace(**changes)
    except ValueError as exc:
        assert any(f"{name}=" in str(exc) for name in changes), str(exc)
        return "rejected"
    try:
        result = simulate(params, engine=engine)
    except DivergenceError as exc:
        assert "diverged at t = " in str(exc)
        return "diverged"
    except ValueError as exc:  # a recorded neuron or synapse this network does not have
        assert any(f"{name}=" in str(exc) for name in NETWORK_DEPENDENT & set(changes)), str(exc)
        return "rejected"
    for name in ("v_mV", "ge_nS", "gi_nS", "u_at_spikes", "x_at_spikes", "r_at_spikes", "spike_t_ms"):
        assert np.all(np.isfinite(getattr(result, name))), name
    return "ran"


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_run_time_setting_gives_a_finite_result_or_a_clear_error(engine, data):
    """Hostile and extreme values of the fields that change between runs of one
    build (a fixed structure keeps this to a few hundred fast runs)."""
    chosen = data.draw(st.lists(st.sampled_from(RUNTIME_FIELDS), min_size=1, max_size=4, unique_by=lambda f: f.name))
    changes, all_in_range = {}, True
    for field in chosen:
        source, value = data.draw(st.one_of(in_range(field).map(lambda v: ("in range", v)),
                                            hostile_values.map(lambda v: ("hostile", v))))
        changes[field.name] = value
        all_in_range &= source == "in range"
    outcome = _assert_valid_outcome(changes, engine)
    if all_in_range:
        assert outcome in _expected_in_range_outcomes(changes), (changes, outcome)


#: Fields whose valid values depend on the network (its size, the seed's connectivity)
#: beyond their ranges: a recorded neuron or synapse the network does not have is refused
NETWORK_DEPENDENT = {f.name for f in P.fields() if f.metadata["group"] == P.GROUP_RECORD}


def _expected_in_range_outcomes(changes) -> set:
    """In-range values run (or diverge, for unstable combinations) unless they
    break the one documented rule across fields, dt <= min(tau_e, tau_i)/2, or
    choose a recorded neuron or synapse this network does not have (refused
    with a message naming the field, checked by :func:`_assert_valid_outcome`)."""
    tau = min(changes.get("tau_e", BASE.tau_e), changes.get("tau_i", BASE.tau_i))
    if tau < 2 * BASE.dt:
        return {"rejected"}
    return {"ran", "diverged", "rejected"} if NETWORK_DEPENDENT & set(changes) else {"ran", "diverged"}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_in_range_run_time_values_are_accepted_and_run(engine, data):
    """Only values from the fields' allowed ranges: none may be rejected."""
    chosen = data.draw(st.lists(st.sampled_from(RUNTIME_FIELDS), min_size=1, max_size=4, unique_by=lambda f: f.name))
    changes = {field.name: data.draw(in_range(field)) for field in chosen}
    outcome = _assert_valid_outcome(changes, engine)
    assert outcome in _expected_in_range_outcomes(changes), (changes, outcome)


@pytest.mark.parametrize("changes", [
    {"N_e": 0}, {"N_i": 0}, {"N_e": -5}, {"N_e": 10**9}, {"p_e": -0.1}, {"p_i": 1.5},
    {"dt": 6.0}, {"dt": 0.0}, {"duration": math.nan}, {"dt": 4.0, "tau_e": 5.0},
    {"rec_neuron": 50}, {"rec_pre": -1}, {"synapse_model": "HH"}, {"N_e": "40"},
])
def test_hostile_structural_values_are_value_errors(changes):
    with pytest.raises(ValueError) as info:
        BASE.replace(**changes)
    assert any(str(info.value).startswith(f"{name}=") for name in changes)


@pytest.mark.parametrize("changes", [{"p_e": 1.0, "p_i": 1.0}, {"p_e": 0.0, "rec_pre": 45}])
def test_connection_probability_extremes_run(engine, changes):
    result = simulate(BASE.replace(**changes), engine=engine)
    assert np.all(np.isfinite(result.v_mV))
    if changes.get("p_e") == 1.0:
        assert result.n_synapses == 50 * 49  # all pairs but autapses


UNSTABLE = [
    {"w_i": 100.0, "C_m": 0.01},
    {"w_e": 100.0, "w_i": 0.0, "C_m": 0.05},
    {"dt": 1.0, "C_m": 0.5, "w_i": 5.0},
    {"c_e": -30.0, "d_e": -20.0, "I_e": 100.0, "C_m": 0.02, "w_e": 50.0},
]


@pytest.mark.parametrize("changes", UNSTABLE)
def test_unstable_corpus_ends_in_the_divergence_error_on_the_cli(changes, tmp_path, build_cache):
    args = [arg for name, value in changes.items() for arg in ("--set", f"{name}={value}")]
    done = subprocess.run([sys.executable, "-m", "stpexplorer.cli", "run", "--preset", "forum", *args,
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 2
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("stpexplorer: error: simulation diverged at t = "), done.stderr
    assert not (tmp_path / "panels.png").exists()


#: Counts Brian2 builds (code generation and compilation) by leaving a file per call.
COUNT_BUILDS = ("import os, sys, threading\n"
                "from brian2.devices.cpp_standalone.device import CPPStandaloneDevice\n"
                "_build = CPPStandaloneDevice.build\n"
                "def _counted(self, *args, **kwargs):\n"
                "    name = f'build-{os.getpid()}-{threading.get_ident()}-{os.urandom(4).hex()}'\n"
                "    open(os.path.join(COUNT_DIR, name), 'w').close()\n"
                "    return _build(self, *args, **kwargs)\n"
                "CPPStandaloneDevice.build = _counted\n")


def test_cold_processes_share_one_build_safely(tmp_path):
    """Three processes start at once on an empty cache: exactly one compiles, all agree."""
    cache, counts = tmp_path / "cache", tmp_path / "counts"
    counts.mkdir()
    code = (f"COUNT_DIR = {str(counts)!r}\n" + COUNT_BUILDS +
            "import json; from stpexplorer import simulate, presets, StandaloneEngine\n"
            "r = simulate(presets.FORUM.replace(duration=300.0), engine=StandaloneEngine(cache=sys.argv[1]))\n"
            "print(json.dumps([len(r.spike_i), float(r.spike_t_ms.sum()), float(r.v_mV.sum())]))")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(cache)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outputs = [p.communicate(timeout=600) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err[-500:] for _, err in outputs]
    assert len(list(counts.iterdir())) == 1, "one compile for three cold processes"
    results = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    assert results[0] == results[1] == results[2]
    (build,) = [d for d in cache.iterdir() if d.is_dir()]
    binary = (build / "main").stat()
    assert not list(build.glob("results-*")), "ended processes leave their results behind"
    finished = subprocess.Popen(["true"])
    finished.wait()
    ended = finished.pid
    (build / f"results-{ended}-1").mkdir()  # as left by a killed kernel
    engine = StandaloneEngine(cache=cache)
    alone = simulate(presets.FORUM.replace(duration=300.0), engine=engine)
    assert results[0] == [len(alone.spike_i), float(alone.spike_t_ms.sum()), float(alone.v_mV.sum())]
    assert [d.name for d in build.glob("results-*")] == [f"results-{os.getpid()}-{threading.get_ident()}"]
    again = (build / "main").stat()  # the later process reused the binary: not relinked
    assert (again.st_ino, again.st_mtime_ns) == (binary.st_ino, binary.st_mtime_ns)


def test_two_threads_share_one_engine(tmp_path, monkeypatch):
    """The network tab's runner and the sweep tab's thread use one engine: two
    threads alternating between two cold structures compile each once and get
    the results of a single-threaded run."""
    from brian2.devices.cpp_standalone.device import CPPStandaloneDevice

    builds = []
    real_build = CPPStandaloneDevice.build
    monkeypatch.setattr(CPPStandaloneDevice, "build",
                        lambda self, *a, **k: builds.append(k.get("directory")) or real_build(self, *a, **k))
    base = presets.FORUM
    # two structures (durations), each run with its own seed (a seed needs no build of its own)
    jobs = [(base.replace(U_0=u, duration=duration), seed) for u in (0.2, 0.7)
            for duration, seed in ((200.0, 0), (300.0, 1))]
    engine = StandaloneEngine(cache=tmp_path)
    barrier = threading.Barrier(2)
    results, errors = {}, []

    def work(name, order):
        try:
            barrier.wait()
            for k, (params, seed) in enumerate(order):
                results[(name, k)] = ((params, seed), simulate(params, seed=seed, engine=engine))
        except Exception as exc:  # noqa: BLE001  reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(name, order))
               for name, order in (("a", jobs * 2), ("b", jobs[::-1] * 2))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)
    assert not errors, errors
    assert len(builds) == len(set(builds)) == 2, builds  # two structures, one compile each
    alone = StandaloneEngine(cache=tmp_path)
    expected = {job: simulate(job[0], seed=job[1], engine=alone) for job in jobs}
    assert len(results) == 16
    for (params, seed), result in results.values():
        reference = expected[(params, seed)]
        assert result.params == params and result.seed == seed
        for name in ("spike_i", "spike_t_ms", "v_mV", "u_at_spikes"):
            np.testing.assert_array_equal(getattr(result, name), getattr(reference, name), err_msg=name)


def test_damaged_build_is_rebuilt(tmp_path):
    engine = StandaloneEngine(cache=tmp_path)
    params = presets.FORUM.replace(duration=200.0)
    first = simulate(params, engine=engine)
    binary = engine._dir / "main"
    binary.unlink()  # replaced, not written in place: a running (resident) binary cannot be written
    binary.write_bytes(b"not a program")
    again = simulate(params, engine=engine)
    np.testing.assert_array_equal(first.spike_t_ms, again.spike_t_ms)
    # a run that fails on an intact build is reported; the shared build stays
    # (other processes may be running it)
    written = (engine._dir / "main").stat()
    engine.run_command = ["false"]
    with pytest.raises(RuntimeError):
        simulate(params, engine=engine)
    kept = (engine._dir / "main").stat()
    assert (kept.st_ino, kept.st_mtime_ns) == (written.st_ino, written.st_mtime_ns)  # not rebuilt
    engine.run_command = ["./main"]
    np.testing.assert_array_equal(simulate(params, engine=engine).spike_t_ms, first.spike_t_ms)


def test_wall_clock_limit_stops_and_reports(engine, runtime, monkeypatch):
    from stpexplorer.errors import TimeLimitError

    simulate(presets.DEFAULT, engine=engine)  # compile outside the limit
    monkeypatch.setenv("STPEXPLORER_MAX_SECONDS", "0.01")
    for eng in (engine, runtime):
        with pytest.raises(TimeLimitError, match="wall-clock limit of 0.01 s.*STPEXPLORER_MAX_SECONDS"):
            simulate(presets.DEFAULT, engine=eng)


def test_without_a_compiler_the_numpy_target_is_used_with_a_note(tmp_path):
    code = ("from stpexplorer.engine import default_engine, engine_note, simulate;"
            "from stpexplorer import presets;"
            "e = default_engine(); print(e.name); print(engine_note());"
            "r = simulate(presets.FORUM.replace(duration=100.0)); print(r.engine)")
    env = dict(os.environ, CXX="/nonexistent/g++", PATH="/nonexistent", STPEXPLORER_CACHE=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    name, note, used = done.stdout.strip().splitlines()
    assert name == used == "runtime-numpy"
    assert "no working C++ compiler" in note


def test_a_run_writes_only_to_the_cache_the_output_and_temporary_directories(tmp_path):
    """A CLI run in an empty home and working directory: files appear only in
    the build cache, the chosen --out directory and the temporary directory
    (plus matplotlib's own font cache)."""
    home, work, tmp, out = (tmp_path / name for name in ("home", "work", "tmp", "out"))
    for folder in (home, work, tmp):
        folder.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("STPEXPLORER_CACHE", "XDG_CACHE_HOME", "MPLCONFIGDIR")}
    env.update(HOME=str(home), TMPDIR=str(tmp))
    done = subprocess.run([sys.executable, "-m", "stpexplorer.cli", "run", "--preset", "forum",
                           "--set", "duration=100", "--out", str(out)],
                          cwd=work, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert not any(work.iterdir())
    assert sorted(p.name for p in out.iterdir()) == ["panels.png", "params.json", "result.npz"]
    written = {p.relative_to(home).parts[:2] for p in home.rglob("*") if p.is_file()}
    assert written <= {(".cache", "stpexplorer"), (".cache", "matplotlib"), (".config", "matplotlib")}
    assert (".cache", "stpexplorer") in written
