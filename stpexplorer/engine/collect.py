"""A run's monitored arrays (:data:`stpexplorer.model.OUTPUTS`, SI units) into a
:class:`~stpexplorer.results.Result` (ms, mV, nS): the one place that knows the
units of the compiled model's output."""

from __future__ import annotations

import numpy as np

from .. import model
from ..errors import DivergenceError
from ..params import Params
from ..results import Result


def _check_divergence(t_diverged_s: np.ndarray, params: Params) -> None:
    first_s = np.asarray(t_diverged_s)
    neuron = int(np.argmin(first_s))
    if first_s[neuron] >= model.DIVERGENCE_NEVER_S:
        return
    population = "excitatory" if neuron < params.N_e else "inhibitory"
    t_ms = float(first_s[neuron]) * 1e3
    raise DivergenceError(
        f"simulation diverged at t = {t_ms:.0f} ms in the {population} population "
        f"(neuron {neuron}: |v| exceeded {model.V_RUNAWAY_MV:g} mV or became NaN). Likely cause: "
        f"dt = {params.dt} ms too large for the input, or synaptic weights too strong "
        f"(w_e = {params.w_e} nS, w_i = {params.w_i} nS, J_e = {params.J_e} mV, "
        f"J_i = {params.J_i} mV). Reduce dt or the weights.",
        t_ms=t_ms, population=population, neuron=neuron)


def check_traces_finite(params: Params, recorded: np.ndarray, t_ms: np.ndarray, traces) -> None:
    """A last guard behind the divergence detection in the network: name the
    first time and neuron at which a recorded trace is not finite."""
    bad = np.zeros((len(recorded), len(t_ms)), dtype=bool)
    for trace in traces:
        bad |= ~np.isfinite(trace)
    if not bad.any():
        return
    row, step = min(zip(*np.nonzero(bad)), key=lambda rs: rs[1])
    neuron = int(recorded[row])
    population = "excitatory" if neuron < params.N_e else "inhibitory"
    raise DivergenceError(
        f"simulation diverged at t = {t_ms[step]:.1f} ms in the {population} population "
        f"(neuron {neuron}: a recorded trace became non-finite). Likely cause: dt = {params.dt} ms "
        f"too large, or synaptic weights too strong (w_e = {params.w_e} nS, w_i = {params.w_i} nS). "
        f"Reduce dt or the weights.", t_ms=float(t_ms[step]), population=population, neuron=neuron)


def _synapse_record(arrays: dict, params: Params, real: model.Realisation,
                    spike_i: np.ndarray, spike_t: np.ndarray):
    rec_key, rec_index = model.find_recorded_synapse(params, real)
    path = real.exc if rec_key == "e" else real.inh
    pre, post = int(path.pre[rec_index]), int(path.post[rec_index])
    pre_times = spike_t[spike_i == pre]
    if not params.stp:
        ones = np.ones(len(pre_times))
        return pre, post, pre_times, ones, ones, ones
    steps = np.rint(pre_times / params.dt).astype(np.int64)
    rec_steps = np.rint(arrays["stp_t"] / 1e-3 / params.dt).astype(np.int64)
    rows = np.searchsorted(rec_steps, steps)
    # state kept per presynaptic neuron: its set onto the target's population
    suffix = "_onto_i" if post >= params.N_e and "u_S_onto_i" in arrays else ""
    u = arrays["u_S" + suffix][0][rows]
    x_after = arrays["x_S" + suffix][0][rows]
    r = arrays["r_S" + suffix][0][rows]
    return pre, post, pre_times, u, x_after + r, r


def collect(arrays: dict[str, np.ndarray], params: Params, real: model.Realisation, seed: int,
            engine: str, run_time_s: float) -> Result:
    """Turn a run's :data:`model.OUTPUTS` arrays (SI units) into a
    :class:`Result` (ms, mV, nS); raise on divergence."""
    _check_divergence(arrays["t_diverged"], params)
    spike_i = np.asarray(arrays["spike_i"], dtype=np.int32)
    spike_t = np.asarray(arrays["spike_t"]) / 1e-3
    order = np.lexsort((spike_i, spike_t))
    spike_i, spike_t = spike_i[order], spike_t[order]
    t_ms = np.asarray(arrays["trace_t"]) / 1e-3
    v = np.asarray(arrays["v"]) / 1e-3
    if params.synapse_model == "conductance":
        ge, gi = np.asarray(arrays["ge"]) / 1e-9, np.asarray(arrays["gi"]) / 1e-9
    else:
        ge = gi = np.zeros_like(v)
    pre, post, pre_times, u, x, r = _synapse_record(arrays, params, real, spike_i, spike_t)
    recorded = model.recorded_neurons(params)
    check_traces_finite(params, recorded, t_ms, (v, ge, gi))
    if not all(np.all(np.isfinite(a)) for a in (u, x, r)):
        raise DivergenceError(f"the STP state of synapse {pre} → {post} became non-finite; "
                              f"check U_0, Omega_f and Omega_d")
    return Result(
        params=params, seed=seed, engine=engine, run_time_s=run_time_s,
        Ne=params.N_e, Ni=params.N_i, spike_i=spike_i, spike_t_ms=spike_t, t_ms=t_ms,
        recorded_neurons=recorded.astype(np.int64), v_rec_mV=v, ge_rec_nS=ge,
        gi_rec_nS=gi, rec_neuron=params.rec_neuron, syn_pre=pre, syn_post=post,
        syn_spike_t_ms=pre_times, u_at_spikes=u, x_at_spikes=x, r_at_spikes=r,
        conn_pre=real.conn_pre, conn_post=real.conn_post)
