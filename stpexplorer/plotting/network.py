"""Plots of a network run (:class:`~stpexplorer.results.Result`).

Each function takes a result and an optional Axes and returns the Axes (after
brian2tools' plotting style).  :func:`plot_panels` draws them as linked panels
sharing the time axis.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .. import stp
from ..model import V_PEAK_MV
from ..params import PATHWAY_LABELS
from ..results import Result
from .style import (
    E_COLOR,
    HIGHLIGHT,
    I_COLOR,
    R_COLOR,
    RATE_COLORS,
    U_COLOR,
    X_COLOR,
    legend_label,
    new_axes,
    overlay_style,
    title,
)

#: More spikes than this are drawn as an image of spike counts, not as points.
RASTER_MAX_POINTS = 20_000
#: Most synapses drawn in the connectivity panel (a random subset beyond it).
MAX_CONNECTIVITY_POINTS = 20000


def plot_raster(result: Result, ax=None, rate_bin_ms: float = 2.0, highlight=None,
                show_rate: bool = True):
    """Spike raster (excitatory red, inhibitory blue) with the population rate.

    ``highlight`` (default: the recorded neuron and the recorded synapse's
    presynaptic neuron) are drawn larger in orange, explained in a legend.
    """
    ax = new_axes(ax)
    if len(result.spike_i) > RASTER_MAX_POINTS:
        _raster_image(result, ax)
    else:
        exc = result.spike_i < result.Ne
        marker = dict(marker="|", s=6, linewidths=0.6)
        ax.scatter(result.spike_t_ms[exc], result.spike_i[exc], color=E_COLOR, **marker)
        ax.scatter(result.spike_t_ms[~exc], result.spike_i[~exc], color=I_COLOR, **marker)
    highlight = {result.rec_neuron, result.syn_pre} if highlight is None else set(highlight)
    for neuron in sorted(highlight):
        sel = result.spike_i == neuron
        ax.axhline(neuron, color=HIGHLIGHT, lw=0.8, alpha=0.5)
        ax.scatter(result.spike_t_ms[sel], result.spike_i[sel], color=HIGHLIGHT, marker="|",
                   s=60, linewidths=1.5, zorder=3, label=highlight_label(result, neuron))
    if highlight:
        ax.legend(loc="upper right", fontsize=7, framealpha=0.8, handlelength=1.0)
    ax.set_ylim(-0.5, result.Ne + result.Ni - 0.5)
    ax.set_ylabel("neuron")
    title(ax, f"Spikes — E {result.mean_rate_hz('e'):.1f} Hz, I {result.mean_rate_hz('i'):.1f} Hz")
    if show_rate:
        rate_ax = ax.twinx()
        centres, rate = result.population_rate(rate_bin_ms)
        rate_ax.plot(centres, rate, color="k", lw=0.8, alpha=0.7)
        rate_ax.set_ylabel("population rate (Hz)")
        rate_ax.set_ylim(0, max(rate.max() * 1.1, 1.0))
        ax.rate_axes = rate_ax
    return ax


def _raster_image(result: Result, ax, rows: int = 250, columns: int = 600) -> None:
    """The raster as an image of spike counts (neurons × time bins, E red,
    I blue, darker for more spikes), about the size of the panel in pixels:
    its cost does not grow with the number of spikes, which a runaway network
    makes millions of."""
    from matplotlib.colors import to_rgb

    n = result.Ne + result.Ni
    rows = min(rows, n)
    row = np.minimum(result.spike_i.astype(np.int64) * rows // n, rows - 1)
    column = np.clip((result.spike_t_ms * (columns / result.duration_ms)).astype(np.int64), 0, columns - 1)
    counts = np.bincount(row * columns + column, minlength=rows * columns).reshape(rows, columns)
    rgba = np.zeros((rows, columns, 4), dtype=np.uint8)
    exc_rows = (np.arange(rows) + 0.5) * n / rows - 0.5 < result.Ne
    rgba[exc_rows, :, :3] = np.round(np.multiply(to_rgb(E_COLOR), 255)).astype(np.uint8)
    rgba[~exc_rows, :, :3] = np.round(np.multiply(to_rgb(I_COLOR), 255)).astype(np.uint8)
    alpha = np.where(counts > 0, 0.35 + 0.65 * counts / max(counts.max(), 1), 0.0)
    rgba[..., 3] = np.round(alpha * 255).astype(np.uint8)
    ax.imshow(rgba, origin="lower", aspect="auto", interpolation="nearest",
              extent=(0.0, result.duration_ms, -0.5, n - 0.5))


def highlight_label(result: Result, neuron: int) -> str:
    """What an orange row of the raster is: the recorded neuron (v, ge, gi
    panel) and/or the presynaptic neuron of the recorded synapse (u, x panel)."""
    roles = []
    if neuron == result.rec_neuron:
        roles.append("recorded neuron: v, g below")
    if neuron == result.syn_pre:
        roles.append(f"presynaptic of synapse {result.syn_pre} → {result.syn_post}: u, x below")
    return f"neuron {neuron} ({'; '.join(roles) or 'highlighted'})"



def plot_rate(result: Result, ax=None, bin_ms: float = 2.0, faint: bool = False,
              populations=("e", "i")):
    """Population rates (Hz) against time; ``populations`` from 'e', 'i', 'all'."""
    ax = new_axes(ax)
    style = overlay_style(faint)
    for pop in populations:
        centres, rate = result.population_rate(bin_ms, pop)
        ax.plot(centres, rate, color=RATE_COLORS[pop], lw=0.9, label=legend_label(pop.upper(), faint), **style)
    ax.set_ylabel("rate (Hz)")
    return ax


def plot_conductances(result: Result, ax=None, v_ax=None):
    """ge and gi (nS) of the recorded neuron, with v (mV) and the spike cut-off.

    v goes on ``v_ax`` (default: a new twin of ``ax``).
    """
    ax = new_axes(ax)
    t = result.t_ms
    ax.plot(t, result.ge_nS, color=E_COLOR, lw=0.9, label="ge")
    ax.plot(t, result.gi_nS, color=I_COLOR, lw=0.9, label="gi")
    ax.set_ylabel("conductance (nS)")
    if result.params.synapse_model == "current":
        ax.text(0.01, 0.9, "current-pulse synapses: no conductances", transform=ax.transAxes,
                fontsize=8, color="0.4")
    v_ax = ax.twinx() if v_ax is None else v_ax
    v_ax.plot(t, result.v_mV, color="k", lw=0.7, alpha=0.8, label="v")
    v_ax.axhline(V_PEAK_MV, color="0.5", ls=":", lw=0.8)
    v_ax.set_ylabel("v (mV)")
    kind = "exc" if result.rec_neuron < result.Ne else "inh"
    title(ax, f"Neuron {result.rec_neuron} ({kind}): conductances and v "
               f"(dotted: {V_PEAK_MV:g} mV cut-off)")
    ax.legend(loc="upper right", fontsize=8, frameon=False)
    ax.v_axes = v_ax
    return ax


def remove_artists(ax) -> None:
    """Empty an Axes but keep its axis and tick objects (much faster to redraw
    than ``Axes.clear()``, which rebuilds the ticks)."""
    for artist in [*ax.lines, *ax.collections, *ax.texts, *ax.patches, *ax.images]:
        artist.remove()
    if ax.legend_ is not None:
        ax.legend_.remove()


def plot_resources(result: Result, ax=None, faint: bool = False, samples: int = 2000):
    """u(t) and x(t) of the recorded synapse from the closed forms, dots at
    spikes (u after facilitation, x before release), stems for r = u·x."""
    ax = new_axes(ax)
    p = result.params
    style = overlay_style(faint)
    spikes = result.syn_spike_t_ms
    if p.stp:
        t = np.union1d(np.linspace(0, result.duration_ms, samples), spikes)
        u, x = stp.continuous(spikes, t, *p.pathway_values(result.syn_pathway))
        ax.plot(t, u, color=U_COLOR, lw=1.0, label=legend_label("u", faint), **style)
        ax.plot(t, x, color=X_COLOR, lw=1.0, label=legend_label("x", faint), **style)
    if not faint:
        ax.plot(spikes, result.u_at_spikes, "o", color=U_COLOR, ms=3)
        ax.plot(spikes, result.x_at_spikes, "o", color=X_COLOR, ms=3)
        if len(spikes):
            ax.vlines(spikes, 0, result.r_at_spikes, color=R_COLOR, lw=1.2, label="r = u·x")
    ax.set_ylim(-0.02, 1.05)
    ax.set_ylabel("u, x, r")
    ax.set_xlabel("time (ms)")
    note = "" if p.stp else " — STP off (static synapse, r = 1)"
    pathway = PATHWAY_LABELS[result.syn_pathway]
    title(ax, f"Synapse {result.syn_pre} → {result.syn_post} ({pathway}): {len(spikes)} presynaptic "
               f"spikes{note}")
    if not faint:
        ax.legend(loc="upper right", fontsize=8, frameon=False, ncol=3)
    return ax


def plot_connectivity(result: Result, ax=None, max_points: int = MAX_CONNECTIVITY_POINTS):
    """Connection matrix (pre against post) with the recorded synapse marked."""
    ax = new_axes(ax)
    pre, post = result.conn_pre, result.conn_post
    if len(pre) > max_points:
        pick = np.random.default_rng(0).choice(len(pre), max_points, replace=False)
        pre, post = pre[pick], post[pick]
        title(ax, f"Connectivity ({max_points} of {result.n_synapses})")
    else:
        title(ax, f"Connectivity ({result.n_synapses} synapses)")
    colors = np.where(pre < result.Ne, E_COLOR, I_COLOR)
    ax.scatter(post, pre, c=colors, s=1.5 if len(pre) > 2000 else 6, marker="s", linewidths=0)
    ax.plot([result.syn_post], [result.syn_pre], "o", mfc="none", mec=HIGHLIGHT, ms=10, mew=2)
    n = result.Ne + result.Ni
    ax.set_xlim(-0.5, n - 0.5)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xlabel("postsynaptic neuron")
    ax.set_ylabel("presynaptic neuron")
    return ax


def plot_panels(result: Result, fig=None):
    """Raster, conductances and resources sharing the time axis, plus connectivity.

    Returns ``(fig, axes)`` with ``axes`` a dict: raster, conductances,
    resources, connectivity.
    """
    if fig is None:
        fig = Figure(figsize=(12, 8), layout="constrained")
    grid = fig.add_gridspec(3, 2, width_ratios=[3, 1])
    raster = fig.add_subplot(grid[0, 0])
    axes = {
        "raster": raster,
        "conductances": fig.add_subplot(grid[1, 0], sharex=raster),
        "resources": fig.add_subplot(grid[2, 0], sharex=raster),
        "connectivity": fig.add_subplot(grid[:, 1]),
    }
    draw_panels(result, axes)
    return fig, axes


def draw_panels(result: Result, axes: dict, previous: Result | None = None):
    """Draw every panel into existing axes (cleared first).

    ``previous`` adds a faint overlay of another run's resources for comparison.
    """
    for ax in axes.values():
        for twin in ("rate_axes", "v_axes"):
            if hasattr(ax, twin):
                getattr(ax, twin).remove()
                delattr(ax, twin)
        ax.clear()
    plot_raster(result, axes["raster"])
    plot_conductances(result, axes["conductances"])
    if previous is not None:
        plot_resources(previous, axes["resources"], faint=True)
    plot_resources(result, axes["resources"])
    plot_connectivity(result, axes["connectivity"])
    axes["raster"].set_xlim(0, result.duration_ms)
    for name in ("raster", "conductances"):
        axes[name].tick_params(labelbottom=False)
    return axes
