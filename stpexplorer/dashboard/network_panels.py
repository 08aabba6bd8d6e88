"""The Network tab's panels: raster with the population rate, conductances
and v of the recorded neuron, u/x/r of the recorded synapse (sharing the time
axis), connectivity; another recorded neuron or any synapse shown without a
re-run; the previous or a pinned run as a faint overlay.

:class:`NetworkPanels` is owned by :class:`~stpexplorer.dashboard.network_tab.Explorer`,
which hands it each new run (:meth:`NetworkPanels.show`) and the two
callables through which it reports a bad pick.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Callable

import ipywidgets as W

from .. import plotting
from ..plotting import remove_artists
from ..results import Result
from .figures import PanelBlitter, new_panel, pin_axis_labels, render, rescale_nicely

PANELS = ("raster", "conductances", "resources", "connectivity")
TIME_PANELS = ("raster", "conductances", "resources")
PANEL_HEIGHTS = {"raster": 2.8, "conductances": 2.4, "resources": 2.4, "connectivity": 3.6}


class NetworkPanels:
    """Panels (DOM classes ``stpx-panel-<name>``) and the controls that change
    what they show without a run (``stpx-control-show-neuron``,
    ``stpx-control-syn-pre``/``-post``, ``stpx-show-synapse``,
    ``stpx-control-compare``, ``stpx-pin``).

    ``show_error(message)`` and ``hide_error()`` are the tab's error line.
    ``result`` is the run shown (a pick of another neuron or synapse replaces
    it by the same run seen through that neuron or synapse), ``previous`` the
    one shown before it, ``reference`` the pinned one (or None).
    """

    def __init__(self, show_error: Callable[[str], None], hide_error: Callable[[], None]):
        self.show_error, self.hide_error = show_error, hide_error
        self.result: Result | None = None
        self.previous: Result | None = None
        self._showing_frame = False  # the run on the panels is a frame of a drag
        self.reference: Result | None = None
        self._lock = threading.Lock()
        self._picking = False  # the pickers are being set to the run shown: no pick
        self.figures, self.axes, self.panel_boxes = {}, {}, {}
        for name in PANELS:
            width = 3.6 if name == "connectivity" else 7.4
            fig, box = new_panel(name, (width, PANEL_HEIGHTS[name]))
            self.figures[name] = fig
            self.axes[name] = fig.add_subplot()
            self.panel_boxes[name] = box
        self.blitters = {name: PanelBlitter(fig) for name, fig in self.figures.items()}
        self._syncing = False
        for name in TIME_PANELS:
            self.axes[name].callbacks.connect("xlim_changed", self._sync_time_axes)
        for name in TIME_PANELS[:-1]:  # the shared time axis is labelled once, under the last panel
            self.axes[name].tick_params(labelbottom=False)
        self.rate_ax = self.axes["raster"].twinx()
        self.rate_ax.set_ylabel("rate (Hz)")
        self.v_ax = self.axes["conductances"].twinx()
        for ax in (*self.axes.values(), self.rate_ax, self.v_ax):
            pin_axis_labels(ax)
        self._connectivity_key = None
        self.neuron_pick = W.Dropdown(description="show neuron", options=[],
                                      style={"description_width": "90px"},
                                      tooltip="Another recorded neuron (no re-run)")
        self.neuron_pick.add_class("stpx-control-show-neuron")
        self.neuron_pick.observe(self._on_pick_neuron, names="value")
        self.syn_pre = W.BoundedIntText(value=0, min=0, max=10**6, description="synapse pre",
                                        style={"description_width": "90px"}, layout=W.Layout(width="180px"))
        self.syn_post = W.BoundedIntText(value=0, min=0, max=10**6, description="post",
                                         style={"description_width": "40px"}, layout=W.Layout(width="130px"))
        self.syn_pre.add_class("stpx-control-syn-pre")
        self.syn_post.add_class("stpx-control-syn-post")
        self.syn_show = W.Button(description="Show synapse",
                                 tooltip="u, x, r of this synapse from its presynaptic spikes (no re-run)")
        self.syn_show.add_class("stpx-show-synapse")
        self.syn_show.on_click(self._on_pick_synapse)
        self.compare = W.Checkbox(value=True, description="overlay previous run", indent=False)
        self.compare.add_class("stpx-control-compare")
        self.compare.observe(lambda _: self.redraw(), names="value")
        self.pin = W.ToggleButton(value=False, description="Pin as reference", icon="thumb-tack",
                                  tooltip="Keep the current run as the faint overlay")
        self.pin.add_class("stpx-pin")
        self.pin.observe(self._on_pin, names="value")

    def rows(self) -> list[W.Widget]:
        """What to show, the overlay, and the panels (time panels stacked,
        connectivity beside them), top to bottom."""
        inspect = W.HBox([self.neuron_pick, self.syn_pre, self.syn_post, self.syn_show])
        compare = W.HBox([self.compare, self.pin])
        panels = W.HBox([W.VBox([self.panel_boxes[n] for n in TIME_PANELS]), self.panel_boxes["connectivity"]])
        return [inspect, compare, panels]

    def _on_pin(self, change) -> None:
        self.reference = self.result if change["new"] else None
        self.redraw()

    def _sync_time_axes(self, source) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            limits = source.get_xlim()
            for name in TIME_PANELS:
                ax = self.axes[name]
                if ax is not source and ax.get_xlim() != limits:
                    ax.set_xlim(limits)
                    self.figures[name].canvas.draw_idle()
        finally:
            self._syncing = False

    def overlay(self) -> Result | None:
        """The faint run: the pinned one, else the previous one (None if the overlay is off)."""
        if not self.compare.value:
            return None
        return self.reference if self.reference is not None else self.previous

    def show(self, result: Result, frame: bool = False) -> None:
        """Show a new run; the one shown so far becomes the previous run, unless
        it was a ``frame`` of a drag: while a slider is dragged and after its
        release, the faint overlay is the run shown before the drag began."""
        if not self._showing_frame:
            self.previous = self.result
        self.result, self._showing_frame = result, frame
        self.redraw()

    def redraw(self) -> None:
        """Redraw every panel from ``self.result`` (no simulation).

        Artists are replaced inside persistent Axes (and twin Axes), so ticks
        and layout are not rebuilt at every slider move.
        """
        if self.result is None:
            return
        with self._lock:
            r = self.result
            overlay = self.overlay()
            axes = self.axes
            for ax in (*(axes[n] for n in TIME_PANELS), self.rate_ax, self.v_ax):
                remove_artists(ax)
            self._syncing = True
            try:
                plotting.plot_raster(r, axes["raster"], show_rate=False)
                if overlay is not None:
                    plotting.plot_rate(overlay, self.rate_ax, faint=True, populations=("all",))
                plotting.plot_rate(r, self.rate_ax, populations=("all",))
                plotting.plot_conductances(r, axes["conductances"], v_ax=self.v_ax)
                if overlay is not None and overlay.params.stp:
                    plotting.plot_resources(overlay, axes["resources"], faint=True)
                plotting.plot_resources(r, axes["resources"])
                # while a slider is dragged the y axes only grow: no jumping axes, no full redraws
                rescale_nicely(self.rate_ax, axes["conductances"], self.v_ax, grow_only=self._showing_frame)
                for name in TIME_PANELS:
                    axes[name].set_xlim(0, r.duration_ms)
                connectivity_changed = self._connectivity_key != (id(r.conn_pre), r.syn_pre, r.syn_post)
                if connectivity_changed:  # 20 000 points: redraw only when it changes
                    remove_artists(axes["connectivity"])
                    plotting.plot_connectivity(r, axes["connectivity"])
                    self._connectivity_key = (id(r.conn_pre), r.syn_pre, r.syn_post)
            finally:
                self._syncing = False
            for name, fig in self.figures.items():
                if name != "connectivity" or connectivity_changed:
                    render(fig, self.blitters[name])
            self._update_pickers()

    def _update_pickers(self) -> None:
        r = self.result
        options = [(f"{n} ({'exc' if n < r.Ne else 'inh'})", int(n)) for n in r.recorded_neurons]
        with self._setting_pickers():
            if list(self.neuron_pick.options) != options:
                self.neuron_pick.options = options
            self.neuron_pick.value = r.rec_neuron
            self.syn_pre.value, self.syn_post.value = r.syn_pre, r.syn_post

    @contextlib.contextmanager
    def _setting_pickers(self):
        self._picking = True
        try:
            yield
        finally:
            self._picking = False

    def _on_pick_neuron(self, change) -> None:
        if self._picking or self.result is None or change["new"] is None:
            return
        self.result = self.result.with_neuron(change["new"])
        self.redraw()

    def _on_pick_synapse(self, _=None) -> None:
        if self.result is None:
            return
        try:
            self.result = self.result.with_synapse(int(self.syn_pre.value), int(self.syn_post.value))
        except ValueError as exc:
            self.show_error(str(exc))
            return
        self.hide_error()
        self.redraw()
