"""Network runs: invariants, published behaviour, errors, engines."""

import dataclasses
import warnings

import numpy as np
import pytest

from stpexplorer import BudgetError, DivergenceError, Params, StandaloneEngine, presets, simulate, stp
from stpexplorer.results import CONTRACT

SMALL = presets.FORUM
#: Three seconds give the rhythm test's spectrum twelve 250 ms segments to average.
IZH_LONG = presets.IZHIKEVICH_2003.replace(duration=3000.0)


@pytest.fixture(scope="module")
def default_result(engine):
    return simulate(presets.DEFAULT, seed=0, engine=engine)


def assert_stp_invariants(result):
    for name in ("u_at_spikes", "x_at_spikes", "r_at_spikes"):
        values = getattr(result, name)
        assert np.all((values >= 0) & (values <= 1)), name
    np.testing.assert_allclose(result.r_at_spikes, result.u_at_spikes * result.x_at_spikes, rtol=1e-12)


def test_result_has_the_contract_names_and_no_nan(default_result):
    r = default_result
    for name in CONTRACT:
        assert hasattr(r, name), name
    assert r.Ne == 800 and r.Ni == 200
    assert len(r.spike_i) == len(r.spike_t_ms) > 1000
    assert r.spike_i.min() >= 0 and r.spike_i.max() < 1000
    assert len(r.t_ms) == len(r.v_mV) == len(r.ge_nS) == len(r.gi_nS) == 10000
    assert len(r.syn_spike_t_ms) == len(r.u_at_spikes) == len(r.x_at_spikes) == len(r.r_at_spikes) > 0
    assert r.has_synapse(r.syn_pre, r.syn_post)
    for arr in (r.v_mV, r.ge_nS, r.gi_nS, r.spike_t_ms, r.u_at_spikes):
        assert np.all(np.isfinite(arr))
    assert r.params == presets.DEFAULT and r.seed == 0


def test_default_network_is_active_but_not_exploding(default_result):
    assert 2.0 < default_result.mean_rate_hz("e") < 20.0
    assert 2.0 < default_result.mean_rate_hz("i") < 40.0


@pytest.mark.parametrize("name", ["default", "depressing", "facilitating", "forum"])
def test_stp_invariants_and_recorded_synapse_equals_recursion(engine, name):
    result = simulate(presets.PRESETS[name], seed=0, engine=engine)
    assert_stp_invariants(result)
    p = result.params
    expected = stp.recursion(result.syn_spike_t_ms, p.U_0, p.Omega_f, p.Omega_d)
    np.testing.assert_allclose(result.u_at_spikes, expected.u, rtol=1e-9)
    np.testing.assert_allclose(result.x_at_spikes, expected.x, rtol=1e-9)
    # the recorded presynaptic spikes are that neuron's spikes in the raster
    np.testing.assert_array_equal(result.syn_spike_t_ms, result.spike_t_ms[result.spike_i == result.syn_pre])


def _markram_recursion(times_ms, U, Omega_f, Omega_d) -> np.ndarray:
    """u (after the facilitation jump), x (before release) and r = u·x at each
    spike, from rest (u_1 = U, x_1 = 1): Markram, Wang & Tsodyks (1998) with
    τ_F = 1/Ω_f, τ_rec = 1/Ω_d (rates in 1/s), written out here."""
    u, x = U, 1.0
    rows = [(u, x, u * x)]
    for gap_s in np.diff(times_ms) * 1e-3:
        x = 1 - (1 - x * (1 - u)) * np.exp(-Omega_d * gap_s)
        u = U + u * (1 - U) * np.exp(-Omega_f * gap_s)
        rows.append((u, x, u * x))
    return np.array(rows).T


def _first_target(params: Params, pre: int, population: str) -> int:
    """The first excitatory (``"e"``) or inhibitory (``"i"``) target of ``pre`` for seed 0."""
    from stpexplorer import model

    real = model.draw_realisation(params, 0, noise=False)
    proj = real.projection("e" if pre < params.N_e else "i")
    targets = proj.post[proj.pre == pre]
    return int(targets[(targets >= params.N_e) == (population == "i")][0])


@pytest.mark.parametrize("population", ["e", "i"])
def test_default_presynaptic_storage_records_the_closed_form_recursion(engine, default_result, population):
    """The default engine keeps STP once per presynaptic neuron and target
    population: a synapse of the default network onto an excitatory and one
    onto an inhibitory neuron release u·x of the recursion at every spike of
    the presynaptic neuron (default U_0 0.6, Ω_f 3.33/s, Ω_d 2/s)."""
    assert engine.stp_storage == "presynaptic"
    params = Params()
    post = _first_target(params, params.rec_pre, population)
    result = default_result if default_result.syn_post == post else \
        simulate(params.replace(rec_post=post), seed=0, engine=engine)
    assert (result.syn_pre, result.syn_post) == (params.rec_pre, post)
    assert len(result.syn_spike_t_ms) >= 3
    np.testing.assert_array_equal(result.syn_spike_t_ms, result.spike_t_ms[result.spike_i == result.syn_pre])
    u, x, r = _markram_recursion(result.syn_spike_t_ms, 0.6, 3.33, 2.0)
    np.testing.assert_allclose(result.u_at_spikes, u, rtol=1e-9)
    np.testing.assert_allclose(result.x_at_spikes, x, rtol=1e-9)
    np.testing.assert_allclose(result.r_at_spikes, r, rtol=1e-9)


def test_depressing_preset_releases_less_per_later_spike_and_facilitating_more(engine):
    dep = simulate(presets.DEPRESSING, seed=0, engine=engine)
    fac = simulate(presets.FACILITATING, seed=0, engine=engine)
    assert len(dep.r_at_spikes) > 3 and len(fac.r_at_spikes) > 3
    # the first release is U_0 (u = U_0, x = 1); later ones fall or rise from there
    assert dep.r_at_spikes[0] == pytest.approx(presets.DEPRESSING.U_0)
    assert fac.r_at_spikes[0] == pytest.approx(presets.FACILITATING.U_0)
    assert dep.r_at_spikes[1:].mean() < dep.r_at_spikes[0]
    assert fac.r_at_spikes[1:].mean() > fac.r_at_spikes[0]


def test_forum_preset_runs_without_runtime_warnings(runtime):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        result = simulate(presets.FORUM, seed=0, engine=runtime)
    assert result.mean_rate_hz("e") > 1.0
    assert len(result.u_at_spikes) >= 3  # visible STP dynamics on the recorded synapse
    assert_stp_invariants(result)


def _spectrum(result, segment_ms=250):
    """Welch-averaged power of the population rate (1 ms bins), 4 Hz resolution."""
    _, rate = result.population_rate(1.0)
    segments = rate[: len(rate) // segment_ms * segment_ms].reshape(-1, segment_ms)
    segments = segments - segments.mean(axis=1, keepdims=True)
    power = (np.abs(np.fft.rfft(segments * np.hanning(segment_ms), axis=1)) ** 2).mean(axis=0)
    return np.fft.rfftfreq(segment_ms, 1e-3), power


def test_izhikevich2003_rates_and_rhythms(engine):
    """Izhikevich (2003) Fig. 3: ~8 Hz mean rate, alpha (~10 Hz) and gamma (~40 Hz) peaks."""
    result = simulate(IZH_LONG, seed=0, engine=engine)
    assert 7.0 <= result.mean_rate_hz("all") <= 10.0
    freqs, power = _spectrum(result)

    def band(lo, hi):
        return power[(freqs >= lo) & (freqs <= hi)]

    trough = band(16, 24).mean()
    assert band(6, 14).max() > 1.5 * trough  # alpha peak
    assert band(30, 50).max() > 1.5 * trough  # gamma peak
    assert band(6, 14).max() > 2.0 * band(4, 4).max()  # alpha is a peak, not a 1/f slope
    assert band(150, 300).mean() < 0.2 * trough  # and both stand far above the floor


def test_every_preset_runs(engine):
    for name, params in presets.PRESETS.items():
        params = IZH_LONG if name == "izhikevich2003" else params  # reuse the rhythm test's build
        result = simulate(params, seed=0, engine=engine)
        assert len(result.spike_i) > 0, name
        assert np.all(np.isfinite(result.v_mV)), name


def test_missing_synapse_is_a_value_error_not_an_empty_trace(engine):
    small = SMALL.replace(p_e=0.0, p_i=0.0)
    with pytest.raises(ValueError, match="rec_pre=0: this neuron has no outgoing synapse"):
        simulate(small, engine=engine)
    result = simulate(SMALL, engine=engine)
    targets = set(result.conn_post[result.conn_pre == 0].tolist())
    missing = next(j for j in range(50) if j not in targets)
    with pytest.raises(ValueError, match=f"no synapse 0 -> {missing}"):
        simulate(SMALL.replace(rec_post=missing), engine=engine)


@pytest.mark.parametrize("changes", [
    {"w_i": 100.0, "C_m": 0.01},
    {"w_e": 100.0, "w_i": 0.0, "C_m": 0.05},
    {"dt": 1.0, "C_m": 0.5, "w_i": 5.0},  # forward Euler with a step far too large
])
def test_divergence_is_an_error_naming_time_population_and_cause(engine, runtime, changes):
    unstable = SMALL.replace(**changes)
    for eng in (engine, runtime):
        with pytest.raises(DivergenceError) as info:
            simulate(unstable, engine=eng)
        message = str(info.value)
        assert "diverged at t = " in message and " ms in the " in message
        assert "population" in message and "dt" in message and "weights" in message
        assert isinstance(info.value, RuntimeError)


def test_budget_refuses_oversized_runs_before_work(monkeypatch):
    big = Params(N_e=20000, N_i=5000, duration=60000.0)
    with pytest.raises(BudgetError, match="STPEXPLORER_MAX_NEURON_STEPS"):
        simulate(big)
    monkeypatch.setenv("STPEXPLORER_MAX_SYNAPSES", "1000")
    with pytest.raises(BudgetError, match="exceed the limit"):
        simulate(SMALL)


def test_seed_validation():
    with pytest.raises(ValueError, match="seed"):
        simulate(SMALL, seed=-1)
    with pytest.raises(ValueError, match="seed"):
        simulate(SMALL, seed="1")


def test_same_seed_same_result_and_seed_changes_network(engine):
    a = simulate(SMALL, seed=0, engine=engine)
    b = simulate(SMALL, seed=0, engine=engine)
    c = simulate(SMALL, seed=1, engine=engine)
    np.testing.assert_array_equal(a.spike_t_ms, b.spike_t_ms)
    assert not np.array_equal(a.conn_post, c.conn_post)


def test_run_arguments_give_the_same_result_as_a_fresh_build(engine, tmp_path):
    """Fast path (build once, values as run arguments) == reference (values compiled in)."""
    changed = SMALL.replace(U_0=0.25, Omega_f=7.0, a_e=0.03, d_e=6.0, w_e=0.08, w_i=0.7, noise_e=5.5)
    simulate(SMALL, seed=0, engine=engine)  # build with the old values
    fast = simulate(changed, seed=0, engine=engine)
    fresh = simulate(changed, seed=0, engine=StandaloneEngine(cache=tmp_path))
    for name in ("spike_i", "spike_t_ms", "v_mV", "ge_nS", "u_at_spikes", "r_at_spikes"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(fresh, name), err_msg=name)
    assert not np.array_equal(fast.spike_t_ms, simulate(SMALL, seed=0, engine=engine).spike_t_ms)


def test_runtime_and_standalone_targets_agree(engine, runtime):
    """Same seed, same network on both targets (numpy draws everything random):
    the rates agree, and on this small network even every spike does (floating
    point differs only in the last bits of v)."""
    fast = simulate(SMALL, seed=1, engine=engine)
    ref = simulate(SMALL, seed=1, engine=runtime)
    for pop in ("e", "i"):
        assert fast.mean_rate_hz(pop) == pytest.approx(ref.mean_rate_hz(pop), rel=0.15)
    np.testing.assert_array_equal(fast.conn_pre, ref.conn_pre)
    np.testing.assert_array_equal(fast.spike_i, ref.spike_i)
    np.testing.assert_array_equal(fast.spike_t_ms, ref.spike_t_ms)
    np.testing.assert_allclose(fast.v_mV, ref.v_mV, rtol=0, atol=1e-6)


#: One excitatory neuron driven to fire onto one silent inhibitory neuron: no
#: noise, no other input, so every change of the inhibitory neuron's input is a
#: synaptic event of the recorded synapse 0 -> 1.
PAIR = presets.DEFAULT.replace(N_e=1, N_i=1, p_e=1.0, p_i=0.0, noise_e=0.0, noise_i=0.0, I_e=10.0,
                               I_i=0.0, rec_neuron=1, rec_pre=0, rec_post=1, duration=300.0,
                               weight_jitter=0.0)


def test_conductance_jumps_by_weight_times_release_at_each_presynaptic_spike(runtime):
    """Stimberg et al. (2019): at a presynaptic spike g_post += w·r_S.  With the
    Euler step ge(t+dt) = ge(t)(1 - dt/tau_e), what is left is the jump."""
    result = simulate(PAIR, engine=runtime)
    ge = result.ge_nS
    jumps = ge[1:] - ge[:-1] * (1 - PAIR.dt / PAIR.tau_e)
    steps = np.rint(result.syn_spike_t_ms / PAIR.dt).astype(int)
    assert len(steps) >= 5 and result.r_at_spikes[-1] < result.r_at_spikes[0]  # depressing
    np.testing.assert_allclose(jumps[steps], PAIR.w_e * result.r_at_spikes, rtol=1e-9)
    np.testing.assert_allclose(np.delete(jumps, steps), 0, atol=1e-12)


def test_current_pulse_synapse_adds_its_weight_to_v(runtime):
    """Izhikevich (2003): a presynaptic spike adds S_ij (here J_e, mV) to v."""
    current = PAIR.replace(synapse_model="current", stp=False, J_e=0.5)
    with_synapse = simulate(current, engine=runtime)
    without = simulate(current.replace(J_e=0.0), engine=runtime)
    assert np.all(with_synapse.ge_nS == 0) and np.all(with_synapse.r_at_spikes == 1)
    difference = with_synapse.v_mV - without.v_mV
    first_arrival = int(np.rint(with_synapse.syn_spike_t_ms[0] / PAIR.dt)) + 1
    assert np.all(difference[:first_arrival] == 0)
    assert difference[first_arrival] == pytest.approx(0.5, abs=1e-12)


def test_izhikevich2003_network_runs_small(engine):
    result = simulate(presets.IZHIKEVICH_2003.replace(N_e=40, N_i=10), engine=engine)
    assert result.mean_rate_hz("e") > 0 and np.all(np.isfinite(result.v_mV))


def test_other_recorded_neuron_and_synapse_without_rerun(default_result):
    r = default_result
    other = next(n for n in r.recorded_neurons if n != r.rec_neuron)
    shown = r.with_neuron(int(other))
    assert shown.rec_neuron == other and not np.array_equal(shown.v_mV, r.v_mV)
    same = r.with_synapse(r.syn_pre, r.syn_post)
    np.testing.assert_allclose(same.u_at_spikes, r.u_at_spikes, rtol=1e-9)
    np.testing.assert_allclose(same.r_at_spikes, r.r_at_spikes, rtol=1e-9)
    with pytest.raises(ValueError, match="was not recorded"):
        r.with_neuron(int(np.setdiff1d(np.arange(1000), r.recorded_neurons)[0]))


def test_npz_round_trip(default_result, tmp_path):
    from stpexplorer import Result

    default_result.to_npz(tmp_path / "r.npz")
    again = Result.from_npz(tmp_path / "r.npz")
    assert again.params == default_result.params
    for f in dataclasses.fields(again):
        a, b = getattr(again, f.name), getattr(default_result, f.name)
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b)
        else:
            assert a == b
    with np.load(tmp_path / "r.npz") as data:
        assert set(CONTRACT) <= set(data.files)


def test_presynaptic_and_per_synapse_stp_storage_give_identical_networks(tmp_path):
    """The fast formulation (STP state once per presynaptic neuron) against
    Stimberg et al.'s per-synapse equations: the same numbers, bit for bit."""
    per_neuron = simulate(SMALL, seed=0, engine=StandaloneEngine(cache=tmp_path))
    per_synapse = simulate(SMALL, seed=0, engine=StandaloneEngine(cache=tmp_path, stp_storage="synaptic"))
    for name in ("spike_i", "spike_t_ms", "v_mV", "ge_nS", "gi_nS", "u_at_spikes", "x_at_spikes",
                 "r_at_spikes"):
        np.testing.assert_array_equal(getattr(per_neuron, name), getattr(per_synapse, name), err_msg=name)


def _model_code(params: Params) -> list:
    """Everything Brian2 generates code from: equations, event code and monitored variables."""
    from stpexplorer import model
    from stpexplorer.engine import runtime_device

    with runtime_device("numpy"):
        built = model.build(params, model.draw_realisation(params, 0))
        signature = []
        for obj in sorted(built.net.objects, key=lambda o: o.name):
            signature.append((obj.name, type(obj).__name__, str(getattr(obj, "equations", "")),
                              sorted(getattr(obj, "event_codes", {}).items()),
                              [p.code for p in getattr(obj, "_pathways", [])],
                              getattr(obj, "record_variables", None)))
    return signature


def _other_valid_values(params: Params, field: dataclasses.Field):
    """Other values of ``field`` that ``params`` accepts."""
    if field.type == "bool":
        yield not getattr(params, field.name)
        return
    lo, hi = field.metadata["lo"], field.metadata["hi"]
    # lo + 1 and lo + 2: an index field (a recorded neuron; a target of the recorded synapse)
    for value in (hi, lo, (lo + hi) / 2, lo + 1, lo + 2):
        if value != getattr(params, field.name):
            try:
                params.replace(**{field.name: value})
            except ValueError:
                continue
            yield value


def test_run_time_fields_leave_the_compiled_model_unchanged():
    """A build is reused for every value of a non-structural field, so no such
    field may change the generated code (else a cached build silently runs
    another model)."""
    from stpexplorer import params as P

    reference = _model_code(SMALL)
    for field in P.fields():
        if field.metadata["structural"]:
            continue
        codes = []
        for value in _other_valid_values(SMALL, field):
            try:
                codes.append(_model_code(SMALL.replace(**{field.name: value})))
            except ValueError:  # e.g. a recorded synapse this network does not have
                continue
        assert codes, f"no other valid value for {field.name}"
        assert all(code == reference for code in codes), field.name


def test_synapses_created_in_chunks_are_the_drawn_connectivity(engine, tmp_path, monkeypatch):
    """Large networks are connected in several ``connect`` calls; the network
    Brian2 builds must still be exactly the drawn one, with the same dynamics."""
    from stpexplorer import model

    monkeypatch.setattr(model.brian2_build, "CONNECT_CHUNK", 300)  # the forum network's 1 400 E synapses: 5 calls
    chunked_engine = StandaloneEngine(cache=tmp_path)
    chunked = simulate(SMALL, seed=0, engine=chunked_engine)
    real = chunked_engine._real
    built = chunked_engine.read_results(["e_pre", "e_post", "i_pre", "i_post"])
    for key, proj in (("e", real.exc), ("i", real.inh)):  # network indices, as drawn
        np.testing.assert_array_equal(built[f"{key}_pre"], proj.pre)
        np.testing.assert_array_equal(built[f"{key}_post"], proj.post)
    whole = simulate(SMALL, seed=0, engine=engine)
    assert len(real.exc) > 3 * model.brian2_build.CONNECT_CHUNK
    for name in ("spike_i", "spike_t_ms", "v_mV", "ge_nS", "gi_nS", "u_at_spikes"):
        np.testing.assert_array_equal(getattr(chunked, name), getattr(whole, name), err_msg=name)


def test_non_finite_trace_guard_names_time_population_and_neuron():
    from stpexplorer.engine import check_traces_finite

    t_ms = np.arange(5) * 0.1
    v = np.zeros((3, 5))
    ge = np.zeros((3, 5))
    v[2, 3] = np.nan  # neuron 45 (inhibitory in the forum network) at 0.3 ms
    ge[1, 4] = np.inf  # later: not the one reported
    with pytest.raises(DivergenceError, match=r"t = 0\.3 ms in the inhibitory population \(neuron 45"):
        check_traces_finite(SMALL, np.array([0, 10, 45]), t_ms, (v, ge))
    check_traces_finite(SMALL, np.array([0, 10, 45]), t_ms, (np.zeros((3, 5)),))
