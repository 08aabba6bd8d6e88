"""The seed and the recording are run-time data of a compiled network.

A build holds each pathway's synapses up to a capacity (inert padding
synapses beyond the seed's own); a run hands it the seed's connectivity,
spread draws and noise and the recorded neurons and synapse.  So another
seed or another recorded neuron or synapse re-runs the binary without a
compile, and gives what Brian2's runtime target gives for that seed (every
spike), which builds the unpadded network directly."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from stpexplorer import StandaloneEngine, model, simulate, stp
from stpexplorer.presets import FORUM

SMALL = FORUM.replace(duration=300.0)


def assert_same_network(fast, ref):
    np.testing.assert_array_equal(fast.conn_pre, ref.conn_pre)
    np.testing.assert_array_equal(fast.conn_post, ref.conn_post)
    np.testing.assert_array_equal(fast.spike_i, ref.spike_i)
    np.testing.assert_array_equal(fast.spike_t_ms, ref.spike_t_ms)
    np.testing.assert_array_equal(fast.recorded_neurons, ref.recorded_neurons)
    np.testing.assert_allclose(fast.v_rec_mV, ref.v_rec_mV, rtol=0, atol=1e-6)
    assert (fast.syn_pre, fast.syn_post) == (ref.syn_pre, ref.syn_post)
    np.testing.assert_allclose(fast.r_at_spikes, ref.r_at_spikes, rtol=0, atol=1e-12)


@pytest.fixture(scope="module")
def built(build_cache):
    """An engine with the SMALL structure compiled (or loaded) for seed 0."""
    engine = StandaloneEngine(cache=build_cache)
    simulate(SMALL, seed=0, engine=engine)
    return engine


def test_another_seed_runs_the_compiled_network_without_a_compile(built, runtime):
    compiles = built.compiles
    first = simulate(SMALL, seed=0, engine=built)
    for seed in (5, 11):
        assert built.preparation(SMALL, seed) is None
        fast = simulate(SMALL, seed=seed, engine=built)
        assert_same_network(fast, simulate(SMALL, seed=seed, engine=runtime))
        assert not np.array_equal(fast.conn_post, first.conn_post)
    assert built.compiles == compiles
    # back to the first seed: its network again, not what the folder held last
    assert_same_network(simulate(SMALL, seed=0, engine=built), first)


def test_the_recorded_neuron_and_synapse_are_chosen_at_run_time(built, runtime):
    compiles = built.compiles
    first = simulate(SMALL, seed=5, engine=built)
    inhibitory_pre = next(i for i in range(SMALL.N_e, SMALL.N_e + SMALL.N_i) if i not in first.recorded_neurons)
    onto_i = int(first.conn_post[(first.conn_pre == 3) & (first.conn_post >= SMALL.N_e)][0])
    for changes in ({"rec_neuron": 23}, {"rec_neuron": inhibitory_pre}, {"rec_pre": 3, "rec_post": onto_i},
                    {"rec_pre": inhibitory_pre, "rec_post": -1}):
        params = SMALL.replace(**changes)
        assert built.preparation(params, 5) is None, changes
        fast = simulate(params, seed=5, engine=built)
        np.testing.assert_array_equal(fast.spike_t_ms, first.spike_t_ms)  # the same network
        assert_same_network(fast, simulate(params, seed=5, engine=runtime))
        assert fast.rec_neuron == params.rec_neuron and params.rec_neuron in fast.recorded_neurons
        # the recorded synapse's state is the Tsodyks–Markram recursion of its presynaptic spikes
        pre_spikes = fast.spike_t_ms[fast.spike_i == fast.syn_pre]
        expected = stp.recursion(pre_spikes, *SMALL.pathway_values(SMALL.pathway_of(fast.syn_pre, fast.syn_post)))
        np.testing.assert_allclose(fast.r_at_spikes, expected.r, rtol=0, atol=1e-12)
    assert built.compiles == compiles


def test_recorded_neurons_are_as_many_for_every_choice():
    counts = {len(model.recorded_neurons(SMALL.replace(rec_neuron=n))) for n in range(SMALL.N_e + SMALL.N_i)}
    assert counts == {len(model.recorded_neurons(SMALL))}


def test_runs_of_one_build_in_threads_do_not_mix_their_seeds(built):
    expected = {seed: simulate(SMALL, seed=seed, engine=built) for seed in (2, 3)}
    got, errors = {}, []

    def run(seed):
        try:
            for _ in range(3):
                got.setdefault(seed, []).append(simulate(SMALL, seed=seed, engine=built))
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(seed,)) for seed in expected]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    for seed, results in got.items():
        for result in results:
            np.testing.assert_array_equal(result.spike_t_ms, expected[seed].spike_t_ms)


def test_a_seed_beyond_the_capacity_gets_a_build_of_its_own(built, runtime, monkeypatch, tmp_path):
    engine = StandaloneEngine(cache=tmp_path)
    real = model.draw_realisation(SMALL, 4, noise=False)
    small = {"e": len(real.exc) - 1, "i": len(real.inh)}
    monkeypatch.setattr(model, "capacities", lambda params: small)
    monkeypatch.setattr(model.realisation, "capacities", lambda params: small)  # what build_capacity reads
    assert model.build_capacity(SMALL, real) == {"e": len(real.exc), "i": len(real.inh)}
    assert_same_network(simulate(SMALL, seed=4, engine=engine), simulate(SMALL, seed=4, engine=runtime))
    assert engine.compiles == 1


def test_padding_synapses_are_inert():
    real = model.draw_realisation(SMALL, 0, noise=False)
    full = model.padded(SMALL, real, model.capacities(SMALL))
    assert len(full.exc) == model.capacities(SMALL)["e"] > len(real.exc)
    padding = full.exc.zeta[len(real.exc):]
    assert np.all(padding == model.PAD_ZETA) and np.all(real.exc.zeta < 1)
    _, on_pre = model.synapse_model(SMALL, "e", padded=True)
    assert model.REAL_SYNAPSE in on_pre


def test_two_engines_in_one_thread_share_its_run_folder_without_mixing_seeds(built, build_cache):
    """Both engines run the build in this thread's one run folder: each must see
    that the other left another seed's (and recording's) data there."""
    other = StandaloneEngine(cache=build_cache)
    expected = {seed: simulate(SMALL, seed=seed, engine=built) for seed in (6, 8)}
    changed = SMALL.replace(rec_neuron=31)
    expected_recording = simulate(changed, seed=8, engine=built)
    for engine, seed in ((other, 6), (built, 8), (other, 8), (built, 6)):
        np.testing.assert_array_equal(simulate(SMALL, seed=seed, engine=engine).spike_t_ms,
                                      expected[seed].spike_t_ms)
    simulate(changed, seed=8, engine=other)
    assert_same_network(simulate(changed, seed=8, engine=built), expected_recording)
    assert_same_network(simulate(SMALL, seed=8, engine=other), expected[8])
