"""The dashboard's figures: ipympl panels with fixed margins, drawn fast.

:func:`new_panel` makes a panel (an ipympl figure in a box with the DOM class
``stpx-panel-<name>``); :func:`render` draws it, through a
:class:`PanelBlitter` where one is given.

Redrawing a panel without redrawing its axes (:class:`PanelBlitter`):

Most of a panel redraw is text: tick labels, axis labels (about 60 % of the
time for the three time panels).  Between two runs they rarely change: the
time axis is fixed, and the other limits are rounded to steps of 1, 2, 2.5 or
5 (:func:`nice_limits`).  So the figure is drawn in full only when a limit,
the size or the resolution changed, and its image without the data is kept;
otherwise the kept image is restored and only the data artists (lines,
points, legends, titles) are drawn on it (matplotlib's blitting).

A full draw for any other reason (the page resizes the canvas, a zoom, ipympl
refreshing) goes through the same draw event, so the data is always drawn.
"""

from __future__ import annotations

import base64
import io
import math

import ipywidgets as W
import numpy as np

#: figure margins (inches: left, right, bottom, top) around each panel's axes
PANEL_MARGINS_IN = (0.8, 0.85, 0.5, 0.3)
#: distance (inches) of the y and x axis labels from the axes: room for tick labels like "1000"
LABEL_GAP_IN = (0.5, 0.25)


def new_panel(name: str, figsize: tuple[float, float]):
    """An ipympl figure in a box with the DOM class ``stpx-panel-<name>``."""
    import matplotlib
    import matplotlib.pyplot as plt

    if "ipympl" not in matplotlib.get_backend():
        plt.switch_backend("module://ipympl.backend_nbagg")
    with plt.ioff():
        # fixed margins: constrained layout would be recomputed at every redraw
        fig = plt.figure(figsize=figsize)
    left, right, bottom, top = PANEL_MARGINS_IN
    width, height = figsize
    fig.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height,
                        top=1 - top / height, hspace=0.45, wspace=0.35)
    _track_page(fig.canvas)
    fig.canvas.header_visible = False
    fig.canvas.footer_visible = False
    fig.canvas.toolbar_position = "left"
    box = W.Box([fig.canvas])
    box.add_class(f"stpx-panel-{name}")
    return fig, box


def pin_axis_labels(ax) -> None:
    """Put the axis labels at a fixed distance from the axes.  Otherwise
    matplotlib measures every tick label at every draw to place them, a sixth
    of a redraw's time."""
    bbox = ax.get_position()
    width_in = bbox.width * ax.figure.get_figwidth()
    height_in = bbox.height * ax.figure.get_figheight()
    gap_x, gap_y = LABEL_GAP_IN
    right = ax.yaxis.get_label_position() == "right"
    ax.yaxis.set_label_coords(1 + gap_x / width_in if right else -gap_x / width_in, 0.5)
    ax.xaxis.set_label_coords(0.5, -gap_y / height_in)


def _track_page(canvas) -> None:
    """Take over ipympl's data URL: ipympl 0.10 stores a bare base64 PNG (no
    ``data:`` prefix) at every draw until a page's canvas says it is
    initialised, and a page whose widget state holds such a value fails to
    create the canvas.  :func:`render` keeps a complete data URL until the
    page is there."""
    canvas.syncing_data_url = False
    canvas._page_ready = False

    def on_message(_, content, buffers):
        if content.get("type") == "initialized":
            canvas._page_ready = True

    canvas.on_msg(on_message)


def render(fig, blitter: PanelBlitter | None = None) -> None:
    """Draw ``fig`` now (so measured times include drawing), with ``blitter``
    only its data where the axes did not change; before a page has attached,
    also store the image as a complete data URL for that page."""
    from PIL import Image

    canvas = fig.canvas
    if blitter is None:
        canvas.draw()
    else:
        blitter.update()
    if not getattr(canvas, "_page_ready", True):
        with io.BytesIO() as png:
            Image.fromarray(np.asarray(canvas.get_renderer().buffer_rgba())).save(png, format="png")
            canvas._data_url = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()




def nice_step(span: float) -> float:
    """A round step (1, 2, 2.5 or 5 × 10^k) giving about four intervals over ``span``."""
    raw = span / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)


def nice_limits(low: float, high: float) -> tuple[float, float]:
    """``(low, high)`` widened to multiples of a round step."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return (0.0, 1.0)
    if high - low <= 1e-12 * max(1.0, abs(high)):
        pad = abs(high) * 0.1 or 1.0
        low, high = low - pad, high + pad
    step = nice_step(high - low)
    return (math.floor(low / step + 1e-9) * step, math.ceil(high / step - 1e-9) * step)


def rescale_nicely(*axes_list) -> None:
    """Fit each Axes' y limits to its artists, rounded to a round step; keep
    the current limits while the data fills more than half of them (so a
    slider move rarely changes the axes)."""
    for ax in axes_list:
        ax.relim()
        if not (ax.lines or ax.collections):
            continue
        low, high = ax.dataLim.intervaly
        current = ax.get_ylim()
        fits = current[0] <= low and high <= current[1] and (high - low) > 0.5 * (current[1] - current[0])
        if fits and not ax.get_autoscaley_on():  # limits set here before, still good
            continue
        ax.set_ylim(*nice_limits(low, high))


def _is_data(artist, ax) -> bool:
    return artist not in (ax.xaxis, ax.yaxis, ax.patch) and artist not in ax.spines.values()


class PanelBlitter:
    """Draws one figure's data artists over a kept image of its axes."""

    def __init__(self, fig):
        self.fig = fig
        self.canvas = fig.canvas
        self._background = None
        self._key = None
        #: full draws and blits so far (tests and benchmarks)
        self.full_draws = 0
        self.blits = 0
        self.canvas.mpl_connect("draw_event", self._on_draw)

    def _layout_key(self) -> tuple:
        axes = tuple((ax.get_xlim(), ax.get_ylim(), ax.get_position().bounds) for ax in self.fig.axes)
        return (self.fig.bbox.bounds, self.fig.dpi, axes)

    def _data_artists(self):
        for ax in self.fig.axes:
            yield from sorted((a for a in ax.get_children() if _is_data(a, ax) and a.get_visible()),
                              key=lambda a: a.get_zorder())

    def mark_data(self) -> None:
        """Leave the current data artists out of full draws (drawn by :meth:`_draw_data`)."""
        for artist in self._data_artists():
            artist.set_animated(True)

    def _on_draw(self, event) -> None:
        # the full draw left out the data: keep that image, then draw the data on it
        self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        self._key = self._layout_key()
        self.full_draws += 1
        self._draw_data()

    def _draw_data(self) -> None:
        for artist in self._data_artists():
            self.fig.draw_artist(artist)

    def update(self) -> None:
        """Show the current artists: a blit when the axes look as last drawn,
        else a full draw."""
        self.mark_data()
        if self._background is None or self._layout_key() != self._key:
            self.canvas.draw()
            return
        self.canvas.restore_region(self._background)
        self._draw_data()
        self.canvas.blit(self.fig.bbox)
        self.blits += 1
