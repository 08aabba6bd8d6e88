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
points, legends, titles) are drawn on it (matplotlib's blitting).  A legend
that looks as before is laid over the data from kept pixels
(:class:`LegendLayers`) instead of being drawn glyph by glyph.

A full draw for any other reason (the page resizes the canvas, a zoom, ipympl
refreshing) goes through the same draw event, so the data is always drawn.

Fitting the width the page gives (:func:`fit_to_width`): a panel's box takes
the width of its container (at most the figure's designed width plus the
toolbar); a few lines of JavaScript in the box (:data:`WIDTH_WATCH_HTML`)
watch that width and send it to the kernel through a hidden text field, and
the kernel resizes the figure to it, as ipympl's own resize handle would.  The
figure is never made wider than designed (redraw time grows with the pixels)
nor narrower than :data:`MIN_PANEL_WIDTH_PX`; its height stays as designed.
"""

from __future__ import annotations

import base64
import functools
import html
import io
import math
import weakref

import ipywidgets as W
import numpy as np
from matplotlib.legend import Legend

#: figure margins (inches: left, right, bottom, top) around each panel's axes
PANEL_MARGINS_IN = (0.8, 0.85, 0.5, 0.3)
#: distance (inches) of the y and x axis labels from the axes: room for tick labels like "1000"
LABEL_GAP_IN = (0.5, 0.25)
#: narrowest figure (CSS px) a panel is fitted to; a narrower container clips it
MIN_PANEL_WIDTH_PX = 280
#: room (CSS px) beside the figure for ipympl's toolbar (left of the canvas)
TOOLBAR_ALLOWANCE_PX = 48
#: room (CSS px) left right of a fitted figure: the canvas' frame is a few pixels wider than the figure
CANVAS_SLACK_PX = 8
#: width changes (CSS px) smaller than this leave a figure as it is
WIDTH_TOLERANCE_PX = 3

#: Watches the width of the panel box it sits in (a ResizeObserver, once per box)
#: and writes the width left for the figure (box minus toolbar) into the box's
#: hidden ``stpx-panel-width`` field, which sends it to the kernel.  It runs
#: from an image that fails to load: HTML widgets do not run ``<script>``.
WIDTH_WATCH_JS = """
const box = this.closest('.stpx-panel');
if (!box || box.__stpxWidthWatch) return;
box.__stpxWidthWatch = true;
let last = 0, timer = null;
const report = () => {
  timer = null;
  const canvas = box.querySelector('.jupyter-matplotlib-canvas-div');
  const field = box.querySelector('.stpx-panel-width input');
  if (!canvas || !field || box.clientWidth === 0) return;
  const toolbar = canvas.getBoundingClientRect().left - box.getBoundingClientRect().left;
  const width = Math.floor(box.clientWidth - Math.max(0, toolbar) - SLACK);
  if (width <= 0 || Math.abs(width - last) < WIDTH_TOLERANCE) return;
  last = width;
  field.value = String(width);
  field.dispatchEvent(new Event('change', {bubbles: true}));
};
new ResizeObserver(() => { if (timer === null) timer = setTimeout(report, 120); }).observe(box);
"""
WIDTH_WATCH_HTML = ('<img src="data:," alt="" style="display:none" onerror="{}">'.format(html.escape(
    "(function () {" + WIDTH_WATCH_JS.replace("WIDTH_TOLERANCE", str(WIDTH_TOLERANCE_PX))
    .replace("SLACK", str(CANVAS_SLACK_PX)) + "}).call(this)")))

#: the axes whose labels :func:`pin_axis_labels` placed (placed again after a resize)
_PINNED_AXES: weakref.WeakSet = weakref.WeakSet()


def new_panel(name: str, figsize: tuple[float, float]):
    """An ipympl figure of ``figsize`` (inches, its widest) in a box with the
    DOM classes ``stpx-panel`` and ``stpx-panel-<name>``; the figure follows
    the box's width (:func:`fit_to_width`)."""
    import matplotlib
    import matplotlib.pyplot as plt

    if "ipympl" not in matplotlib.get_backend():
        plt.switch_backend("module://ipympl.backend_nbagg")
    with plt.ioff():
        # fixed margins: constrained layout would be recomputed at every redraw
        fig = plt.figure(figsize=figsize)
    fig.stpx_design_size_in = tuple(figsize)
    _set_margins(fig)
    _track_page(fig.canvas)
    send_fast_png(fig.canvas)
    fig.canvas.header_visible = False
    fig.canvas.footer_visible = False
    fig.canvas.toolbar_position = "left"
    width_field = W.Text(value="", layout=W.Layout(display="none"))
    width_field.add_class("stpx-panel-width")
    width_field.observe(lambda change: fit_to_width(fig, change["new"]), names="value")
    watcher = W.HTML(WIDTH_WATCH_HTML, layout=W.Layout(display="none"))
    design_px = round(figsize[0] * css_px_per_inch(fig)) + TOOLBAR_ALLOWANCE_PX
    box = W.Box([fig.canvas, width_field, watcher],
                layout=W.Layout(width=f"{design_px}px", max_width="100%", min_width="0", overflow="hidden"))
    box.add_class("stpx-panel")
    box.add_class(f"stpx-panel-{name}")
    return fig, box


#: Gap between columns of a panel's axes at its designed width (a fraction of the average axes width)
COLUMN_GAP = 0.35


def _set_margins(fig) -> None:
    """Margins of :data:`PANEL_MARGINS_IN` (inches) at the figure's current size,
    and the gap between columns it has at its designed width."""
    left, right, bottom, top = PANEL_MARGINS_IN
    width, height = fig.get_size_inches()
    fig.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height,
                        top=1 - top / height, hspace=0.45, wspace=_column_gap(fig))


def _column_gap(fig) -> float:
    """``wspace`` for the figure's current width that keeps the gap between
    columns (inches) of its designed width: the labels of a twin axis and of
    the next column's axis do not shrink with the figure, so a narrower figure
    narrows its axes instead of that gap."""
    columns = max((ax.get_subplotspec().get_gridspec().ncols for ax in fig.axes
                   if ax.get_subplotspec() is not None), default=1)
    if columns < 2:
        return COLUMN_GAP
    left, right = PANEL_MARGINS_IN[:2]
    designed = fig.stpx_design_size_in[0] - left - right
    gap_in = COLUMN_GAP * designed / (columns + (columns - 1) * COLUMN_GAP)
    average = (fig.get_figwidth() - left - right - (columns - 1) * gap_in) / columns
    return gap_in / average if average > 0 else COLUMN_GAP


def css_px_per_inch(fig) -> float:
    """CSS pixels per inch of ``fig`` on the page (ipympl raises the figure's
    dpi by the screen's device pixel ratio; the page's pixels do not change)."""
    return fig.dpi / getattr(fig.canvas, "device_pixel_ratio", 1)


def fitted_width_px(fig, available_px) -> int | None:
    """The figure width (CSS px) for ``available_px`` sent by the page: at
    most the designed width, at least :data:`MIN_PANEL_WIDTH_PX`; ``None`` for
    a value that is not a positive number (the page's input is not trusted)."""
    try:
        available = float(available_px)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(available) or available <= 0:
        return None
    design_px = fig.stpx_design_size_in[0] * css_px_per_inch(fig)
    return int(round(min(design_px, max(MIN_PANEL_WIDTH_PX, available))))


def fit_to_width(fig, available_px) -> bool:
    """Resize ``fig`` to the width the page has for it (CSS px, see
    :func:`fitted_width_px`), keeping its height and its margins in inches;
    the page is told the new size and redraws.  Returns whether the size changed."""
    width_px = fitted_width_px(fig, available_px)
    if width_px is None:
        return False
    per_inch = css_px_per_inch(fig)
    height_in = fig.stpx_design_size_in[1]
    if abs(width_px - fig.get_figwidth() * per_inch) < WIDTH_TOLERANCE_PX:
        return False
    canvas = fig.canvas
    if hasattr(canvas, "handle_resize") and getattr(canvas, "manager", None) is not None:
        # what ipympl does for its resize handle: new size, tell the page, redraw when it asks
        canvas.handle_resize({"width": width_px, "height": round(height_in * per_inch)})
    else:
        fig.set_size_inches(width_px / per_inch, height_in)
    _set_margins(fig)
    for ax in fig.axes:
        if ax in _PINNED_AXES:
            pin_axis_labels(ax)
    return True


def pin_axis_labels(ax) -> None:
    """Put the axis labels at a fixed distance from the axes.  Otherwise
    matplotlib measures every tick label at every draw to place them, a sixth
    of a redraw's time."""
    _PINNED_AXES.add(ax)
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


#: zlib level of the PNG images sent to the page: 1 encodes a panel in about
#: half the time of Pillow's default (6), for images ~40 % larger (they go to a
#: browser on the same machine or a local network)
PNG_COMPRESS_LEVEL = 1
#: what :func:`send_fast_png` needs of matplotlib's web canvas
_WEB_CANVAS_PARTS = ("_png_is_old", "_force_full", "_last_buff", "set_image_mode", "get_renderer")


def send_fast_png(canvas) -> None:
    """Make ``canvas`` (an ipympl canvas) encode the images it sends at
    :data:`PNG_COMPRESS_LEVEL`: matplotlib's ``get_diff_image`` with that one
    change; a canvas without the parts it uses keeps its own."""
    if all(hasattr(canvas, part) for part in _WEB_CANVAS_PARTS):
        canvas.get_diff_image = functools.partial(_diff_image, canvas)


def _diff_image(canvas):
    """matplotlib 3.11's ``FigureCanvasWebAggCore.get_diff_image`` (the whole
    image, or only the pixels that changed), as PNG at :data:`PNG_COMPRESS_LEVEL`."""
    from PIL import Image

    if not canvas._png_is_old:
        return None
    pixels = np.asarray(canvas.get_renderer().buffer_rgba())
    buff = pixels.view(np.uint32).squeeze(2)
    if canvas._force_full or buff.shape != canvas._last_buff.shape or (pixels[:, :, 3] != 255).any():
        canvas.set_image_mode("full")
        output = buff
    else:
        canvas.set_image_mode("diff")
        output = np.where(buff != canvas._last_buff, buff, 0)
    canvas._last_buff = buff.copy()
    canvas._force_full = False
    canvas._png_is_old = False
    data = output.view(dtype=np.uint8).reshape((*output.shape, 4))
    with io.BytesIO() as png:
        Image.fromarray(data).save(png, format="png", compress_level=PNG_COMPRESS_LEVEL)
        return png.getvalue()


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


def rescale_nicely(*axes_list, grow_only: bool = False) -> None:
    """Fit each Axes' y limits to its artists, rounded to a round step; keep
    the current limits while the data fills more than half of them (so a
    slider move rarely changes the axes), or, with ``grow_only``, while they
    hold the data at all."""
    for ax in axes_list:
        ax.relim()
        if not (ax.lines or ax.collections):
            continue
        low, high = ax.dataLim.intervaly
        current = ax.get_ylim()
        fills = grow_only or (high - low) > 0.5 * (current[1] - current[0])
        fits = current[0] <= low and high <= current[1] and fills
        if fits and not ax.get_autoscaley_on():  # limits set here before, still good
            continue
        ax.set_ylim(*nice_limits(low, high))


def _is_data(artist, ax) -> bool:
    return artist not in (ax.xaxis, ax.yaxis, ax.patch) and artist not in ax.spines.values()


#: What a legend handle's pixels depend on (a line, a patch or a collection has some of them).
_HANDLE_LOOK = ("get_visible", "get_alpha", "get_color", "get_facecolor", "get_edgecolor", "get_linewidth",
                "get_linewidths", "get_linestyle", "get_dashes", "get_hatch", "get_marker", "get_markersize",
                "get_markerfacecolor", "get_markeredgecolor", "get_markeredgewidth", "get_sizes", "get_paths",
                "get_antialiased")


def _handle_look(handle) -> tuple:
    look = [type(handle).__name__]
    for getter in _HANDLE_LOOK:
        method = getattr(handle, getter, None)
        if method is not None:
            value = method()
            look.append(tuple(repr(p.vertices.tolist()) for p in value) if getter == "get_paths" else repr(value))
    return tuple(look)


def _text_look(text) -> tuple:
    return (text.get_text(), text.get_visible(), repr(text.get_color()), text.get_alpha(), text.get_rotation(),
            hash(text.get_fontproperties()))


def _legend_look(legend, renderer) -> tuple:
    """Everything a legend's pixels depend on: where it is on which image, its
    texts and title, its handles and its frame."""
    frame = legend.get_frame()
    return (tuple(np.round(legend.get_window_extent(renderer).bounds, 3)), renderer.dpi,
            (renderer.width, renderer.height), tuple(_text_look(t) for t in (*legend.texts, legend.get_title())),
            tuple(_handle_look(h) for h in legend.legend_handles if h is not None),
            _handle_look(frame), frame.get_boxstyle().__class__.__name__, legend.get_alpha())


class LegendLayers:
    """Legends drawn once, then laid over the data as kept pixels.

    A legend is redrawn with every frame of a drag and every run (its plot
    function makes it anew), though it rarely looks different; drawing its
    texts glyph by glyph took a fifth of a frame of the three time panels.
    So a legend is drawn once over a transparent image, its pixels are kept
    under everything they depend on (:func:`_legend_look`), and each later
    draw lays them over the data (the same "over" blending Agg does; values
    may differ by one level of 255)."""

    KEEP = 16

    def __init__(self):
        self._layers: dict[tuple, tuple] = {}
        self._scratch = None

    def draw(self, legend, renderer) -> None:
        look = _legend_look(legend, renderer)
        layer = self._layers.pop(look, None) or self._draw_alone(legend, renderer)
        self._layers[look] = layer
        while len(self._layers) > self.KEEP:
            self._layers.pop(next(iter(self._layers)))
        _lay_over(np.asarray(renderer.buffer_rgba()), *layer)

    def _draw_alone(self, legend, renderer) -> tuple:
        """(top row, left column, RGBA pixels with alpha) of ``legend`` drawn on nothing."""
        from matplotlib.backends.backend_agg import RendererAgg

        size = (int(renderer.width), int(renderer.height), renderer.dpi)
        if self._scratch is None or (self._scratch.width, self._scratch.height, self._scratch.dpi) != size:
            self._scratch = RendererAgg(*size)
        self._scratch.clear()
        legend.draw(self._scratch)
        pixels = np.asarray(self._scratch.buffer_rgba())
        x0, y0, x1, y1 = legend.get_window_extent(renderer).extents
        top, bottom = max(0, int(size[1] - y1) - 2), min(size[1], int(math.ceil(size[1] - y0)) + 2)
        left, right = max(0, int(x0) - 2), min(size[0], int(math.ceil(x1)) + 2)
        return top, left, pixels[top:bottom, left:right].copy()


def _lay_over(canvas: np.ndarray, top: int, left: int, layer: np.ndarray) -> None:
    """Blend ``layer`` (RGBA, straight alpha) over ``canvas`` at (top, left), in place."""
    region = canvas[top:top + layer.shape[0], left:left + layer.shape[1]]
    layer = layer[:region.shape[0], :region.shape[1]]
    alpha = layer[..., 3:4].astype(np.uint32)
    blended = (layer[..., :3] * alpha + region[..., :3] * (255 - alpha) + 127) // 255
    region[..., :3] = blended.astype(np.uint8)
    region[..., 3:4] = np.maximum(region[..., 3:4], layer[..., 3:4])


class PanelBlitter:
    """Draws one figure's data artists over a kept image of its axes."""

    def __init__(self, fig):
        self.fig = fig
        self.canvas = fig.canvas
        self._background = None
        self._key = None
        self._legends = LegendLayers()
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
            if isinstance(artist, Legend):
                self._legends.draw(artist, self.canvas.get_renderer())
            else:
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
