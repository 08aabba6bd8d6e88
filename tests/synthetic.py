"""Results built from chosen spike trains (no simulation), for measures with known answers."""

import numpy as np

from stpexplorer import Params, Result


def synthetic_result(spike_i, spike_t_ms, N_e=40, N_i=10, duration=1000.0, **changes) -> Result:
    params = Params(N_e=N_e, N_i=N_i, duration=duration, rec_neuron=0, rec_pre=0, **changes)
    spike_i = np.asarray(spike_i, dtype=np.int32)
    spike_t = np.asarray(spike_t_ms, dtype=float)
    order = np.lexsort((spike_i, spike_t))
    t = np.arange(0.0, duration, params.dt)
    recorded = np.array([0])
    flat = np.zeros((1, len(t)))
    pre_times = spike_t[order][spike_i[order] == 0]
    ones = np.ones(len(pre_times))
    return Result(params=params, seed=0, engine="synthetic", run_time_s=0.0, Ne=N_e, Ni=N_i,
                  spike_i=spike_i[order], spike_t_ms=spike_t[order], t_ms=t, recorded_neurons=recorded,
                  v_rec_mV=flat - 65.0, ge_rec_nS=flat, gi_rec_nS=flat, rec_neuron=0, syn_pre=0,
                  syn_post=1, syn_spike_t_ms=pre_times, u_at_spikes=ones, x_at_spikes=ones,
                  r_at_spikes=ones, conn_pre=np.array([0], np.int32), conn_post=np.array([1], np.int32))
