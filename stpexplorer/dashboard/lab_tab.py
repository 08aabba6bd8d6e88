"""What the synapse lab and the neuron gallery share."""

from __future__ import annotations

import math

import ipywidgets as W
from matplotlib.transforms import Bbox

from .controls import ErrorLine
from .drag import DragRelay
from .figures import PanelBlitter, pin_axis_labels, render
from .teaching import TEACHING


class LabBlitter(PanelBlitter):
    """A :class:`PanelBlitter` for a figure of several Axes whose limits
    change one panel at a time.

    The ``static`` artists (legends, fixed titles, reference lines) stay in the
    kept image of the axes instead of being drawn at every blit.  When the
    limits of some Axes changed, only those Axes (with their twin) are drawn
    again into the kept image, over the figure's background in the area they
    and their labels took before and take now, provided that area touches no
    other Axes' area; otherwise the whole figure is drawn."""

    #: pixels added around an Axes' area (antialiased edges)
    AREA_MARGIN_PX = 2

    def __init__(self, fig, static=()):
        self.static = set(static)
        self._areas = {}  # Axes position -> display area of that panel in the kept image
        #: redraws of some Axes into the kept image (tests and benchmarks)
        self.partial_draws = 0
        super().__init__(fig)

    def _data_artists(self):
        return (artist for artist in super()._data_artists() if artist not in self.static)

    def _panels(self) -> dict:
        """The figure's Axes by position: each panel's Axes and its twin."""
        panels = {}
        for ax in self.fig.axes:
            panels.setdefault(ax.get_position().bounds, []).append(ax)
        return panels

    def _area(self, axes, renderer) -> Bbox:
        """Display area (whole pixels) of ``axes`` with their ticks, labels and titles."""
        box = Bbox.union([ax.get_tightbbox(renderer) for ax in axes])
        m = self.AREA_MARGIN_PX
        return Bbox.from_extents(math.floor(box.x0) - m, math.floor(box.y0) - m,
                                 math.ceil(box.x1) + m, math.ceil(box.y1) + m)

    def _on_draw(self, event) -> None:
        super()._on_draw(event)
        renderer = self.canvas.get_renderer()
        self._areas = {position: self._area(axes, renderer) for position, axes in self._panels().items()}

    def _changed_panels(self) -> set | None:
        """Positions of the panels whose limits changed since the kept image was
        made, or None if the figure must be drawn in full."""
        if self._background is None:
            return None
        old, new = self._key, self._layout_key()
        if old[:2] != new[:2] or len(old[2]) != len(new[2]):
            return None
        changed = {ax.get_position().bounds for ax, was, now in zip(self.fig.axes, old[2], new[2]) if was != now}
        return changed if changed <= self._areas.keys() else None

    def _redraw_panels(self, changed: set) -> bool:
        """Draw the panels at ``changed`` again into the kept image (restored
        on the canvas); False, with nothing drawn, if their areas touch another panel's."""
        renderer = self.canvas.get_renderer()
        panels = self._panels()
        new_areas = {position: self._area(panels[position], renderer) for position in changed}
        areas = dict(self._areas)
        for position in changed:
            areas[position] = Bbox.union([areas[position], new_areas[position]])
        for position in changed:
            if any(other != position and areas[position].overlaps(area) for other, area in areas.items()):
                return False
        patch = self.fig.patch
        for position in changed:
            gc = renderer.new_gc()  # the figure's background, in this area only
            gc.set_clip_rectangle(areas[position])
            renderer.draw_path(gc, patch.get_path(), patch.get_transform(), patch.get_facecolor())
            gc.restore()
            for ax in panels[position]:
                ax.draw(renderer)  # without its data (animated)
        self._areas.update(new_areas)
        self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        self._key = self._layout_key()
        self.partial_draws += 1
        return True

    def update(self) -> None:
        """Show the current artists: the data over the kept image, after
        drawing the panels whose limits changed into it; a full draw if that
        cannot be done."""
        self.mark_data()
        changed = self._changed_panels()
        if changed is None:
            self.canvas.draw()
            return
        self.canvas.restore_region(self._background)
        if changed and not self._redraw_panels(changed):
            self.canvas.draw()
            return
        self._draw_data()
        self.canvas.blit(self.fig.bbox)
        self.blits += 1


class LabTab:
    """Sliders that redraw (on release, and while dragged: :class:`DragRelay`),
    a chooser that loads a named setting with its "look for" hint, teaching
    text, an error line (DOM class ``stpx-lab-error``) and a figure redrawn by
    blitting.  Subclasses provide ``update()`` (reading each slider through
    :meth:`value`), ``panel``, ``fig``, ``plot`` (a plot of
    :mod:`stpexplorer.plotting.lab`) and ``look_for``, and call
    :meth:`assemble` at the end of their constructor."""

    _dragged: dict = {}

    def assemble(self, teaching: str, chooser: W.Widget, on_choose, sliders, controls) -> None:
        """Lay the tab out (teaching text, error line, controls beside the panel) and draw it."""
        for ax in self.fig.axes:
            pin_axis_labels(ax)
        #: draws only the data over the kept axes while their limits stay (see PanelBlitter)
        self.blitter = LabBlitter(self.fig, self.plot.static)
        self.error = ErrorLine("stpx-lab-error")
        self._loading = False
        for widget in sliders:
            widget.observe(lambda _: None if self._loading else self.redraw(), names="value")
        chooser.observe(on_choose, names="value")
        # the tab's sliders by the attribute name update() reads them with
        live = {name: widget for name, widget in vars(self).items()
                if isinstance(widget, (W.FloatSlider, W.IntSlider)) and any(widget is s for s in sliders)}
        self.drag = DragRelay(live, on_drag=self.redraw, on_end=lambda _: self.redraw())
        self.column = W.VBox(controls, layout=W.Layout(width="350px"))
        self.widget = DragRelay.scope(W.VBox([W.HTML(TEACHING[teaching]), self.error,
                                              W.HBox([self.column, self.panel]), self.drag.widget]))
        self.redraw()

    def value(self, name: str):
        """The value of the slider ``name``: the one under its handle while it is dragged."""
        return self._dragged.get(name, getattr(self, name).value)

    def redraw(self, dragged: dict | None = None) -> None:
        """Draw for the sliders' values, or with ``dragged`` (name -> value under a dragged handle)."""
        self._dragged = dragged or {}
        try:
            self.update()
        finally:
            self._dragged = {}
        if not dragged:
            self.drag.settled()

    def render(self) -> None:
        """Show the figure's current artists (a blit when the axes did not change)."""
        render(self.fig, self.blitter)

    def load_values(self, look_for: str, values: dict) -> None:
        """Set the hint (HTML) and several sliders (by attribute name), then redraw once."""
        self.look_for.value = f"<i>{look_for}</i>"
        self._loading = True
        try:
            for name, value in values.items():
                getattr(self, name).value = value
        finally:
            self._loading = False
        self.redraw()
