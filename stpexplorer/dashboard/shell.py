"""The dashboard's shell: the four tabs, the lab tabs built when first shown,
and the shareable link of the network setting."""

from __future__ import annotations

import ipywidgets as W

from .. import presets
from ..params import Params
from .link import TABS, link_html, parse_query
from .network_tab import Explorer
from .neuron_tab import NeuronGallery
from .sweep_tab import SweepTab
from .synapse_tab import SynapseLab
from .teaching import TEACHING


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
        self.link_error = ""  # why a visitor's link was ignored
        try:
            preset, params, seed, tab = parse_query(query)
        except ValueError as exc:
            preset, params, seed, tab = "default", presets.DEFAULT, None, None
            self.link_error = str(exc)
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
    def synapse_lab(self) -> SynapseLab:
        return self._lab_tabs["synapse"].get()

    @property
    def gallery(self) -> NeuronGallery:
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
            self.link_error = str(exc)
            self._update_link(self.explorer.current_params_or_none(), int(self.explorer.seed.value))
            return
        self.explorer.select_preset(preset, params, seed)
        if tab:
            self.tabs.selected_index = TABS.index(tab)

    def _update_link(self, params: Params | None, seed: int) -> None:
        if params is None:
            return
        self.link.value = link_html(params, seed, self.explorer.preset.value, self.link_error)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
