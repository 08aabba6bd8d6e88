"""What every plot of the package shares: colours, the panel title, the look
of an overlaid (previous or pinned) run."""

from __future__ import annotations

from matplotlib.figure import Figure

E_COLOR = "#c0392b"  # excitatory neurons, ge
I_COLOR = "#2471a3"  # inhibitory neurons, gi
U_COLOR = "#8e44ad"  # facilitation u
X_COLOR = "#16a085"  # resources x
R_COLOR = "#34495e"  # release r = u·x
HIGHLIGHT = "#f39c12"  # the recorded neuron and synapse
RATIO_COLOR = "#d35400"  # A_n / A_1 in the synapse lab
TRANSMITTED_COLOR = "#7d3c98"  # f·r*(f) in the synapse lab; u of a single neuron
RATE_COLORS = {"e": E_COLOR, "i": I_COLOR, "all": "k"}


def new_axes(ax=None):
    """``ax``, or the Axes of a new figure when it is None."""
    if ax is None:
        ax = Figure(figsize=(8, 3), layout="constrained").add_subplot()
    return ax


def title(ax, text: str) -> None:
    """A panel title, left-aligned at a fixed height."""
    # an explicit y skips matplotlib's search for a title position at every draw
    ax.set_title(text, loc="left", fontsize=10, y=1.0)


def overlay_style(faint: bool) -> dict:
    """Line keywords of an overlaid run (faint, dashed) or of the current one."""
    return {"alpha": 0.3, "linestyle": "--"} if faint else {}


def legend_label(text: str, faint: bool) -> str:
    """``text``, left out of legends for an overlaid run."""
    return "_" + text if faint else text  # matplotlib leaves "_"-labels out of legends
