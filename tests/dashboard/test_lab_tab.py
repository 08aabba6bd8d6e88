"""The lab tabs' figures: redrawn by blitting, with only the panels whose limits changed drawn again."""

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from stpexplorer.dashboard.figures import new_panel
from stpexplorer.dashboard.lab_tab import LabBlitter
from stpexplorer.dashboard.neuron_tab import NeuronGallery

#: 50 slider moves of the gallery: (slider, value)
GALLERY_MOVES = [(name, value) for _ in range(2) for name, values in (
    ("a", (0.03, 0.1, 0.005)), ("b", (0.25, -0.1, 0.2)), ("c", (-50.0, -75.0, -65.0)), ("d", (2.0, 15.0, 8.0)),
    ("current", (25.0, -10.0, 4.0, 10.0)), ("kind", ("chattering (CH)", "resonator (RZ)")),
    ("a", (0.05, 0.02)), ("current", (30.0, 12.0)), ("d", (0.5, 6.0)), ("b", (0.3,))) for value in values]


def shown_pixels(fig) -> np.ndarray:
    return np.asarray(fig.canvas.get_renderer().buffer_rgba()).copy()


def test_fifty_gallery_moves_keep_the_axes_blit_and_show_what_a_fresh_tab_draws():
    gallery = NeuronGallery()
    gallery.fig.canvas._handle_custom_msg({"type": "initialized"}, [])  # as a page does
    full_draws = gallery.blitter.full_draws
    assert len(GALLERY_MOVES) == 50
    for name, value in GALLERY_MOVES:
        getattr(gallery, name).value = value
        assert len(gallery.fig.axes) == 4
    assert gallery.blitter.full_draws == full_draws and gallery.blitter.blits >= 50
    assert gallery.blitter.partial_draws > 0
    fresh = NeuronGallery(gallery.kind.value)
    for name in ("a", "b", "c", "d", "current"):
        getattr(fresh, name).value = getattr(gallery, name).value
    fresh.fig.canvas.draw()  # in full
    np.testing.assert_array_equal(shown_pixels(gallery.fig), shown_pixels(fresh.fig))


def _two_panels(overlapping: bool):
    """A panel figure with two Axes side by side, or the second inside the first."""
    fig, _ = new_panel("test", (6.0, 3.0))
    left = fig.add_axes((0.1, 0.15, 0.35, 0.75))
    right = fig.add_axes((0.3, 0.3, 0.3, 0.4) if overlapping else (0.6, 0.15, 0.35, 0.75))
    lines = [ax.plot(np.arange(10.0), np.arange(10.0) ** p)[0] for ax, p in ((left, 1), (right, 2))]
    blitter = LabBlitter(fig)
    blitter.update()
    fig.canvas._handle_custom_msg({"type": "initialized"}, [])
    return fig, (left, right), lines, blitter


def _full_draw_pixels(fig, axes, lines) -> np.ndarray:
    """The same picture drawn in full by a new figure (no blitting; the lines
    stay clear of the axes' frame, which a blit draws them over)."""
    twin = Figure(figsize=fig.get_size_inches(), dpi=fig.dpi)
    for ax, line in zip(axes, lines):
        copy = twin.add_axes(ax.get_position().bounds)
        copy.plot(*line.get_data(), color=line.get_color())
        copy.set(xlim=ax.get_xlim(), ylim=ax.get_ylim())
    canvas = FigureCanvasAgg(twin)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def test_a_panel_whose_limits_changed_is_drawn_again_alone_and_looks_as_drawn_in_full():
    fig, axes, lines, blitter = _two_panels(overlapping=False)
    full = blitter.full_draws
    lines[1].set_ydata(np.arange(10.0) ** 2 * 30)
    axes[1].set_ylim(-100, 3000)  # tick labels of another width
    blitter.update()
    assert (blitter.full_draws, blitter.partial_draws) == (full, 1)
    np.testing.assert_array_equal(shown_pixels(fig), _full_draw_pixels(fig, axes, lines))
    lines[0].set_ydata(np.arange(10.0)[::-1])  # data only
    blitter.update()
    assert (blitter.full_draws, blitter.partial_draws) == (full, 1)
    np.testing.assert_array_equal(shown_pixels(fig), _full_draw_pixels(fig, axes, lines))
    lines[1].set_ydata(np.arange(10.0) / 10)
    axes[1].set_ylim(-0.1, 1)  # narrower tick labels: the wider old ones must go
    blitter.update()
    assert (blitter.full_draws, blitter.partial_draws) == (full, 2)
    np.testing.assert_array_equal(shown_pixels(fig), _full_draw_pixels(fig, axes, lines))


def test_overlapping_panels_are_drawn_in_full():
    fig, axes, lines, blitter = _two_panels(overlapping=True)
    full = blitter.full_draws
    axes[1].set_ylim(0, 200)
    blitter.update()
    assert (blitter.full_draws, blitter.partial_draws) == (full + 1, 0)


def test_every_end_of_every_gallery_slider_is_a_setting_the_gallery_accepts():
    gallery = NeuronGallery()
    for widget in (gallery.a, gallery.b, gallery.c, gallery.d, gallery.current):
        start = widget.value
        for end in (widget.min, widget.max):
            widget.value = end
            assert gallery.error.value == "", (widget.description, end, gallery.error.value)
        widget.value = start


def test_each_gallery_type_shows_the_trace_of_its_named_protocol():
    """The tab runs a type with the protocol the lab names for it (the
    resonator's probing pulse included), the trace of ``lab.neuron_type``."""
    from stpexplorer import lab

    gallery = NeuronGallery()
    for name in lab.NEURON_TYPES:
        gallery.kind.value = name
        np.testing.assert_array_equal(gallery.trace.I, lab.neuron_type(name).I, err_msg=name)
        np.testing.assert_array_equal(gallery.trace.v_mV, lab.neuron_type(name).v_mV, err_msg=name)
