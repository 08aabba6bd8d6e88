"""Plots of a parameter sweep (:mod:`stpexplorer.sweep`; its measures from
:mod:`stpexplorer.sweep_measures`): a heatmap of one measure over two grid
axes, and one picture per measure for the command line."""

from __future__ import annotations

from pathlib import Path

from ..sweep_measures import MEASURES, grid_table, mean_over_seeds
from .style import HEATMAP_CMAP


def tick_labels(values) -> list[str]:
    """Grid values with 3 significant digits (more only where needed to tell
    neighbours apart): 0.366667 is "0.367", short enough for an axis."""
    for digits in range(3, 10):
        labels = [f"{float(v):.{digits}g}" for v in values]
        if len(set(labels)) == len(labels):
            return labels
    return labels


def draw_heatmap(ax, rows: list[dict], grid: dict, measure: str):
    """Heatmap of ``measure`` with cell (i, j) centred on integer coordinates (j = x index)."""
    (xname, xs), (yname, ys) = list(grid.items())[:2]
    image = ax.imshow(grid_table(rows, grid, measure), origin="lower", aspect="auto", cmap=HEATMAP_CMAP,
                      extent=(-0.5, len(xs) - 0.5, -0.5, len(ys) - 0.5))
    ax.set_xticks(range(len(xs)), tick_labels(xs))
    ax.set_yticks(range(len(ys)), tick_labels(ys))
    ax.set(xlabel=xname, ylabel=yname)
    ax.figure.colorbar(image, ax=ax, label=measure)
    return image


def heatmaps(rows: list[dict], grid: dict, out_dir) -> list[Path]:
    """One PNG per measure: the mean over seeds on the first two grid axes
    (a line plot for a one-dimensional grid)."""
    from matplotlib.figure import Figure

    names = list(grid)
    paths = []
    for measure in MEASURES:
        fig = Figure(figsize=(5, 4), layout="constrained")
        ax = fig.add_subplot()
        if len(names) == 1:
            xs = grid[names[0]]
            ys = [mean_over_seeds([r.get(measure) for r in rows if r[names[0]] == x]) for x in xs]
            ax.plot(xs, ys, "o-")
            ax.set(xlabel=names[0], ylabel=measure)
        else:
            draw_heatmap(ax, rows, grid, measure)
        ax.set_title(measure, loc="left")
        path = Path(out_dir) / f"heatmap_{measure}.png"
        fig.savefig(path, dpi=90)
        paths.append(path)
    return paths
