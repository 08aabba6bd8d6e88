"""The synapse lab: one Tsodyks–Markram synapse driven by a regular or
Poisson train with a recovery test spike (u and x, r per spike and A_n/A_1,
the steady state against frequency), its STP values from a preset, the
Network tab or a fit; below it the "Fit to data" part
(:mod:`~stpexplorer.dashboard.fit_panel`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ipywidgets as W

from .. import lab
from ..lab.definitions import SYNAPSE_LAB
from ..params import PATHWAY_LABELS, PATHWAYS, STP_FIELDS
from ..plotting.lab import SynapseLabPlot
from .controls import lab_slider
from .figures import new_panel
from .fit_panel import FitToData
from .lab_tab import LabTab

if TYPE_CHECKING:
    from .network_tab import Explorer


class SynapseLab(LabTab):
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
        self.U_0, self.Omega_f, self.Omega_d = (
            lab_slider(SYNAPSE_LAB[name], getattr(p, name), f"stpx-lab-control-{name}") for name in STP_FIELDS)
        self.rate = lab_slider(SYNAPSE_LAB["rate_hz"], 20.0, "stpx-lab-control-rate")
        self.n_spikes = lab_slider(SYNAPSE_LAB["n_spikes"], 10, "stpx-lab-control-spikes")
        self.gap = lab_slider(SYNAPSE_LAB["recovery_gap_ms"], 500.0, "stpx-lab-control-gap")
        self.kind = W.ToggleButtons(options=["regular", "poisson"], value="regular",
                                    style={"button_width": "80px"})
        self.kind.add_class("stpx-lab-control-kind")
        self.fig, self.panel = new_panel("lab", (11.5, 6.4))
        self.axes = self.fig.subplots(2, 2)
        self.plot = SynapseLabPlot(self.axes)
        self.assemble("synapse", self.preset, self._on_preset,
                      sliders=(self.U_0, self.Omega_f, self.Omega_d, self.rate, self.n_spikes, self.gap,
                               self.kind),
                      controls=[self.preset, self.look_for, self.U_0, self.Omega_f, self.Omega_d,
                                self.rate, self.n_spikes, self.kind, self.gap])
        self.fit = FitToData(self.set_stp_values, explorer, on_use)
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
            self.error.show(str(exc))
            return
        values = (params.pathway_values(pathway) if pathway != "all"
                  else tuple(getattr(params, name) for name in STP_FIELDS))
        label = "shared values" if pathway == "all" else f"{PATHWAY_LABELS[pathway]} synapses"
        self.set_stp_values(f"the Network tab's {label}", dict(zip(STP_FIELDS, values)))

    def set_stp_values(self, label: str, values: dict) -> None:
        """Set the U₀, Ω_f, Ω_d sliders (a slider widened where a value lies
        beyond its usual range, up to the parameter's range) and redraw once;
        ``label`` (HTML) names where the values come from."""
        for name, value in values.items():
            widget = getattr(self, name)
            widget.max = max(widget.max, value)
        self.load_values(label, values)

    def _on_preset(self, change):
        p = lab.SYNAPSE_PRESETS[change["new"]]
        self.load_values(p.look_for, {"U_0": p.U_0, "Omega_f": p.Omega_f, "Omega_d": p.Omega_d})

    def update(self):
        try:
            res = lab.synapse_lab(*(self.value(name) for name in (*STP_FIELDS, "rate", "n_spikes")),
                                  self.kind.value, self.value("gap"))
        except ValueError as exc:
            self.error.show(str(exc))
            return
        self.error.hide()
        self.result = res
        self.plot.update(res)
        self.render()
