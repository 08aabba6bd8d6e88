"""Short-term plasticity per pathway (E→E, E→I, I→E, I→I): parameters, engine, presets."""

import json
import math

import numpy as np
import pytest

from stpexplorer import Params, RuntimeEngine, StandaloneEngine, model, presets, simulate
from stpexplorer import params as params_mod

SMALL = presets.FORUM.replace(duration=500.0)

#: Four clearly different pathways (Maass et al. 2002 values): a swap of any
#: two changes every recorded release.
VALUES = {"ee": (0.5, 20.0, 0.909), "ei": (0.05, 0.833, 8.0),
          "ie": (0.25, 50.0, 1.43), "ii": (0.32, 16.7, 6.94)}


def with_pathways(params: Params, values=VALUES) -> Params:
    changes = {}
    for pw, triple in values.items():
        changes.update(dict(zip(params_mod.pathway_fields(pw), triple)))
    return params.replace(**changes)


def tm_recursion(times_ms, U, Omega_f, Omega_d):
    """Tsodyks–Markram states at each spike, written out here (not stp.py):
    u after facilitation, x before release, r = u·x."""
    u, x, last, out = 0.0, 1.0, None, []
    for t in times_ms:
        if last is not None:
            gap = (t - last) * 1e-3
            u *= math.exp(-Omega_f * gap)
            x = 1 - (1 - x) * math.exp(-Omega_d * gap)
        u += U * (1 - u)
        r = u * x
        out.append((u, x, r))
        x -= r
        last = t
    return np.array(out).reshape(-1, 3)


# ----------------------------------------------------------------------
# parameters
def test_per_pathway_fields_follow_the_shared_definitions():
    for pw in params_mod.PATHWAYS:
        for shared, name in zip(params_mod.STP_FIELDS, params_mod.pathway_fields(pw)):
            own, ref = params_mod.field_info(name).metadata, params_mod.field_info(shared).metadata
            assert (own["lo"], own["hi"], own["unit"], own["step"]) == \
                (ref["lo"], ref["hi"], ref["unit"], ref["step"]), name
            assert ref["doc"] in own["doc"] and not own["structural"]
            assert getattr(Params(), name) is None
    p = Params()
    assert p.differing_pathways() == ()
    assert p.pathway_values("ei") == (p.U_0, p.Omega_f, p.Omega_d)
    q = p.replace(U_0_ei=0.05, Omega_d_ii=p.Omega_d)  # equal to the shared value: not different
    assert q.pathway_values("ei") == (0.05, p.Omega_f, p.Omega_d)
    assert q.differing_pathways() == ("ei",)
    assert [q.pathway_of(pre, post) for pre, post in ((0, 1), (0, 900), (900, 1), (900, 950))] == \
        ["ee", "ei", "ie", "ii"]
    with pytest.raises(ValueError, match="pathway='xe'"):
        p.pathway_values("xe")


@pytest.mark.parametrize("name, value", [("U_0_ee", 0.0), ("U_0_ei", 1.5), ("Omega_f_ie", -1.0),
                                         ("Omega_d_ii", 1e4), ("Omega_d_ee", math.nan),
                                         ("U_0_ii", "0.3"), ("Omega_f_ei", True)])
def test_bad_per_pathway_value_is_a_value_error_naming_the_field(name, value):
    with pytest.raises(ValueError, match=rf"^{name}=.* is invalid .*allowed: \[.*\].* or none"):
        Params().replace(**{name: value})
    with pytest.raises(ValueError, match=rf"^{name}="):
        Params.from_json(json.dumps({name: value}) if isinstance(value, (str, bool)) or math.isfinite(value)
                         else f'{{"{name}": NaN}}')


def test_none_round_trips_through_json_set_and_links():
    p = with_pathways(Params(), {"ei": (0.05, 0.833, 8.0)})
    data = json.loads(p.to_json())
    assert data["U_0_ei"] == 0.05 and data["U_0_ee"] is None  # JSON null
    assert Params.from_json(p.to_json()) == p
    assert Params.from_json('{"U_0_ei": null}', base=p).U_0_ei is None
    for text in ("none", "None", "NULL", " null "):
        assert params_mod.coerce("U_0_ei", text) is None
    assert params_mod.coerce("U_0_ei", "0.2") == 0.2
    with pytest.raises(ValueError, match=r"U_0=.*\(not a number\)"):
        params_mod.coerce("U_0", "none")  # only per-pathway fields take none

    from stpexplorer.dashboard import link

    for start in ("forum", "tsodyks2000"):
        base = presets.get(start)
        for setting in (p, base, base.replace(U_0_ee=None, Omega_f_ii=3.0)):
            query = link.link_query(setting, 0, start)
            assert link.parse_query(query)[1] == setting, query
    assert "U_0_ee" not in link.link_query(presets.FORUM, 0, "forum")  # None left out of links


def test_parameter_table_lists_the_pathway_fields():
    table = params_mod.markdown_table()
    assert "| `Omega_f_ie` |" in table and "none (Omega_f)" in table


def test_sweep_grid_over_a_pathway_field(engine):
    from stpexplorer import sweep

    name, values = sweep.parse_grid("U_0_ei=0.05:0.45:2")
    assert (name, values) == ("U_0_ei", [0.05, 0.45])
    points = sweep.expand_grid(SMALL, {name: values})
    rows = [sweep.run_point(point, 0, None, engine=engine) for point in points]
    assert all(not row["error"] for row in rows), rows
    assert rows[0]["rate_i_hz"] != rows[1]["rate_i_hz"]  # E→I release changes the I population


# ----------------------------------------------------------------------
# the engine
def _synapse_of(params: Params, pathway: str, spikes: np.ndarray) -> tuple[int, int]:
    """A synapse of ``pathway`` whose presynaptic neuron fired most."""
    real = model.draw_realisation(params, 0, noise=False)
    pre, post = real.conn_pre, real.conn_post
    kinds = np.array([params.pathway_of(int(a), int(b)) for a, b in zip(pre, post)])
    candidates = np.flatnonzero(kinds == pathway)
    counts = np.bincount(spikes, minlength=params.N_e + params.N_i)[pre[candidates]]
    best = candidates[np.argmax(counts)]
    return int(pre[best]), int(post[best])


def test_each_pathway_releases_with_its_own_values(runtime):
    """For a recorded synapse of each pathway, u, x, r at its presynaptic
    spikes are the Tsodyks–Markram recursion with that pathway's values."""
    params = with_pathways(SMALL)
    first = simulate(params, engine=runtime)
    # the release each synapse delivers is its own pathway's: the per-synapse
    # equations (which record what they deliver) give the same network
    per_synapse = simulate(params, engine=RuntimeEngine("numpy", stp_storage="synaptic"))
    np.testing.assert_array_equal(per_synapse.spike_t_ms, first.spike_t_ms)
    np.testing.assert_array_equal(per_synapse.spike_i, first.spike_i)
    for pw in params_mod.PATHWAYS:
        pre, post = _synapse_of(params, pw, first.spike_i)
        result = simulate(params.replace(rec_pre=pre, rec_post=post), engine=runtime)
        assert result.syn_pathway == pw and (result.syn_pre, result.syn_post) == (pre, post)
        assert len(result.syn_spike_t_ms) >= 3, pw
        np.testing.assert_array_equal(result.spike_t_ms, first.spike_t_ms)  # recording changes nothing
        expected = tm_recursion(result.syn_spike_t_ms, *VALUES[pw])
        for column, name in enumerate(("u_at_spikes", "x_at_spikes", "r_at_spikes")):
            np.testing.assert_allclose(getattr(result, name), expected[:, column], rtol=1e-9,
                                       atol=1e-12, err_msg=f"{pw} {name}")
        # any synapse from the closed forms, with its pathway's values
        shown = first.with_synapse(pre, post)
        np.testing.assert_allclose(shown.r_at_spikes, expected[:, 2], rtol=1e-9)
        assert shown.syn_pathway == pw and shown.syn_stp_values == VALUES[pw]


def test_compiled_network_runs_every_pathway_setting_without_a_compile(engine):
    params = with_pathways(SMALL)
    simulate(SMALL, engine=engine)  # the build (or the cached one)
    compiles = engine.compiles
    result = simulate(params, engine=engine)
    shared = simulate(SMALL, engine=engine)
    assert engine.compiles == compiles
    assert not np.array_equal(result.spike_t_ms, shared.spike_t_ms)
    expected = tm_recursion(result.syn_spike_t_ms, *VALUES[result.syn_pathway])
    np.testing.assert_allclose(result.r_at_spikes, expected[:, 2], rtol=1e-9)


def test_per_pathway_values_equal_to_the_shared_ones_give_the_shared_network(engine):
    shared = simulate(SMALL, engine=engine)
    same = simulate(with_pathways(SMALL, {pw: (SMALL.U_0, SMALL.Omega_f, SMALL.Omega_d)
                                          for pw in params_mod.PATHWAYS}), engine=engine)
    for name in ("spike_i", "spike_t_ms", "v_mV", "ge_nS", "gi_nS", "u_at_spikes", "r_at_spikes"):
        np.testing.assert_array_equal(getattr(same, name), getattr(shared, name), err_msg=name)


def test_per_pathway_presynaptic_storage_equals_per_synapse_equations(engine, build_cache):
    """Two state sets per neuron (onto E, onto I) against Stimberg et al.'s
    per-synapse equations with per-synapse values: bit for bit."""
    params = with_pathways(SMALL).replace(rec_pre=45, rec_post=-1)
    fast = simulate(params, engine=engine)
    reference = simulate(params, engine=StandaloneEngine(cache=build_cache, stp_storage="synaptic"))
    for name in ("spike_i", "spike_t_ms", "v_mV", "ge_nS", "gi_nS", "u_at_spikes", "x_at_spikes",
                 "r_at_spikes"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(reference, name), err_msg=name)


# ----------------------------------------------------------------------
# the published recursion
def test_stimberg_update_is_the_markram_wang_tsodyks_1998_recursion():
    """Derived symbolically, without the package: solve the Stimberg et al.
    equations between spikes (du/dt = −Ω_f u, dx/dt = Ω_d (1 − x)), apply the
    spike update, and compare with Markram, Wang & Tsodyks (1998):

        u_{n+1} = U + u_n (1 − U) e^{−Δ/τ_F}
        R_{n+1} = R_n (1 − u_n) e^{−Δ/τ_rec} + 1 − e^{−Δ/τ_rec}

    with u_n after facilitation (release u_n R_n at spike n), R_n = x before
    release, U = U_0, τ_F = 1/Ω_f, τ_rec = 1/Ω_d; and the first spike
    releases U (u_1 = U, R_1 = 1)."""
    sp = pytest.importorskip("sympy")
    t, delta, U, tau_f, tau_rec, u_n, R_n = sp.symbols("t Delta U tau_F tau_rec u_n R_n", positive=True)
    Omega_f, Omega_d = 1 / tau_f, 1 / tau_rec
    u, x = sp.Function("u"), sp.Function("x")
    # between spike n and n+1: start from u_n (after facilitation) and R_n(1 − u_n) (after release)
    u_sol = sp.dsolve(sp.Eq(u(t).diff(t), -Omega_f * u(t)), u(t), ics={u(0): u_n}).rhs
    x_sol = sp.dsolve(sp.Eq(x(t).diff(t), Omega_d * (1 - x(t))), x(t), ics={x(0): R_n - u_n * R_n}).rhs
    u_before, x_before = u_sol.subs(t, delta), x_sol.subs(t, delta)
    u_next = u_before + U * (1 - u_before)  # Stimberg et al.: u_S += U_0 (1 − u_S)
    R_next = x_before  # x is used before the release step
    assert sp.simplify(u_next - (U + u_n * (1 - U) * sp.exp(-delta / tau_f))) == 0
    assert sp.simplify(R_next - (R_n * (1 - u_n) * sp.exp(-delta / tau_rec) + 1 - sp.exp(-delta / tau_rec))) == 0
    # first spike from rest (u = 0, x = 1)
    assert sp.simplify((0 + U * (1 - 0)) - U) == 0

    # and the package's closed forms (stp.py) follow the published recursion numerically
    from stpexplorer import stp

    rng = np.random.default_rng(3)
    times = np.cumsum(rng.exponential(30.0, 25))
    for pw_U, tf, tr in ((0.5, 0.05, 1.1), (0.05, 1.2, 0.125), (0.04, 1.0, 0.1)):
        states = stp.recursion(times, pw_U, 1 / tf, 1 / tr)
        un, Rn = [pw_U], [1.0]
        for gap in np.diff(times) * 1e-3:
            Rn.append(Rn[-1] * (1 - un[-1]) * math.exp(-gap / tr) + 1 - math.exp(-gap / tr))
            un.append(pw_U + un[-1] * (1 - pw_U) * math.exp(-gap / tf))
        np.testing.assert_allclose(states.u, un, rtol=1e-12)
        np.testing.assert_allclose(states.x, Rn, rtol=1e-12)


# ----------------------------------------------------------------------
# presets
def test_literature_presets_hold_the_published_values():
    t = presets.TSODYKS_2000
    assert t.pathway_values("ee") == t.pathway_values("ie") == (0.5, 1000.0, 1.25)
    assert t.pathway_values("ei") == t.pathway_values("ii") == (0.04, 1.0, 10.0)
    assert (t.N_e, t.N_i, t.p_e, t.p_i) == (400, 100, 0.1, 0.1)
    m = presets.MAASS_2002
    published = {"ee": (0.5, 1.1, 0.05), "ei": (0.05, 0.125, 1.2), "ie": (0.25, 0.7, 0.02),
                 "ii": (0.32, 0.144, 0.06)}
    for pw, (U, tau_rec, tau_facil) in published.items():
        U_0, Omega_f, Omega_d = m.pathway_values(pw)
        assert U_0 == U and Omega_d == pytest.approx(1 / tau_rec, rel=1e-6)
        assert Omega_f == pytest.approx(1 / tau_facil, rel=1e-6)
    for name in ("tsodyks2000", "maass2002"):
        assert name in presets.SOURCES and name in presets.LOOK_FOR and name in presets.DESCRIPTIONS


def _mean_release(result, pathway, limit=60):
    pre, post = result.conn_pre, result.conn_post
    firsts, laters = [], []
    for a, b in zip(pre, post):
        if result.params.pathway_of(int(a), int(b)) != pathway:
            continue
        r = result.synapse_states(result.spike_t_ms[result.spike_i == a], pathway).r
        if len(r) > 1:
            firsts.append(r[0])
            laters.extend(r[1:])
        if len(firsts) >= limit:
            break
    return np.mean(firsts), np.mean(laters)


@pytest.mark.parametrize("name", ["tsodyks2000", "maass2002"])
def test_literature_presets_are_active_and_show_the_pathway_effect(engine, name):
    result = simulate(presets.PRESETS[name], seed=0, engine=engine)
    assert 2.0 < result.mean_rate_hz("e") < 30.0 and 2.0 < result.mean_rate_hz("i") < 40.0
    ee_first, ee_later = _mean_release(result, "ee")
    ei_first, ei_later = _mean_release(result, "ei")
    assert ee_later < 0.8 * ee_first  # E→E depresses
    assert ei_later > 1.5 * ei_first  # E→I facilitates
