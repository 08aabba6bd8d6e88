"""A plain numpy forward-Euler network: the same realisation as
:func:`stpexplorer.model.draw_realisation`, with a choice of when a spike
acts on its targets.

``delivery="same_step"`` is this package's model (Brian2, as the paper's
code): in the step a neuron crosses 30 mV its targets' v jump by the pulse,
after the state update and before the reset.  ``delivery="next_step"`` is
NEST with a delay of one step: the pulse is added in the following step,
after that step's state update and before its threshold test.  Nothing else
differs, so if each convention reproduces its simulator spike for spike, the
delivery time is the only difference between the two simulators.

Current mode only (``synapse_model='current'``): v in mV, t in ms, u and
inputs in mV/ms.  The Izhikevich step is the model's
(:func:`stpexplorer.model.izhikevich_step`), and so is the Tsodyks–Markram
update (:func:`~stpexplorer.model.stp_between_spikes`,
:func:`~stpexplorer.model.stp_at_spike`), kept per presynaptic neuron and
target population.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import model
from ..params import Params

DELIVERIES = ("same_step", "next_step")


@dataclass(frozen=True)
class Spikes:
    """Spike indices and times (ms, the start of the step that crossed 30 mV, as Brian2 stamps them)."""

    i: np.ndarray
    t_ms: np.ndarray


def weight_matrix(params: Params, real: model.Realisation) -> np.ndarray:
    """Signed pulse sizes (mV), ``W[post, pre]``: +J_e(1 − jitter·ζ) from
    excitatory, −J_i(1 − jitter·ζ) from inhibitory neurons."""
    n = params.N_e + params.N_i
    W = np.zeros((n, n))
    for proj, size, sign in ((real.exc, params.J_e, 1.0), (real.inh, params.J_i, -1.0)):
        W[proj.post, proj.pre] = sign * size * (1.0 - params.weight_jitter * proj.zeta.astype(float))
    return W


class _Release:
    """Tsodyks–Markram state of every neuron towards each target population."""

    def __init__(self, params: Params):
        n = params.N_e + params.N_i
        exc = np.arange(n) < params.N_e
        self.values = {}
        for target in "ei":
            ee, ie = params.pathway_values("e" + target), params.pathway_values("i" + target)
            self.values[target] = [np.where(exc, ee[k], ie[k]) for k in range(3)]
        self.u = {target: np.zeros(n) for target in "ei"}
        self.x = {target: np.ones(n) for target in "ei"}
        self.last_ms = np.full(n, np.nan)

    def at_spikes(self, spiked: np.ndarray, t_ms: float) -> dict[str, np.ndarray]:
        """r of each spiking neuron towards E and I (updates the state)."""
        gap_s = np.where(np.isnan(self.last_ms[spiked]), 0.0, (t_ms - self.last_ms[spiked]) * 1e-3)
        released = {}
        for target in "ei":
            U, Of, Od = (v[spiked] for v in self.values[target])
            u, x = model.stp_between_spikes(self.u[target][spiked], self.x[target][spiked], gap_s, Of, Od)
            u, released[target], x_after = model.stp_at_spike(u, x, U)
            self.u[target][spiked], self.x[target][spiked] = u, x_after
        self.last_ms[spiked] = t_ms
        return released


def _pulses(W: np.ndarray, params: Params, spiked: np.ndarray, release: _Release | None, t_ms: float):
    """Summed pulse (mV) onto every neuron from the neurons in ``spiked``."""
    if release is None:
        return W[:, spiked].sum(axis=1)
    r = release.at_spikes(spiked, t_ms)
    onto_e = np.arange(W.shape[0]) < params.N_e
    return np.where(onto_e, W[:, spiked] @ r["e"], W[:, spiked] @ r["i"])


def simulate_euler(params: Params, real: model.Realisation, delivery: str = "same_step") -> Spikes:
    """Spikes of the network of ``params``/``real`` (current mode) with the given delivery."""
    if params.synapse_model != "current":
        raise ValueError("the numpy reference network covers the current mode (pulses) only")
    if delivery not in DELIVERIES:
        raise ValueError(f"delivery={delivery!r}; allowed: {DELIVERIES}")
    values = model.neuron_values(params, real)
    a, b, c, d = values["a"], values["b"], values["c"], values["d"]
    v, u = values["v"].copy(), values["u"].copy()
    W = weight_matrix(params, real)
    release = _Release(params) if params.stp else None
    steps = int(round(params.duration / params.dt))
    per_noise = int(round(model.NOISE_DT_MS / params.dt))
    pending = np.zeros(len(v))
    out_i, out_t = [], []
    for k in range(steps):
        t_ms = k * params.dt
        current = values["I_const"] + values["sigma"] * real.noise[k // per_noise]
        v, u = model.izhikevich_step(v, u, current, a, b, params.dt)
        if delivery == "next_step":
            v = v + pending
        spiked = np.flatnonzero(v >= model.V_PEAK_MV)
        pulses = _pulses(W, params, spiked, release, t_ms) if len(spiked) else np.zeros(len(v))
        if delivery == "same_step":
            v = v + pulses
        else:
            pending = pulses
        v[spiked] = c[spiked]
        u[spiked] += d[spiked]
        out_i.append(spiked)
        out_t.append(np.full(len(spiked), t_ms))
    return Spikes(np.concatenate(out_i).astype(np.int32), np.concatenate(out_t))
