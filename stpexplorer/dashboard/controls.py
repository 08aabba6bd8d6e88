"""Widgets every tab builds the same way: controls generated from the
parameter definition (:mod:`stpexplorer.params`), sliders, the error line and
the page's style sheet."""

from __future__ import annotations

import dataclasses
import functools
import html
from importlib import resources

import ipywidgets as W

from .. import params as params_mod
from ..lab.definitions import LabParam, from_field

#: Fields shown in front of the Network tab (as sliders); all others go to its "Advanced" section.
FRONT_FIELDS = ("stp", "U_0", "Omega_f", "Omega_d", "w_e", "w_i",
                "a_e", "b_e", "c_e", "d_e", "a_i", "b_i", "c_i", "d_i")
#: Width of a control's description in the Network tab.
DESCRIPTION_STYLE = {"description_width": "110px"}
#: Width of a control: its own where there is room, narrower (a shorter slider track) where not.
CONTROL_WIDTH = {"width": "340px", "max_width": "100%"}


def field_label(field: dataclasses.Field) -> str:
    """A field's symbol with its unit, e.g. "Ω_f (1/s)"."""
    m = field.metadata
    unit = m["unit"]
    return f"{m['symbol']} ({unit})" if unit not in ("", "1") else m["symbol"]


def make_control(field: dataclasses.Field, value) -> W.Widget:
    """The widget for one parameter field, built from its metadata; DOM class
    ``stpx-control-<field>``."""
    m = field.metadata
    common = dict(description=field_label(field), tooltip=m["doc"],
                  style=DESCRIPTION_STYLE, layout=W.Layout(**CONTROL_WIDTH))
    if field.type == "bool":
        widget = W.Checkbox(value=value, indent=False, **common)
    elif field.type == "str":
        widget = W.Dropdown(options=list(m["choices"]), value=value, **common)
    elif field.name in FRONT_FIELDS:
        # acts on release: with continuous updates the page's slider sends back a value snapped
        # to its step whenever the kernel sets one between steps (a fitted or loaded value)
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


def set_widget_value(widget: W.Widget, value) -> None:
    """Set a control, widening a slider whose range ends below ``value`` (a
    loaded or preset value beyond the usual slider range)."""
    if isinstance(widget, W.FloatSlider) and value > widget.max:
        widget.max = value
    widget.value = value


def _lab_look() -> dict:
    """Keywords every lab slider shares: acting on release (see :func:`make_control`), the lab's
    label and track widths."""
    return dict(continuous_update=False, style={"description_width": "90px"},
                layout=W.Layout(width="330px", max_width="100%"))


def slider(description: str, value: float, lo: float, hi: float, step: float, css: str,
           tooltip: str = "") -> W.FloatSlider:
    """A lab tab's slider (acts on release) with the DOM class ``css``."""
    widget = W.FloatSlider(value=value, min=lo, max=hi, step=step, description=description,
                           readout_format=".3g", tooltip=tooltip, **_lab_look())
    widget.add_class(css)
    return widget


def lab_slider(definition: LabParam, value: float, css: str) -> W.FloatSlider | W.IntSlider:
    """A lab tab's slider for a lab argument: label, window, step and tooltip
    from its definition (:mod:`stpexplorer.lab.definitions`), widened to show ``value``."""
    d = definition
    lo, hi = min(d.slider_lo, value), max(d.slider_hi, value)
    if not d.integer:
        return slider(d.label, value, lo, hi, d.step, css, tooltip=d.doc)
    widget = W.IntSlider(value=int(value), min=int(lo), max=int(hi), step=int(d.step), description=d.label,
                         tooltip=d.doc, **_lab_look())
    widget.add_class(css)
    return widget


def field_slider(name: str, value: float, css: str) -> W.FloatSlider:
    """A lab tab's slider for the parameter field ``name``: range, step, label
    and tooltip from the parameter definition (the Network tab's slider range)."""
    return lab_slider(from_field(name, name, field_label(params_mod.field_info(name))), value, css)


def icon(name: str) -> str:
    """A Font Awesome icon as HTML (the font every widget page carries: an
    emoji would need an emoji font, which many computers lack)."""
    return f'<i class="fa fa-{name}" aria-hidden="true"></i> '


def error_text(message: str) -> str:
    """An error message as the page shows it: a warning sign and escaped text."""
    return f"⚠ {html.escape(message)}"


class ErrorLine(W.HTML):
    """The error line of a tab: hidden while empty, else one escaped message.

    DOM classes ``stpx-error-line`` (its look, in ``style.css``) and ``css``
    (which tab's line it is).
    """

    def __init__(self, css: str):
        super().__init__("", layout=W.Layout(display="none"))
        self.add_class("stpx-error-line")
        self.add_class(css)

    def show(self, message: str) -> None:
        self.value = error_text(message)
        self.layout.display = ""

    def hide(self) -> None:
        self.value = ""
        self.layout.display = "none"


@functools.cache
def style_sheet() -> str:
    """The dashboard's CSS (``style.css`` of this package), read once."""
    return (resources.files(__package__) / "style.css").read_text(encoding="utf-8")


def style_tag() -> str:
    """The style sheet as an HTML ``<style>`` element."""
    return f"<style>\n{style_sheet()}</style>"


def style_widget() -> W.HTML:
    """The style sheet as a widget to put in a tab."""
    return W.HTML(style_tag())
