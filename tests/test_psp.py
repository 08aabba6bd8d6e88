"""The model page's size of one excitatory PSP (docs/model.md), recomputed."""

import re
from pathlib import Path

import numpy as np

from stpexplorer import model

MODEL_PAGE = Path(__file__).resolve().parent.parent / "docs" / "model.md"
#: forum/Stimberg weight at a release of 0.3: the documentation's example input
W_R_NS, DT_MS, REST_MV = 0.05 * 0.3, 0.1, -70.0


def _psp_by_hand(a=0.02, b=0.2, tau_e=5.0, E_e=0.0, C_m=1.0):
    """Forward Euler of dv/dt = 0.04 v² + 5 v + 140 − u + ge (E_e − v)/C_m,
    du/dt = a (b v − u), dge/dt = −ge/τ_e (mV, ms, nS, pF) from rest with ge = w·r."""
    v, u, ge = REST_MV, b * REST_MV, W_R_NS
    trace = []
    for _ in range(int(100 / DT_MS)):
        dv = 0.04 * v * v + 5 * v + 140 - u + ge * (E_e - v) / C_m
        v, u, ge = v + DT_MS * dv, u + DT_MS * a * (b * v - u), ge * (1 - DT_MS / tau_e)
        trace.append(v)
    return np.array(trace)


def _psp_in_the_model():
    """The model's own neuron equations (Brian2, numpy target), noise and drive off."""
    import brian2 as b2

    from stpexplorer.engine import runtime_device

    with runtime_device("numpy"):
        b2.defaultclock.dt = DT_MS * b2.ms
        neuron = b2.NeuronGroup(1, model.NEURON_EQS + model.CONDUCTANCE_EQS, method="euler",
                                namespace={}, name="psp_neuron")  # I_noise stays 0: no noise
        neuron.a, neuron.b = 0.02 / b2.ms, 0.2 / b2.ms
        neuron.v = REST_MV * b2.mV
        neuron.u = neuron.b * neuron.v
        neuron.tau_e, neuron.tau_i, neuron.C_m = 5 * b2.ms, 10 * b2.ms, 1 * b2.pF
        neuron.E_e, neuron.E_i = 0 * b2.mV, -80 * b2.mV
        neuron.ge = W_R_NS * b2.nS
        monitor = b2.StateMonitor(neuron, "v", record=0, name="psp_monitor", when="end")
        b2.Network(neuron, monitor).run(100 * b2.ms, namespace={})
        return np.asarray(monitor.v[0] / b2.mV)


def test_the_model_page_states_the_measured_psp_peak():
    by_hand = _psp_by_hand()
    # -70 mV is the resting state of the regular-spiking neuron: without input it stays
    assert np.all(_psp_by_hand(E_e=REST_MV) == REST_MV)
    peak, when = by_hand.max() - REST_MV, (by_hand.argmax() + 1) * DT_MS
    model_trace = _psp_in_the_model()
    np.testing.assert_allclose(model_trace, by_hand, rtol=1e-9)
    text = " ".join(MODEL_PAGE.read_text().split())
    match = re.search(r"by \*\*([0-9.]+) mV\*\* at the peak, ([0-9.]+) ms after the spike", text)
    assert match, "docs/model.md: the PSP sentence"
    assert float(match.group(1)) == round(peak, 2) and float(match.group(2)) == round(when, 1)
    assert 1.0 < peak < 1.1  # far from the 5 mV of the charge formula
