"""Closed-form Tsodyks–Markram short-term plasticity.

The formulation is the one simulated by :mod:`stpexplorer.model` (Stimberg et
al. 2019, after Tsodyks & Markram 1997), whose functions
:func:`~stpexplorer.model.stp_between_spikes` and
:func:`~stpexplorer.model.stp_at_spike` this module iterates: between spikes

    u(t) = u⁺ e^{−Ω_f Δt}                (facilitation decays to 0)
    x(t) = 1 − (1 − x⁺) e^{−Ω_d Δt}      (resources recover to 1)

and at a presynaptic spike ``u ← u + U_0 (1 − u)``, ``r = u x``,
``x ← x − r``.  Starting state u = 0, x = 1.  Rates are in 1/s, times in ms
(as everywhere in the library's plain-number interface).

Per spike this is the recursion of Markram, Wang & Tsodyks (1998) and of
NEST's ``tsodyks2_synapse``: with U = U_0, τ_fac = 1/Ω_f and τ_rec = 1/Ω_d,
NEST gives the same u, x and u·x at every spike.  NEST starts from u = U,
x = 1 and stores u just after the last facilitation jump (x just after the
last release), applying the decay when the next spike arrives; the only
difference is what the stored u means between spikes (NEST's: its value at
the last spike; here: the decayed value u(t) of the closed form above).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model.equations import stp_at_spike, stp_between_spikes


@dataclass(frozen=True)
class SpikeStates:
    """STP state at each presynaptic spike (arrays of one entry per spike)."""

    u: np.ndarray  # u just after the facilitation step
    x: np.ndarray  # x just before release
    r: np.ndarray  # released fraction r = u·x


#: The update at a presynaptic spike, from the state (u, x) just before it:
#: (u after facilitation ``u + U_0 (1 − u)``, the released fraction ``r = u·x``,
#: x after release ``x − r``).  Numbers or arrays (complex too).  The model's
#: own function (:func:`stpexplorer.model.stp_at_spike`), the Brian2 ``on_pre`` code
#: :data:`stpexplorer.model.STP_ON_PRE` in plain numbers.
at_spike = stp_at_spike

#: (u, x) ``gap_s`` seconds after the state (u, x): u decays to 0 at rate Ω_f
#: and x recovers to 1 at rate Ω_d (1/s).  Numbers or arrays (complex too).  The
#: model's own function (:func:`stpexplorer.model.stp_between_spikes`), the exact
#: solution of its event-driven :data:`stpexplorer.model.STP_EQS`.
between_spikes = stp_between_spikes


def recursion(spike_times_ms, U_0: float, Omega_f: float, Omega_d: float,
              u0: float = 0.0, x0: float = 1.0) -> SpikeStates:
    """Per-spike STP states for any spike train (times in ms, sorted)."""
    times = np.asarray(spike_times_ms, dtype=float)
    n = len(times)
    u_out, x_out, r_out = np.empty(n), np.empty(n), np.empty(n)
    u, x, last = u0, x0, None
    for k, t in enumerate(times):
        if last is not None:
            u, x = between_spikes(u, x, (t - last) * 1e-3, Omega_f, Omega_d)
        x_out[k] = x  # before release
        u, r_out[k], x = at_spike(u, x, U_0)
        u_out[k] = u  # after facilitation
        last = t
    return SpikeStates(u_out, x_out, r_out)


def steady_state(U_0: float, Omega_f: float, Omega_d: float, rate_hz):
    """(u*, x*, r*) for a regular train at ``rate_hz`` (scalar or array).

    u* = U_0 / (1 − (1 − U_0) e^{−Ω_f T}),
    x* = (1 − e^{−Ω_d T}) / (1 − (1 − u*) e^{−Ω_d T}),  r* = u* x*,  T = 1/rate.
    """
    period = 1.0 / np.asarray(rate_hz, dtype=float)
    ef = np.exp(-Omega_f * period)
    ed = np.exp(-Omega_d * period)
    u_star = U_0 / (1.0 - (1.0 - U_0) * ef)
    x_star = (1.0 - ed) / (1.0 - (1.0 - u_star) * ed)
    return u_star, x_star, u_star * x_star


def continuous(spike_times_ms, t_ms, U_0: float, Omega_f: float, Omega_d: float):
    """u(t), x(t) on the grid ``t_ms`` from the closed forms between spikes.

    At a spike time the value after the spike's update is returned (u after
    facilitation, x after release), so a plot shows the jumps.
    """
    spikes = np.asarray(spike_times_ms, dtype=float)
    t = np.asarray(t_ms, dtype=float)
    states = recursion(spikes, U_0, Omega_f, Omega_d)
    u_after = np.concatenate([[0.0], states.u])
    x_after = np.concatenate([[1.0], states.x - states.r])
    last_spike = np.concatenate([[-np.inf], spikes])
    k = np.searchsorted(spikes, t, side="right")  # index into *_after
    gap_s = np.where(k > 0, (t - last_spike[k]) * 1e-3, 0.0)
    return between_spikes(u_after[k], x_after[k], gap_s, Omega_f, Omega_d)
