"""The Brian2 synapse of the model against the closed-form Tsodyks–Markram maths."""

import math

import numpy as np
import pytest

from stpexplorer import Params, model, stp

DT_MS = 0.1


def run_single_synapse(spike_times_ms, params: Params, key="e"):
    """Drive the model's own synapse code with a SpikeGeneratorGroup (runtime numpy)."""
    import brian2 as b2

    from stpexplorer.engine import runtime_device

    with runtime_device("numpy"):
        b2.defaultclock.dt = DT_MS * b2.ms
        source = b2.SpikeGeneratorGroup(1, np.zeros(len(spike_times_ms), int),
                                        np.asarray(spike_times_ms) * b2.ms, name="source")
        target = b2.NeuronGroup(1, "dge/dt = -ge/(5*ms) : siemens\ndgi/dt = -gi/(10*ms) : siemens\nv : volt",
                                name="target")
        eqs, on_pre = model.synapse_model(params, key)
        syn = b2.Synapses(source, target, eqs, on_pre=on_pre, name="synapse", namespace={})
        syn.connect(i=0, j=0)
        syn.x_S = 1
        syn.zeta = 0
        syn.jitter = 0
        syn.w = 1 * b2.nS
        syn.U_0, syn.Omega_f, syn.Omega_d = params.U_0, params.Omega_f / b2.second, params.Omega_d / b2.second
        mon = b2.StateMonitor(syn, ["u_S", "x_S", "r_S"], record=[0], when="after_synapses", name="mon")
        gmon = b2.StateMonitor(target, "ge", record=[0], when="after_synapses", name="gmon")
        net = b2.Network(source, target, syn, mon, gmon)
        net.run((max(spike_times_ms) + 1) * b2.ms, namespace={})
        rows = np.rint(np.asarray(spike_times_ms) / DT_MS).astype(int)
        u, x_after, r = mon.u_S[0][rows], mon.x_S[0][rows], mon.r_S[0][rows]
        ge = gmon.ge[0] / b2.nS
        return np.asarray(u), np.asarray(x_after + r), np.asarray(r), np.asarray(ge), rows


@pytest.mark.parametrize("U_0, Omega_f, Omega_d", [(0.6, 3.33, 2.0), (0.05, 1.0, 50.0), (0.5, 50.0, 2.0)])
def test_brian_synapse_matches_closed_form_recursion(U_0, Omega_f, Omega_d):
    rng = np.random.default_rng(1)
    times = np.unique(np.round(np.cumsum(rng.exponential(40.0, 40)), 1)) + 1.0
    params = Params(U_0=U_0, Omega_f=Omega_f, Omega_d=Omega_d)
    u, x, r, ge, rows = run_single_synapse(times, params)
    expected = stp.recursion(times, U_0, Omega_f, Omega_d)
    np.testing.assert_allclose(u, expected.u, rtol=1e-9)
    np.testing.assert_allclose(x, expected.x, rtol=1e-9)
    np.testing.assert_allclose(r, expected.r, rtol=1e-9)
    # the conductance jumps by w·r (w = 1 nS) at each spike
    jumps = ge[rows] - ge[rows - 1] * np.exp(-DT_MS / 5.0)
    np.testing.assert_allclose(jumps, expected.r, rtol=1e-6)


@pytest.mark.parametrize("rate_hz", [5.0, 20.0, 50.0])
def test_regular_train_reaches_closed_form_steady_state(rate_hz):
    U_0, Omega_f, Omega_d = 0.3, 10.0, 8.0
    times = 1.0 + np.arange(150) * 1000.0 / rate_hz
    u, x, r, _, _ = run_single_synapse(times, Params(U_0=U_0, Omega_f=Omega_f, Omega_d=Omega_d))
    u_star, x_star, r_star = stp.steady_state(U_0, Omega_f, Omega_d, rate_hz)
    np.testing.assert_allclose([u[-1], x[-1], r[-1]], [u_star, x_star, r_star], rtol=1e-9)


def test_steady_state_is_a_fixed_point_of_one_period():
    U_0, Omega_f, Omega_d, T = 0.2, 4.0, 3.0, 0.04
    u_s, x_s, r_s = stp.steady_state(U_0, Omega_f, Omega_d, 1 / T)
    # one period, written out independently of stp.recursion
    u_before = u_s * np.exp(-Omega_f * T)  # u* is the value after facilitation
    u_next = u_before + U_0 * (1 - u_before)
    x_next = 1 - (1 - (x_s - u_s * x_s)) * np.exp(-Omega_d * T)
    assert u_next == pytest.approx(u_s, rel=1e-12)
    assert x_next == pytest.approx(x_s, rel=1e-12)
    assert r_s == pytest.approx(u_s * x_s, rel=1e-15)


def test_recursion_by_hand_for_two_spikes():
    # U_0 = 0.5, spikes 100 ms apart, Omega_f = Omega_d = 10/s: e^{-1}
    states = stp.recursion([0.0, 100.0], 0.5, 10.0, 10.0)
    e = np.exp(-1.0)
    u2 = 0.5 * e + 0.5 * (1 - 0.5 * e)
    x2 = 1 - (1 - 0.5) * e
    np.testing.assert_allclose(states.u, [0.5, u2])
    np.testing.assert_allclose(states.x, [1.0, x2])
    np.testing.assert_allclose(states.r, [0.5, u2 * x2])


def test_continuous_curves_follow_the_closed_forms_between_spikes():
    spikes = np.array([10.0, 60.0])
    U_0, Omega_f, Omega_d = 0.4, 5.0, 3.0
    t = np.array([0.0, 5.0, 10.0, 30.0, 60.0, 90.0])
    u, x = stp.continuous(spikes, t, U_0, Omega_f, Omega_d)
    s = stp.recursion(spikes, U_0, Omega_f, Omega_d)
    assert u[0] == 0 and x[0] == 1 and u[1] == 0 and x[1] == 1
    assert u[2] == pytest.approx(s.u[0]) and x[2] == pytest.approx(s.x[0] - s.r[0])
    assert u[3] == pytest.approx(s.u[0] * np.exp(-Omega_f * 0.020))
    assert x[3] == pytest.approx(1 - (1 - (s.x[0] - s.r[0])) * np.exp(-Omega_d * 0.020))
    assert u[4] == pytest.approx(s.u[1]) and x[4] == pytest.approx(s.x[1] - s.r[1])


def test_depressing_and_facilitating_steady_states_order_with_rate():
    rates = np.array([1.0, 5.0, 10.0, 20.0])
    _, _, r_dep = stp.steady_state(0.5, 50.0, 2.0, rates)
    _, _, r_fac = stp.steady_state(0.05, 1.0, 50.0, rates)
    assert np.all(np.diff(r_dep) < 0)  # depression: less release per spike at higher rates
    assert np.all(np.diff(r_fac) > 0)  # facilitation: more release per spike


# Three spikes at 1, 101 and 301 ms with U_0 = 0.4, Omega_f = 2/s, Omega_d = 10/s,
# written out by hand from the update rules (u decays to 0 at Omega_f, x recovers
# to 1 at Omega_d; at a spike u += U_0 (1 - u), r = u x, x -= r).  The rates
# differ by a factor of five, so swapping them changes every later value.
HAND_U0, HAND_OMEGA_F, HAND_OMEGA_D = 0.4, 2.0, 10.0
HAND_TIMES = [1.0, 101.0, 301.0]


def _three_spikes_by_hand():
    e = math.exp
    u1, x1 = 0.4, 1.0  # the first spike: u = U_0, full resources
    r1 = u1 * x1
    # 100 ms later: u = 0.4 e^{-2·0.1}, x = 1 - (1 - 0.6) e^{-10·0.1}
    u2 = 0.4 * e(-0.2) + 0.4 * (1 - 0.4 * e(-0.2))
    x2 = 1 - 0.4 * e(-1.0)
    r2 = u2 * x2
    # 200 ms later: u = u2 e^{-2·0.2}, x = 1 - (1 - (x2 - r2)) e^{-10·0.2}
    u3 = u2 * e(-0.4) + 0.4 * (1 - u2 * e(-0.4))
    x3 = 1 - (1 - (x2 - r2)) * e(-2.0)
    r3 = u3 * x3
    return [u1, u2, u3], [x1, x2, x3], [r1, r2, r3]


def test_three_spikes_by_hand_with_different_facilitation_and_recovery_rates():
    u, x, r = _three_spikes_by_hand()
    # on paper: u 0.4 -> 0.5965 -> 0.6399, x 1 -> 0.8528 -> 0.9112, r 0.4 -> 0.5087 -> 0.5831
    np.testing.assert_allclose(u, [0.4, 0.5965, 0.6399], atol=5e-5)
    np.testing.assert_allclose(x, [1.0, 0.8528, 0.9112], atol=5e-5)
    np.testing.assert_allclose(r, [0.4, 0.5087, 0.5831], atol=5e-5)
    states = stp.recursion(HAND_TIMES, HAND_U0, HAND_OMEGA_F, HAND_OMEGA_D)
    np.testing.assert_allclose(states.u, u, rtol=1e-12)
    np.testing.assert_allclose(states.x, x, rtol=1e-12)
    np.testing.assert_allclose(states.r, r, rtol=1e-12)
    brian_u, brian_x, brian_r, _, _ = run_single_synapse(
        HAND_TIMES, Params(U_0=HAND_U0, Omega_f=HAND_OMEGA_F, Omega_d=HAND_OMEGA_D))
    np.testing.assert_allclose(brian_u, u, rtol=1e-9)
    np.testing.assert_allclose(brian_x, x, rtol=1e-9)
    np.testing.assert_allclose(brian_r, r, rtol=1e-9)


#: One excitatory neuron driven to fire onto one silent inhibitory neuron (no
#: noise): every jump of the target's ge is an event of the synapse 0 -> 1.
JITTER_PAIR = Params(N_e=1, N_i=1, p_e=1.0, p_i=0.0, noise_e=0.0, noise_i=0.0, I_e=10.0, I_i=0.0,
                     rec_neuron=1, rec_pre=0, rec_post=1, duration=200.0, weight_jitter=0.8, w_e=0.2)


@pytest.mark.parametrize("seed", [0, 3])
def test_network_weights_are_spread_by_jitter(runtime, seed):
    """Per-synapse weight w·(1 − jitter·ζ), ζ the synapse's U[0,1) draw: the
    conductance jumps by that weight times the release r at each spike."""
    from stpexplorer import simulate

    zeta = float(model.draw_realisation(JITTER_PAIR, seed).exc.zeta[0])
    assert 0.05 < zeta < 0.95, "pick a seed whose draw shows the spread"
    result = simulate(JITTER_PAIR, seed=seed, engine=runtime)
    ge = result.ge_nS
    jumps = ge[1:] - ge[:-1] * (1 - JITTER_PAIR.dt / JITTER_PAIR.tau_e)  # the Euler decay removed
    steps = np.rint(result.syn_spike_t_ms / JITTER_PAIR.dt).astype(int)
    assert len(steps) >= 3
    weight = 0.2 * (1 - 0.8 * zeta)
    np.testing.assert_allclose(jumps[steps], weight * result.r_at_spikes, rtol=1e-9)
    np.testing.assert_allclose(np.delete(jumps, steps), 0, atol=1e-12)
