"""``stpexplorer validate``: each comparison with NEST passes on the model and
turns red when the model is broken on purpose; without NEST its rows say
"not installed" and do not fail."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest

from stpexplorer import cli, model, presets, stp
from stpexplorer import validation as validation_pkg
from stpexplorer.lab import neuron as gallery
from stpexplorer.validation import network_checks, neuron_checks, rows, stats, stp_checks
from stpexplorer.validation.euler import simulate_euler
from stpexplorer.validation.nest_backend import load_nest


@pytest.fixture(scope="module")
def nest():
    module = load_nest()
    if module is None:
        pytest.skip("NEST is not installed (pip install 'stpexplorer[validate]')")
    return module


def _context(tmp_path, nest_module, quick=True):
    return rows.Context(out=tmp_path, quick=quick, nest=nest_module)


def release_before_facilitation(spike_times_ms, U_0, Omega_f, Omega_d, u0=0.0, x0=1.0):
    """The recursion with the release taken from u before this spike's jump (a known wrong order)."""
    u, x, last, out = u0, x0, None, []
    for t in np.asarray(spike_times_ms, dtype=float):
        if last is not None:
            u *= np.exp(-Omega_f * (t - last) * 1e-3)
            x = 1.0 - (1.0 - x) * np.exp(-Omega_d * (t - last) * 1e-3)
        r = u * x
        u += U_0 * (1.0 - u)
        out.append((u, x, r))
        x -= r
        last = t
    u_, x_, r_ = (np.array(column) for column in zip(*out))
    return stp.SpikeStates(u_, x_, r_)


#: The network's presynaptic STP update with the release before the facilitation jump.
BROKEN_PRESYNAPTIC_ON_SPIKE = "".join(f"""
u_S_to_{target} = u_S_to_{target}*exp(-Omega_f_to_{target}*(t - t_S))
x_S_to_{target} = 1 - (1 - x_S_to_{target})*exp(-Omega_d_to_{target}*(t - t_S))
r_S_to_{target} = u_S_to_{target}*x_S_to_{target}
u_S_to_{target} += U_0_to_{target}*(1 - u_S_to_{target})
x_S_to_{target} -= r_S_to_{target}
""" for target in "ei") + "t_S = t\n"


def test_tsodyks2_comparison_passes_and_fails_when_release_precedes_facilitation(tmp_path, nest, monkeypatch):
    (row,) = stp_checks.check_stp_nest(_context(tmp_path, nest))
    assert row.status == rows.PASS and row.worst < 1e-13, row
    assert (tmp_path / row.figure).stat().st_size > 0
    monkeypatch.setattr(stp, "recursion", release_before_facilitation)
    (row,) = stp_checks.check_stp_nest(_context(tmp_path, nest))
    assert row.status == rows.FAIL and row.worst > 0.01, row


def test_izhikevich_comparison_passes_and_fails_with_another_spike_cut_off(tmp_path, nest, monkeypatch):
    types = ["regular spiking (RS)", "chattering (CH)"]
    (row,) = neuron_checks.check_neurons_nest(_context(tmp_path, nest), names=types)
    assert row.status == rows.PASS and row.worst < 1e-12, row
    monkeypatch.setattr(gallery, "V_PEAK_MV", 35.0)  # the gallery's spike cut-off moved, NEST's stays at 30 mV
    (row,) = neuron_checks.check_neurons_nest(_context(tmp_path, nest), names=types)
    assert row.status == rows.FAIL, row


def _small_networks(quick):
    paper = presets.IZHIKEVICH_2003.replace(N_e=40, N_i=10, duration=200.0)
    return {"izhikevich2003": paper,
            "current + STP": paper.replace(stp=True, J_e=1.0, J_i=2.0, U_0=0.5, Omega_f=1000.0, Omega_d=1.25,
                                           **network_checks.TSODYKS_PATHWAYS)}


def test_network_identity_passes_and_fails_when_the_network_releases_before_facilitation(tmp_path, nest,
                                                                                          monkeypatch):
    monkeypatch.setattr(network_checks, "networks", _small_networks)
    found = network_checks.check_network_identity(_context(tmp_path, nest))
    assert [(r.check, r.status) for r in found] == [("network-euler", "pass"), ("network-nest", "pass")] * 2
    assert found[1].data["first_difference_from_stpexplorer_ms"] is not None  # the delivery step shows
    monkeypatch.setattr(model.equations, "PRESYNAPTIC_STP_ON_SPIKE", BROKEN_PRESYNAPTIC_ON_SPIKE)
    found = network_checks.check_network_identity(_context(tmp_path, nest))
    assert [r.status for r in found] == ["pass", "pass", "fail", "pass"], [r.details for r in found]


def test_the_two_delivery_conventions_differ_only_after_the_first_pulse():
    params = presets.IZHIKEVICH_2003.replace(N_e=40, N_i=10, duration=200.0)
    real = model.draw_realisation(params, 0)
    same, later = simulate_euler(params, real, "same_step"), simulate_euler(params, real, "next_step")
    differing, first = network_checks.mismatch((same.i, same.t_ms), (later.i, later.t_ms))
    assert differing > 0 and first > same.t_ms.min()  # the first spikes, before any pulse acted, agree
    no_pulses = params.replace(J_e=0.0, J_i=0.0)
    same, later = simulate_euler(no_pulses, real, "same_step"), simulate_euler(no_pulses, real, "next_step")
    assert network_checks.mismatch((same.i, same.t_ms), (later.i, later.t_ms)) == (0, None)


def test_statistics_tolerance_is_the_student_t_bound_or_the_floor():
    ours = [{"rate_e": v} for v in (10.0, 11.0, 12.0)]
    theirs = [{"rate_e": v} for v in (9.0, 10.5, 10.5)]  # paired differences 1.0, 0.5, 1.5: mean 1, SE 1/sqrt(12)
    (entry,) = stats.compare(ours, theirs, ["rate_e"]).values()
    assert entry["difference"] == pytest.approx(1.0 / 11.0)
    assert entry["tolerance"] == pytest.approx(9.925 * (0.5 / np.sqrt(3)) / 11.0, rel=1e-3)  # t(0.995; 2)
    flat = [{"rate_e": 10.0}] * 3
    (entry,) = stats.compare(flat, flat, ["rate_e"]).values()
    assert entry["tolerance"] == stats.FLOORS["rate_e"] and entry["ratio"] == 0.0


def test_without_nest_the_rows_say_not_installed_and_do_not_fail(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "nest", None)  # import nest now raises ImportError
    assert load_nest() is None
    info = validation_pkg.run_validation(tmp_path, quick=True, progress=None,
                                         checks=["stp-nest", "neurons-nest", "network-statistics"])
    assert info["passed"] and info["nest"] == "not installed"
    assert {row["status"] for row in info["rows"]} == {rows.NOT_INSTALLED}
    assert json.loads((tmp_path / "summary.json").read_text())["passed"] is True
    assert "not installed" in (tmp_path / "report.md").read_text()
    monkeypatch.setattr(validation_pkg, "CHECKS", {"stp-nest": validation_pkg.CHECKS["stp-nest"]})
    assert cli.main(["validate", "--quick", "--out", str(tmp_path / "cli")]) == 0


def test_cli_exits_1_when_a_check_fails_and_2_for_a_bad_out(tmp_path, nest, monkeypatch, capsys):
    monkeypatch.setattr(validation_pkg, "CHECKS", {"stp-nest": validation_pkg.CHECKS["stp-nest"]})
    monkeypatch.setattr(stp, "recursion", release_before_facilitation)
    assert cli.main(["validate", "--quick", "--out", str(tmp_path / "report")]) == 1
    assert "validation failed" in capsys.readouterr().err
    summary = json.loads((tmp_path / "report" / "summary.json").read_text())
    assert summary["passed"] is False and summary["rows"][0]["status"] == "fail"
    (tmp_path / "file").write_text("")
    assert cli.main(["validate", "--out", str(tmp_path / "file")]) == 2


def test_a_check_that_raises_is_an_error_row_and_fails(tmp_path, monkeypatch):
    def broken(ctx):
        raise RuntimeError("boom")

    monkeypatch.setattr(stp_checks, "check_stp_pathways", broken)
    info = validation_pkg.run_validation(tmp_path, quick=True, progress=None, checks=["stp-pathways"])
    assert not info["passed"] and info["rows"][0]["status"] == rows.ERROR
    assert "RuntimeError: boom" in info["rows"][0]["details"]


def test_nest_states_are_read_between_spikes_one_step_apart(nest):
    from stpexplorer.validation.nest_backend import tsodyks2_per_spike

    times = np.array([10.0, 10.1, 10.3, 11.0, 11.1, 50.0])
    theirs = tsodyks2_per_spike(nest, times, 0.3, 100.0, 200.0)
    ours = stp.recursion(times, 0.3, 10.0, 5.0)
    for name in ("u", "x", "r"):
        np.testing.assert_allclose(theirs[name], getattr(ours, name), rtol=0, atol=1e-14)
