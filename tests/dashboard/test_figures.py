"""Panel plumbing: round limits for the kept axes."""

import pytest

from stpexplorer.dashboard.figures import nice_limits


def test_nice_limits_are_round_and_contain_the_data():
    assert nice_limits(0.0, 3.66) == (0.0, 4.0)
    assert nice_limits(-83.2, 30.0) == (-100.0, 50.0)
    assert nice_limits(0.0, 0.0123) == (0.0, 0.015)
    assert nice_limits(5.0, 5.0)[0] < 5.0 < nice_limits(5.0, 5.0)[1]
    assert nice_limits(float("nan"), 1.0) == (0.0, 1.0)


@pytest.mark.parametrize("tab", ["synapse lab", "neuron gallery"])
def test_a_narrowed_lab_figure_keeps_its_columns_apart(tab):
    """At a laptop's width (a panel of 850 px) the labels of one column (a twin
    axis's included) must not run into the next column's: the gap between
    columns keeps its inches, the axes narrow instead."""
    from stpexplorer.dashboard.figures import fit_to_width
    from stpexplorer.dashboard.neuron_tab import NeuronGallery
    from stpexplorer.dashboard.synapse_tab import SynapseLab

    lab = SynapseLab() if tab == "synapse lab" else NeuronGallery()
    lab.update()
    fig = lab.fig
    assert fit_to_width(fig, 850)
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    by_column = {}
    for ax in fig.axes:
        spec = ax.get_subplotspec()
        by_column.setdefault(spec.colspan.start, []).append(ax.get_tightbbox(renderer))
    columns = sorted(by_column)
    assert len(columns) == 2
    left_end = max(box.x1 for box in by_column[columns[0]])
    right_start = min(box.x0 for box in by_column[columns[1]])
    assert left_end < right_start, f"columns overlap by {left_end - right_start:.0f} px"
