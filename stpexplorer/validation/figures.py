"""Matplotlib helpers of the report (Agg backend, files only)."""

from __future__ import annotations

from pathlib import Path


def new_figure(rows: int = 1, cols: int = 1, width: float = 8.0, height: float = 3.0, **kwargs):
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False, **kwargs)
    return fig, axes


def save(fig, path: Path) -> str:
    fig.savefig(path, dpi=90)
    return Path(path).name
