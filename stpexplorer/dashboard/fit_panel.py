"""The synapse lab's "Fit to data" part: response amplitudes of one synapse
from a CSV upload or a shipped example, fitted with :mod:`stpexplorer.fit`,
and the fitted values into the lab's sliders or the Network tab."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Callable

import ipywidgets as W

from ..plotting.style import PLACEHOLDER_COLOR
from .controls import ErrorLine, style_tag
from .figures import new_panel, render
from .teaching import TEACHING

if TYPE_CHECKING:
    from .network_tab import Explorer

#: Sets the synapse lab's sliders: called as f(label, {"U_0": …, "Omega_f": …, "Omega_d": …}).
LabSetter = Callable[[str, dict], None]


#: "Use in network" targets: the shared STP values, or one pathway (presynaptic population first).
FIT_TARGETS = {"shared": "shared values (every synapse)", "ee": "E→E", "ei": "E→I", "ie": "I→E", "ii": "I→I"}
#: Longest uploaded file name shown (characters).
MAX_SHOWN_NAME = 80



class FitToData:
    """The synapse lab's "Fit to data" part: response amplitudes from an
    uploaded CSV (or a shipped example) → U₀, Ω_f, Ω_d and A with 95 %
    intervals and warnings (:mod:`stpexplorer.fit`), the data with the fitted
    amplitudes per train, and the values into the lab's sliders or, shared or
    for one pathway, into the Network tab.  ``to_lab`` sets the lab's sliders
    (``label`` names where the values come from, as HTML).

    DOM classes: ``stpx-fit-upload``, ``stpx-fit-example``, ``stpx-fit-try``,
    ``stpx-fit-source``, ``stpx-fit-error``, ``stpx-fit-table`` (cells
    ``stpx-fit-value`` and ``stpx-fit-ci`` in rows ``stpx-fit-row-<name>``),
    ``stpx-panel-fit``, ``stpx-fit-target``, ``stpx-fit-use``,
    ``stpx-fit-to-lab`` and ``stpx-fit-applied``.
    """

    def __init__(self, to_lab: LabSetter, explorer: Explorer | None = None, on_use=None):
        # numpy and the CSV reader only: scipy is imported by the first fit
        from .. import fit as fit_mod

        self.fit_mod, self.set_lab_values, self.explorer, self.on_use = fit_mod, to_lab, explorer, on_use
        self.result, self.trains, self.label = None, None, ""
        style = {"description_width": "90px"}
        self.upload = W.FileUpload(accept=".csv,text/csv,text/plain", multiple=False, description="Upload CSV",
                                   tooltip=f"spike_time_ms, amplitude [, train]; at most {fit_mod.MAX_SIZE_TEXT}")
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
        self.error = ErrorLine("stpx-fit-error")
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
        self.widget = W.VBox([W.HTML(style_tag() + TEACHING["fit"]), W.HBox([controls, self.panel])])
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
            self.error.show("the upload could not be read; choose the file again")
            return
        finally:
            self.upload.value = ()  # drop the content; the same file can be chosen again
        name = str(name).replace("\\", "/").rsplit("/", 1)[-1][:MAX_SHOWN_NAME] or "upload.csv"
        try:
            self.fit_mod.check_size(size, name)  # before copying the content
        except ValueError as exc:
            self.error.show(str(exc))
            return
        self.load(bytes(content), name)

    def load_example(self, kind: str) -> bool:
        """Fit the shipped example ``kind`` ("depressing" or "facilitating")."""
        if kind not in self.fit_mod.EXAMPLES:
            self.error.show(f"unknown example {str(kind)[:40]!r}; choose one of: {', '.join(self.fit_mod.EXAMPLES)}")
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
            self.error.show(str(exc))
            return False
        except Exception as exc:  # noqa: BLE001  the page shows why; the last fit stays
            self.error.show(f"{name}: the fit failed: {type(exc).__name__}: {exc}")
            return False
        elapsed = time.perf_counter() - start
        self.error.hide()
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
            self.error.show("fit some data first" if self.result is None else "no network to use it in")
            return False
        target = self.target.value
        if target not in FIT_TARGETS:
            self.error.show(f"unknown target {str(target)[:40]!r}")
            return False
        base = self.explorer.current_params_or_none()
        if base is None:
            self.error.show("the Network tab's current setting is invalid; correct it there first")
            return False
        note = ""
        try:
            if not base.stp:  # static synapses would ignore the fitted values
                base, note = base.replace(stp=True), " (STP was off there: turned on)"
            params = self.result.to_params(base, None if target == "shared" else target)
        except ValueError as exc:
            self.error.show(str(exc))
            return False
        self.error.hide()
        self.explorer.apply_params(params, int(self.explorer.seed.value))
        self.applied.value = (f"✓ fit of {html.escape(self.label)} set in the Network tab for "
                              f"{html.escape(FIT_TARGETS[target])}{html.escape(note)}")
        if self.on_use is not None:
            self.on_use()
        return True

    def load_into_lab(self) -> None:
        """Set the synapse lab's U₀, Ω_f, Ω_d sliders to the fitted values."""
        if self.result is None:
            self.error.show("fit some data first")
            return
        values = {name: getattr(self.result, name) for name in self.fit_mod.FITTED}
        self.set_lab_values(f"the values fitted to {html.escape(self.label)}", values)

    # ------------------------------------------------------------------ showing
    def _draw_empty(self) -> None:
        for ax in self.axes:
            ax.clear()
        self.axes[0].text(0.5, 0.5, "upload a CSV or try an example", ha="center", va="center",
                          color=PLACEHOLDER_COLOR, transform=self.axes[0].transAxes)
        self.axes[0].set_ylabel("amplitude (data unit)")
        self.axes[1].set_ylabel("residual (%)")
        render(self.fig)

    def _draw(self) -> None:
        for ax in self.axes:
            ax.clear()
        self.fit_mod.plot_fit(self.result, self.trains, axes=self.axes)
        self.axes[0].tick_params(labelbottom=False)
        render(self.fig)


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
