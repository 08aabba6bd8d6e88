"""Panel plumbing: round limits for the kept axes."""

import numpy as np
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


def test_the_panels_send_the_images_matplotlib_would_send_encoded_faster():
    """Full and diff images of a panel decode to the pixels matplotlib's own
    encoder gives; only the PNG compression level differs."""
    import io

    from PIL import Image

    from stpexplorer.dashboard.figures import new_panel

    def panel():
        fig, _ = new_panel("png", (6.0, 2.0))
        ax = fig.add_subplot()
        (line,) = ax.plot([0, 1, 2], [0, 1, 0])
        return fig, line

    fast, slow = panel(), panel()
    slow[0].canvas.get_diff_image = type(slow[0].canvas).get_diff_image.__get__(slow[0].canvas)
    assert fast[0].canvas.get_diff_image != slow[0].canvas.get_diff_image
    for y in ([0, 1, 0], [1, 0, 1], [1, 0, 1]):  # a full image, a diff, a diff of nothing changed
        images = []
        for fig, line in (fast, slow):
            line.set_ydata(y)
            fig.canvas.draw()
            fig.canvas._png_is_old = True
            png = fig.canvas.get_diff_image()
            images.append((fig.canvas._current_image_mode, np.asarray(Image.open(io.BytesIO(png)))))
        assert images[0][0] == images[1][0]
        np.testing.assert_array_equal(images[0][1], images[1][1])


@pytest.mark.parametrize("grow_only, expected_small, expected_large", [(False, (0.0, 3.0), (0.0, 15.0)),
                                                                        (True, (0.0, 10.0), (0.0, 15.0))])
def test_y_limits_shrink_after_a_release_and_only_grow_while_dragging(grow_only, expected_small, expected_large):
    from matplotlib.figure import Figure

    from stpexplorer.dashboard.figures import rescale_nicely

    ax = Figure().add_subplot()
    (line,) = ax.plot([0, 1], [0, 10])
    rescale_nicely(ax)
    assert ax.get_ylim() == (0.0, 10.0)
    line.set_ydata([0, 3])  # fills less than half of the axis
    rescale_nicely(ax, grow_only=grow_only)
    assert ax.get_ylim() == expected_small
    line.set_ydata([0, 12])  # beyond the axis: it grows either way
    rescale_nicely(ax, grow_only=grow_only)
    assert ax.get_ylim() == expected_large


def _legend_panel(label_u: str, color_x: str):
    """A panel as a plot function leaves it after a run: new lines, a new legend."""
    from stpexplorer.dashboard.figures import PanelBlitter, new_panel

    fig, _ = new_panel("legend", (6.0, 2.0))
    ax = fig.add_subplot()
    ax.set_xlim(0, 10)
    ax.set_ylim(-1.5, 1.5)
    return fig, ax, PanelBlitter(fig)


def _replot(ax, label_u: str, color_x: str, phase: float, edge: str = "k") -> None:
    for line in list(ax.lines):
        line.remove()
    t = np.linspace(0, 10, 400)
    ax.plot(t, np.sin(t + phase), color="C0", label=label_u)
    ax.plot(t, np.cos(t + phase), color=color_x, label="x")
    ax.plot(t[::40], np.cos(t[::40] + phase), "o", color="C4", markeredgecolor=edge, markerfacecolor="w",
            label="spikes")
    ax.legend(loc="lower left", fontsize=8, frameon=True, framealpha=0.8)


def _pixels(fig) -> np.ndarray:
    return np.asarray(fig.canvas.get_renderer().buffer_rgba()).astype(int)


def test_kept_legends_look_as_drawn_and_change_with_their_texts_and_handles(monkeypatch):
    """A legend drawn anew with every run is laid over the data from kept
    pixels: the panel looks as if its legend were drawn (to one or two levels
    of 255), and a new label or handle colour is drawn, never an old legend."""
    from stpexplorer.dashboard import figures

    fig, ax, blitter = _legend_panel("u", "C1")
    drawn_alone = []
    original = figures.LegendLayers._draw_alone
    monkeypatch.setattr(figures.LegendLayers, "_draw_alone",
                        lambda self, legend, renderer: drawn_alone.append(1) or original(self, legend, renderer))
    direct_fig, direct_ax, direct = _legend_panel("u", "C1")
    direct._legends.draw = lambda legend, renderer: legend.draw(renderer)
    steps = [("u", "C1", 0.0, "k"), ("u", "C1", 0.7, "k"), ("u", "C1", 1.4, "k"), ("r", "C1", 1.4, "k"),
             ("r", "C3", 2.0, "k"), ("r", "C3", 2.0, "C2"), ("r", "C3", 2.0, "C2", 2.6)]
    for k, (label_u, color_x, phase, edge, *height) in enumerate(steps):
        for figure, axes in ((fig, ax), (direct_fig, direct_ax)):
            if height:  # a taller image: the legend at the bottom keeps its place in display units
                figure.set_size_inches(6.0, height[0])
            _replot(axes, label_u, color_x, phase, edge)
        figures.render(fig, blitter)
        figures.render(direct_fig, direct)
        difference = np.abs(_pixels(fig) - _pixels(direct_fig))
        assert difference.max() <= 2, f"step {k}: the kept legend differs from a drawn one"
    assert blitter.blits >= 4, "the later runs were blitted"
    assert len(drawn_alone) == 5, "one legend drawn per look: first, label, colour, marker edge, image size"
