"""Parameter sweeps on a real Dask LocalCluster with two worker processes."""

import csv
import json
import subprocess
import sys

import numpy as np
import pytest

from stpexplorer import presets, simulate
from stpexplorer import sweep as sw

BASE = presets.FORUM.replace(duration=300.0)


@pytest.fixture(scope="module")
def client(build_cache, engine):
    simulate(BASE, seed=0, engine=engine)  # workers reuse this build from the shared cache
    c = sw.local_client(2)
    yield c
    cluster = c.cluster
    c.close()
    cluster.close()


def test_sweep_rows_match_direct_runs_and_failures_stay_in_their_row(client, build_cache, engine, tmp_path):
    grid = {"U_0": [0.2, 0.6, 1.5], "C_m": [1.0, 0.01]}
    base = BASE.replace(w_i=3.0)  # stable at C_m = 1 pF, diverges at C_m = 0.01 pF
    rows = sw.sweep(base, grid, seeds=[0], client=client, cache_dir=build_cache,
                    results_dir=tmp_path / "rows", progress=False)
    assert len(rows) == 6 and [(r["U_0"], r["C_m"]) for r in rows] == [
        (u, c) for u in grid["U_0"] for c in grid["C_m"]]
    by_point = {(r["U_0"], r["C_m"]): r for r in rows}
    invalid = by_point[(1.5, 1.0)]
    assert "U_0=1.5" in invalid["error"] and invalid["status"] == "invalid"  # an invalid point: its own row
    diverged = by_point[(0.2, 0.01)]
    assert diverged["diverged"] and "diverged at t" in diverged["error"] and diverged["status"] == "diverged"
    ok = by_point[(0.6, 1.0)]
    assert ok["error"] == "" and not ok["diverged"] and ok["status"] == "ok"
    # a re-run gives the same for all of them: every row is stored, as returned
    stored = [json.loads(path.read_text()) for path in (tmp_path / "rows").glob("*.json")]
    assert sorted(stored, key=str) == sorted(rows, key=str)
    direct = sw.summarise(simulate(base.replace(U_0=0.6), seed=0, engine=engine))
    for measure in sw.MEASURES:
        assert ok[measure] == pytest.approx(direct[measure], rel=1e-12)
    assert 0 < ok["mean_release"] <= 1 and ok["dominant_hz"] >= 2


def test_interrupted_sweep_resumes_from_stored_rows(client, build_cache, tmp_path, monkeypatch):
    grid = {"U_0": [0.3, 0.5]}
    first = sw.sweep(BASE, grid, seeds=[0], client=client, cache_dir=build_cache,
                     results_dir=tmp_path, progress=False)
    (tmp_path / next(p.name for p in tmp_path.iterdir())).unlink()  # lose one finished row
    submitted = []
    real_submit = client.submit
    monkeypatch.setattr(client, "submit", lambda *a, **k: submitted.append(a) or real_submit(*a, **k))
    again = sw.sweep(BASE, grid, seeds=[0], client=client, cache_dir=build_cache,
                     results_dir=tmp_path, progress=False)
    assert again == first and len(submitted) == 1  # only the lost row ran again


def test_parse_grid():
    assert sw.parse_grid("U_0=0.1:0.9:3") == ("U_0", [0.1, 0.5, 0.9])
    assert sw.parse_grid("stp=true,false") == ("stp", [True, False])
    assert sw.parse_grid("N_e=10:30:3") == ("N_e", [10, 20, 30])
    for bad, match in (("U_0", "FIELD="), ("U0=1:2:3", "unknown parameter"), ("U_0=0.1:0.9", "START:STOP:COUNT"),
                       ("U_0=0.1:0.9:0", "count=0")):
        with pytest.raises(ValueError, match=match):
            sw.parse_grid(bad)


def test_cli_sweep_writes_table_and_heatmaps(build_cache, tmp_path):
    done = subprocess.run([sys.executable, "-m", "stpexplorer.cli", "sweep", "--preset", "forum",
                           "--set", "duration=300", "--grid", "U_0=0.2,0.6", "--grid", "Omega_f=2,20",
                           "--workers", "2", "--out", str(tmp_path)], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    with open(tmp_path / "sweep.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 4 and all(r["error"] == "" and r["status"] == "ok" for r in rows)
    assert np.all(np.array([float(r["rate_e_hz"]) for r in rows]) > 0)
    for measure in sw.MEASURES:
        assert (tmp_path / f"heatmap_{measure}.png").read_bytes()[:4] == b"\x89PNG"


def test_default_sweep_stores_rows_in_the_build_cache_and_resumes(client, build_cache, tmp_path):
    cache = tmp_path / "cache"
    first = sw.sweep(BASE, {"U_0": [0.35]}, seeds=[0], client=client, cache_dir=cache, progress=False)
    (stored,) = (cache / "sweep-rows").iterdir()
    assert json.loads(stored.read_text()) == first[0]
    assert sw.sweep(BASE, {"U_0": [0.35]}, seeds=[0], client=client, cache_dir=cache,
                    progress=False) == first


class _FailingEngine:
    """A worker's engine failing in a way no validation foresees (e.g. out of memory)."""

    def run(self, params, seed=0):
        raise MemoryError("no memory left on the worker")


def test_an_unexpected_failure_in_a_task_stays_in_its_row():
    row = sw.run_point(BASE.to_dict(), 0, None, engine=_FailingEngine())
    assert row["error"] == "unexpected MemoryError: no memory left on the worker"
    assert row["seed"] == 0 and not row["diverged"] and row["status"] == "retry"  # may not repeat


# -- measures on spike trains with known answers --------------------------------
def _synthetic(spike_i, spike_t, **changes):
    from synthetic import synthetic_result

    return synthetic_result(spike_i, spike_t, **changes)


def test_dominant_frequency_of_a_10_hz_train_is_10_hz():
    # every neuron fires every 100 ms (phase 3 ms): the population rate repeats at 10 Hz
    times = np.arange(3.0, 1000.0, 100.0)
    result = _synthetic(np.repeat(np.arange(50), len(times)), np.tile(times, 50))
    assert sw.summarise(result)["dominant_hz"] == 10.0
    # 25 Hz (40 ms period) from half the neurons only
    times = np.arange(1.0, 1000.0, 40.0)
    result = _synthetic(np.repeat(np.arange(25), len(times)), np.tile(times, 25))
    assert sw.summarise(result)["dominant_hz"] == 25.0


def test_synchrony_of_synchronous_and_poisson_firing():
    """Synchrony is the CV of the population rate in 5 ms bins.  All 50 neurons
    firing together every 100 ms fill 10 of the 200 bins equally: for a rate c
    in those bins, mean = c/20 and variance = c²/20 − c²/400, so CV = √19."""
    times = np.arange(2.0, 1000.0, 100.0)
    synchronous = _synthetic(np.repeat(np.arange(50), len(times)), np.tile(times, 50))
    assert sw.summarise(synchronous)["synchrony"] == pytest.approx(np.sqrt(19), rel=1e-12)
    # the same 500 spikes at independent uniform times: ~2.5 spikes per bin, CV ≈ 1/√2.5
    rng = np.random.default_rng(0)
    poisson = _synthetic(np.repeat(np.arange(50), len(times)), np.sort(rng.uniform(0, 1000, 500)))
    assert 0.4 < sw.summarise(poisson)["synchrony"] < 0.9
    assert sw.summarise(_synthetic([], []))["synchrony"] == 0.0  # silence


def test_rates_and_mean_release_of_chosen_trains():
    # E neurons 0..3 fire 5 spikes each, I neuron 40 fires 2, in 1 s; one spike
    # per presynaptic train releases U_0 (u = U_0, x = 1): trains of one spike
    # each give a mean release of U_0 exactly
    spikes_i = [0, 1, 2, 3] * 5 + [40, 40]
    spikes_t = sorted(np.linspace(10, 900, 20)) + [5.0, 500.0]
    row = sw.summarise(_synthetic(spikes_i, spikes_t))
    assert row["rate_e_hz"] == pytest.approx(20 / 40) and row["rate_i_hz"] == pytest.approx(2 / 10)
    single = _synthetic(np.arange(10), np.linspace(5, 500, 10), U_0=0.37)
    assert sw.summarise(single)["mean_release"] == pytest.approx(0.37, rel=1e-12)
    # two spikes 100 ms apart, U_0 0.5, Ω_f = 10/s, Ω_d = 20/s: r1 = 0.5 and, by hand,
    # u2 = 0.5 e^-1 + 0.5 (1 - 0.5 e^-1), x2 = 1 - 0.5 e^-2, r2 = u2 x2
    pair = _synthetic([5, 5], [100.0, 200.0], U_0=0.5, Omega_f=10.0, Omega_d=20.0)
    u2 = 0.5 * np.exp(-1) + 0.5 * (1 - 0.5 * np.exp(-1))
    r2 = u2 * (1 - 0.5 * np.exp(-2))
    assert sw.summarise(pair)["mean_release"] == pytest.approx((0.5 + r2) / 2, rel=1e-12)
    assert sw.summarise(_synthetic([5, 5], [100.0, 200.0], stp=False))["mean_release"] == 1.0


def test_mean_release_weights_each_pathway_by_the_targets():
    """E neuron 0 has 1 E and 3 I targets; its single spike releases U_0_ee onto
    the E target and U_0_ei onto the I targets: mean (0.5 + 3·0.1) / 4 = 0.2."""
    import dataclasses

    one = _synthetic([0], [100.0], U_0_ee=0.5, U_0_ei=0.1)
    one = dataclasses.replace(one, conn_pre=np.array([0, 0, 0, 0], np.int32),
                              conn_post=np.array([1, 40, 41, 42], np.int32))
    assert sw.summarise(one)["mean_release"] == pytest.approx(0.2, rel=1e-12)


def test_seeds_are_averaged_and_failed_rows_left_out():
    grid = {"U_0": [0.2, 0.4], "Omega_f": [1.0]}
    rows = [{"U_0": 0.2, "Omega_f": 1.0, "seed": s, "synchrony": v} for s, v in enumerate([1.0, 2.0, 6.0])]
    rows += [{"U_0": 0.4, "Omega_f": 1.0, "seed": 0, "synchrony": 4.0},
             {"U_0": 0.4, "Omega_f": 1.0, "seed": 1, "synchrony": None},  # diverged
             {"U_0": 0.4, "Omega_f": 1.0, "seed": 2, "synchrony": ""}]  # from a CSV
    np.testing.assert_array_equal(sw.grid_table(rows, grid, "synchrony"), [[3.0, 4.0]])
    failed = [{"U_0": 0.2, "Omega_f": 1.0, "seed": 0, "synchrony": None}]
    assert np.isnan(sw.grid_table(failed, {"U_0": [0.2], "Omega_f": [1.0]}, "synchrony")[0, 0])
