"""The picture of a fit (:mod:`stpexplorer.fit`): recorded amplitudes, the
fitted amplitudes per train, and the relative residuals."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..fit.data import check_trains
from ..fit.report import fmt
from .style import DIVIDER_COLOR, REFERENCE_COLOR, TRAIN_COLORS

if TYPE_CHECKING:
    from ..fit.report import StpFit


def plot_fit(fit: StpFit, trains, axes=None):
    """Data (dots) and fitted amplitudes (line) per train, and relative residuals below.

    Trains are drawn side by side against the spike number; a gap longer
    than twice the train's typical interval (a recovery probe) is labelled
    with its length.  ``axes``: two Axes (amplitudes, residuals) or None (a
    new figure).  Returns the two Axes.
    """
    if axes is None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(8, 4.8), layout="constrained")
        axes = fig.subplots(2, 1, sharex=True, height_ratios=(3, 1.3))
    ax, ax_res = axes
    _, times, amps = check_trains(trains)
    top = max(max(np.nanmax(a) for a in amps), max(float(np.max(f)) for f in fit.fitted))
    offset, ticks, labels = 0.0, [], []
    for i, (t, a, fitted) in enumerate(zip(times, amps, fit.fitted)):
        x = offset + np.arange(1, len(t) + 1)
        name = fit.train_names[i] if i < len(fit.train_names) else f"train {i + 1}"
        _draw_train(ax, ax_res, x, t, a, fitted, name, TRAIN_COLORS[i % len(TRAIN_COLORS)], top)
        if i:
            for a_ in (ax, ax_res):
                a_.axvline(offset, color=DIVIDER_COLOR, lw=0.8)
        shown = [k for k in range(len(t)) if k == 0 or (k + 1) % 5 == 0]
        ticks += [x[k] for k in shown]
        labels += [str(k + 1) for k in shown]
        offset = x[-1] + 1.0
    ax_res.set_xticks(ticks, labels)
    ax.set_ylim(0, 1.3 * top)
    ax.set_ylabel("amplitude (data unit)")
    ax_res.set_ylabel("residual (%)")
    ax_res.set_xlabel("spike number in its train (trains side by side)")
    ax.set_title(f"U₀ = {fmt(fit.U_0)}, Ω_f = {fmt(fit.Omega_f)} /s, Ω_d = {fmt(fit.Omega_d)} /s, "
                 f"A = {fmt(fit.A)}  (dots: data, lines: fit)", loc="left", fontsize=10)
    return ax, ax_res


def _draw_train(ax, ax_res, x, t, a, fitted, name: str, color: str, top: float) -> None:
    """One train at positions ``x``: fit (line), data (dots), its name above,
    recovery probes labelled with their gap (ms); relative residuals (%) in ``ax_res``."""
    ax.plot(x, fitted, "-", color=color, lw=1.2, alpha=0.8, label=f"{name}: fit")
    ax.plot(x, a, "o", color=color, ms=4.5, label=f"{name}: data")
    rel = 100 * (a / fitted - 1)
    ax_res.axhline(0, color=REFERENCE_COLOR, lw=0.8)
    ax_res.plot(x, rel, "o", color=color, ms=3.5)
    ax_res.vlines(x, 0, rel, color=color, lw=0.8)
    gaps = np.diff(t)
    for k in np.flatnonzero(gaps > 2 * np.median(gaps)):
        ax.annotate(f"+{gaps[k]:g} ms", (x[k + 1], a[k + 1] if np.isfinite(a[k + 1]) else fitted[k + 1]),
                    textcoords="offset points", xytext=(0, 7), ha="center", fontsize=7, color=color)
    ax.text(x[0], 1.12 * top, name, color=color, fontsize=9, va="bottom")
