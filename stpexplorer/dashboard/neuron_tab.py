"""The neuron-type gallery: the Izhikevich (2003) Fig. 2 firing patterns
under a step current, with v, u and the v–u phase plane with nullclines."""

from __future__ import annotations

import ipywidgets as W

from .. import lab
from ..lab.definitions import GALLERY
from ..plotting.lab import NeuronPlot
from .controls import lab_slider
from .figures import new_panel
from .lab_tab import LabTab


class NeuronGallery(LabTab):
    """Izhikevich (2003) Fig. 2 firing patterns: v, u and the phase plane."""

    def __init__(self, kind: str = "regular spiking (RS)"):
        k = lab.NEURON_TYPES[kind]
        self.kind = W.Dropdown(options=list(lab.NEURON_TYPES), value=kind, description="type",
                               style={"description_width": "60px"}, layout=W.Layout(width="330px"))
        self.kind.add_class("stpx-gallery-control-type")
        self.look_for = W.HTML(f"<i>{k.look_for}</i>")
        self.a, self.b, self.c, self.d = (lab_slider(GALLERY[name], getattr(k, name), f"stpx-gallery-control-{name}")
                                          for name in "abcd")
        self.current = lab_slider(GALLERY["I_after"], k.I_after, "stpx-gallery-control-I")
        self.fig, self.panel = new_panel("gallery", (11.5, 4.8))
        grid = self.fig.add_gridspec(2, 2, width_ratios=[2, 1])
        self.ax_v = self.fig.add_subplot(grid[0, 0])
        self.ax_u = self.fig.add_subplot(grid[1, 0], sharex=self.ax_v)
        self.ax_phase = self.fig.add_subplot(grid[:, 1])
        self.plot = NeuronPlot(self.ax_v, self.ax_u, self.ax_phase)
        sliders = (self.a, self.b, self.c, self.d, self.current)
        self.assemble("neuron", self.kind, self._on_kind, sliders=sliders,
                      controls=[self.kind, self.look_for, *sliders])

    def _on_kind(self, change):
        k = lab.NEURON_TYPES[change["new"]]
        self.load_values(k.look_for, {"a": k.a, "b": k.b, "c": k.c, "d": k.d, "current": k.I_after})

    def update(self):
        protocol = {**lab.NEURON_TYPES[self.kind.value].protocol(), "I_after": self.value("current")}
        try:
            trace = lab.simulate_neuron(*(self.value(name) for name in "abcd"), **protocol)
        except ValueError as exc:
            self.error.show(str(exc))
            return
        self.error.hide()
        self.trace = trace
        self.plot.update(trace, protocol["I_after"])
        self.render()
