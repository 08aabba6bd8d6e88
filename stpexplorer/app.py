"""The ipywidgets explorer: controls generated from :mod:`stpexplorer.params`,
linked ipympl panels, a latest-wins background runner.

>>> from stpexplorer.app import Explorer
>>> Explorer().widget    # display in a notebook or Voila

Every control carries the DOM class ``stpx-control-<field>``, every panel
``stpx-panel-<name>``; the status line is ``stpx-status``, the busy indicator
``stpx-busy`` and the error box ``stpx-error``.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import io
import threading
import time

import ipywidgets as W
import numpy as np

from . import params as params_mod
from . import plotting, presets
from .blit import PanelBlitter, rescale_nicely
from .plotting import remove_artists
from .params import STP_FIELDS, Params
from .pathway_control import PathwayControl
from .runner import LatestRunner
from .simulate import check_budget, engine_note, import_brian2_if_needed, preparation, simulate

#: Fields shown in front; all others go to the "Advanced" section.
FRONT_FIELDS = ("stp", "U_0", "Omega_f", "Omega_d", "w_e", "w_i",
                "a_e", "b_e", "c_e", "d_e", "a_i", "b_i", "c_i", "d_i")
#: Busy indicator by what a run must do first (see StandaloneEngine.preparation).
BUSY_TEXT = {None: "⏳ running…",
             "load": "⏳ loading the compiled network for these sizes…",
             "compile": "⏳ compiling the network once for these sizes, STP setting and seed "
                        "(about 20 s; later runs take a fraction of a second)…"}
#: Upper bound on an uploaded parameter file (bytes).
MAX_UPLOAD_BYTES = params_mod.MAX_JSON_BYTES
PANELS = ("raster", "conductances", "resources", "connectivity")
TIME_PANELS = ("raster", "conductances", "resources")
PANEL_HEIGHTS = {"raster": 2.8, "conductances": 2.4, "resources": 2.4, "connectivity": 3.6}
#: figure margins (inches: left, right, bottom, top) around each panel's axes
PANEL_MARGINS_IN = (0.8, 0.85, 0.5, 0.3)
#: distance (inches) of the y and x axis labels from the axes: room for tick labels like "1000"
LABEL_GAP_IN = (0.5, 0.25)

CSS = """
<style>
.stpx-app { font-family: sans-serif; }
.stpx-error, .stpx-lab-error { color: #922b21; background: #fdedec; border-left: 4px solid #c0392b; padding: 2px 8px; }
.stpx-busy { color: #b9770e; font-weight: bold; }
.stpx-status { color: #424949; }
.stpx-note { color: #7d6608; }
</style>
"""


def _label(field: dataclasses.Field) -> str:
    m = field.metadata
    unit = m["unit"]
    return f"{m['symbol']} ({unit})" if unit not in ("", "1") else m["symbol"]


def make_control(field: dataclasses.Field, value) -> W.Widget:
    """The widget for one parameter field, built from its metadata."""
    m = field.metadata
    common = dict(description=_label(field), tooltip=m["doc"],
                  style={"description_width": "110px"}, layout=W.Layout(width="340px"))
    if field.type == "bool":
        widget = W.Checkbox(value=value, indent=False, **common)
    elif field.type == "str":
        widget = W.Dropdown(options=list(m["choices"]), value=value, **common)
    elif field.name in FRONT_FIELDS:
        widget = W.FloatSlider(value=value, min=m["lo"], max=max(m["slider_hi"], value),
                               step=m["step"] or 0.01, continuous_update=False,
                               readout_format=".3g", **common)
    elif field.type == "int":
        widget = W.BoundedIntText(value=value, min=int(m["lo"]), max=int(m["hi"]), **common)
    else:
        widget = W.BoundedFloatText(value=value, min=m["lo"], max=m["hi"], step=m["step"] or 0.01,
                                    **common)
    widget.add_class(f"stpx-control-{field.name}")
    return widget


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


def on_kernel_thread(function, *args) -> None:
    """Run ``function(*args)`` on the kernel's main thread, or at once outside a kernel.

    ipympl handles the page's canvas messages (resize, refresh) and draws on
    the kernel's main thread, and matplotlib is not thread-safe: a worker
    thread that drew the panels itself could draw a figure that the page was
    resizing at the same moment, fail, and take the runner with it.  So
    workers hand their results over to the kernel's IO loop instead.
    """
    try:
        from IPython import get_ipython

        loop = get_ipython().kernel.io_loop
    except (ImportError, AttributeError):  # a script or test: no kernel
        function(*args)
        return
    loop.add_callback(function, *args)


def _set_widget_value(widget: W.Widget, value) -> None:
    if isinstance(widget, W.FloatSlider) and value > widget.max:
        widget.max = value  # a loaded or preset value beyond the usual slider range
    widget.value = value


def _download_link(label: str, filename: str, payload: bytes, mime: str, css: str) -> str:
    data = base64.b64encode(payload).decode()
    return (f'<a class="{css}" download="{filename}" href="data:{mime};base64,{data}">'
            f'⬇ {label}</a>')


class Explorer:
    """The dashboard: controls, linked panels, status, save/load.

    ``autorun`` starts the first simulation in the background at construction,
    so the page shows progress instead of waiting for the build.
    """

    def __init__(self, params: Params | None = None, seed: int = 0, engine=None,
                 autorun: bool = True, preset: str = "default"):
        import_brian2_if_needed(engine)
        self.engine = engine
        self.result = None
        self.reference = None
        self._suspend = False
        self._lock = threading.Lock()
        self.timings: list[dict] = []
        self.run_count = 0
        #: called as f(params, seed) after each successful run (e.g. to update a share link)
        self.on_params_changed = None
        start = presets.get(preset) if params is None else params
        self._preset_params = presets.get(preset)
        self._build_controls(start, seed, preset)
        self._build_panels()
        self._build_io()
        self.widget = self._layout()
        self.runner = LatestRunner(self._work, lambda *outcome: on_kernel_thread(self._done, *outcome))
        if autorun:
            self.request_run(by_user=False)

    # ------------------------------------------------------------------ controls
    def _build_controls(self, start: Params, seed: int, preset: str) -> None:
        self.controls = {f.name: make_control(f, getattr(start, f.name)) for f in params_mod.fields()
                         if not f.metadata["optional"]}  # per-pathway values: see PathwayControl
        for widget in self.controls.values():
            widget.observe(self._on_control, names="value")
        self._control_names = {id(widget): name for name, widget in self.controls.items()}
        self.pathways = PathwayControl({name: self.controls[name] for name in STP_FIELDS}, start,
                                       quiet=self._quiet, on_change=self.request_run)
        self.seed = W.BoundedIntText(value=seed, min=0, max=params_mod.SEED_LIMIT - 1, description="seed",
                                     tooltip="Random seed: heterogeneity, connectivity and noise",
                                     style={"description_width": "110px"}, layout=W.Layout(width="340px"))
        self.seed.add_class("stpx-control-seed")
        self.seed.observe(self._on_control, names="value")
        self.preset = W.Dropdown(options=list(presets.PRESETS), value=preset, description="preset",
                                 tooltip="Set every control from a named parameter set",
                                 style={"description_width": "110px"}, layout=W.Layout(width="340px"))
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
        self.error = W.HTML("", layout=W.Layout(display="none"))
        self.error.add_class("stpx-error")
        self.note = W.HTML("")
        self.note.add_class("stpx-note")

    def current_params(self) -> Params:
        """Parameters from the controls; ``ValueError`` if any value is invalid."""
        values = {name: w.value for name, w in self.controls.items()}
        return Params(**{**values, **self.pathways.values()})

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
                _set_widget_value(widget, getattr(params, name))
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
        self._suspend = True
        try:
            self.preset.value = name
        finally:
            self._suspend = False
        self.apply_params(params if params is not None else self._preset_params, seed)

    # ------------------------------------------------------------------ running
    def request_run(self, by_user: bool = True) -> None:
        """Run the controls' setting in the background (the newest request wins).
        ``by_user=False`` (the first run of a page) leaves the change-to-panels
        time out of the status line: nobody waited for it since a change."""
        try:
            params = self.current_params()
            check_budget(params)
        except ValueError as exc:
            self.show_error(str(exc))
            return
        self.busy.value = BUSY_TEXT[preparation(params, int(self.seed.value), self.engine)]
        self.runner.submit((params, int(self.seed.value), time.perf_counter() if by_user else None))

    def _work(self, job):
        params, seed, _ = job
        if self.engine is None:
            return simulate(params, seed=seed)
        return simulate(params, seed=seed, engine=self.engine)

    def _done(self, job, result, error) -> None:
        params, seed, submitted = job
        if error is not None:
            message = str(error) if isinstance(error, (ValueError, RuntimeError)) else \
                f"unexpected {type(error).__name__}: {error}"
            self.show_error(message)
        else:
            draw_start = time.perf_counter()
            self._previous, self.result = self.result, result
            self.set_error("")
            try:
                self.redraw()
            except Exception as exc:  # noqa: BLE001  the last good panels stay; the page says why
                self.show_error(f"the panels could not be drawn: {type(exc).__name__}: {exc}")
            now = time.perf_counter()
            self.run_count += 1
            waited = None if submitted is None else now - submitted
            self.timings.append({"run_s": result.run_time_s, "draw_s": now - draw_start,
                                 "total_s": waited})
            self._update_status(waited)
            self.pathways.show(params)
            self._update_param_link(params, seed)
            if self.on_params_changed is not None:
                self.on_params_changed(params, seed)
        self.busy.value = "⏳ running…" if self.runner.pending else ""

    def show_error(self, message: str) -> None:
        from html import escape

        self.set_error(f"⚠ {escape(message)}")
        if not self.runner.busy:
            self.busy.value = ""

    def set_error(self, html_text: str) -> None:
        """Show (or with "" hide) the error box."""
        self.error.value = html_text
        self.error.layout.display = "" if html_text else "none"

    def _update_status(self, total_s: float | None) -> None:
        r = self.result
        shown = "" if total_s is None else f", shown {total_s:.2f} s after the change"
        self.status.value = (
            f"run #{self.run_count}: simulated in {r.run_time_s:.2f} s{shown} · "
            f"E {r.mean_rate_hz('e'):.1f} Hz · I {r.mean_rate_hz('i'):.1f} Hz · "
            f"{len(r.spike_i)} spikes · {r.n_synapses} synapses")
        self.note.value = engine_note()

    def wait(self, timeout: float = 600) -> bool:
        """Block until the runner is idle (scripts and tests)."""
        return self.runner.wait_idle(timeout)

    # ------------------------------------------------------------------ panels
    def _build_panels(self) -> None:
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
        self._previous = None
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

    def _overlay(self):
        if not self.compare.value:
            return None
        return self.reference if self.reference is not None else self._previous

    def redraw(self) -> None:
        """Redraw every panel from ``self.result`` (no simulation).

        Artists are replaced inside persistent Axes (and twin Axes), so ticks
        and layout are not rebuilt at every slider move.
        """
        if self.result is None:
            return
        with self._lock:
            r = self.result
            overlay = self._overlay()
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
                rescale_nicely(self.rate_ax, axes["conductances"], self.v_ax)
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
        self._suspend = True
        try:
            if list(self.neuron_pick.options) != options:
                self.neuron_pick.options = options
            self.neuron_pick.value = r.rec_neuron
            self.syn_pre.value, self.syn_post.value = r.syn_pre, r.syn_post
        finally:
            self._suspend = False

    def _on_pick_neuron(self, change) -> None:
        if self._suspend or self.result is None or change["new"] is None:
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
        self.set_error("")
        self.redraw()

    # ------------------------------------------------------------------ save / load
    def _build_io(self) -> None:
        self.upload = W.FileUpload(accept=".json,application/json", multiple=False,
                                   description="Load parameters")
        self.upload.add_class("stpx-upload")
        self.upload.observe(self._on_upload, names="value")
        self.param_link = W.HTML("")
        self.param_link.add_class("stpx-download-params")
        self.export = W.Button(description="Prepare figure + data", icon="download",
                               tooltip="Make PNG and npz download links for the current run")
        self.export.add_class("stpx-export")
        self.export.on_click(self._on_export)
        self.export_links = W.HTML("")
        self.export_links.add_class("stpx-download-data")

    def _update_param_link(self, params: Params, seed: int) -> None:
        payload = params.to_json().encode()
        self.param_link.value = _download_link("parameters (JSON)", f"stpexplorer-seed{seed}.json",
                                               payload, "application/json", "stpx-link-params")

    def load_params_json(self, payload: bytes) -> None:
        """Validate an uploaded parameter file and apply it; errors go to the page."""
        if len(payload) > MAX_UPLOAD_BYTES:
            self.show_error(f"parameter file is {len(payload)} bytes; the limit is {MAX_UPLOAD_BYTES}")
            return
        try:
            params = Params.from_json(payload, base=presets.DEFAULT)
            check_budget(params)
        except ValueError as exc:
            self.show_error(f"parameter file rejected: {exc}")
            return
        self.set_error("")
        self.apply_params(params)

    def _on_upload(self, change) -> None:
        files = change["new"]
        if not files:
            return
        item = files[0]
        content = item["content"] if isinstance(item, dict) else item.content
        self.load_params_json(bytes(content))

    def figure_png(self) -> bytes:
        """All panels of the current run as one PNG."""
        from matplotlib.figure import Figure

        fig = Figure(figsize=(13, 9), layout="constrained")
        plotting.plot_panels(self.result, fig)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100)
        return buffer.getvalue()

    def _on_export(self, _=None) -> None:
        if self.result is None:
            return
        png = _download_link("figure (PNG)", "stpexplorer-panels.png", self.figure_png(),
                             "image/png", "stpx-link-png")
        npz = _download_link("data (npz)", "stpexplorer-result.npz", self.result.to_npz_bytes(),
                             "application/octet-stream", "stpx-link-npz")
        self.export_links.value = f"{png} &nbsp; {npz}"

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
        left = W.VBox([W.HTML("<b>Preset</b>"), self.preset, self.reset,
                       W.HTML("<b>Short-term plasticity, weights, neurons</b>"), *front, advanced,
                       W.HTML("<b>Keep and share</b>"), self.upload, self.param_link, self.export,
                       self.export_links], layout=W.Layout(width="360px"))
        inspect = W.HBox([self.neuron_pick, self.syn_pre, self.syn_post, self.syn_show])
        compare = W.HBox([self.compare, self.pin])
        right = W.VBox([W.HBox([self.busy, self.status]), self.error, self.note, inspect, compare,
                        W.HBox([W.VBox([self.panel_boxes[n] for n in TIME_PANELS]),
                                self.panel_boxes["connectivity"]])])
        app = W.VBox([W.HTML(CSS), W.HBox([left, right])])
        app.add_class("stpx-app")
        return app

    def close(self) -> None:
        """Stop the worker and release the figures (tests, scripts)."""
        import matplotlib.pyplot as plt

        self.runner.stop()
        for fig in self.figures.values():
            plt.close(fig)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def median_timings(explorer: Explorer) -> dict:
    """Median run, draw and change-to-panels times (s) over the explorer's runs."""
    timed = [t for t in explorer.timings if t["total_s"] is not None]
    if not timed:
        return {}
    return {key: float(np.median([t[key] for t in timed])) for key in timed[0]}
