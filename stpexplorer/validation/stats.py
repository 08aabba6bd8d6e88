"""Network statistics compared across simulators: rates per population and
the alpha and gamma band powers of the population rate.

The top peak of the spectrum flips between ~8 and ~40 Hz from seed to seed,
so the comparison uses the fraction of the power (1–100 Hz) in each band,
averaged over seeds.  Each seed's network is the same realisation in both
simulators, so the seeds pair up: a measure agrees when the mean of the
paired differences is within a two-sided 99 % Student-t bound of zero
(t₀.₉₉₅(n − 1) standard errors of that mean, n seeds), or within a floor
(relative to this package's mean) that stands for differences too small to
matter.
"""

from __future__ import annotations

import numpy as np

#: Bands of the population-rate spectrum (Hz): Izhikevich (2003) alpha ~8–10 Hz, gamma ~25–40 Hz.
BANDS = {"alpha": (7.0, 14.0), "gamma": (25.0, 45.0)}
#: The spectrum's total: power between these frequencies (Hz).
TOTAL_BAND = (1.0, 100.0)
#: Population rate bin (ms) and the start-up transient left out (ms).
BIN_MS = 1.0
TRANSIENT_MS = 100.0
RATE_MEASURES = ("rate_e", "rate_i")
BAND_MEASURES = ("alpha", "gamma")
LABELS = {"rate_e": "E rate", "rate_i": "I rate", "alpha": "alpha power", "gamma": "gamma power"}
#: Differences accepted whatever the seeds' spread: rates relative to this
#: package's mean, band powers in absolute fraction of the total power (a
#: band holds 5-50 % of it; relative differences of a small fraction say little).
#: The simulators differ by construction in when a pulse acts (same step here,
#: next step in NEST; the identity rows show it is the only difference), and
#: that alone moves rates by several per cent where many neurons fire in the
#: same step: a pulse onto a neuron that fires in that step is lost here (the
#: reset follows), counted in NEST.  Measured with the numpy Euler of both
#: conventions, 1000 neurons, 4-8 seeds: izhikevich2003 0.1 % (E) and 1 % (I),
#: current-mode networks with STP -7 % to +7 % (E) depending on the weights.
FLOORS = {"rate_e": 0.10, "rate_i": 0.10, "alpha": 0.05, "gamma": 0.05}
RELATIVE = {"rate_e": True, "rate_i": True, "alpha": False, "gamma": False}
#: Two-sided confidence of the bound on the mean paired difference.
CONFIDENCE = 0.99


def band_fractions(params, spike_t_ms) -> dict[str, float]:
    """Fraction of the population rate's power (1–100 Hz) in each of :data:`BANDS`."""
    edges = np.arange(0.0, params.duration + BIN_MS / 2, BIN_MS)
    counts = np.histogram(spike_t_ms, edges)[0].astype(float)
    rate = counts[int(TRANSIENT_MS / BIN_MS):] / (params.N_e + params.N_i) / (BIN_MS * 1e-3)
    rate = rate - rate.mean()
    power = np.abs(np.fft.rfft(rate * np.hanning(len(rate)))) ** 2
    freqs = np.fft.rfftfreq(len(rate), BIN_MS * 1e-3)
    total = power[(freqs >= TOTAL_BAND[0]) & (freqs <= TOTAL_BAND[1])].sum()
    return {name: float(power[(freqs >= lo) & (freqs < hi)].sum() / total) if total > 0 else 0.0
            for name, (lo, hi) in BANDS.items()}


def measures(params, spike_i, spike_t_ms) -> dict[str, float]:
    """Rates of E and I (Hz per neuron) and the band fractions of one run."""
    spike_i = np.asarray(spike_i)
    seconds = params.duration * 1e-3
    return {"rate_e": float(np.count_nonzero(spike_i < params.N_e) / params.N_e / seconds),
            "rate_i": float(np.count_nonzero(spike_i >= params.N_e) / params.N_i / seconds),
            **band_fractions(params, spike_t_ms)}


def t_quantile(n_seeds: int) -> float:
    """Student-t quantile for the two-sided :data:`CONFIDENCE` bound with n − 1 degrees of freedom."""
    from scipy.stats import t

    return float(t.ppf(0.5 + CONFIDENCE / 2, max(n_seeds - 1, 1)))


def compare(ours: list[dict], theirs: list[dict], names) -> dict[str, dict]:
    """Per measure: both seed means, the relative difference and its tolerance.

    ``difference`` is relative for rates, absolute for band fractions (see
    :data:`RELATIVE`); ``ratio`` = difference / tolerance; ≤ 1 passes.
    """
    table = {}
    for name in names:
        a = np.array([run[name] for run in ours])
        b = np.array([run[name] for run in theirs])
        d = a - b
        scale = (abs(a.mean()) or 1.0) if RELATIVE[name] else 1.0
        se = d.std(ddof=1) / np.sqrt(len(d)) if len(d) > 1 else 0.0
        difference = abs(d.mean()) / scale
        tolerance = max(FLOORS[name], t_quantile(len(d)) * se / scale)
        table[name] = {"ours": float(a.mean()), "nest": float(b.mean()), "difference": float(difference),
                       "tolerance": float(tolerance), "ratio": float(difference / tolerance), "seeds": len(d),
                       "per_seed_ours": a.tolist(), "per_seed_nest": b.tolist()}
    return table


def describe(table: dict) -> str:
    """One sentence per measure: both means, the difference and its tolerance."""
    parts = []
    for name, c in table.items():
        if RELATIVE[name]:
            parts.append(f"{LABELS[name]} {c['ours']:.3g} Hz here, {c['nest']:.3g} Hz NEST (differ by "
                         f"{100 * c['difference']:.1f} %, tolerance {100 * c['tolerance']:.1f} %)")
        else:
            parts.append(f"{LABELS[name]} {c['ours']:.3f} here, {c['nest']:.3f} NEST (differ by "
                         f"{c['difference']:.3f}, tolerance {c['tolerance']:.3f})")
    seeds = next(iter(table.values()))["seeds"]
    return "; ".join(parts) + f"; means over {seeds} seeds"
