"""Fitting Tsodyks–Markram parameters to response amplitudes (stpexplorer.fit)."""

import dataclasses
import json
import math
import subprocess
import sys
import time

import numpy as np
import pytest

from stpexplorer import Params, fit, presets, stp
from stpexplorer import params as params_mod
from stpexplorer.fit import solver

# True values: Maass, Natschläger & Markram 2002 E→E (depressing) and E→I
# (facilitating), with Ω = 1/τ; a mixed synapse that facilitates, then depresses.
SYNAPSES = {
    "depressing": dict(U_0=0.5, Omega_f=1 / 0.05, Omega_d=1 / 1.1, A=120.0),
    "facilitating": dict(U_0=0.05, Omega_f=1 / 1.2, Omega_d=1 / 0.125, A=400.0),
    "mixed": dict(U_0=0.15, Omega_f=5.0, Omega_d=3.0, A=50.0),
}
NOISE = 0.05  # multiplicative


def protocols():
    """20 Hz train with recovery probes 125 ms, 500 ms, 1500 ms after the spike before; 50 Hz train."""
    train = np.arange(8) * 50.0
    return [np.concatenate([train, train[-1] + np.cumsum([125.0, 500.0, 1500.0])]),
            np.arange(10) * 20.0]


def noisy(times_list, rng, U_0, Omega_f, Omega_d, A):
    out = []
    for times in times_list:
        r = stp.recursion(times, U_0, Omega_f, Omega_d).r  # the project's scalar recursion
        out.append((times, A * r * (1 + NOISE * rng.standard_normal(len(r)))))
    return out


# ----------------------------------------------------------------------
# the model
def test_release_by_hand():
    # Ω_f = Ω_d = 0: u never decays, x never recovers; U_0 = 1/2 gives exact fractions
    r = fit.release(np.array([0.0, 10.0, 30.0]), 0.5, 0.0, 0.0)
    # u: 1/2, 3/4, 7/8; x before release: 1, 1/2, 1/2·(1 − 3/4) = 1/8
    assert r == pytest.approx([0.5, 0.375, 0.109375], abs=1e-15)
    # with decay: U_0 = 0.5, Ω_f = 10/s, Ω_d = 5/s, spikes 100 ms apart
    r = fit.release(np.array([0.0, 100.0, 200.0]), 0.5, 10.0, 5.0)
    ef, ed = math.exp(-1.0), math.exp(-0.5)  # e^{−Ω_f·0.1 s}, e^{−Ω_d·0.1 s}
    u1, x1 = 0.5, 1.0                        # first spike: u = U_0 from rest, x = 1
    u2 = 0.5 + 0.5 * (u1 * ef)               # u decays, then u += U_0 (1 − u)
    x2 = 1 - (1 - x1 * (1 - u1)) * ed        # x − r after the first spike, then recovery
    u3 = 0.5 + 0.5 * (u2 * ef)
    x3 = 1 - (1 - x2 * (1 - u2)) * ed
    assert r == pytest.approx([u1 * x1, u2 * x2, u3 * x3], rel=1e-13)
    assert r[1] != pytest.approx((0.5 + 0.5 * 0.5 * ed) * (1 - 0.5 * ef))  # Ω_f and Ω_d not swapped


def test_release_matches_the_scalar_recursion_and_is_vectorised():
    rng = np.random.default_rng(3)
    trains = [np.cumsum(rng.uniform(5, 800, size=n)) for n in (1, 7, 25)]
    for U_0, Omega_f, Omega_d in [(0.6, 3.33, 2.0), (0.05, 1.0, 50.0), (0.001, 0.0, 1000.0), (1.0, 1000.0, 0.0)]:
        got = fit.release(trains, U_0, Omega_f, Omega_d)
        for times, r in zip(trains, got):
            assert r == pytest.approx(stp.recursion(times, U_0, Omega_f, Omega_d).r, rel=1e-12, abs=1e-15)
    many = fit.release(trains, np.array([0.2, 0.6]), np.array([3.0, 30.0]), 2.0)
    assert many[2].shape == (2, 25)
    assert many[2][1] == pytest.approx(stp.recursion(trains[2], 0.6, 30.0, 2.0).r, rel=1e-12)


def test_jacobian_is_the_derivative_of_the_residuals():
    trains = protocols()
    data = noisy(trains, np.random.default_rng(0), **SYNAPSES["mixed"])
    problem = solver.Problem(trains, [a for _, a in data])
    theta = np.array([np.log(0.2), np.log(4.0), np.log(2.5), np.log(45.0)])
    jac = problem.jacobian(theta)
    for j in range(4):
        step = np.zeros(4)
        step[j] = 1e-6
        numeric = (problem.residuals(theta + step) - problem.residuals(theta - step)) / 2e-6
        assert jac[:, j] == pytest.approx(numeric, rel=1e-5, abs=1e-8)


# ----------------------------------------------------------------------
# recovery of known values
@pytest.mark.parametrize("kind", list(SYNAPSES))
def test_intervals_cover_and_estimates_are_unbiased(kind):
    true = SYNAPSES[kind]
    rng = np.random.default_rng(100 + list(SYNAPSES).index(kind))
    draws = 50
    covered = {name: 0 for name in true}
    errors = {name: [] for name in true}
    for _ in range(draws):
        result = fit.fit_stp(noisy(protocols(), rng, **true))
        for name, value in true.items():
            lo, hi = result.ci[name]
            covered[name] += lo <= value <= hi
            errors[name].append(getattr(result, name) / value - 1)
    print(f"\n{kind}: coverage of the 95 % intervals over {draws} draws "
          + ", ".join(f"{name} {covered[name] / draws:.0%}" for name in true)
          + "; median relative error " + ", ".join(f"{name} {np.median(errors[name]):+.1%}" for name in true))
    for name in true:
        assert covered[name] / draws >= 0.85, (kind, name, covered)
        assert abs(np.median(errors[name])) < 0.10, (kind, name, np.median(errors[name]))


def test_shipped_examples_are_recovered_without_warnings():
    expected = {"depressing": SYNAPSES["depressing"], "facilitating": SYNAPSES["facilitating"]}
    for kind, true in expected.items():
        result = fit.fit_stp(fit.load_csv(fit.example_path(kind)))
        assert result.warnings == ()
        for name in fit.FITTED:
            lo, hi = result.ci[name]
            assert lo <= true[name] <= hi, (kind, name, result.ci)
            assert lo <= getattr(result, name) <= hi


def _relative_residuals(values, trains) -> np.ndarray:
    """observed/(A·r) − 1 over every measured response, r from stp.recursion."""
    U_0, Omega_f, Omega_d, A = values
    out = []
    for times, amplitudes in trains:
        measured = np.isfinite(amplitudes)
        r = stp.recursion(times, U_0, Omega_f, Omega_d).r
        out.append(amplitudes[measured] / (A * r[measured]) - 1)
    return np.concatenate(out)


def _least_cost(trains, start, fixed=None, value=None) -> float:
    """Smallest sum of squared relative residuals within the Params ranges,
    with coordinate ``fixed`` (0..3: U_0, Omega_f, Omega_d, A) held at ``value``."""
    from scipy.optimize import least_squares

    lo = np.array([*(_range(name)[0] for name in fit.FITTED), 1e-12])
    hi = np.array([*(_range(name)[1] for name in fit.FITTED), np.inf])
    full = np.array(start, float)
    if fixed is not None:
        full[fixed] = value
    free = [k for k in range(4) if k != fixed]

    def residuals(z):
        values = full.copy()
        values[free] = z
        return _relative_residuals(values, trains)

    x0 = np.clip(full[free], lo[free] * (1 + 1e-9) + 1e-12, hi[free] * (1 - 1e-9))
    solution = least_squares(residuals, x0, bounds=(lo[free], hi[free]), x_scale="jac",
                             xtol=1e-12, ftol=1e-12, gtol=1e-12)
    return 2 * solution.cost


def test_interval_ends_are_where_the_profile_reaches_the_95_percent_f_threshold():
    """At each end of a 95 % profile-likelihood interval, the sum of squares
    with that parameter fixed and the others re-fitted (here by a separate
    least-squares fit) exceeds the minimum by S_min·F₀.₉₅(1, n − 4)/(n − 4).
    A 90 % interval would stop at F₀.₉₀ (about 2/3 of it)."""
    from scipy.stats import f as f_distribution

    trains = [(t.spike_times_ms, t.amplitudes) for t in fit.load_csv(fit.example_path("depressing"))]
    result = fit.fit_stp(trains)
    dof = result.n_responses - 4
    best = [result.U_0, result.Omega_f, result.Omega_d, result.A]
    s_min = _least_cost(trains, best)
    assert s_min == pytest.approx(result.noise_cv ** 2 * dof, rel=1e-6)  # the same minimum
    threshold = f_distribution.ppf(0.95, 1, dof)
    for j, name in enumerate((*fit.FITTED, "A")):
        lo_end, hi_end = result.ci[name]
        if name != "A":  # an end at the range's bound is not where the profile crosses the threshold
            assert _range(name)[0] < lo_end < hi_end < _range(name)[1], (name, result.ci[name])
        for end in (lo_end, hi_end):
            rise = (_least_cost(trains, best, j, end) / s_min - 1) * dof
            assert rise == pytest.approx(threshold, rel=0.05), (name, end, rise, threshold)


def test_one_regular_train_warns_which_parameter_why_and_what_protocol_fixes_it():
    true = SYNAPSES["facilitating"]
    times = [np.arange(20) * 50.0]  # one 20 Hz train, nothing else
    result = fit.fit_stp(noisy(times, np.random.default_rng(7), **true))
    text = " ".join(result.warnings)
    assert result.warnings and result.notes
    assert any(name in text for name in ("Omega_f", "Omega_d"))
    assert "not determined" in text or "not bounded" in text
    assert "one interval (50 ms)" in text              # why
    assert "recovery probes" in text and "second rate" in text  # what fixes it
    assert set(result.notes) <= set(fit.FITTED)


def test_boundaries_no_decay_of_facilitation_and_no_facilitation():
    trains = protocols()
    # Ω_f = 0: facilitation never decays (the lower end of the range)
    result = fit.fit_stp(noisy(trains, np.random.default_rng(1), U_0=0.1, Omega_f=0.0, Omega_d=5.0, A=10.0))
    assert result.ci["Omega_f"][0] == 0.0 and result.Omega_f < 0.3
    assert 0.08 < result.U_0 < 0.12
    # pure depression: facilitation gone before the next spike (Ω_f at the top of the range)
    hi = params_mod.field_info("Omega_f").metadata["hi"]
    result = fit.fit_stp(noisy(trains, np.random.default_rng(2), U_0=0.5, Omega_f=hi, Omega_d=1.0, A=10.0))
    assert result.ci["Omega_f"][1] == hi
    assert "no lasting facilitation" in result.notes["Omega_f"]
    assert 0.45 < result.U_0 < 0.55 and 0.85 < result.Omega_d < 1.15


def test_missing_responses_and_seed():
    trains = protocols()
    data = noisy(trains, np.random.default_rng(4), **SYNAPSES["depressing"])
    data[0][1][3] = np.nan  # a missed response: the spike still acts on the synapse
    result = fit.fit_stp(data)
    assert np.isnan(result.residuals[0][3]) and np.isfinite(result.fitted[0][3])
    assert result.n_responses == sum(len(t) for t in trains) - 1
    assert result.fitted[0] == pytest.approx(result.predict(trains[0]))
    again = fit.fit_stp(data, seed=0)
    assert again.values() == result.values() and again.ci == result.ci
    assert fit.fit_stp(data, seed=1).U_0 == pytest.approx(result.U_0, rel=1e-4)


def test_a_fit_of_three_trains_of_20_spikes_takes_under_a_second():
    trains = [np.arange(20) * 50.0, np.arange(20) * 20.0,
              np.concatenate([np.arange(16) * 25.0, 375 + np.cumsum([100.0, 300.0, 1000.0, 3000.0])])]
    data = noisy(trains, np.random.default_rng(5), **SYNAPSES["mixed"])
    fit.fit_stp(data)  # imports scipy
    best = min(_timed(fit.fit_stp, data) for _ in range(3))
    assert best < 1.0, best


def _timed(func, *args):
    start = time.perf_counter()
    func(*args)
    return time.perf_counter() - start


# ----------------------------------------------------------------------
# results into parameters
def test_to_params_shared_and_per_pathway():
    result = fit.fit_stp(fit.load_csv(fit.example_path("depressing")))
    shared = result.to_params(presets.FORUM)
    assert (shared.U_0, shared.Omega_f, shared.Omega_d) == (result.U_0, result.Omega_f, result.Omega_d)
    assert shared.N_e == presets.FORUM.N_e
    if not hasattr(Params(), "U_0_ee"):
        with pytest.raises(ValueError, match="per-pathway values are not available"):
            result.to_params(presets.FORUM, pathway="ee")
    with pytest.raises(ValueError, match="pathway='xy' is invalid"):
        result.to_params(pathway="xy")

    # a Params with per-pathway fields (as the pathway issue adds them) gets only that pathway's values
    extra = [(f"{name}_{pw}", float, params_mod._param(
        getattr(Params(), name), *_range(name), "", "per-pathway value", group=params_mod.GROUP_STP))
        for pw in fit.PATHWAYS for name in fit.FITTED if not hasattr(Params(), f"{name}_{pw}")]
    WithPathways = dataclasses.make_dataclass("WithPathways", extra, bases=(Params,), frozen=True)
    base = WithPathways()
    ei = result.to_params(base, pathway="ei")
    assert (ei.U_0_ei, ei.Omega_f_ei, ei.Omega_d_ei) == (result.U_0, result.Omega_f, result.Omega_d)
    assert (ei.U_0, ei.U_0_ee) == (base.U_0, base.U_0_ee)


def _range(name):
    meta = params_mod.field_info(name).metadata
    return meta["lo"], meta["hi"]


def test_table_rows_and_report():
    result = fit.fit_stp(fit.load_csv(fit.example_bytes("facilitating"), name="upload.csv"))
    rows = result.table_rows()
    assert [r["name"] for r in rows] == ["U_0", "Omega_f", "Omega_d", "A"]
    assert [r["unit"] for r in rows[:3]] == ["1", "1/s", "1/s"]
    assert all(r["lo"] <= r["value"] <= r["hi"] for r in rows)
    json.dumps(result.to_dict())
    assert "95 % interval" in result.format_table()


# ----------------------------------------------------------------------
# the file format
GOOD = "spike_time_ms,amplitude,train\n" + "".join(f"{50 * k},{1 - 0.1 * k},a\n" for k in range(5)) + \
       "".join(f"{20 * k},{1 - 0.05 * k},b\n" for k in range(5))


def test_loader_reads_trains_comments_and_missing_responses():
    text = "# comment\n\n" + GOOD.replace("0.9,a", ",a").replace("0.95,b", "nan,b")
    trains = fit.load_csv(text.encode())
    assert [t.name for t in trains] == ["a", "b"]
    assert trains[0].spike_times_ms.tolist() == [0, 50, 100, 150, 200]
    assert np.isnan(trains[0].amplitudes[1]) and np.isnan(trains[1].amplitudes[1])
    assert trains[0].first_line == 4
    one = fit.load_csv(b"spike_time_ms,amplitude\n" + b"".join(b"%d,1\n" % (20 * k) for k in range(6)))
    assert len(one) == 1 and len(one[0].spike_times_ms) == 6


BAD = [
    ("missing column", "spike_time_ms,amp\n0,1\n", "line 1, column amplitude: missing column 'amplitude'"),
    ("text in a number", GOOD.replace("100,0.8,a", "100,0.8x,a"), "line 4, column amplitude: '0.8x' is not a number"),
    ("text in a time", GOOD.replace("100,0.8,a", "1OO,0.8,a"), "line 4, column spike_time_ms: '1OO' is not a number"),
    ("times not increasing", GOOD.replace("100,0.8,a", "40,0.8,a"),
     "line 4, column spike_time_ms: spike times not increasing within train 'a': 40 ms after 50 ms (line 3)"),
    ("negative amplitude", GOOD.replace("60,0.85,b", "60,-0.85,b"),
     "line 10, column amplitude: negative amplitude -0.85"),
    ("all-zero amplitudes", "spike_time_ms,amplitude,train\n" + "".join(f"{20 * k},0,z\n" for k in range(6)),
     "line 2, column amplitude: all amplitudes of train 'z' are zero (lines 2–7)"),
    ("too few spikes", GOOD + "0,1,c\n", "line 12, column spike_time_ms: too few spikes in train 'c': 1"),
    ("too few responses", "spike_time_ms,amplitude\n0,1\n20,0.8\n40,\n",
     "line 2, column amplitude: too few responses: 2 measured amplitudes"),
    ("short row", GOOD.replace("150,0.7,a", "150,0.7"), "line 5, column train: missing value"),
]


@pytest.mark.parametrize("case, text, message", BAD, ids=[c[0] for c in BAD])
def test_bad_files_give_one_clear_message(case, text, message):
    with pytest.raises(fit.FitDataError) as info:
        fit.load_csv(text.encode(), name="data.csv")
    assert str(info.value).startswith("data.csv: line ")
    assert message in str(info.value) and "\n" not in str(info.value)


def _rows(count: int) -> str:
    """``count`` data rows of one train, 20 ms apart, all measured."""
    return "".join(f"{20 * k},1\n" for k in range(count))


# (case, file, line, column, message): line and column are where the reader is
# pointed (None: the message names no column)
LOCATED = [
    ("no header line", "# only a comment\n\n", 1, None, "no header line"),
    ("no data rows", "# recorded 2024\nspike_time_ms,amplitude\n\n", 2, None, "no data rows after the header"),
    ("nan spike time", "spike_time_ms,amplitude\n0,1\nnan,0.8\n", 3, "spike_time_ms", "nan is not a spike time"),
    ("infinite amplitude", GOOD.replace("50,0.9,a", "50,inf,a"), 3, "amplitude", "'inf' is not a finite number"),
    ("overflowing time", GOOD.replace("40,0.9,b", "1e999,0.9,b"), 9, "spike_time_ms",
     "'1e999' is not a finite number"),
    ("train without measurements", GOOD.replace("0.95,b", "nan,b").replace("0.9,b", ",b").replace("0.85,b", ",b")
     .replace("0.8,b", "nan,b").replace("1.0,b", ",b"), 7, "amplitude",
     "train 'b' has no measured amplitude (lines 7–11)"),
    ("too many spikes", "spike_time_ms,amplitude\n" + _rows(fit.MAX_SPIKES + 5), fit.MAX_SPIKES + 2, "spike_time_ms",
     f"too many spikes ({fit.MAX_SPIKES + 5}); at most {fit.MAX_SPIKES}"),
    ("field beyond the csv module's limit", GOOD.replace("100,0.8,a", "100,0.8," + "a" * 200_000), 4, None,
     "not readable as CSV (field larger than field limit"),
]


@pytest.mark.parametrize("case, text, line, column, message", LOCATED, ids=[c[0] for c in LOCATED])
def test_bad_files_name_the_line_and_column(case, text, line, column, message):
    with pytest.raises(fit.FitDataError) as info:
        fit.load_csv(text.encode(), name="data.csv")
    where = f"line {line}, column {column}" if column else f"line {line}"
    assert str(info.value).startswith(f"data.csv: {where}: {message}"), str(info.value)
    assert (info.value.line, info.value.column) == (line, column)
    assert "\n" not in str(info.value)


def test_oversized_and_non_utf8_files(tmp_path):
    big = tmp_path / "big.csv"
    big.write_bytes(GOOD.encode() * 9000)
    with pytest.raises(fit.FitDataError, match=r"big.csv: file is larger than 1 MB \(\d+ bytes\); at most 1000000"):
        fit.load_csv(big)
    with pytest.raises(fit.FitDataError, match="larger than 1 MB"):
        fit.load_csv(GOOD.encode() * 9000)
    latin = GOOD.replace("100,0.8,a", "100,0.8,\xe4").encode("latin-1")
    with pytest.raises(fit.FitDataError, match=r"line 4: not UTF-8 text \(byte 0xe4\)"):
        fit.load_csv(latin)


def test_fit_stp_rejects_bad_trains_with_the_train_and_spike():
    good = np.arange(6) * 20.0
    cases = [
        ([(good, -np.ones(6))], "train 1: spike 1: negative amplitude"),
        ([(good, np.ones(5))], "equal length"),
        ([(good[::-1], np.ones(6))], "train 1: spike 2: spike times not increasing"),
        ([(good, np.zeros(6))], "all amplitudes are zero"),
        ([(good[:1], np.ones(1))], "too few spikes"),
        ([], "non-empty list"),
    ]
    for trains, message in cases:
        with pytest.raises(ValueError, match=message):
            fit.fit_stp(trains)



# (case, spike times, amplitudes, words both ways in must name): one rule each
SAME_RULES = [
    ("negative amplitude", [0, 20, 40, 60, 80, 100], [1, 1, -2, 1, 1, 1], "negative amplitude -2"),
    ("times not increasing", [0, 20, 40, 30, 80, 100], [1] * 6, "spike times not increasing"),
    ("all zero", [0, 20, 40, 60, 80, 100], [0] * 6, "are zero"),
    ("too few responses", [0, 20, 40, 60, 80], [1, 1, 1, 1, "nan"], "too few responses"),
]


@pytest.mark.parametrize("case, times, amplitudes, words", SAME_RULES, ids=[c[0] for c in SAME_RULES])
def test_files_and_trains_are_held_to_the_same_rules(case, times, amplitudes, words):
    """A file and the same trains given directly are refused for the same
    reason; the file names the line, the trains the spike."""
    text = "spike_time_ms,amplitude\n" + "".join(f"{t},{a}\n" for t, a in zip(times, amplitudes))
    with pytest.raises(fit.FitDataError) as from_file:
        fit.load_csv(text.encode(), name="data.csv")
    with pytest.raises(ValueError) as given:
        fit.fit_stp([(np.array(times, float), np.array(amplitudes, float))])
    assert words in str(from_file.value) and words in str(given.value), (str(from_file.value), str(given.value))
    bad = [k for k, (t, a) in enumerate(zip(times, amplitudes)) if a == -2 or (k and t < times[k - 1])]
    if bad:  # one spike: line = header + spike number
        assert from_file.value.line == bad[0] + 2 and f"spike {bad[0] + 1}:" in str(given.value)


def test_importing_the_fit_imports_neither_matplotlib_nor_scipy():
    said = subprocess.run([sys.executable, "-c", (
        "import sys\n"
        "from stpexplorer import fit\n"
        "print(*[m for m in ('matplotlib', 'scipy', 'brian2') if m in sys.modules])\n"
        "from stpexplorer.plotting.fit import plot_fit\n"
        "print(fit.plot_fit is plot_fit)\n")], capture_output=True, text=True, timeout=120)
    assert said.stdout.splitlines() == ["", "True"], said.stdout + said.stderr


# ----------------------------------------------------------------------
# command line
def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "stpexplorer.cli", *args], capture_output=True, text=True,
                          timeout=300)


def test_cli_writes_figure_and_params_json_that_run_accepts(tmp_path):
    out = tmp_path / "fit"
    done = run_cli("fit", str(fit.example_path("depressing")), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "U_0" in done.stdout and "95 % interval" in done.stdout and "1/s" in done.stdout
    assert (out / "fit.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # `stpexplorer run --params fit.json` applies the JSON over the preset
    loaded = Params.from_json((out / "fit.json").read_text(), presets.get("forum"))
    expected = fit.fit_stp(fit.load_csv(fit.example_path("depressing")))
    assert (loaded.U_0, loaded.Omega_f, loaded.Omega_d) == (expected.U_0, expected.Omega_f, expected.Omega_d)
    assert dataclasses.replace(loaded, U_0=presets.FORUM.U_0, Omega_f=presets.FORUM.Omega_f,
                               Omega_d=presets.FORUM.Omega_d) == presets.FORUM
    report = json.loads((out / "fit_report.json").read_text())
    assert report["ci"]["U_0"][0] <= report["values"]["U_0"] <= report["ci"]["U_0"][1]


def test_cli_errors_are_one_line_with_exit_status_2(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(GOOD.replace("100,0.8,a", "100,abc,a"))
    for args, message in [((str(bad),), "line 4, column amplitude: 'abc' is not a number"),
                          ((str(tmp_path / "none.csv"),), "cannot read the file")]:
        done = run_cli("fit", *args, "--out", str(tmp_path / "o"))
        assert done.returncode == 2
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("stpexplorer: error:") and message in lines[0], done.stderr
    assert not (tmp_path / "o" / "fit.png").exists()
