"""What every plot of the package shares: colours, the panel title, the look
of an overlaid (previous or pinned) run, round axis limits."""

from __future__ import annotations

import math

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
TRAIN_COLORS = (E_COLOR, I_COLOR, X_COLOR, U_COLOR, RATIO_COLOR, R_COLOR)  # the trains of a fit, in turn
REFERENCE_COLOR = "0.6"  # a reference line (zero residual)
DIVIDER_COLOR = "0.85"  # between pictures drawn side by side on one axis

# the dashboard's empty panels and the sweep's pictures
PLACEHOLDER_COLOR = "0.4"  # what to do, written where a panel will be drawn
HEATMAP_CMAP = "viridis"  # a sweep's measure over its grid


def new_axes(ax=None):
    """``ax``, or the Axes of a new figure when it is None."""
    if ax is None:
        ax = Figure(figsize=(8, 3), layout="constrained").add_subplot()
    return ax


def title(ax, text: str):
    """A panel title, left-aligned at a fixed height; returns its Text."""
    # an explicit y skips matplotlib's search for a title position at every draw
    return ax.set_title(text, loc="left", fontsize=10, y=1.0)


def overlay_style(faint: bool) -> dict:
    """Line keywords of an overlaid run (faint, dashed) or of the current one."""
    return {"alpha": 0.3, "linestyle": "--"} if faint else {}


def legend_label(text: str, faint: bool) -> str:
    """``text``, left out of legends for an overlaid run."""
    return "_" + text if faint else text  # matplotlib leaves "_"-labels out of legends


def round_step(span: float, intervals: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 × 10^k) that cuts ``span`` into at most about ``intervals`` parts."""
    raw = span / intervals
    magnitude = 10.0 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * (1 - 1e-9))


def rounded_range(low: float, high: float, intervals: int = 4, pad: float = 0.0) -> tuple[float, float]:
    """``(low, high)``, widened by ``pad`` × its span on each side, then out to
    multiples of a round step: limits that depend on the data alone and change
    only when the data crosses a step."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return (0.0, 1.0)
    span = high - low
    if span <= 1e-12 * max(1.0, abs(high)):
        span = abs(high) * 0.2 or 1.0
        low, high = low - span / 2, high + span / 2
    low, high = low - pad * span, high + pad * span
    step = round_step(high - low, intervals)
    return (math.floor(low / step + 1e-9) * step, math.ceil(high / step - 1e-9) * step)


def round_up(value: float, ladder=(1, 2, 5)) -> float:
    """The smallest m × 10^k (m from ``ladder``, k an integer) at or above ``value`` > 0."""
    magnitude = 10.0 ** math.floor(math.log10(value))
    return next(m * magnitude for m in (*ladder, 10) if m * magnitude >= value * (1 - 1e-9))
