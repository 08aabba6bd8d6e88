"""The Network tab's "Keep and share" part: parameters as a JSON download,
a parameter file upload (validated), the figure as PNG and the data as npz.

:class:`KeepAndShare` is owned by :class:`~stpexplorer.dashboard.network_tab.Explorer`,
which passes it what it reads and what it calls.
"""

from __future__ import annotations

import base64
import io
from typing import Callable

import ipywidgets as W

from .. import params as params_mod
from .. import presets
from ..engine import check_budget
from ..params import Params
from ..plotting import plot_panels
from ..results import Result

#: Upper bound on an uploaded parameter file (bytes).
MAX_UPLOAD_BYTES = params_mod.MAX_JSON_BYTES


def download_link(label: str, filename: str, payload: bytes, mime: str, css: str) -> str:
    """An HTML link that downloads ``payload`` as ``filename`` (a data URL)."""
    data = base64.b64encode(payload).decode()
    return (f'<a class="{css}" download="{filename}" href="data:{mime};base64,{data}">'
            f'⬇ {label}</a>')


class KeepAndShare:
    """Upload and download widgets (DOM classes ``stpx-upload``,
    ``stpx-download-params``, ``stpx-export``, ``stpx-download-data``).

    ``shown()`` gives the run on the panels (None before the first) and the
    selected preset's name; ``apply_params(params)`` sets the tab's controls
    and runs; ``show_error(message)`` and ``hide_error()`` are its error line.
    """

    def __init__(self, shown: Callable[[], tuple[Result | None, str]], apply_params: Callable[[Params], None],
                 show_error: Callable[[str], None], hide_error: Callable[[], None]):
        self.shown, self.apply_params = shown, apply_params
        self.show_error, self.hide_error = show_error, hide_error
        self.upload = W.FileUpload(accept=".json,application/json", multiple=False,
                                   description="Load parameters")
        self.upload.add_class("stpx-upload")
        self.upload.observe(self._on_upload, names="value")
        self.param_link = W.HTML("")
        self.param_link.add_class("stpx-download-params")
        self.export = W.Button(description="Prepare downloads", icon="download",
                               tooltip="Links for the current run: its figure (PNG), its data (npz) and "
                                       "the network as a Brian2 script")
        self.export.add_class("stpx-export")
        self.export.on_click(self._on_export)
        self.export_links = W.HTML("")
        self.export_links.add_class("stpx-download-data")

    def widgets(self) -> list[W.Widget]:
        """The part's widgets, top to bottom."""
        return [self.upload, self.param_link, self.export, self.export_links]

    def update_param_link(self, params: Params, seed: int) -> None:
        """Offer ``params`` (the last run's) as a JSON download."""
        payload = params.to_json().encode()
        self.param_link.value = download_link("parameters (JSON)", f"stpexplorer-seed{seed}.json",
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
        self.hide_error()
        self.apply_params(params)

    def _on_upload(self, change) -> None:
        files = change["new"]
        if not files:
            return
        item = files[0]
        content = item["content"] if isinstance(item, dict) else item.content
        self.load_params_json(bytes(content))

    def figure_png(self) -> bytes:
        """All panels of the run shown as one PNG."""
        from matplotlib.figure import Figure

        fig = Figure(figsize=(13, 9), layout="constrained")
        plot_panels(self.shown()[0], fig)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100)
        return buffer.getvalue()

    def _on_export(self, _=None) -> None:
        result = self.shown()[0]
        if result is None:
            return
        png = download_link("figure (PNG)", "stpexplorer-panels.png", self.figure_png(),
                            "image/png", "stpx-link-png")
        npz = download_link("data (npz)", "stpexplorer-result.npz", result.to_npz_bytes(),
                            "application/octet-stream", "stpx-link-npz")
        script = download_link("Brian2 script", f"stpexplorer-seed{result.seed}.py",
                               self.brian2_script().encode(), "text/x-python", "stpx-link-script")
        self.export_links.value = f"{png} &nbsp; {npz} &nbsp; {script}"

    def brian2_script(self) -> str:
        """The network of the run shown as a standalone Brian2 script (:mod:`stpexplorer.export`)."""
        from ..export import brian2_script

        result, preset = self.shown()
        return brian2_script(result.params, result.seed, preset=preset)
