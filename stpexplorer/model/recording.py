"""What a run records: the recorded neurons, the recorded synapse, and the
run-time arrays a compiled network reads for a seed and a recording."""

from __future__ import annotations

import numpy as np

from ..params import Params
from .realisation import Realisation, padded

#: Neurons recorded besides the chosen one, so another can be inspected without a re-run.
EXTRA_RECORDED_E = 5
EXTRA_RECORDED_I = 3
#: Rows of the recorded synapse's monitor (the same index each; see :func:`stpexplorer.model.build`).
SYN_TRACE_ROWS = 2


def recorded_neurons(params: Params) -> np.ndarray:
    """The chosen neuron plus a few spread over both populations, sorted.

    Always the same number of neurons for one network size (the chosen one
    replaces nothing: a spread neuron it coincides with gives its place to the
    next free index), so a compiled network records any choice of neuron
    with the same monitor (the indices are run-time data)."""
    ne, ni = params.N_e, params.N_i
    n = ne + ni
    extra_e = np.linspace(0, ne - 1, min(ne, EXTRA_RECORDED_E)).round().astype(int)
    extra_i = ne + np.linspace(0, ni - 1, min(ni, EXTRA_RECORDED_I)).round().astype(int)
    spread = np.unique(np.concatenate([extra_e, extra_i]))
    count = min(n, len(spread) + 1)
    chosen = {int(params.rec_neuron)}
    for index in spread:
        if len(chosen) == count:
            break
        candidate = int(index)
        while candidate in chosen:
            candidate = (candidate + 1) % n
        chosen.add(candidate)
    return np.array(sorted(chosen), dtype=np.int64)


def find_recorded_synapse(params: Params, real: Realisation) -> tuple[str, int]:
    """(projection key 'e' or 'i', synapse index in that projection) for
    ``rec_pre``/``rec_post``.

    Raises ``ValueError`` if the neuron has no outgoing synapse or the chosen
    pair is not connected, instead of recording nothing.
    """
    key = "e" if params.rec_pre < params.N_e else "i"
    proj = real.projection(key)
    candidates = np.flatnonzero(proj.pre == params.rec_pre)
    if len(candidates) == 0:
        raise ValueError(f"rec_pre={params.rec_pre}: this neuron has no outgoing synapse "
                         f"in this network (seed-dependent); choose another presynaptic neuron")
    if params.rec_post < 0:
        return key, int(candidates[0])
    match = candidates[proj.post[candidates] == params.rec_post]
    if len(match) == 0:
        targets = proj.post[candidates][:10].tolist()
        raise ValueError(f"rec_post={params.rec_post}: there is no synapse {params.rec_pre} -> "
                         f"{params.rec_post} in this network; targets of {params.rec_pre} "
                         f"include {targets}")
    return key, int(match[0])


def run_time_arrays(params: Params, real: Realisation, capacity: dict[str, int],
                    stp_storage: str = "presynaptic") -> dict[str, np.ndarray]:
    """What a compiled network of ``capacity`` reads as run-time data for
    ``real`` (drawn with its noise) and the recording of ``params``: the
    padded connectivity and spread draws of each projection (sources counted
    within the presynaptic population), the recorded neurons, the recorded
    synapse's index in its monitor, and the noise (time steps × neurons)."""
    full = padded(params, real, capacity)
    arrays = {}
    for key, proj, first in (("e", full.exc, 0), ("i", full.inh, params.N_e)):
        arrays[f"{key}_sources"] = proj.pre - first
        arrays[f"{key}_targets"] = proj.post
        arrays[f"{key}_zeta"] = proj.zeta
    arrays["recorded"] = recorded_neurons(params)
    if params.stp:
        rec_key, rec_index = find_recorded_synapse(params, real)
        presynaptic = stp_storage == "presynaptic"
        index = real.projection(rec_key).pre[rec_index] if presynaptic else rec_index
        arrays["syn_recorded"] = np.full(SYN_TRACE_ROWS, index)
    arrays["noise"] = real.noise
    return arrays
