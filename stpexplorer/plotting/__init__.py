"""Plots of the package's results, split by what is drawn.

* :mod:`~stpexplorer.plotting.network` — a network run: raster, rates,
  conductances, u/x/r of the recorded synapse, connectivity, and
  :func:`plot_panels` that draws them as linked panels;
* :mod:`~stpexplorer.plotting.lab` — the synapse lab and the neuron gallery;
* :mod:`~stpexplorer.plotting.sweep` — heatmaps of a parameter sweep;
* :mod:`~stpexplorer.plotting.fit` — a fit of STP parameters to recorded amplitudes;
* :mod:`~stpexplorer.plotting.style` — colours, titles, the overlay look.

Each ``plot_*`` function takes the data and an optional Axes and returns the
Axes; ``draw_*`` functions draw into Axes they are given.  Nothing here shows
a window: the figures are :class:`matplotlib.figure.Figure` objects or the
caller's.

>>> from stpexplorer.plotting import plot_panels
>>> fig, axes = plot_panels(result)
"""

from .fit import plot_fit
from .lab import draw_neuron, draw_synapse_lab
from .network import (
    MAX_CONNECTIVITY_POINTS,
    RASTER_MAX_POINTS,
    draw_panels,
    highlight_label,
    plot_conductances,
    plot_connectivity,
    plot_panels,
    plot_raster,
    plot_rate,
    plot_resources,
    remove_artists,
)
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
from .sweep import draw_heatmap, heatmaps, tick_labels

__all__ = [
    "plot_panels", "draw_panels", "plot_raster", "plot_rate", "plot_conductances", "plot_resources",
    "plot_connectivity", "highlight_label", "remove_artists", "RASTER_MAX_POINTS",
    "MAX_CONNECTIVITY_POINTS", "draw_synapse_lab", "draw_neuron", "draw_heatmap", "heatmaps",
    "tick_labels", "plot_fit", "E_COLOR", "I_COLOR", "U_COLOR", "X_COLOR", "R_COLOR", "HIGHLIGHT", "RATE_COLORS",
    "new_axes", "title", "overlay_style", "legend_label",
]
