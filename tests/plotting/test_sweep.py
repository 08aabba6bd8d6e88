"""Heatmaps of a sweep (stpexplorer.plotting.sweep)."""

import numpy as np
from matplotlib.figure import Figure

from stpexplorer import sweep as sw
from stpexplorer.plotting.sweep import draw_heatmap, heatmaps, tick_labels


def test_heatmap_orientation_on_a_non_square_grid():
    """Three x values, two y values: row j of the table and of the image is y
    value j, column i is x value i, and the image's extent puts cell (i, j) at
    integer coordinates (i, j), which is what a click on the sweep tab reads."""
    grid = {"U_0": [0.1, 0.2, 0.3], "Omega_f": [1.0, 5.0]}
    rows = [{"U_0": u, "Omega_f": f, "rate_e_hz": 10 * i + j}
            for i, u in enumerate(grid["U_0"]) for j, f in enumerate(grid["Omega_f"])]
    table = sw.grid_table(rows, grid, "rate_e_hz")
    np.testing.assert_array_equal(table, [[0, 10, 20], [1, 11, 21]])
    ax = Figure().add_subplot()
    image = draw_heatmap(ax, rows, grid, "rate_e_hz")
    np.testing.assert_array_equal(image.get_array(), table)
    assert image.get_extent() == [-0.5, 2.5, -0.5, 1.5] and image.origin == "lower"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.1", "0.2", "0.3"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["1", "5"]
    assert ax.get_xlabel() == "U_0" and ax.get_ylabel() == "Omega_f"


def test_tick_labels_have_three_significant_digits_more_only_where_needed():
    assert tick_labels([0.1, 0.366667, 0.633333, 0.9]) == ["0.1", "0.367", "0.633", "0.9"]
    assert tick_labels([0.1001, 0.1002]) == ["0.1001", "0.1002"]


def test_one_picture_per_measure_and_a_line_for_a_one_dimensional_grid(tmp_path):
    rows = [{"U_0": u, **{m: 2.0 * u for m in sw.MEASURES}} for u in (0.2, 0.4)]
    paths = heatmaps(rows, {"U_0": [0.2, 0.4]}, tmp_path)
    assert [p.name for p in paths] == [f"heatmap_{m}.png" for m in sw.MEASURES]
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in paths)


def test_the_old_names_in_the_sweep_module_are_the_plotting_functions():
    assert (sw.draw_heatmap, sw.heatmaps, sw.tick_labels) == (draw_heatmap, heatmaps, tick_labels)
