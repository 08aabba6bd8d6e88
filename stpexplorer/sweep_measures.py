"""What a parameter sweep measures of one run, and the table of a measure
over the grid: used by the sweep (:mod:`stpexplorer.sweep`, whose workers load
no matplotlib) and by its plots (:mod:`stpexplorer.plotting.sweep`)."""

from __future__ import annotations

import numpy as np

from . import stp

__all__ = ["HARMONIC_SHARE", "MEASURES", "dominant_frequency", "grid_table", "mean_over_seeds", "summarise"]

#: The measures of a run, in the order of a sweep's table (see :func:`summarise`).
MEASURES = ("rate_e_hz", "rate_i_hz", "synchrony", "dominant_hz", "mean_release")


def summarise(result) -> dict:
    """Summary measures of one run.

    synchrony: coefficient of variation of the population rate in 5 ms bins
    (0 for asynchronous firing, larger for population bursts); dominant_hz: the
    lowest spectral peak of the rate (1 ms bins) between 2 and 100 Hz with at
    least :data:`HARMONIC_SHARE` of the largest one's power (a train of brief
    population bursts has harmonics as strong as its fundamental: its repetition
    rate is the answer); mean_release: mean r = u·x over all excitatory spikes
    (closed-form recursion on every neuron's train).
    """
    _, rate = result.population_rate(5.0)
    synchrony = float(rate.std() / rate.mean()) if rate.mean() > 0 else 0.0
    _, fine = result.population_rate(1.0)
    power = np.abs(np.fft.rfft(fine - fine.mean())) ** 2
    freqs = np.fft.rfftfreq(len(fine), 1e-3)
    dominant = dominant_frequency(freqs, power)
    p = result.params
    releases = []
    if p.stp:
        # an excitatory spike releases with the E→E values onto E targets and
        # the E→I values onto I targets: weight the two by the neuron's targets
        exc_pre = result.conn_pre < result.Ne
        onto_e = np.bincount(result.conn_pre[exc_pre & (result.conn_post < result.Ne)], minlength=result.Ne)
        onto_i = np.bincount(result.conn_pre[exc_pre & (result.conn_post >= result.Ne)], minlength=result.Ne)
        exc = result.spike_i < result.Ne
        for neuron in np.unique(result.spike_i[exc]):
            times = result.spike_t_ms[result.spike_i == neuron]
            r_ee = stp.recursion(times, *p.pathway_values("ee")).r
            targets = onto_e[neuron] + onto_i[neuron]
            if onto_i[neuron] == 0:  # (a neuron without targets counts with the E→E values)
                releases.append(r_ee)
                continue
            r_ei = stp.recursion(times, *p.pathway_values("ei")).r
            releases.append((onto_e[neuron] * r_ee + onto_i[neuron] * r_ei) / targets)
    mean_release = float(np.concatenate(releases).mean()) if releases else (1.0 if not p.stp else 0.0)
    return {"rate_e_hz": result.mean_rate_hz("e"), "rate_i_hz": result.mean_rate_hz("i"),
            "synchrony": synchrony, "dominant_hz": dominant, "mean_release": mean_release}


#: Share of the largest peak's power a lower spectral peak needs to be the dominant frequency.
HARMONIC_SHARE = 0.9


def dominant_frequency(freqs: np.ndarray, power: np.ndarray, lo: float = 2.0, hi: float = 100.0) -> float:
    """The lowest local maximum of ``power`` in [lo, hi] Hz with at least
    HARMONIC_SHARE of the band's largest power (0.0 for a flat, silent spectrum)."""
    band = (freqs >= lo) & (freqs <= hi)
    f, p = freqs[band], power[band]
    if len(p) == 0 or not p.any():
        return 0.0
    padded = np.concatenate([[-np.inf], p, [-np.inf]])
    peaks = (p >= padded[:-2]) & (p >= padded[2:]) & (p >= HARMONIC_SHARE * p.max())
    return float(f[np.flatnonzero(peaks)[0]])


def grid_table(rows: list[dict], grid: dict, measure: str) -> np.ndarray:
    """(len(y values), len(x values)) mean over seeds of ``measure`` on the first two grid axes."""
    (xname, xs), (yname, ys) = list(grid.items())[:2]
    return np.array([[mean_over_seeds([r.get(measure) for r in rows if r[xname] == x and r[yname] == y])
                      for x in xs] for y in ys], dtype=float)


def mean_over_seeds(values) -> float:
    """Mean over seeds of the values that exist (NaN when none: failed points)."""
    present = [v for v in values if v is not None and v != ""]
    return float(np.mean(present)) if present else float("nan")
