"""Widgets shared by the tabs: controls from the parameter definition, the error line, the style sheet."""

import ipywidgets as W

from stpexplorer import params as P
from stpexplorer.dashboard import controls
from stpexplorer.dashboard.controls import ErrorLine, field_slider, make_control, set_widget_value


def test_error_line_is_hidden_while_empty_and_escapes_its_message():
    line = ErrorLine("stpx-lab-error")
    assert line.layout.display == "none" and line.value == ""
    assert {"stpx-error-line", "stpx-lab-error"} <= set(line._dom_classes)
    line.show("U_0=<b>2</b> is invalid")
    assert line.layout.display == "" and line.value == "⚠ U_0=&lt;b&gt;2&lt;/b&gt; is invalid"
    line.hide()
    assert line.layout.display == "none" and line.value == ""


def test_every_tabs_error_line_has_the_same_look():
    css = controls.style_sheet()
    assert ".stpx-error-line {" in css and "stpx-lab-error" not in css and "stpx-fit-error" not in css
    assert controls.style_sheet() is css  # read once


def test_controls_and_lab_sliders_take_range_unit_and_doc_from_the_definition():
    u0 = make_control(P.field_info("U_0"), 0.5)
    m = P.field_info("Omega_f").metadata
    omega = field_slider("Omega_f", 2.0, "stpx-lab-control-Omega_f")
    assert isinstance(u0, W.FloatSlider) and "stpx-control-U_0" in u0._dom_classes
    assert (omega.min, omega.max, omega.tooltip) == (m["lo"], m["slider_hi"], m["doc"])
    assert m["unit"] in omega.description
    set_widget_value(omega, m["slider_hi"] * 2)  # a loaded value beyond the usual range widens it
    assert omega.value == omega.max == m["slider_hi"] * 2
