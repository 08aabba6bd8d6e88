"""Synapse lab and neuron-type gallery: closed forms and measured firing features."""

import numpy as np
import pytest

from stpexplorer import lab, stp

TYPES = {name.split("(")[1].rstrip(")"): name for name in lab.NEURON_TYPES}


@pytest.mark.parametrize("preset", list(lab.SYNAPSE_PRESETS))
def test_simulated_synapse_points_lie_on_the_closed_form_curves(preset):
    p = lab.SYNAPSE_PRESETS[preset]
    sim = lab.synapse_lab(p.U_0, p.Omega_f, p.Omega_d, rate_hz=20.0, n_spikes=8, engine="brian2")
    exact = stp.recursion(sim.spike_t_ms, p.U_0, p.Omega_f, p.Omega_d)
    np.testing.assert_allclose(sim.states.r, exact.r, rtol=1e-9)
    np.testing.assert_allclose(sim.states.u, exact.u, rtol=1e-9)
    # the simulated steady states sit on the closed-form r*(f)
    _, _, r_star = stp.steady_state(p.U_0, p.Omega_f, p.Omega_d, sim.point_freqs_hz)
    np.testing.assert_allclose(sim.point_r, r_star, rtol=1e-6)
    # and the continuous curves pass through the dots (u after facilitation at a spike)
    at_spikes = np.searchsorted(sim.curve_t_ms, sim.spike_t_ms)
    np.testing.assert_allclose(sim.curve_u[at_spikes], sim.states.u, rtol=1e-9)


@pytest.mark.parametrize("rate_hz", [5.0, 10.0, 20.0])
def test_depressing_below_one_and_facilitating_above_one_at_moderate_rates(rate_hz):
    dep = lab.SYNAPSE_PRESETS["depressing"]
    fac = lab.SYNAPSE_PRESETS["facilitating"]
    d = lab.synapse_lab(dep.U_0, dep.Omega_f, dep.Omega_d, rate_hz=rate_hz, n_spikes=10)
    f = lab.synapse_lab(fac.U_0, fac.Omega_f, fac.Omega_d, rate_hz=rate_hz, n_spikes=10)
    assert np.all(d.amplitude_ratio[1:10] < 1)
    assert np.all(f.amplitude_ratio[1:10] > 1)


def test_recovery_spike_recovers_with_the_gap():
    p = lab.SYNAPSE_PRESETS["depressing"]
    short = lab.synapse_lab(p.U_0, p.Omega_f, p.Omega_d, rate_hz=20, n_spikes=10, recovery_gap_ms=50)
    long = lab.synapse_lab(p.U_0, p.Omega_f, p.Omega_d, rate_hz=20, n_spikes=10, recovery_gap_ms=3000)
    assert short.amplitude_ratio[-1] < long.amplitude_ratio[-1] <= 1.0 + 1e-12
    # x recovers to 1 − (1 − x⁺) e^{−Ω_d gap}: the closed form at the test spike
    x_plus = short.states.x[-2] - short.states.r[-2]
    assert short.states.x[-1] == pytest.approx(1 - (1 - x_plus) * np.exp(-p.Omega_d * 0.050))


def test_poisson_train_and_bad_input():
    sim = lab.synapse_lab(rate_hz=30, n_spikes=20, kind="poisson", seed=3)
    assert len(sim.spike_t_ms) == 21 and np.all(np.diff(sim.spike_t_ms) > 0)
    with pytest.raises(ValueError, match="rate_hz"):
        lab.synapse_lab(rate_hz=0)
    with pytest.raises(ValueError, match="kind"):
        lab.synapse_lab(kind="bursty")
    with pytest.raises(ValueError, match="U_0"):
        lab.synapse_lab(U_0=float("nan"))


def _isis(trace, after_ms=0.0):
    spikes = trace.spike_t_ms[trace.spike_t_ms > after_ms]
    return np.diff(spikes)


def early_and_late_rate(name):
    """Rate (Hz) in the first 50 ms of the current step and in the last 100 ms."""
    kind = lab.NEURON_TYPES[name]
    trace = lab.neuron_type(name)
    s, end = trace.spike_t_ms, trace.t_ms[-1]
    early = np.count_nonzero((s >= kind.step_ms) & (s < kind.step_ms + 50)) / 0.050
    late = np.count_nonzero(s >= end - 100) / 0.100
    return early, late


def test_regular_spiking_adapts_and_fast_spiking_does_not():
    rs_early, rs_late = early_and_late_rate(TYPES["RS"])
    fs_early, fs_late = early_and_late_rate(TYPES["FS"])
    assert rs_early / rs_late > 1.5 and rs_late < 40  # adaptation, slow sustained rate
    assert fs_early / fs_late < 1.3 and fs_late > 100  # fast, (almost) no adaptation


def test_low_threshold_spiking_is_fast_and_adapting():
    early, late = early_and_late_rate(TYPES["LTS"])
    assert early > 100 and early / late > 1.5


def test_chattering_fires_repeated_bursts():
    isi = _isis(lab.neuron_type(TYPES["CH"]))
    within, between = isi[isi < 8.0], isi[isi > 25.0]
    assert len(between) >= 3 and len(within) >= 3 * len(between)


def test_intrinsically_bursting_starts_with_a_burst_then_single_spikes():
    isi = _isis(lab.neuron_type(TYPES["IB"]))
    assert np.all(isi[:2] < 8.0)
    assert np.all(isi[2:] > 20.0) and len(isi) > 5


def test_thalamo_cortical_rebound_burst():
    kind = lab.NEURON_TYPES[TYPES["TC"]]
    tc = lab.neuron_type(TYPES["TC"])
    assert np.all(tc.spike_t_ms > kind.step_ms)  # silent while hyperpolarised
    rebound = tc.spike_t_ms[tc.spike_t_ms < kind.step_ms + 50]
    assert len(rebound) >= 2 and np.diff(rebound)[0] < 15  # a burst right after release


def _crossings_after_pulse(trace, at_ms=100.0):
    rest = trace.v_mV[int(round((at_ms - 5) / 0.1))]
    after = trace.v_mV[trace.t_ms > at_ms + 1.5]
    return int(np.sum(np.diff(np.sign(after - rest)) != 0)), float(after.min() - rest)


def test_resonator_rings_after_a_pulse_and_an_integrator_does_not():
    rz = lab.neuron_type(TYPES["RZ"], pulse_at_ms=100.0)
    rs = lab.neuron_type(TYPES["RS"], I_after=0.0, pulse_at_ms=100.0)
    assert len(rz.spike_t_ms) == len(rs.spike_t_ms) == 0  # subthreshold probe
    rz_cross, rz_under = _crossings_after_pulse(rz)
    rs_cross, rs_under = _crossings_after_pulse(rs)
    assert rz_cross >= 6 and rz_under < -0.5
    assert rs_cross <= 2 and rs_under > -0.1


def test_nullclines_meet_at_the_resting_point():
    b, current = 0.2, 0.0
    v_rest = lab.resting_potential(b, current)
    v_null, u_null = lab.nullclines(b, current, np.array([v_rest]))
    assert v_null[0] == pytest.approx(u_null[0], abs=1e-9)
    trace = lab.simulate_neuron(0.02, b, -65, 8, I_before=0, I_after=0, duration_ms=100)
    assert len(trace.spike_t_ms) == 0 and trace.v_mV[-1] == pytest.approx(v_rest, abs=1e-6)


def test_gallery_rejects_bad_values():
    with pytest.raises(ValueError, match="a="):
        lab.simulate_neuron(a=float("inf"), b=0.2, c=-65, d=8)
    with pytest.raises(ValueError, match="unknown neuron type"):
        lab.neuron_type("pyramidal")


def test_lab_ranges_are_the_network_parameters_ranges_where_the_two_share_a_quantity():
    """The synapse lab checks U₀, Ω_f, Ω_d and the gallery a, b, c, d and its
    input against the ranges of the network's fields for the same quantity; a
    value just outside is refused, the bound itself accepted."""
    from stpexplorer import params as P
    from stpexplorer.lab.definitions import GALLERY, SYNAPSE_LAB

    shared = {SYNAPSE_LAB[name]: name for name in ("U_0", "Omega_f", "Omega_d")}
    shared.update({GALLERY[arg]: field for arg, field in
                   (("a", "a_e"), ("b", "b_e"), ("c", "c_e"), ("d", "d_e"), ("I_after", "I_e"))})
    for definition, field in shared.items():
        m = P.field_info(field).metadata
        assert (definition.lo, definition.hi) == (m["lo"], m["hi"]), field
    neuron = dict(a=0.02, b=0.2, c=-65.0, d=8.0, duration_ms=20.0)
    for arg in ("a", "b", "c", "d", "I_after"):
        hi = GALLERY[arg].hi
        lab.simulate_neuron(**{**neuron, arg: hi})
        with pytest.raises(ValueError, match=f"{arg}="):
            lab.simulate_neuron(**{**neuron, arg: hi + abs(hi) * 1e-6 + 1e-9})
    for arg in ("U_0", "Omega_f", "Omega_d", "rate_hz", "n_spikes", "recovery_gap_ms"):
        definition = SYNAPSE_LAB[arg]
        with pytest.raises(ValueError, match=f"{arg}="):
            lab.synapse_lab(**{arg: definition.hi + 1})
        with pytest.raises(ValueError, match=f"{arg}="):
            lab.synapse_lab(**{arg: definition.lo - 1e-3})


def test_every_lab_slider_window_lies_inside_the_valid_range():
    from stpexplorer.lab.definitions import GALLERY, SYNAPSE_LAB

    for definition in (*SYNAPSE_LAB.values(), *GALLERY.values()):
        assert definition.lo <= definition.slider_lo < definition.slider_hi <= definition.hi, definition.name
        assert 0 < definition.step <= definition.slider_hi - definition.slider_lo
