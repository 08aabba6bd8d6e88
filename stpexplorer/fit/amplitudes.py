"""The model of the fit: amplitude_n = A·r_n, with r_n the released fraction
of :mod:`stpexplorer.stp` at every spike, and the scales the parameters are
fitted on.

Rates are fitted on the scale log(Ω + 0.01/s) (so Ω = 0 is reachable), U_0 on
log U_0, A on log A, within the ranges of the
:class:`~stpexplorer.params.Params` fields (read from their metadata).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .. import params as params_mod
from .. import stp

#: The fitted Params fields, in table order.
FITTED = ("U_0", "Omega_f", "Omega_d")

_RATE_OFFSET = 0.01  # 1/s: rates are fitted as log(Ω + offset), so Ω = 0 is reachable


def release(spike_times_ms: Sequence[np.ndarray], U_0, Omega_f, Omega_d) -> np.ndarray | list:
    """Released fraction r_n at every spike of every train (the exact recursion).

    ``spike_times_ms`` is one train (1-D array) or a list of trains.  The
    parameters may be scalars or 1-D arrays of P parameter sets; the result
    has shape (P, n_spikes) per train (P dropped for scalars).
    """
    single = len(spike_times_ms) == 0 or np.ndim(spike_times_ms[0]) == 0
    trains = [np.asarray(spike_times_ms, float)] if single else [np.asarray(t, float) for t in spike_times_ms]
    if any(len(t) == 0 for t in trains):
        raise ValueError("a train without spikes has no release")
    gaps, lengths = gaps_s(trains)
    scalar = all(np.ndim(v) == 0 for v in (U_0, Omega_f, Omega_d))
    r = release_padded(np.atleast_1d(U_0), np.atleast_1d(Omega_f), np.atleast_1d(Omega_d), gaps)
    out = [r[:, i, :n] for i, n in enumerate(lengths)]
    if scalar:
        out = [o[0] for o in out]
    return out[0] if single else out


def gaps_s(trains: list[np.ndarray]) -> tuple[np.ndarray, list[int]]:
    """Inter-spike gaps in seconds, one row per train, padded with zeros
    (the first column is 0: the gap before a train's first spike); and the trains' lengths."""
    lengths = [len(t) for t in trains]
    gaps = np.zeros((len(trains), max(lengths)))
    for i, t in enumerate(trains):
        gaps[i, 1:len(t)] = np.diff(t) * 1e-3
    return gaps, lengths


def release_padded(U, Of, Od, gaps: np.ndarray) -> np.ndarray:
    """r for P parameter sets (1-D arrays, broadcast) and T trains of padded gaps (s): shape (P, T, N).

    Every train starts from rest (u = 0, x = 1).  The update is
    :func:`stpexplorer.stp.between_spikes` and :func:`stpexplorer.stp.at_spike`
    on arrays, so the loop runs over the spike index only.  Works with complex
    parameters (complex-step derivatives).
    """
    U, Of, Od = (np.asarray(v)[:, None] for v in np.broadcast_arrays(U, Of, Od))
    n_sets, (n_trains, n_spikes) = U.shape[0], gaps.shape
    dtype = np.result_type(U, Of, Od, float)
    r = np.empty((n_sets, n_trains, n_spikes), dtype)
    u = np.zeros((n_sets, n_trains), dtype)  # at rest
    x = np.ones((n_sets, n_trains), dtype)
    for k in range(n_spikes):
        u, x = stp.between_spikes(u, x, gaps[:, k], Of, Od)  # gap 0 before the first spike: rest stays
        u, r[:, :, k], x = stp.at_spike(u, x, U)
    return r


# ----------------------------------------------------------------------
# parameter scales
def value_range(name: str) -> tuple[float, float]:
    """(lo, hi) of a Params field, from its metadata."""
    meta = params_mod.field_info(name).metadata
    return float(meta["lo"]), float(meta["hi"])


def _offset(name: str) -> float:
    return 0.0 if value_range(name)[0] > 0 else _RATE_OFFSET


def to_scale(name: str, value):
    """The fitted coordinate ψ of a parameter value."""
    return np.log(value + _offset(name))


def from_scale(name: str, psi):
    """The parameter value of a fitted coordinate ψ (arrays and complex too)."""
    return np.exp(psi) - _offset(name)


def scale_bounds() -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds of (ψ_U, ψ_f, ψ_d): the Params ranges on the fitted scales."""
    lo = [to_scale(n, value_range(n)[0]) for n in FITTED]
    hi = [to_scale(n, value_range(n)[1]) for n in FITTED]
    return np.array(lo), np.array(hi)


def clipped_value(name: str, psi: float) -> float:
    """A parameter from its scaled value, clipped into its Params range (exactly an end at a bound)."""
    lo, hi = value_range(name)
    if abs(psi - to_scale(name, lo)) < 1e-9:
        return lo
    if abs(psi - to_scale(name, hi)) < 1e-9:
        return hi
    return float(np.clip(from_scale(name, psi), lo, hi))


def natural(psi) -> tuple[float, float, float]:
    """(U_0, Omega_f, Omega_d) from scaled values."""
    return tuple(clipped_value(n, p) for n, p in zip(FITTED, psi))
