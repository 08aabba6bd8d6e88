"""Which synapses the STP sliders act on: all (the shared U_0, Omega_f,
Omega_d) or one pathway (E→E, E→I, I→E, I→I) with its own values.

The three sliders stay the ones generated from the parameter definition; this
control only decides what they edit.  While a pathway is chosen, the sliders
show that pathway's values (its own where set, else the shared ones) and a
move sets its own value; the shared values are kept aside unchanged.
"""

from __future__ import annotations

import contextlib
from typing import Callable

import ipywidgets as W

from .. import params as params_mod
from ..params import PATHWAY_LABELS, PATHWAYS, STP_FIELDS, Params

ALL = "all"


class PathwayControl:
    """The pathway chooser, a "use the shared values" button and a note
    saying which pathways have values of their own."""

    def __init__(self, sliders: dict[str, W.Widget], start: Params,
                 quiet: Callable[[], contextlib.AbstractContextManager], on_change: Callable[[], None]):
        self.sliders = sliders
        self._quiet = quiet  # sets widgets without starting runs
        self._on_change = on_change
        self.own = {f.name: getattr(start, f.name) for f in params_mod.fields() if f.metadata["optional"]}
        self.shared = {name: sliders[name].value for name in STP_FIELDS}
        self._descriptions = {name: sliders[name].description for name in STP_FIELDS}
        self.target = W.ToggleButtons(options=[("all", ALL)] + [(PATHWAY_LABELS[p], p) for p in PATHWAYS],
                                      value=ALL, tooltips=["the shared values, all synapses"] +
                                      [f"the {PATHWAY_LABELS[p]} synapses only" for p in PATHWAYS],
                                      style={"button_width": "52px"})
        self.target.add_class("stpx-control-pathway")
        self.target.observe(self._on_target, names="value")
        self.use_shared = W.Button(description="Use the shared values", icon="undo",
                                   tooltip="This pathway releases with the shared U₀, Ω_f, Ω_d again",
                                   layout=W.Layout(display="none"))
        self.use_shared.add_class("stpx-pathway-shared")
        self.use_shared.on_click(lambda _: self._clear_pathway())
        self.note = W.HTML("")
        self.note.add_class("stpx-pathway-note")
        self.widget = W.VBox([W.HTML("STP sliders act on:"), self.target, self.use_shared, self.note])
        self.show(start)

    @property
    def pathway(self) -> str:
        return self.target.value

    def values(self, dragged: dict | None = None) -> dict:
        """The STP fields for :class:`Params`: shared values and every pathway's
        own, with ``dragged`` (field -> value under a dragged STP slider) in
        place of the sliders' values."""
        dragged = {name: value for name, value in (dragged or {}).items() if name in STP_FIELDS}
        if self.pathway == ALL:
            shared = {name: dragged.get(name, self.sliders[name].value) for name in STP_FIELDS}
            return {**shared, **self.own}
        own = {**self.own, **{f"{name}_{self.pathway}": value for name, value in dragged.items()}}
        return {**self.shared, **own}

    def slider_moved(self, name: str) -> None:
        """A STP slider moved: with a pathway chosen, it sets that pathway's own value."""
        if self.pathway != ALL and name in STP_FIELDS:
            self.own[f"{name}_{self.pathway}"] = self.sliders[name].value

    def load(self, params: Params) -> None:
        """Take the values of ``params`` (a preset, a file, a link); the sliders
        go back to the shared values."""
        self.own = {name: getattr(params, name) for name in self.own}
        self.shared = {name: getattr(params, name) for name in STP_FIELDS}
        with self._quiet():
            self.target.value = ALL
            self._describe(ALL)

    def show(self, params: Params) -> None:
        """Say which pathways release with values of their own."""
        differing = params.differing_pathways()
        if not differing:
            self.note.value = "<small>All pathways use the shared values.</small>"
            return
        rows = ", ".join(
            f"{PATHWAY_LABELS[p]} (U₀ {u:.3g}, Ω_f {f:.3g}/s, Ω_d {d:.3g}/s)"
            for p in differing for u, f, d in [params.pathway_values(p)])
        self.note.value = f"<small>Own values: {rows}</small>"

    def _on_target(self, change) -> None:
        old, new = change["old"], change["new"]
        if old == ALL:
            self.shared = {name: self.sliders[name].value for name in STP_FIELDS}
        with self._quiet():
            values = (self.shared if new == ALL else
                      dict(zip(STP_FIELDS, Params(**{**self.shared, **self.own}).pathway_values(new))))
            for name, value in values.items():
                slider = self.sliders[name]
                slider.max = max(slider.max, value)
                slider.value = value
            self._describe(new)

    def _describe(self, pathway: str) -> None:
        suffix = "" if pathway == ALL else f" {PATHWAY_LABELS[pathway]}"
        for name, slider in self.sliders.items():
            slider.description = self._descriptions[name] + suffix
        self.use_shared.layout.display = "none" if pathway == ALL else ""

    def _clear_pathway(self) -> None:
        if self.pathway == ALL:
            return
        for name in STP_FIELDS:
            self.own[f"{name}_{self.pathway}"] = None
        with self._quiet():
            for name in STP_FIELDS:
                self.sliders[name].value = self.shared[name]
        self._on_change()
