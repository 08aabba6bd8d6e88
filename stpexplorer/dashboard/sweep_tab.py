"""The sweep tab: a small grid of two parameters around the Network tab's
current setting, run in the kernel (a worker thread; widgets change on the
kernel's thread only), shown as a heatmap; clicking a cell loads it."""

from __future__ import annotations

import threading

import ipywidgets as W
import numpy as np

from .. import params as params_mod
from ..plotting.sweep import draw_heatmap
from .controls import ErrorLine
from .figures import new_panel, render
from .network_tab import Explorer
from .teaching import TEACHING
from .threads import on_kernel_thread


class SweepTab:
    """A small grid over two run-time parameters of the explorer's current
    setting, run in the kernel; clicking a heatmap cell loads that setting."""

    MAX_POINTS_PER_AXIS = 8

    def __init__(self, explorer: Explorer, on_load=None):
        from .. import sweep as sw

        self.explorer, self.on_load, self.sw = explorer, on_load, sw
        numeric = [f.name for f in params_mod.fields()
                   if not f.metadata["structural"] and f.type in ("float", "int")]
        style = {"description_width": "70px"}
        self.x_field = W.Dropdown(options=numeric, value="U_0", description="x", style=style)
        self.y_field = W.Dropdown(options=numeric, value="Omega_f", description="y", style=style)
        self.x_range = W.FloatRangeSlider(value=(0.1, 0.9), min=0.001, max=1.0, step=0.01,
                                          description="x range", style=style, continuous_update=False)
        self.y_range = W.FloatRangeSlider(value=(1.0, 10.0), min=0.0, max=100.0, step=0.5,
                                          description="y range", style=style, continuous_update=False)
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
        self.rows, self.grid = [], {}
        self.x_field.observe(lambda c: self._fit_range(self.x_range, c["new"]), names="value")
        self.y_field.observe(lambda c: self._fit_range(self.y_range, c["new"]), names="value")
        self.measure.observe(lambda _: self.draw(), names="value")
        self.run.on_click(lambda _: self.start())
        self.fig.canvas.mpl_connect("button_press_event", self._on_click)
        controls = W.VBox([self.x_field, self.x_range, self.y_field, self.y_range, self.points,
                           self.run, self.progress, self.measure, self.error, self.message],
                          layout=W.Layout(width="360px"))
        self.widget = W.VBox([W.HTML(TEACHING["sweep"]), W.HBox([controls, self.panel])])

    @staticmethod
    def _fit_range(widget, name):
        m = params_mod.field_info(name).metadata
        hi = m["slider_hi"]
        widget.min, widget.max = m["lo"], hi
        widget.step = m["step"] or (hi - m["lo"]) / 100
        widget.value = (m["lo"] + 0.1 * (hi - m["lo"]), m["lo"] + 0.9 * (hi - m["lo"]))

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
        if not self.rows:
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
