"""Dashboard tabs: the network explorer, the synapse lab, the neuron gallery.

:class:`Dashboard` puts them in tabs, each with a few sentences of teaching
text and questions to try, and reads settings from the page's query string so
a teacher can hand out a link (``?preset=forum&U_0=0.3&seed=2``).
"""

from __future__ import annotations

import html
from urllib.parse import parse_qs, urlencode

import ipywidgets as W
import numpy as np

from . import lab, presets
from . import params as params_mod
from .app import Explorer, new_panel, on_kernel_thread, render
from .params import PATHWAY_LABELS, PATHWAYS, STP_FIELDS, Params

#: Longest query string accepted (characters).
MAX_QUERY_LENGTH = 4096

TEACHING = {
    "network": """<p><b>The network.</b> 800 excitatory (red) and 200 inhibitory (blue) Izhikevich neurons
with conductance synapses. Every synapse has Tsodyks–Markram short-term plasticity: at a spike it
releases the fraction <i>r = u·x</i> of its resources, <i>u</i> grows by U₀(1−u) and <i>x</i> drops by
<i>r</i>; between spikes <i>u</i> decays at Ω_f and <i>x</i> recovers at Ω_d.</p>
<p><b>The panels</b> share their time axis (zoom one, the others follow). <i>Spikes</i>: one dot
per spike, neurons on the vertical axis, with the population rate (black; dashed grey: the previous
or pinned run); the recorded neuron and synapse are highlighted. <i>Conductances</i>: the excitatory
(g_e) and inhibitory (g_i) input of the recorded neuron and its membrane potential v.
<i>Synapse</i>: u and x of the recorded synapse between its presynaptic spikes, dots at the spikes,
stems for the released fraction r. <i>Connectivity</i>: who connects to whom (circle: the recorded
synapse).</p>
<p><b>Try:</b> (1) Lower U₀ from 0.6 to 0.1. Does the network fire more or less, and why does
<i>r</i> per spike hardly drop during bursts now? (2) Raise Ω_d to 20/s: what happens to the
population bursts? (3) Choose the <i>izhikevich2003</i> preset and find the alpha (~10 Hz) rhythm in
the rate trace.</p>""",
    "synapse": """<p><b>One synapse.</b> A presynaptic train at <i>f</i> Hz, then one test spike after a
gap. The curves are the closed-form <i>u(t)</i>, <i>x(t)</i>; the dots are the states at the spikes.
The normalised amplitude A_n/A_1 = r_n/r_1 tells whether the synapse depresses (&lt; 1) or
facilitates (&gt; 1). On the right, the steady state <i>r*</i>(f) of a long regular train and the
transmitted rate f·r*(f): dots are simulated trains, lines the formula.</p>
<p><b>Try:</b> (1) With the depressing preset, how long a gap does the test spike need to recover
to 90 %? Compare with 1/Ω_d. (2) Why does f·r*(f) saturate for a depressing synapse — what does
that mean for coding of high rates? (3) Find a frequency where the mixed preset first
facilitates and then depresses.</p>""",
    "fit": """<h4>Fit to data</h4>
<p>Upload the response amplitudes (PSC or PSP peaks) of one synapse to one or more presynaptic
trains — a CSV file with the columns <code>spike_time_ms, amplitude</code> and optionally
<code>train</code> (the protocol's name; each train starts from rest) — or try a shipped synthetic
recording. The fit finds U₀, Ω_f, Ω_d and a scale A (amplitude = A·r) with 95 % intervals; a
warning names any value the data do not determine.</p>
<p><b>What the protocol must contain.</b> The first response and the next few fix U₀ (with A).
Ω_d needs the recovery of the response after gaps of several lengths around 1/Ω_d (recovery probes
after 0.1–2 s); Ω_f needs facilitation to decay within the protocol: short probes or a train at a
second rate. One regular train at one rate cannot tell the decay of facilitation from the
recovery of resources.</p>
<p><b>Try:</b> (1) Fit both examples: which value has the widest interval, and which probe would
narrow it? (2) Use the depressing fit in the network and compare the bursts with the default
U₀ = 0.6.</p>""",
    "sweep": """<p><b>Sweep.</b> Run the network on a grid of two parameters around the Network tab's
current setting and colour each cell by a summary: mean E/I rate, synchrony (how bursty the
population rate is), dominant frequency, mean release r. Click a cell to load that setting.</p>
<p><b>Try:</b> (1) Sweep U₀ × Ω_f: where does the network switch from asynchronous firing to
bursts? (2) Sweep w_e × w_i and find the balanced region. For big grids and many seeds use
<code>stpexplorer sweep</code> on a Dask cluster.</p>""",
    "neuron": """<p><b>Neuron types.</b> Izhikevich (2003), Fig. 2: the same two equations give regular
spiking, bursting, chattering, fast spiking, … depending on a, b, c, d. The phase plane shows the
trajectory (v, u) with the v-nullcline (parabola) and the u-nullcline (line u = b·v) for the input
after the step.</p>
<p><b>Try:</b> (1) Start from RS and lower the reset c towards −50 mV: when does it start bursting?
(2) What does d do to the adaptation of RS? (3) Why does TC fire only after the hyperpolarising
current is released? Look at where the nullclines cross.</p>""",
}


class SweepTab:
    """A small grid over two run-time parameters of the explorer's current
    setting, run in the kernel; clicking a heatmap cell loads that setting."""

    MAX_POINTS_PER_AXIS = 8

    def __init__(self, explorer: Explorer, on_load=None):
        from . import sweep as sw

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
        self.fig, self.panel = new_panel("sweep", (6.5, 4.8))
        self.ax = self.fig.add_subplot()
        self.rows, self.grid = [], {}
        self.x_field.observe(lambda c: self._fit_range(self.x_range, c["new"]), names="value")
        self.y_field.observe(lambda c: self._fit_range(self.y_range, c["new"]), names="value")
        self.measure.observe(lambda _: self.draw(), names="value")
        self.run.on_click(lambda _: self.start())
        self.fig.canvas.mpl_connect("button_press_event", self._on_click)
        controls = W.VBox([self.x_field, self.x_range, self.y_field, self.y_range, self.points,
                           self.run, self.progress, self.measure, self.message],
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
            self.message.value = "⚠ choose two different parameters"
            return
        base = self.explorer.current_params_or_none()
        if base is None:
            self.message.value = "⚠ the explorer's current setting is invalid"
            return
        n = self.points.value
        self.grid = {self.x_field.value: [round(float(v), 6) for v in np.linspace(*self.x_range.value, n)],
                     self.y_field.value: [round(float(v), 6) for v in np.linspace(*self.y_range.value, n)]}
        self.base, self.seed = base, int(self.explorer.seed.value)
        self.run.disabled = True
        self.progress.max, self.progress.value = n * n, 0
        self.message.value = f"running {n * n} simulations…"
        import threading

        threading.Thread(target=self._work, daemon=True, name="stpexplorer-sweep").start()

    def _work(self):
        from .simulate import default_engine

        engine = self.explorer.engine or default_engine()
        rows = []
        try:
            for changes in self.sw.expand_grid(self.base, self.grid):
                row = self.sw.run_point({**self.base.to_dict(), **changes}, self.seed, None, engine=engine)
                rows.append({**changes, **row})
                self.progress.value += 1
        finally:
            on_kernel_thread(self._show_rows, rows)

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
        self.sw.draw_heatmap(self.ax, self.rows, self.grid, self.measure.value)
        self.ax.set_title(self.measure.value, loc="left", fontsize=10)
        render(self.fig)

    def load_cell(self, i: int, j: int) -> None:
        """Load grid cell (x index i, y index j) into the explorer."""
        (xname, xs), (yname, ys) = self.grid.items()
        try:
            params = self.base.replace(**{xname: xs[i], yname: ys[j]})
        except ValueError as exc:
            self.message.value = f"⚠ {html.escape(str(exc))}"
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


def _stp_slider(name: str, value: float) -> W.FloatSlider:
    """A synapse-lab slider for U_0, Omega_f or Omega_d, its range and label
    from the parameter definition (the Network tab's slider range)."""
    m = params_mod.field_info(name).metadata
    label = m["symbol"] if m["unit"] in ("", "1") else f"{m['symbol']} ({m['unit']})"
    return _slider(label, value, m["lo"], max(m["slider_hi"], value), m["step"] or 0.01,
                   f"stpx-lab-control-{name}", tooltip=m["doc"])


def _slider(description, value, lo, hi, step, css, tooltip=""):
    widget = W.FloatSlider(value=value, min=lo, max=hi, step=step, description=description,
                           continuous_update=False, readout_format=".3g", tooltip=tooltip,
                           style={"description_width": "90px"}, layout=W.Layout(width="330px"))
    widget.add_class(css)
    return widget


class _LabTab:
    """What the synapse lab and the neuron gallery share: sliders that redraw,
    a chooser that loads a named setting with its "look for" hint, teaching
    text and an error line.  Subclasses provide ``update()`` and ``panel``."""

    def _assemble(self, teaching: str, chooser: W.Widget, on_choose, sliders, controls) -> None:
        self.message = W.HTML("", layout=W.Layout(display="none"))
        self.message.add_class("stpx-lab-error")
        self._loading = False
        for widget in sliders:
            widget.observe(lambda _: None if self._loading else self.update(), names="value")
        chooser.observe(on_choose, names="value")
        self.column = W.VBox(controls, layout=W.Layout(width="350px"))
        self.widget = W.VBox([W.HTML(TEACHING[teaching]), self.message, W.HBox([self.column, self.panel])])
        self.update()

    def _load(self, look_for: str, values: dict) -> None:
        """Set the hint and several sliders, then redraw once."""
        self.look_for.value = f"<i>{look_for}</i>"
        self._loading = True
        try:
            for name, value in values.items():
                getattr(self, name).value = value
        finally:
            self._loading = False
        self.update()

    def _show_error(self, exc: Exception) -> None:
        self.message.value = f"⚠ {html.escape(str(exc))}"
        self.message.layout.display = ""

    def _hide_error(self) -> None:
        self.message.layout.display = "none"


class SynapseLab(_LabTab):
    """One Tsodyks–Markram synapse: u, x, A_n/A_1 and the steady state against frequency,
    and below it the "Fit to data" part (:class:`FitToData`).  ``explorer`` and
    ``on_use`` (called after "use in network") connect the fit to the Network tab."""

    def __init__(self, preset: str = "depressing", explorer: Explorer | None = None, on_use=None):
        p = lab.SYNAPSE_PRESETS[preset]
        self.preset = W.Dropdown(options=list(lab.SYNAPSE_PRESETS), value=preset, description="preset",
                                 style={"description_width": "90px"})
        self.preset.add_class("stpx-lab-control-preset")
        self.look_for = W.HTML(f"<i>{p.look_for}</i>")
        self.look_for.add_class("stpx-lab-look-for")
        self.U_0, self.Omega_f, self.Omega_d = (_stp_slider(name, getattr(p, name)) for name in STP_FIELDS)
        self.rate = _slider("f (Hz)", 20.0, 0.5, 100.0, 0.5, "stpx-lab-control-rate")
        self.n_spikes = W.IntSlider(value=10, min=2, max=60, description="spikes", continuous_update=False,
                                    style={"description_width": "90px"}, layout=W.Layout(width="330px"))
        self.gap = _slider("test gap (ms)", 500.0, 10.0, 3000.0, 10.0, "stpx-lab-control-gap")
        self.kind = W.ToggleButtons(options=["regular", "poisson"], value="regular",
                                    style={"button_width": "80px"})
        self.kind.add_class("stpx-lab-control-kind")
        self.fig, self.panel = new_panel("lab", (11.5, 6.4))
        self.axes = self.fig.subplots(2, 2)
        self._assemble("synapse", self.preset, self._on_preset,
                       sliders=(self.U_0, self.Omega_f, self.Omega_d, self.rate, self.n_spikes, self.gap,
                                self.kind),
                       controls=[self.preset, self.look_for, self.U_0, self.Omega_f, self.Omega_d,
                                 self.rate, self.n_spikes, self.kind, self.gap])
        self.fit = FitToData(self, explorer, on_use)
        self.widget.children = (*self.widget.children, self.fit.widget)
        self.explorer = explorer
        if explorer is not None:  # the values a pathway of the Network tab releases with
            self.network_pathway = W.Dropdown(
                options=[("shared", "all")] + [(PATHWAY_LABELS[pw], pw) for pw in PATHWAYS],
                value="all", description="network", style={"description_width": "60px"},
                layout=W.Layout(width="170px"))
            self.network_pathway.add_class("stpx-lab-network-pathway")
            load = W.Button(description="Load its U₀, Ω_f, Ω_d",
                            tooltip="The values this pathway of the Network tab releases with")
            load.add_class("stpx-lab-from-network")
            load.on_click(lambda _: self.load_from_network(self.network_pathway.value))
            self.column.children = (*self.column.children, W.HBox([self.network_pathway, load]))

    def load_from_network(self, pathway: str = "all") -> None:
        """Set U₀, Ω_f, Ω_d to the Network tab's shared values or those of ``pathway``."""
        try:
            params = self.explorer.current_params()
        except ValueError as exc:
            self._show_error(exc)
            return
        values = (params.pathway_values(pathway) if pathway != "all"
                  else tuple(getattr(params, name) for name in STP_FIELDS))
        label = "shared values" if pathway == "all" else f"{PATHWAY_LABELS[pathway]} synapses"
        for name, value in zip(STP_FIELDS, values):
            slider = getattr(self, name)
            slider.max = max(slider.max, value)
        self._load(f"the Network tab's {label}", dict(zip(STP_FIELDS, values)))

    def _on_preset(self, change):
        p = lab.SYNAPSE_PRESETS[change["new"]]
        self._load(p.look_for, {"U_0": p.U_0, "Omega_f": p.Omega_f, "Omega_d": p.Omega_d})

    def update(self):
        try:
            res = lab.synapse_lab(self.U_0.value, self.Omega_f.value, self.Omega_d.value, self.rate.value,
                                  self.n_spikes.value, self.kind.value, self.gap.value)
        except ValueError as exc:
            self._show_error(exc)
            return
        self._hide_error()
        self.result = res
        draw_synapse_lab(res, self.axes)
        render(self.fig)


#: "Use in network" targets: the shared STP values, or one pathway (presynaptic population first).
FIT_TARGETS = {"shared": "shared values (every synapse)", "ee": "E→E", "ei": "E→I", "ie": "I→E", "ii": "I→I"}
#: Longest uploaded file name shown (characters).
MAX_SHOWN_NAME = 80

FIT_CSS = """<style>
.stpx-fit-error { color: #922b21; background: #fdedec; border-left: 4px solid #c0392b; padding: 2px 8px; }
.stpx-fit-table table { border-collapse: collapse; font-size: 13px; }
.stpx-fit-table th, .stpx-fit-table td { padding: 1px 8px; text-align: left; }
.stpx-fit-table th { border-bottom: 1px solid #aaa; }
.stpx-fit-table td.stpx-fit-value, .stpx-fit-table td.stpx-fit-ci { font-family: monospace; }
.stpx-fit-warnings { color: #7d6608; }
</style>"""


class FitToData:
    """The synapse lab's "Fit to data" part: response amplitudes from an
    uploaded CSV (or a shipped example) → U₀, Ω_f, Ω_d and A with 95 %
    intervals and warnings (:mod:`stpexplorer.fit`), the data with the fitted
    amplitudes per train, and the values into the lab's sliders or, shared or
    for one pathway, into the Network tab.

    DOM classes: ``stpx-fit-upload``, ``stpx-fit-example``, ``stpx-fit-try``,
    ``stpx-fit-source``, ``stpx-fit-error``, ``stpx-fit-table`` (cells
    ``stpx-fit-value`` and ``stpx-fit-ci`` in rows ``stpx-fit-row-<name>``),
    ``stpx-panel-fit``, ``stpx-fit-target``, ``stpx-fit-use``,
    ``stpx-fit-to-lab`` and ``stpx-fit-applied``.
    """

    def __init__(self, lab_tab: SynapseLab, explorer: Explorer | None = None, on_use=None):
        # numpy and the CSV reader only: scipy is imported by the first fit
        from . import fit as fit_mod

        self.fit_mod, self.lab, self.explorer, self.on_use = fit_mod, lab_tab, explorer, on_use
        self.result, self.trains, self.label = None, None, ""
        style = {"description_width": "90px"}
        self.upload = W.FileUpload(accept=".csv,text/csv,text/plain", multiple=False,
                                   description="Upload CSV", tooltip="spike_time_ms, amplitude [, train]; at most 1 MB")
        self.upload.add_class("stpx-fit-upload")
        self.upload.observe(self._on_upload, names="value")
        self.example = W.Dropdown(options=list(fit_mod.EXAMPLES), value=fit_mod.EXAMPLES[0],
                                  description="or example", style=style, layout=W.Layout(width="250px"))
        self.example.add_class("stpx-fit-example")
        self.try_example = W.Button(description="Try this example", icon="play",
                                    tooltip="Fit a shipped synthetic recording")
        self.try_example.add_class("stpx-fit-try")
        self.try_example.on_click(lambda _: self.load_example(self.example.value))
        self.source = W.HTML("<i>No data yet: upload a CSV or try an example.</i>")
        self.source.add_class("stpx-fit-source")
        self.error = W.HTML("", layout=W.Layout(display="none"))
        self.error.add_class("stpx-fit-error")
        self.table = W.HTML("")
        self.table.add_class("stpx-fit-table")
        self.target = W.Dropdown(options=[(label, key) for key, label in FIT_TARGETS.items()], value="shared",
                                 description="use for", style=style, layout=W.Layout(width="330px"),
                                 tooltip="Shared values set U₀, Ω_f, Ω_d of every synapse; "
                                         "a pathway sets only its own values")
        self.target.add_class("stpx-fit-target")
        self.use = W.Button(description="Use in network", icon="share", disabled=True,
                            tooltip="Set the fitted values in the Network tab and run it")
        self.use.add_class("stpx-fit-use")
        self.use.on_click(lambda _: self.use_in_network())
        self.to_lab = W.Button(description="Load into lab sliders", icon="arrow-up", disabled=True,
                               layout=W.Layout(width="190px"),
                               tooltip="Set the synapse lab's U₀, Ω_f, Ω_d sliders above to the fitted values")
        self.to_lab.add_class("stpx-fit-to-lab")
        self.to_lab.on_click(lambda _: self.load_into_lab())
        self.applied = W.HTML("")
        self.applied.add_class("stpx-fit-applied")
        self.fig, self.panel = new_panel("fit", (7.6, 4.8))
        self.axes = self.fig.subplots(2, 1, sharex=True, height_ratios=(3, 1.3))
        self.fig.subplots_adjust(hspace=0.15)
        self._draw_empty()
        controls = W.VBox([self.upload, W.HBox([self.example, self.try_example]), self.source, self.error,
                           self.table, self.target, W.HBox([self.use, self.to_lab]), self.applied],
                          layout=W.Layout(width="470px"))
        self.widget = W.VBox([W.HTML(FIT_CSS + TEACHING["fit"]), W.HBox([controls, self.panel])])
        self.widget.add_class("stpx-fit")

    # ------------------------------------------------------------------ data in
    def _on_upload(self, change) -> None:
        files = change["new"]
        if not files:
            return  # also the clearing below
        try:
            item = files[0]
            content = item["content"] if isinstance(item, dict) else item.content
            name = item.get("name", "") if isinstance(item, dict) else getattr(item, "name", "")
            size = memoryview(content).nbytes  # what arrived, not the size the page claims
        except (TypeError, KeyError, AttributeError, IndexError, ValueError):
            self._show_error("the upload could not be read; choose the file again")
            return
        finally:
            self.upload.value = ()  # drop the content; the same file can be chosen again
        name = str(name).replace("\\", "/").rsplit("/", 1)[-1][:MAX_SHOWN_NAME] or "upload.csv"
        if size > self.fit_mod.MAX_BYTES:
            self._show_error(f"{name}: file is {size} bytes; at most {self.fit_mod.MAX_BYTES} bytes (1 MB)")
            return
        self.load(bytes(content), name)

    def load_example(self, kind: str) -> bool:
        """Fit the shipped example ``kind`` ("depressing" or "facilitating")."""
        if kind not in self.fit_mod.EXAMPLES:
            self._show_error(f"unknown example {str(kind)[:40]!r}; choose one of: {', '.join(self.fit_mod.EXAMPLES)}")
            return False
        return self.load(self.fit_mod.example_bytes(kind), f"fit_{kind}.csv")

    def load(self, payload: bytes, name: str) -> bool:
        """Read ``payload`` (a CSV file's bytes), fit it and show the result;
        a bad file or a failed fit is shown in the error line (True if fitted)."""
        import time

        start = time.perf_counter()
        try:
            trains = self.fit_mod.load_csv(payload, name=name)
            # On the kernel's main thread: a fit takes 0.05-0.4 s (the first one
            # imports scipy), about one network redraw, so no worker thread.
            result = self.fit_mod.fit_stp(trains, seed=0)
        except ValueError as exc:  # FitDataError names the line and the column
            self._show_error(str(exc))
            return False
        except Exception as exc:  # noqa: BLE001  the page shows why; the last fit stays
            self._show_error(f"{name}: the fit failed: {type(exc).__name__}: {exc}")
            return False
        elapsed = time.perf_counter() - start
        self._hide_error()
        self.result, self.trains, self.label = result, trains, name
        self.source.value = (f"<b>{html.escape(name)}</b>: {len(trains)} train(s), {result.n_responses} "
                             f"responses; fitted in {elapsed:.2f} s")
        self.table.value = fit_table_html(result)
        self.applied.value = ""
        self.use.disabled = self.explorer is None
        self.to_lab.disabled = False
        self._draw()
        return True

    # ------------------------------------------------------------------ values out
    def use_in_network(self) -> bool:
        """Set the fitted values (shared or for the chosen pathway) in the
        Network tab's explorer, run it and show that tab (True if applied)."""
        if self.result is None or self.explorer is None:
            self._show_error("fit some data first" if self.result is None else "no network to use it in")
            return False
        target = self.target.value
        if target not in FIT_TARGETS:
            self._show_error(f"unknown target {str(target)[:40]!r}")
            return False
        base = self.explorer.current_params_or_none()
        if base is None:
            self._show_error("the Network tab's current setting is invalid; correct it there first")
            return False
        note = ""
        try:
            if not base.stp:  # static synapses would ignore the fitted values
                base, note = base.replace(stp=True), " (STP was off there: turned on)"
            params = self.result.to_params(base, None if target == "shared" else target)
        except ValueError as exc:
            self._show_error(str(exc))
            return False
        self._hide_error()
        self.explorer.apply_params(params, int(self.explorer.seed.value))
        self.applied.value = (f"✓ fit of {html.escape(self.label)} set in the Network tab for "
                              f"{html.escape(FIT_TARGETS[target])}{html.escape(note)}")
        if self.on_use is not None:
            self.on_use()
        return True

    def load_into_lab(self) -> None:
        """Set the synapse lab's U₀, Ω_f, Ω_d sliders to the fitted values."""
        if self.result is None:
            self._show_error("fit some data first")
            return
        values = {name: getattr(self.result, name) for name in self.fit_mod.FITTED}
        for name, value in values.items():
            slider = getattr(self.lab, name)
            slider.max = max(slider.max, value)  # Ω up to the Params range, beyond the usual slider range
        self.lab._load(f"the values fitted to {html.escape(self.label)}", values)

    # ------------------------------------------------------------------ showing
    def _draw_empty(self) -> None:
        for ax in self.axes:
            ax.clear()
        self.axes[0].text(0.5, 0.5, "upload a CSV or try an example", ha="center", va="center",
                          color="0.5", transform=self.axes[0].transAxes)
        self.axes[0].set_ylabel("amplitude (data unit)")
        self.axes[1].set_ylabel("residual (%)")
        render(self.fig)

    def _draw(self) -> None:
        for ax in self.axes:
            ax.clear()
        self.fit_mod.plot_fit(self.result, self.trains, axes=self.axes)
        self.axes[0].tick_params(labelbottom=False)
        render(self.fig)

    def _show_error(self, message: str) -> None:
        self.error.value = f"⚠ {html.escape(message)}"
        self.error.layout.display = ""

    def _hide_error(self) -> None:
        self.error.value = ""
        self.error.layout.display = "none"


def fit_table_html(result) -> str:
    """The fit's table (value, 95 % interval, unit, note), summary and warnings as escaped HTML."""
    def fmt(value: float) -> str:
        return html.escape(f"{value:.4g}")

    rows = []
    for row in result.table_rows():
        rows.append(f'<tr class="stpx-fit-row-{html.escape(row["name"])}"><td>{html.escape(row["symbol"])}</td>'
                    f'<td class="stpx-fit-value">{fmt(row["value"])}</td>'
                    f'<td class="stpx-fit-ci">[{fmt(row["lo"])}, {fmt(row["hi"])}]</td>'
                    f'<td>{html.escape(row["unit"])}</td><td>{html.escape(row["note"])}</td></tr>')
    summary = (f"{result.n_responses} responses in {len(result.train_names)} train(s); "
               f"rmse {result.rmse:.4g} (data unit), noise {100 * result.noise_cv:.1f} % (relative)")
    warnings = "".join(f"<li>{html.escape(w)}</li>" for w in result.warnings)
    return ("<table><tr><th>parameter</th><th>value</th><th>95 % interval</th><th>unit</th><th>note</th></tr>"
            + "".join(rows) + f'</table><div class="stpx-fit-summary">{html.escape(summary)}</div>'
            + (f'<ul class="stpx-fit-warnings">{warnings}</ul>' if warnings else ""))


def draw_synapse_lab(res: lab.SynapseLabResult, axes) -> None:
    from .plotting import R_COLOR, U_COLOR, X_COLOR

    (ax_ux, ax_ss), (ax_r, ax_rate) = axes
    for ax in axes.flat:
        ax.clear()
    t = res.spike_t_ms
    ax_ux.plot(res.curve_t_ms, res.curve_u, color=U_COLOR, label="u")
    ax_ux.plot(res.curve_t_ms, res.curve_x, color=X_COLOR, label="x")
    ax_ux.plot(t, res.states.u, "o", color=U_COLOR, ms=4)
    ax_ux.plot(t, res.states.x, "o", color=X_COLOR, ms=4)
    ax_ux.set(ylim=(-0.02, 1.05), xlabel="time (ms)", ylabel="u, x")
    ax_ux.set_title("u and x (lines: closed form; dots: at spikes)", loc="left", fontsize=10)
    ax_ux.legend(loc="upper right", fontsize=8, frameon=False)
    ax_r.vlines(t, 0, res.states.r, color=R_COLOR, lw=2, label="r per spike")
    ax_r.set(xlabel="time (ms)", ylabel="r = u·x")
    ratio_ax = ax_r.twinx()
    ratio_ax.plot(t, res.amplitude_ratio, "s--", color="#d35400", ms=4, label="A_n/A_1")
    ratio_ax.axhline(1.0, color="0.6", lw=0.8, ls=":")
    ratio_ax.set_ylabel("A_n / A_1", color="#d35400")
    ax_r.set_title(f"release per spike; test spike after {res.recovery_gap_ms:g} ms", loc="left", fontsize=10)
    ax_ss.semilogx(res.freqs_hz, res.r_star, color=R_COLOR, label="r*(f) closed form")
    ax_ss.semilogx(res.point_freqs_hz, res.point_r, "o", color=R_COLOR, label="simulated trains")
    ax_ss.axvline(res.rate_hz, color="0.6", lw=0.8, ls=":")
    ax_ss.set(xlabel="frequency (Hz)", ylabel="steady state r*")
    ax_ss.set_title("steady-state release against frequency", loc="left", fontsize=10)
    ax_ss.legend(fontsize=8, frameon=False)
    ax_rate.semilogx(res.freqs_hz, res.freqs_hz * res.r_star, color="#7d3c98")
    ax_rate.semilogx(res.point_freqs_hz, res.point_freqs_hz * res.point_r, "o", color="#7d3c98")
    ax_rate.axvline(res.rate_hz, color="0.6", lw=0.8, ls=":")
    ax_rate.set(xlabel="frequency (Hz)", ylabel="f·r* (Hz)")
    ax_rate.set_title("transmitted rate f·r*(f)", loc="left", fontsize=10)


class NeuronGallery(_LabTab):
    """Izhikevich (2003) Fig. 2 firing patterns: v, u and the phase plane."""

    def __init__(self, kind: str = "regular spiking (RS)"):
        k = lab.NEURON_TYPES[kind]
        self.kind = W.Dropdown(options=list(lab.NEURON_TYPES), value=kind, description="type",
                               style={"description_width": "60px"}, layout=W.Layout(width="330px"))
        self.kind.add_class("stpx-gallery-control-type")
        self.look_for = W.HTML(f"<i>{k.look_for}</i>")
        self.a = _slider("a (1/ms)", k.a, 0.0, 0.2, 0.001, "stpx-gallery-control-a")
        self.b = _slider("b (1/ms)", k.b, -0.2, 0.5, 0.005, "stpx-gallery-control-b")
        self.c = _slider("c (mV)", k.c, -80.0, -40.0, 0.5, "stpx-gallery-control-c")
        self.d = _slider("d (mV/ms)", k.d, -5.0, 20.0, 0.05, "stpx-gallery-control-d")
        self.current = _slider("I after step", k.I_after, -20.0, 40.0, 0.5, "stpx-gallery-control-I",
                               tooltip="Input current after the step (mV/ms)")
        self.fig, self.panel = new_panel("gallery", (11.5, 4.8))
        grid = self.fig.add_gridspec(2, 2, width_ratios=[2, 1])
        self.ax_v = self.fig.add_subplot(grid[0, 0])
        self.ax_u = self.fig.add_subplot(grid[1, 0], sharex=self.ax_v)
        self.ax_phase = self.fig.add_subplot(grid[:, 1])
        sliders = (self.a, self.b, self.c, self.d, self.current)
        self._assemble("neuron", self.kind, self._on_kind, sliders=sliders,
                       controls=[self.kind, self.look_for, *sliders])

    def _on_kind(self, change):
        k = lab.NEURON_TYPES[change["new"]]
        self._load(k.look_for, {"a": k.a, "b": k.b, "c": k.c, "d": k.d, "current": k.I_after})

    def update(self):
        k = lab.NEURON_TYPES[self.kind.value]
        pulse = 100.0 if self.kind.value.endswith("(RZ)") else None
        try:
            trace = lab.simulate_neuron(self.a.value, self.b.value, self.c.value, self.d.value,
                                        I_before=k.I_before, I_after=self.current.value,
                                        step_ms=k.step_ms, pulse_at_ms=pulse)
        except ValueError as exc:
            self._show_error(exc)
            return
        self._hide_error()
        self.trace = trace
        draw_neuron(trace, self.ax_v, self.ax_u, self.ax_phase, self.current.value)
        render(self.fig)


def draw_neuron(trace: lab.NeuronTrace, ax_v, ax_u, ax_phase, current_after: float) -> None:
    for ax in (ax_v, ax_u, ax_phase):
        ax.clear()
    ax_v.plot(trace.t_ms, trace.v_mV, color="k", lw=0.9)
    ax_v.set_ylabel("v (mV)")
    rate = f"{len(trace.spike_t_ms)} spikes"
    ax_v.set_title(f"a={trace.a:g}, b={trace.b:g}, c={trace.c:g}, d={trace.d:g}: {rate}",
                   loc="left", fontsize=10)
    ax_v.tick_params(labelbottom=False)
    ax_u.plot(trace.t_ms, trace.u, color="#7d3c98", lw=0.9, label="u")
    current_ax = ax_u.twinx()
    current_ax.plot(trace.t_ms, trace.I, color="0.5", lw=0.8)
    current_ax.set_ylabel("I (mV/ms)", color="0.5")
    ax_u.set(xlabel="time (ms)", ylabel="u (mV/ms)")
    v = np.linspace(-85, 35, 300)
    v_null, u_null = lab.nullclines(trace.b, current_after, v)
    ax_phase.plot(trace.v_mV, trace.u, color="k", lw=0.6, alpha=0.8, label="trajectory")
    ax_phase.plot(v, v_null, color="#c0392b", lw=1.0, label="v-nullcline")
    ax_phase.plot(v, u_null, color="#2471a3", lw=1.0, label="u-nullcline")
    lo, hi = np.nanmin(trace.u), np.nanmax(trace.u)
    margin = max(2.0, 0.3 * (hi - lo))
    ax_phase.set(xlim=(-85, 35), ylim=(lo - margin, hi + margin), xlabel="v (mV)", ylabel="u (mV/ms)")
    ax_phase.set_title("phase plane", loc="left", fontsize=10)
    ax_phase.legend(fontsize=7, frameon=False, loc="upper left")


# ----------------------------------------------------------------------
def parse_query(query: str | None) -> tuple[str, Params, int | None, str | None]:
    """(preset name, params, seed, tab) from a query string; ``ValueError`` names the bad key.

    ``preset`` picks the starting parameters, any parameter field overrides it,
    ``seed`` and ``tab`` (network, synapse, neuron) are optional.
    """
    if not query:
        return "default", presets.DEFAULT, None, None
    if len(query) > MAX_QUERY_LENGTH:
        raise ValueError(f"the link's query is {len(query)} characters; the limit is {MAX_QUERY_LENGTH}")
    pairs = parse_qs(query.lstrip("?"), keep_blank_values=True, strict_parsing=False)
    values = {key: items[-1] for key, items in pairs.items()}
    preset = values.pop("preset", "default")
    params = presets.get(preset)
    seed = None
    if "seed" in values:
        seed = params_mod.parse_seed(values.pop("seed"))
    tab = values.pop("tab", None)
    if tab is not None and tab not in TABS:
        raise ValueError(f"tab={tab!r} is invalid; allowed: {', '.join(TABS)}")
    changes = {}
    for key, text in values.items():
        params_mod.field_info(key)  # unknown keys are errors
        changes[key] = params_mod.coerce(key, text)
    return preset, Params.from_dict(changes, params), seed, tab


def link_query(params: Params, seed: int, preset: str, tab: str | None = None) -> str:
    """The shortest query string that reproduces ``params`` from ``preset``."""
    base = presets.get(preset)
    changed = {f.name: getattr(params, f.name) for f in params_mod.fields()
               if getattr(params, f.name) != getattr(base, f.name)}
    query = {"preset": preset, **{k: str(v).lower() if isinstance(v, bool) else v for k, v in changed.items()}}
    if seed:
        query["seed"] = seed
    if tab and tab != "network":
        query["tab"] = tab
    return "?" + urlencode(query)


TABS = ("network", "synapse", "neuron", "sweep")


def page_query() -> str | None:
    """The query string of the page showing this notebook in Voila (else None).

    With preheated kernels this waits until a visitor's request arrives.
    """
    import os

    if os.environ.get("VOILA_PREHEAT") == "True":
        _wait_for_visitor()
    return os.environ.get("QUERY_STRING") or None


def _wait_for_visitor() -> None:
    """What ``voila.utils.wait_for_request`` does (Voila 0.5), without
    importing ``voila.utils``: that module pulls jupyter_server and
    jupyterlab_server into the kernel, 45 MB of every student's kernel.

    A preheated kernel asks Voila's ``voila/query/<kernel id>`` websocket for
    the visitor's request; the answer is a JSON object of environment
    variables (QUERY_STRING among them).
    """
    import asyncio
    import json
    import os
    import threading

    import websockets

    env = os.environ
    base = env.get("VOILA_WS_BASE_URL", env.get("VOILA_SERVER_URL", "/"))
    url = (f"{env.get('VOILA_WS_PROTOCOL', 'ws')}://{env.get('VOILA_APP_IP', '127.0.0.1')}:"
           f"{env.get('VOILA_APP_PORT', '8866')}{base}voila/query/{env.get('VOILA_KERNEL_ID')}")
    answer = []

    async def receive():
        async with websockets.connect(url, open_timeout=5) as socket:
            answer.append(await socket.recv())

    def run():  # in a thread: the kernel's own event loop is running
        try:
            asyncio.new_event_loop().run_until_complete(receive())
        except (OSError, TimeoutError, websockets.WebSocketException):
            pass  # no visitor's request: the page starts from its defaults

    thread = threading.Thread(target=run, name="stpexplorer-visitor")
    thread.start()
    thread.join()
    if answer:
        for key, value in json.loads(answer[0]).items():
            os.environ[key] = value


#: The page's own address with the setting's query: the link is made in the
#: browser, so it names the host the students see.  Without clipboard access
#: (plain http on a class network) the link is offered for copying by hand.
COPY_LINK_JS = ("const url = new window.URL(this.dataset.query, window.location.href).href; "
                "const done = () => { this.textContent = '✓ copied'; }; "
                "(navigator.clipboard ? navigator.clipboard.writeText(url) : Promise.reject())"
                ".then(done, () => window.prompt('Copy this link:', url));")


class LazyTab:
    """A tab's content, built by ``build()`` when first asked for (shown)."""

    def __init__(self, build):
        self._build = build
        self.tab = None
        self.box = W.VBox([W.HTML("<i>loading…</i>")])

    def get(self):
        if self.tab is None:
            self.tab = self._build()
            self.box.children = [self.tab.widget]
        return self.tab


class Dashboard:
    """The four tabs, with a shareable link of the network setting."""

    def __init__(self, query: str | None = None, engine=None):
        self.link_error = ""
        try:
            preset, params, seed, tab = parse_query(query)
        except ValueError as exc:
            preset, params, seed, tab = "default", presets.DEFAULT, None, None
            self.link_error = f'<span class="stpx-link-error">⚠ link ignored: {html.escape(str(exc))}</span><br>'
        self.explorer = Explorer(params=params, seed=seed or 0, engine=engine, preset=preset)
        # the lab tabs are built when first shown: a page that never opens them
        # costs its kernel ~45 MB and ~1 s of CPU less (a class shares the cores)
        # "use in network" in the synapse lab's fit shows the Network tab (index 0)
        self._lab_tabs = {
            "synapse": LazyTab(lambda: SynapseLab(explorer=self.explorer,
                                                  on_use=lambda: setattr(self.tabs, "selected_index", 0))),
            "neuron": LazyTab(NeuronGallery)}
        self.link = W.HTML("")
        self.link.add_class("stpx-share-link")
        self.explorer.on_params_changed = self._update_link
        self._update_link(self.explorer.current_params_or_none(), seed or 0)
        network = W.VBox([W.HTML(TEACHING["network"]), self.link, self.explorer.widget])
        self.sweep = SweepTab(self.explorer, on_load=lambda: setattr(self.tabs, "selected_index", 0))
        self.tabs = W.Tab(children=[network, self._lab_tabs["synapse"].box, self._lab_tabs["neuron"].box,
                                    self.sweep.widget],
                          titles=("Network", "Synapse lab", "Neuron types", "Sweep"))
        self.tabs.add_class("stpx-tabs")
        self.tabs.observe(self._on_tab, names="selected_index")
        if tab:
            self.tabs.selected_index = TABS.index(tab)
        self.widget = self.tabs

    @property
    def synapse_lab(self) -> "SynapseLab":
        return self._lab_tabs["synapse"].get()

    @property
    def gallery(self) -> "NeuronGallery":
        return self._lab_tabs["neuron"].get()

    def _on_tab(self, change) -> None:
        name = TABS[change["new"]] if change["new"] is not None else None
        if name in self._lab_tabs:
            self._lab_tabs[name].get()

    def apply_query(self, query: str | None) -> None:
        """Apply a page's query string after construction (Voila's preheated kernels
        learn it only when a visitor arrives); an invalid link is reported, not applied."""
        if not query:
            return
        try:
            preset, params, seed, tab = parse_query(query)
        except ValueError as exc:
            self.link_error = f'<span class="stpx-link-error">⚠ link ignored: {html.escape(str(exc))}</span><br>'
            self._update_link(self.explorer.current_params_or_none(), int(self.explorer.seed.value))
            return
        self.explorer.select_preset(preset, params, seed)
        if tab:
            self.tabs.selected_index = TABS.index(tab)

    def _update_link(self, params: Params | None, seed: int) -> None:
        if params is None:
            return
        query = html.escape(link_query(params, seed, self.explorer.preset.value))
        self.link.value = self.link_error + (
            f'<a class="stpx-link" href="{query}" target="_blank">🔗 link to this setting</a> '
            f'<button class="stpx-copy-link" type="button" data-query="{query}" '
            f'onclick="{COPY_LINK_JS}">📋 copy link</button> '
            f'<code class="stpx-link-query">{query}</code>')

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
