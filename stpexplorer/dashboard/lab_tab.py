"""What the synapse lab and the neuron gallery share."""

from __future__ import annotations

import ipywidgets as W

from .controls import ErrorLine
from .teaching import TEACHING


class LabTab:
    """Sliders that redraw, a chooser that loads a named setting with its
    "look for" hint, teaching text and an error line (DOM class
    ``stpx-lab-error``).  Subclasses provide ``update()``, ``panel`` and
    ``look_for``, and call :meth:`assemble` at the end of their constructor."""

    def assemble(self, teaching: str, chooser: W.Widget, on_choose, sliders, controls) -> None:
        """Lay the tab out (teaching text, error line, controls beside the panel) and draw it."""
        self.error = ErrorLine("stpx-lab-error")
        self._loading = False
        for widget in sliders:
            widget.observe(lambda _: None if self._loading else self.update(), names="value")
        chooser.observe(on_choose, names="value")
        self.column = W.VBox(controls, layout=W.Layout(width="350px"))
        self.widget = W.VBox([W.HTML(TEACHING[teaching]), self.error, W.HBox([self.column, self.panel])])
        self.update()

    def load_values(self, look_for: str, values: dict) -> None:
        """Set the hint (HTML) and several sliders (by attribute name), then redraw once."""
        self.look_for.value = f"<i>{look_for}</i>"
        self._loading = True
        try:
            for name, value in values.items():
                getattr(self, name).value = value
        finally:
            self._loading = False
        self.update()
