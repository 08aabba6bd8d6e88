"""The model's mathematics is written once: the Brian2 strings of
:mod:`stpexplorer.model.equations` and the plain functions beside them are the
same equations, and the exported script, the gallery and :mod:`stpexplorer.stp`
use them instead of copies.

The strings are evaluated numerically: Brian2's own integrators turn the
differential equations into update code (``euler`` for the neuron as the
network integrates it, ``linear`` for the event-driven STP equations, the
closed form Brian2 uses between spikes), which runs here on numpy arrays.
"""

import inspect

import numpy as np
import pytest

from stpexplorer import export, lab, model, presets, stp

RNG = np.random.default_rng(7)


def _run_code(code: str, namespace: dict) -> dict:
    """Brian2 abstract code (``x = ...``, ``x += ...``) run as Python on ``namespace``."""
    namespace = {"exp": np.exp, **{name: np.copy(value) if isinstance(value, np.ndarray) else value
                                   for name, value in namespace.items()}}  # ``+=`` would change the caller's arrays
    for line in code.strip().splitlines():
        exec(line.strip(), {}, namespace)
    return namespace


@pytest.mark.parametrize("preset", ["forum", "izhikevich2003", "tsodyks2000"])
def test_exported_script_carries_the_models_own_strings(preset):
    params = presets.get(preset).replace(N_e=40, N_i=10, duration=50.0)
    text = export.brian2_script(params, 0)
    synaptic = model.CONDUCTANCE_EQS if params.synapse_model == "conductance" else model.CURRENT_EQS
    assert model.IZHIKEVICH_EQS + synaptic in text
    assert f"neurons.run_regularly({model.NOISE_DRAW!r}, dt=noise_dt" in text
    assert f'reset = """{model.IZHIKEVICH_RESET}"""' in text and f"threshold = {model.THRESHOLD!r}" in text
    for key, pop in (("e", "exc"), ("i", "inh")):
        eqs, on_pre = model.synapse_model(params, key, "synaptic")
        assert eqs in text and on_pre in text, key
        assert f"syn_{pop}_on_pre = " in text
    assert inspect.getsource(model.bernoulli_pairs) in text  # the connectivity draw, too
    # and the network runs the same strings, with its divergence bookkeeping around them
    assert model.NEURON_EQS.startswith(model.IZHIKEVICH_EQS) and model.RESET.endswith(model.IZHIKEVICH_RESET)


def test_brian2_euler_of_the_neuron_equations_is_the_izhikevich_step():
    import brian2 as b2
    from brian2.stateupdaters.explicit import euler

    code = euler(b2.Equations(model.IZHIKEVICH_EQS + model.CURRENT_EQS))
    n, dt_ms = 50, 0.1
    v, u = RNG.uniform(-80, 25, n), RNG.uniform(-20, 10, n)
    a, b, drive = RNG.uniform(0.01, 0.1, n), RNG.uniform(0.15, 0.3, n), RNG.uniform(-5, 20, n)
    done = _run_code(code, {"v": v * b2.mV, "u": u * b2.mV / b2.ms, "a": a / b2.ms, "b": b / b2.ms,
                            "I_const": drive * b2.mV / b2.ms, "sigma": 0 * b2.mV / b2.ms,
                            "I_noise": 0 * b2.mV / b2.ms,
                            "dt": dt_ms * b2.ms, "mV": b2.mV, "ms": b2.ms, "volt": b2.volt, "second": b2.second})
    v_step, u_step = model.izhikevich_step(v, u, drive, a, b, dt_ms)
    np.testing.assert_allclose(np.asarray(done["v"] / b2.mV), v_step, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.asarray(done["u"] / (b2.mV / b2.ms)), u_step, rtol=1e-12, atol=1e-12)


def test_gallery_integrates_with_the_izhikevich_step():
    kind = lab.NEURON_TYPES["chattering (CH)"]
    trace = lab.simulate_neuron(kind.a, kind.b, kind.c, kind.d, 0.0, 10.0, step_ms=5.0, duration_ms=60.0)
    v, u = trace.v_mV[0], trace.u[0]
    for k in range(len(trace.t_ms) - 1):
        v, u = model.izhikevich_step(v, u, trace.I[k], kind.a, kind.b, 0.1)
        if v >= model.V_PEAK_MV:
            v, u = kind.c, u + kind.d
        if trace.v_mV[k + 1] != model.V_PEAK_MV:  # the gallery draws a spike's peak in place of v
            assert (trace.v_mV[k + 1], trace.u[k + 1]) == (v, u), k
    assert len(trace.spike_t_ms) > 3


def test_stp_strings_are_the_per_spike_functions():
    import brian2 as b2
    from brian2.stateupdaters.exact import linear

    n = 40
    u, x, U_0 = RNG.uniform(0, 1, n), RNG.uniform(0, 1, n), RNG.uniform(0.01, 0.9, n)
    Omega_f, Omega_d, gap_s = RNG.uniform(0.5, 50, n), RNG.uniform(0.5, 50, n), RNG.uniform(0, 0.5, n)
    between = linear(b2.Equations(model.STP_EQS.replace("(event-driven)", "")))
    decayed = _run_code(between, {"u_S": u, "x_S": x, "Omega_f": Omega_f, "Omega_d": Omega_d, "dt": gap_s})
    u_dec, x_dec = model.stp_between_spikes(u, x, gap_s, Omega_f, Omega_d)
    np.testing.assert_allclose(decayed["u_S"], u_dec, rtol=1e-13)
    np.testing.assert_allclose(decayed["x_S"], x_dec, rtol=1e-13)
    spiked = _run_code(model.STP_ON_PRE, {"u_S": u, "x_S": x, "U_0": U_0})
    u_after, r, x_after = model.stp_at_spike(u, x, U_0)
    np.testing.assert_array_equal(spiked["u_S"], u_after)
    np.testing.assert_array_equal(spiked["r_S"], r)
    np.testing.assert_array_equal(spiked["x_S"], x_after)
    # the state kept per presynaptic neuron: both target sets, decay and spike in one
    state = {"t": 0.3, "t_S": 0.3 - gap_s}
    for target in "ei":
        state.update({f"u_S_to_{target}": u, f"x_S_to_{target}": x, f"U_0_to_{target}": U_0,
                      f"Omega_f_to_{target}": Omega_f, f"Omega_d_to_{target}": Omega_d})
    presynaptic = _run_code(model.PRESYNAPTIC_STP_ON_SPIKE, state)
    u_after, r, x_after = model.stp_at_spike(u_dec, x_dec, U_0)
    for target in "ei":
        np.testing.assert_allclose(presynaptic[f"u_S_to_{target}"], u_after, rtol=1e-13)
        np.testing.assert_allclose(presynaptic[f"r_S_to_{target}"], r, rtol=1e-13)
        np.testing.assert_allclose(presynaptic[f"x_S_to_{target}"], x_after, rtol=1e-13)
    assert np.all(presynaptic["t_S"] == 0.3)


def test_stp_recursion_is_the_brian2_strings_spike_by_spike():
    import brian2 as b2
    from brian2.stateupdaters.exact import linear

    U_0, Omega_f, Omega_d = 0.2, 5.0, 3.0
    times_ms = np.cumsum(RNG.exponential(30.0, 25))
    between = linear(b2.Equations(model.STP_EQS.replace("(event-driven)", "")))
    state = {"u_S": 0.0, "x_S": 1.0, "U_0": U_0, "Omega_f": Omega_f, "Omega_d": Omega_d}
    u, x, r, last = [], [], [], None
    for t in times_ms:
        if last is not None:
            state = _run_code(between, {**state, "dt": (t - last) * 1e-3})
        x.append(state["x_S"])
        state = _run_code(model.STP_ON_PRE, state)
        u.append(state["u_S"])
        r.append(state["r_S"])
        last = t
    expected = stp.recursion(times_ms, U_0, Omega_f, Omega_d)
    np.testing.assert_allclose(u, expected.u, rtol=1e-12)
    np.testing.assert_allclose(x, expected.x, rtol=1e-12)
    np.testing.assert_allclose(r, expected.r, rtol=1e-12)
