"""The sweep tab: a small grid of two parameters around the Network tab's
current setting, run in the kernel (a worker thread; widgets change on the
kernel's thread only), shown as a heatmap; clicking a cell loads it."""

from __future__ import annotations

import threading

import ipywidgets as W
import numpy as np

from .. import params as params_mod
from ..plotting.style import PLACEHOLDER_COLOR, round_up
from ..plotting.sweep import draw_heatmap
from .controls import ErrorLine
from .figures import new_panel, render
from .network_tab import Explorer
from .teaching import TEACHING
from .threads import on_kernel_thread

#: Shown in the heatmap's place and as the status line before the first sweep.
HINT = ("No sweep yet: choose two parameters (x, y) and their ranges,\n"
        "then press \u201cRun sweep\u201d. Each cell is one run of the network.")
#: Least spread of a sweep's default range, as a fraction of its slider's track.
MIN_RANGE_FRACTION = 0.2


#: Round ends of a sweep's track: 1, 2, 2.5 or 5 × 10^k.
TRACK_LADDER = (1, 2, 2.5, 5)


def nice_ceiling(x: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^k at or above ``x`` (> 0)."""
    return round_up(x, TRACK_LADDER)


def _two_digits(x: float) -> float:
    return float(f"{x:.2g}")


def default_range(name: str, value: float):
    """A sweep's starting range for field ``name`` whose current value is
    ``value``: ``(track, handles, step)``.  The handles span a factor of 9
    around a positive value (value/3 to 3·value, within the field's valid
    range and its slider limit ``slider_hi``); the track runs from the field's
    lower limit to twice the upper handle (a round number, at most
    ``slider_hi``; :meth:`SweepTab._extend_track` widens it on demand).  A
    value of zero or below, or a range squeezed by the limits, gets the middle
    80 % of the field's slider range instead."""
    m = params_mod.field_info(name).metadata
    lo, top = float(m["lo"]), float(m["slider_hi"])
    step = m["step"] or (top - lo) / 100
    handles = None
    if value > 0:
        a, b = _two_digits(max(lo, value / 3)), _two_digits(min(top, 3 * value))
        end = min(top, max(b, nice_ceiling(2 * b)))
        if b - a >= MIN_RANGE_FRACTION * (end - lo):
            handles, track = (a, b), (lo, end)
    if handles is None:
        track = (lo, top)
        handles = (_two_digits(lo + 0.1 * (top - lo)), _two_digits(lo + 0.9 * (top - lo)))
    return track, handles, step


class SweepTab:
    """A small grid over two run-time parameters of the explorer's current
    setting, run in the kernel; clicking a heatmap cell loads that setting."""

    MAX_POINTS_PER_AXIS = 8

    def __init__(self, explorer: Explorer, on_load=None):
        from .. import sweep as sw

        self.explorer, self.on_load, self.sw = explorer, on_load, sw
        # model parameters a compiled network runs with (not what is recorded of it)
        numeric = [f.name for f in params_mod.fields()
                   if not f.metadata["structural"] and f.type in ("float", "int")
                   and f.metadata["group"] != params_mod.GROUP_RECORD]
        style = {"description_width": "70px"}
        self.x_field = W.Dropdown(options=numeric, value="U_0", description="x", style=style)
        self.y_field = W.Dropdown(options=numeric, value="Omega_f", description="y", style=style)
        self.x_range = W.FloatRangeSlider(description="x range", style=style, continuous_update=False,
                                          readout_format=".3g")
        self.y_range = W.FloatRangeSlider(description="y range", style=style, continuous_update=False,
                                          readout_format=".3g")
        for field, widget in ((self.x_field, self.x_range), (self.y_field, self.y_range)):
            widget.add_class("stpx-sweep-range")
            self._fit_range(widget, field.value)
            widget.observe(lambda change: self._extend_track(change["owner"], change["new"]), names="value")
        self.points = W.IntSlider(value=4, min=2, max=self.MAX_POINTS_PER_AXIS, description="points",
                                  style=style, continuous_update=False)
        self.measure = W.Dropdown(options=list(sw.MEASURES), value="rate_e_hz", description="show",
                                  style=style)
        self.run = W.Button(description="Run sweep", icon="play")
        self.run.add_class("stpx-sweep-run")
        self.progress = W.IntProgress(value=0, min=0, max=1, description="")
        self.message = W.HTML("")
        self.message.add_class("stpx-sweep-status")
        self.error = ErrorLine("stpx-sweep-error")
        self.fig, self.panel = new_panel("sweep", (6.5, 4.8))
        self.ax = self.fig.add_subplot()
        self._show_hint()
        self.rows, self.grid = [], {}
        self.x_field.observe(lambda c: self._fit_range(self.x_range, c["new"]), names="value")
        self.y_field.observe(lambda c: self._fit_range(self.y_range, c["new"]), names="value")
        self.measure.observe(lambda _: self.draw(), names="value")
        self.run.on_click(lambda _: self.start())
        self.fig.canvas.mpl_connect("button_press_event", self._on_click)
        controls = W.VBox([self.x_field, self.x_range, self.y_field, self.y_range, self.points,
                           self.run, self.progress, self.measure, self.error, self.message],
                          layout=W.Layout(width="360px", max_width="100%"))
        self.widget = W.VBox([W.HTML(TEACHING["sweep"]), W.HBox([controls, self.panel])])

    def _current_value(self, name: str) -> float:
        params = self.explorer.current_params_or_none()
        return getattr(params, name) if params is not None else params_mod.field_info(name).default

    def _fit_range(self, widget: W.FloatRangeSlider, name: str) -> None:
        """Set a range slider to :func:`default_range` around the Network tab's value of ``name``."""
        track, handles, step = default_range(name, self._current_value(name))
        with widget.hold_trait_notifications():  # validated together, not against the old track
            widget.min, widget.max = track
            widget.step = step
            widget.value = handles

    def _extend_track(self, widget: W.FloatRangeSlider, value) -> None:
        """An upper handle moved to the end of its track: double the track,
        up to the parameter's slider limit, so wider sweeps stay reachable."""
        name = (self.x_field if widget is self.x_range else self.y_field).value
        top = params_mod.field_info(name).metadata["slider_hi"]
        if value[1] >= widget.max - widget.step / 2 and widget.max < top:
            widget.max = min(top, nice_ceiling(2 * widget.max))

    def _show_hint(self) -> None:
        """What to do, where the heatmap will be (before the first sweep)."""
        self.ax.set_axis_off()
        self.ax.text(0.5, 0.5, HINT, ha="center", va="center", wrap=True, fontsize=11, color=PLACEHOLDER_COLOR,
                     transform=self.ax.transAxes)
        self.message.value = HINT.replace("\n", " ")

    def start(self):
        if self.x_field.value == self.y_field.value:
            self.error.show("choose two different parameters")
            return
        base = self.explorer.current_params_or_none()
        if base is None:
            self.error.show("the explorer's current setting is invalid")
            return
        n = self.points.value
        self.grid = {self.x_field.value: [round(float(v), 6) for v in np.linspace(*self.x_range.value, n)],
                     self.y_field.value: [round(float(v), 6) for v in np.linspace(*self.y_range.value, n)]}
        self.base, self.seed = base, int(self.explorer.seed.value)
        self.run.disabled = True
        self.progress.max, self.progress.value = n * n, 0
        self.error.hide()
        self.message.value = f"running {n * n} simulations…"
        threading.Thread(target=self._work, daemon=True, name="stpexplorer-sweep").start()

    def _work(self):
        from ..engine import default_engine

        engine = self.explorer.engine or default_engine()
        rows = []
        try:
            for changes in self.sw.expand_grid(self.base, self.grid):
                row = self.sw.run_point({**self.base.to_dict(), **changes}, self.seed, None, engine=engine)
                rows.append({**changes, **row})
                on_kernel_thread(self._advance, len(rows))
        finally:
            on_kernel_thread(self._show_rows, rows)

    def _advance(self, done: int) -> None:
        self.progress.value = done

    def _show_rows(self, rows: list[dict]) -> None:
        try:
            self.rows = rows
            self.draw()
            failed = sum(1 for r in rows if r["error"])
            self.message.value = (f"{len(rows)} runs, {failed} failed or diverged (blank cells). "
                                  "Click a cell to load that setting into the Network tab.")
        finally:
            self.run.disabled = False

    def draw(self):
        if not self.rows:  # the hint stays until there is something to show
            return
        self.fig.clear()
        self.ax = self.fig.add_subplot()
        draw_heatmap(self.ax, self.rows, self.grid, self.measure.value)
        self.ax.set_title(self.measure.value, loc="left", fontsize=10)
        render(self.fig)

    def load_cell(self, i: int, j: int) -> None:
        """Load grid cell (x index i, y index j) into the explorer."""
        (xname, xs), (yname, ys) = self.grid.items()
        try:
            params = self.base.replace(**{xname: xs[i], yname: ys[j]})
        except ValueError as exc:
            self.error.show(str(exc))
            return
        self.explorer.apply_params(params, self.seed)
        if self.on_load:
            self.on_load()

    def _on_click(self, event):
        if event.inaxes is not self.ax or not self.grid or event.xdata is None:
            return
        i, j = int(round(event.xdata)), int(round(event.ydata))
        n_x, n_y = (len(v) for v in self.grid.values())
        if 0 <= i < n_x and 0 <= j < n_y:
            self.load_cell(i, j)
