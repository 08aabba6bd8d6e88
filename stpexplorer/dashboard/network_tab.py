"""The Network tab: controls generated from :mod:`stpexplorer.params`, linked
ipympl panels, a latest-wins background runner.

>>> from stpexplorer.dashboard.network_tab import Explorer
>>> Explorer().widget    # display in a notebook or Voila

Every control carries the DOM class ``stpx-control-<field>``, every panel
``stpx-panel-<name>``; the status line is ``stpx-status``, the busy indicator
``stpx-busy`` and the error line ``stpx-error``.

One slider move: the widget's value arrives (``_on_control``) →
:meth:`Explorer.request_run` validates the setting and checks the work budget
→ :class:`~stpexplorer.dashboard.threads.LatestRunner` runs
:func:`~stpexplorer.engine.simulate` in its thread → the result is handed to the
kernel's thread (:func:`~stpexplorer.dashboard.threads.on_kernel_thread`) →
``_done`` hands the run to the panels (:class:`~stpexplorer.dashboard.network_panels.NetworkPanels`).

While a front slider's handle is dragged, :class:`~stpexplorer.dashboard.drag.DragRelay`
submits the value under the handle as an interim run: each finished run is
drawn (the newest one, if several finished while the panels were being drawn),
and the release draws the slider's exact final value.

The tab owns its two parts, each constructed with what it reads and calls:
the panels (:class:`~stpexplorer.dashboard.network_panels.NetworkPanels`) and
"Keep and share" (:class:`~stpexplorer.dashboard.keep.KeepAndShare`).
"""

from __future__ import annotations

import collections
import contextlib
import math
import time

import ipywidgets as W
import numpy as np

from .. import params as params_mod
from .. import presets
from ..engine import (
    InstantEngine,
    check_budget,
    engine_note,
    import_brian2_if_needed,
    page_engine,
    preparation,
    simulate,
)
from ..engine.compile import COMPILE_TIME_TEXT
from ..engine.instant import RUNTIME_STEP
from ..params import STP_FIELDS, Params
from .controls import (
    CONTROL_WIDTH,
    DESCRIPTION_STYLE,
    FRONT_FIELDS,
    ErrorLine,
    icon,
    make_control,
    set_widget_value,
    style_widget,
)
from .drag import DragRelay
from .keep import MAX_UPLOAD_BYTES, KeepAndShare
from .network_panels import PANELS, TIME_PANELS, NetworkPanels
from .pathways import PathwayControl
from .threads import LatestRunner, on_kernel_thread

__all__ = ["Explorer", "BUSY_TEXT", "FRONT_FIELDS", "MAX_UPLOAD_BYTES", "PANELS", "TIME_PANELS",
           "median_timings"]

#: Busy indicator by what a run must do first (see StandaloneEngine.preparation).
BUSY_TEXT = {None: f"{icon('hourglass-half')}running…",
             "load": f"{icon('hourglass-half')}loading the compiled network for these sizes…",
             "compile": f"{icon('hourglass-half')}compiling the network once for these sizes and STP setting "
                        f"({COMPILE_TIME_TEXT}; later runs take a fraction of a second)…",
             RUNTIME_STEP: f"{icon('hourglass-half')}not compiled yet: running on Brian2's numpy target "
                           "(a few seconds) while the fast compiled network is built in the background…"}
#: How the status line names the engine that drew the panels.
ENGINE_WORDS = {"cpp_standalone": "compiled network", "runtime-numpy": "Brian2 numpy target"}


#: The controls column: its own width where the page has room, the page's width where not
#: (narrower than this, the column goes above the panels instead of squeezing them).
CONTROLS_COLUMN = dict(width="360px", max_width="100%", flex="0 0 auto")
#: Width (CSS px) under which the panels go below the controls instead of beside them.
PANELS_MIN_WIDTH_PX = 480
#: Width (CSS px) under which the connectivity panel goes below the time panels instead of beside them.
TIME_PANELS_MIN_WIDTH_PX = 600


class Explorer:
    """The Network tab: controls, linked panels (``panels``, a :class:`NetworkPanels`),
    status, save/load (``keep``, a :class:`KeepAndShare`).

    ``autorun`` starts the first simulation in the background at construction,
    so the page shows progress instead of waiting for the build.  The panels'
    figures, Axes and widgets are also attributes of the tab (``figures``,
    ``axes``, ``pin``, ``neuron_pick`` …), as are the downloads' widgets
    (``upload``, ``param_link``, ``export``, ``export_links``).
    """

    def __init__(self, params: Params | None = None, seed: int = 0, engine=None,
                 autorun: bool = True, preset: str = "default"):
        engine = engine if engine is not None else page_engine()
        import_brian2_if_needed(engine)
        self.engine = engine
        self._suspend = False
        #: the last runs' times (s): run, draw, change to panels; whether a drag's frame
        self.timings: collections.deque[dict] = collections.deque(maxlen=1000)
        self.run_count = 0
        #: called as f(params, seed) after each successful run (e.g. to update a share link)
        self.on_params_changed = None
        start = presets.get(preset) if params is None else params
        self._preset_params = presets.get(preset)
        self._build_controls(start, seed, preset)
        self.panels = NetworkPanels(self.show_error, self.error.hide)
        self.keep = KeepAndShare(lambda: (self.result, self.preset.value), self.apply_params,
                                 self.show_error, self.error.hide)
        self._expose_parts()
        self.widget = self._layout()
        self._handed = 0  # outcomes handed to the kernel's thread
        self.runner = LatestRunner(self._work, self._hand_over)
        if autorun:
            self.request_run(by_user=False)

    def _expose_parts(self) -> None:
        """The parts' figures and widgets as attributes of the tab (tests, scripts, the page's layout)."""
        p, k = self.panels, self.keep
        self.figures, self.axes, self.blitters = p.figures, p.axes, p.blitters
        self.neuron_pick, self.syn_pre, self.syn_post, self.syn_show = p.neuron_pick, p.syn_pre, p.syn_post, p.syn_show
        self.compare, self.pin = p.compare, p.pin
        self.upload, self.param_link, self.export, self.export_links = k.upload, k.param_link, k.export, k.export_links

    @property
    def result(self):
        """The run on the panels (None before the first)."""
        return self.panels.result

    @property
    def reference(self):
        """The pinned run (None unless "Pin as reference" is on)."""
        return self.panels.reference

    def load_params_json(self, payload: bytes) -> None:
        """Validate an uploaded parameter file and apply it (:meth:`KeepAndShare.load_params_json`)."""
        self.keep.load_params_json(payload)

    # ------------------------------------------------------------------ controls
    def _build_controls(self, start: Params, seed: int, preset: str) -> None:
        self.controls = {f.name: make_control(f, getattr(start, f.name)) for f in params_mod.fields()
                         if not f.metadata["optional"]}  # per-pathway values: see PathwayControl
        for widget in self.controls.values():
            widget.observe(self._on_control, names="value")
        self._control_names = {id(widget): name for name, widget in self.controls.items()}
        self.drag = DragRelay({name: widget for name, widget in self.controls.items()
                               if isinstance(widget, W.FloatSlider)},
                              on_drag=self.request_drag, on_end=lambda _: self.request_run())
        self.pathways = PathwayControl({name: self.controls[name] for name in STP_FIELDS}, start,
                                       quiet=self._quiet, on_change=self.request_run)
        common = dict(style=DESCRIPTION_STYLE, layout=W.Layout(**CONTROL_WIDTH))
        self.seed = W.BoundedIntText(value=seed, min=0, max=params_mod.SEED_LIMIT - 1, description="seed",
                                     tooltip="Random seed: heterogeneity, connectivity and noise", **common)
        self.seed.add_class("stpx-control-seed")
        self.seed.observe(self._on_control, names="value")
        self.preset = W.Dropdown(options=list(presets.PRESETS), value=preset, description="preset",
                                 tooltip="Set every control from a named parameter set", **common)
        self.preset.add_class("stpx-control-preset")
        self.preset.observe(self._on_preset, names="value")
        self.reset = W.Button(description="Reset to preset", icon="undo",
                              tooltip="Set every control back to the selected preset")
        self.reset.add_class("stpx-reset")
        self.reset.on_click(lambda _: self.apply_params(self._preset_params))
        self.status = W.HTML("")
        self.status.add_class("stpx-status")
        self.busy = W.HTML("")
        self.busy.add_class("stpx-busy")
        self.error = ErrorLine("stpx-error")
        self.note = W.HTML("")
        self.note.add_class("stpx-note")

    def current_params(self, dragged: dict | None = None) -> Params:
        """Parameters from the controls, with ``dragged`` (field -> value under a
        dragged slider) in place of the sliders' values; ``ValueError`` if any value is invalid."""
        dragged = dragged or {}
        values = {name: dragged.get(name, w.value) for name, w in self.controls.items()}
        return Params(**{name: _without_float_noise(value)
                         for name, value in {**values, **self.pathways.values(dragged)}.items()})

    @contextlib.contextmanager
    def _quiet(self):
        """Set controls without starting a run for each."""
        suspended, self._suspend = self._suspend, True
        try:
            yield
        finally:
            self._suspend = suspended

    def current_params_or_none(self) -> Params | None:
        try:
            return self.current_params()
        except ValueError:
            return None

    def apply_params(self, params: Params, seed: int | None = None) -> None:
        """Set every control at once and run once."""
        with self._quiet():
            for name, widget in self.controls.items():
                set_widget_value(widget, getattr(params, name))
            self.pathways.load(params)
            if seed is not None:
                self.seed.value = seed
        self.request_run()

    def _on_control(self, change) -> None:
        if not self._suspend:
            self.pathways.slider_moved(self._control_names.get(id(change["owner"]), ""))
            self.request_run()

    def _on_preset(self, change) -> None:
        if self._suspend:
            return
        self._preset_params = presets.get(change["new"])
        self.apply_params(self._preset_params)

    def select_preset(self, name: str, params: Params | None = None, seed: int | None = None) -> None:
        """Show preset ``name`` as selected and set ``params`` (default: the preset) in one run."""
        self._preset_params = presets.get(name)
        with self._quiet():
            self.preset.value = name
        self.apply_params(params if params is not None else self._preset_params, seed)

    # ------------------------------------------------------------------ running
    def request_run(self, by_user: bool = True) -> None:
        """Run the controls' setting in the background (the newest request wins).
        ``by_user=False`` (the first run of a page) leaves the change-to-panels
        time out of the status line: nobody waited for it since a change."""
        self.drag.settled()
        self._submit(None, by_user)

    def request_drag(self, dragged: dict) -> None:
        """Run the controls' setting with ``dragged`` (field -> value under a
        dragged slider) as an interim run: drawn when it finishes, even if the
        handle moved on meanwhile."""
        self._submit(dragged, True)

    def _submit(self, dragged: dict | None, by_user: bool) -> None:
        try:
            params = self.current_params(dragged)
            check_budget(params)
        except ValueError as exc:
            self.show_error(str(exc))
            return
        self.busy.value = BUSY_TEXT[preparation(params, int(self.seed.value), self.engine)]
        job = (params, int(self.seed.value), time.perf_counter() if by_user else None, dragged is not None)
        self.runner.submit(job, interim=dragged is not None)

    def _hand_over(self, job, result, error) -> None:
        """(runner's thread) Hand an outcome to the kernel's thread, which skips a
        frame of a drag when a newer outcome was handed over while it was busy."""
        self._handed += 1
        on_kernel_thread(self._done_unless_old_frame, self._handed, job, result, error)

    def _done_unless_old_frame(self, handed: int, job, result, error) -> None:
        frame = job[3]
        if handed == self._handed or not frame:
            self._done(job, result, error)

    def _work(self, job):
        params, seed = job[:2]
        if self.engine is None:
            return simulate(params, seed=seed)
        return simulate(params, seed=seed, engine=self.engine)

    def _done(self, job, result, error) -> None:
        params, seed, submitted, dragged = job
        if error is not None:
            message = str(error) if isinstance(error, (ValueError, RuntimeError)) else \
                f"unexpected {type(error).__name__}: {error}"
            self.show_error(message)
        else:
            draw_start = time.perf_counter()
            self.error.hide()
            try:
                self.panels.show(result, frame=dragged)
            except Exception as exc:  # noqa: BLE001  the last good panels stay; the page says why
                self.show_error(f"the panels could not be drawn: {type(exc).__name__}: {exc}")
            now = time.perf_counter()
            self.run_count += 1
            waited = None if submitted is None else now - submitted
            self.timings.append({"run_s": result.run_time_s, "draw_s": now - draw_start,
                                 "total_s": waited, "dragged": dragged})
            self._update_status(waited, dragged)
            if not dragged:  # a frame of a drag: notes and links follow the release's run
                self.pathways.show(params)
                self.keep.update_param_link(params, seed)
                if self.on_params_changed is not None:
                    self.on_params_changed(params, seed)
        self.busy.value = BUSY_TEXT[None] if self.runner.pending else ""

    def show_error(self, message: str) -> None:
        """Show ``message`` in the error line (the last good panels stay)."""
        self.error.show(message)
        if not self.runner.busy:
            self.busy.value = ""

    def _update_status(self, total_s: float | None, dragged: bool = False) -> None:
        r = self.result
        shown = "" if total_s is None else f", shown {total_s:.2f} s after the change"
        frame = " (a slider is being dragged)" if dragged else ""
        engine = ENGINE_WORDS.get(r.engine, r.engine)
        if isinstance(self.engine, InstantEngine) and self.engine.compiling():
            engine += "; the compiled network is being built for the next moves"
        self.status.value = (
            f"run #{self.run_count}{frame}: simulated in {r.run_time_s:.2f} s ({engine}){shown} · "
            f"E {r.mean_rate_hz('e'):.1f} Hz · I {r.mean_rate_hz('i'):.1f} Hz · "
            f"{len(r.spike_i)} spikes · {r.n_synapses} synapses")
        self.note.value = engine_note()

    def wait(self, timeout: float = 600) -> bool:
        """Block until the runner is idle (scripts and tests)."""
        return self.runner.wait_idle(timeout)

    # ------------------------------------------------------------------ layout
    def _layout(self) -> W.Widget:
        front = [self.controls[name] for name in FRONT_FIELDS]
        front.insert(FRONT_FIELDS.index("stp") + 1, self.pathways.widget)
        sections, titles = [], []
        for group, fields in params_mod.groups():
            rest = [self.controls[f.name] for f in fields
                    if f.name not in FRONT_FIELDS and f.name in self.controls]
            if rest:
                sections.append(W.VBox(rest))
                titles.append(group)
        sections.append(W.VBox([self.seed]))
        titles.append("Seed")
        advanced = W.Accordion(children=[W.VBox([W.Accordion(children=sections, titles=tuple(titles))])],
                               titles=("Advanced",), selected_index=None)
        advanced.add_class("stpx-advanced")
        advanced.observe(self._on_advanced, names="selected_index")
        self.advanced = advanced
        left = W.VBox([W.HTML("<b>Preset</b>"), self.preset, self.reset,
                       W.HTML("<b>Short-term plasticity, weights, neurons</b>"), *front, advanced,
                       W.HTML("<b>Keep and share</b>"), *self.keep.widgets()], layout=W.Layout(**CONTROLS_COLUMN))
        left.add_class("stpx-controls")
        inspect, compare, panels = self.panels.rows()
        # the time panels take the room left of the connectivity panel, which
        # moves below them when less than TIME_PANELS_MIN_WIDTH_PX is left
        time_column, connectivity = panels.children
        time_column.layout = W.Layout(flex=f"1 1 {TIME_PANELS_MIN_WIDTH_PX}px", min_width="0")
        connectivity.layout.flex = "0 1 auto"
        right = W.VBox([W.HBox([self.busy, self.status]), self.error, self.note, inspect, compare, panels],
                       layout=W.Layout(flex=f"1 1 {PANELS_MIN_WIDTH_PX}px", min_width="0"))
        app = W.VBox([style_widget(), W.HBox([left, right]), self.drag.widget])
        app.add_class("stpx-app")
        return DragRelay.scope(app)

    def _on_advanced(self, change) -> None:
        """The sizes and other structure fields are in view: have the runtime process ready."""
        if change["new"] is not None and isinstance(self.engine, InstantEngine):
            self.engine.warm_up()

    def close(self) -> None:
        """Stop the worker and release the figures (tests, scripts)."""
        import matplotlib.pyplot as plt

        self.runner.stop()
        self.runner.wait_idle(30)  # a runtime run ending now would start a new waiting process
        for fig in self.figures.values():
            plt.close(fig)
        if isinstance(self.engine, InstantEngine):
            self.engine.close()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def _without_float_noise(value):
    """A slider's float without the page's rounding noise: its step arithmetic
    gives values such as 0.15100000000000002 for 0.151, which would then be
    run and shown in the parameter link.  Only a value a few units in the last
    place from a decimal of 12 significant digits is replaced; a fitted value
    such as 0.4939359264985734 is kept exactly."""
    if not isinstance(value, float) or not math.isfinite(value):
        return value
    decimal = float(f"{value:.12g}")
    return decimal if abs(decimal - value) <= 4 * math.ulp(value) else value


def median_timings(explorer: Explorer) -> dict:
    """Median run, draw and change-to-panels times (s) over the explorer's runs."""
    timed = [t for t in explorer.timings if t["total_s"] is not None]
    if not timed:
        return {}
    return {key: float(np.median([t[key] for t in timed])) for key in ("run_s", "draw_s", "total_s")}
