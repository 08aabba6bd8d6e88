"""The dashboard's tabs and shareable links in a real (headless) Chromium.

The tab tests use the module's shared page (see conftest.py); the link tests
open new pages, each in its own browser context and therefore with its own
kernel: Voila hands every page a preheated kernel and learns the page's query
string only when the page is requested, so the link is applied after the
kernel's first (default) run and shows as run #2.

Run with ``python -m pytest tests/browser -x -s -q`` (``-s`` shows timings).
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest

from pages import NONBLANK_INK, REDRAW_TIMEOUT_S, open_page, shows_data, wait_loaded
from servers import wait_kernels_idle

pytestmark = pytest.mark.browser

#: The link tests open a page on the forum network; compile it before the server starts.
VOILA_NEEDS_FORUM = True
TIMING_PREFIX = "tabs."
TIME_PANELS = ("raster", "conductances", "resources")
#: Typing a readout value or choosing from a dropdown to a redrawn panel.
TAB_REDRAW_TIMEOUT_S = 15


def _panel_changes(dash, name: str, before: dict, start: float, label: str) -> float:
    """Wait until panel ``name`` shows new pixels (and a new drawImage); return the seconds."""
    def changed():
        state = dash.panel(name)
        return (state and state["hash"] != before["hash"] and state["draws"] > before["draws"]
                and shows_data(state))

    dash.poll(changed, TAB_REDRAW_TIMEOUT_S, f"panel {name} to be redrawn ({label})")
    elapsed = time.perf_counter() - start
    print(f"[browser] {label}: change -> redrawn {name} panel {elapsed:.3f} s")
    return elapsed


def _select_and_time(dash, name: str, selector: str, option: str, label: str) -> float:
    """Pick ``option`` in the dropdown ``selector`` once panel ``name`` is
    settled; return the seconds until it is redrawn, and let it settle again."""
    before = _settle_panel(dash, name)
    start = time.perf_counter()
    dash.page.locator(selector).select_option(option)
    elapsed = _panel_changes(dash, name, before, start, label)
    _settle_panel(dash, name)
    return elapsed


def _settle_panel(dash, name: str, quiet_s: float = 0.4) -> dict:
    """Wait until panel ``name`` stopped changing; return its state."""
    deadline = time.monotonic() + TAB_REDRAW_TIMEOUT_S
    last, since = None, time.monotonic()
    while True:
        state = dash.panel(name)
        key = state and (state["hash"], state["draws"])
        if key != last:
            last, since = key, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            return state
        assert time.monotonic() < deadline, f"panel {name} kept changing\n{dash.diagnostics()}"
        dash.page.wait_for_timeout(50)


def _assert_plotted(dash, name: str) -> dict:
    state = dash.panel(name)
    assert state is not None, f"no canvas in .stpx-panel-{name}"
    assert state["width"] > 300 and state["height"] > 200, (name, state)
    assert shows_data(state), f"panel {name} is blank: {state}"
    assert dash.page.locator(f".stpx-panel-{name}").is_visible(), f"panel {name} is not shown"
    return state


# ---------------------------------------------------------------------- tabs
def test_tabs_network_first(dash):
    tabs = dash.tab_titles()
    # further tabs may follow; these three come first, the network selected
    assert tabs[:3] == [["Network", True], ["Synapse lab", False], ["Neuron types", False]], tabs
    assert [title for title, current in tabs if current] == ["Network"], tabs
    assert not dash.page.locator(".stpx-panel-lab").is_visible()
    assert not dash.page.locator(".stpx-panel-gallery").is_visible()


def test_synapse_lab_tab_shows_its_panel(dash, record_property):
    start = time.perf_counter()
    dash.select_tab("Synapse lab")
    dash.poll(lambda: dash.page.locator(".stpx-panel-lab").is_visible()
              and (dash.panel("lab") or {}).get("inked", 0) > NONBLANK_INK, 10, "the synapse lab panel")
    record_property("lab_tab_to_panel_s", round(time.perf_counter() - start, 3))
    _assert_plotted(dash, "lab")
    assert not dash.page.locator(".stpx-panel-raster").is_visible(), "the network tab is still shown"
    assert dash.page.locator(".stpx-lab-control-preset select").input_value() == "depressing"
    assert dash.text(".stpx-lab-control-U_0 .widget-readout") == "0.500"
    assert "releases less" in dash.text(".stpx-lab-look-for")
    assert not dash.page.locator(".stpx-lab-error").first.is_visible()


def test_lab_u0_slider_redraws_the_panel(dash, record_property):
    dash.select_tab("Synapse lab")
    before = _settle_panel(dash, "lab")
    hint = dash.text(".stpx-lab-look-for")
    shot = dash.screenshot("lab")
    run = dash.run_number()
    start = dash.type_readout(".stpx-lab-control-U_0", "0.2")
    elapsed = _panel_changes(dash, "lab", before, start, "lab U_0 readout 0.2")
    record_property("lab_u0_to_redraw_s", round(elapsed, 3))
    _settle_panel(dash, "lab")
    assert dash.text(".stpx-lab-control-U_0 .widget-readout") == "0.200"
    assert dash.screenshot("lab") != shot
    # the hint belongs to the preset; U_0 alone does not change it
    assert dash.text(".stpx-lab-look-for") == hint
    assert dash.run_number() == run, "the synapse lab must not start a network run"
    assert not dash.page.locator(".stpx-lab-error").first.is_visible()


def test_lab_preset_facilitating_redraws_and_changes_the_hint(dash, record_property):
    dash.select_tab("Synapse lab")
    _settle_panel(dash, "lab")
    hint = dash.text(".stpx-lab-look-for")
    elapsed = _select_and_time(dash, "lab", ".stpx-lab-control-preset select", "facilitating",
                               "lab preset facilitating")
    record_property("lab_preset_to_redraw_s", round(elapsed, 3))
    new_hint = dash.text(".stpx-lab-look-for")
    assert new_hint != hint and "Release grows" in new_hint, new_hint
    readouts = [dash.text(f".stpx-lab-control-{f} .widget-readout") for f in ("U_0", "Omega_f", "Omega_d")]
    assert readouts == ["0.0500", "1.00", "50.0"], readouts
    _assert_plotted(dash, "lab")


def test_neuron_types_tab_chattering_redraws_the_gallery(dash, record_property):
    dash.select_tab("Neuron types")
    dash.poll(lambda: dash.page.locator(".stpx-panel-gallery").is_visible()
              and (dash.panel("gallery") or {}).get("inked", 0) > NONBLANK_INK, 10, "the gallery panel")
    _settle_panel(dash, "gallery")
    assert dash.page.locator(".stpx-gallery-control-type select").input_value() == "regular spiking (RS)"
    shot = dash.screenshot("gallery")
    elapsed = _select_and_time(dash, "gallery", ".stpx-gallery-control-type select", "chattering (CH)",
                               "gallery type chattering (CH)")
    record_property("gallery_type_to_redraw_s", round(elapsed, 3))
    _assert_plotted(dash, "gallery")
    assert dash.screenshot("gallery") != shot
    # Izhikevich (2003) CH: c = -50 mV, d = 2 (the readout uses a typographic minus)
    assert dash.text(".stpx-gallery-control-c .widget-readout").replace("\u2212", "-") == "-50.0"
    assert dash.text(".stpx-gallery-control-d .widget-readout") == "2.00"


def test_back_to_the_network_tab_keeps_its_panels(dash):
    dash.select_tab("Network")
    wait_loaded(dash, min_run=1, timeout=REDRAW_TIMEOUT_S)
    for name in dash.PANELS:
        assert dash.page.locator(f".stpx-panel-{name}").is_visible()
    assert not dash.page.locator(".stpx-panel-gallery").is_visible()
    assert dash.error() == ""


# ---------------------------------------------------------------------- links
def _query(href: str) -> dict:
    return {k: v[-1] for k, v in parse_qs(urlsplit(href).query).items()}


def test_shared_link_selects_the_tab_and_sets_the_network(browser, voila_server, dash, record_property):
    # the shared page took a kernel; a new page should get a fully preheated one
    waited = wait_kernels_idle(voila_server["pid"])
    context, page = open_page(browser, voila_server["url"] + "?preset=forum&U_0=0.3&tab=synapse")
    try:
        # the share link is rewritten after every run, from that run's parameters
        page.poll(lambda: page.run_number() >= 2
                  and _query(page.share_href()) == {"preset": "forum", "U_0": "0.3"}, 90,
                  "run #2 with the link's values (share link ?preset=forum&U_0=0.3)", interval=0.05)
        load_s = time.perf_counter() - page.opened_at
        record_property("link_page_open_to_run2_s", round(load_s, 3))
        print(f"[browser] link page (kernel idle after {waited:.1f} s): open -> run #2 with "
              f"U_0=0.3 in {load_s:.2f} s ({page.status()})")
        assert page.selected_tab() == "Synapse lab", page.tab_titles()
        page.poll(lambda: (page.panel("lab") or {}).get("inked", 0) > NONBLANK_INK, 10, "the lab panel")
        _assert_plotted(page, "lab")
        assert not page.page.locator(".stpx-panel-raster").is_visible()

        page.select_tab("Network")
        wait_loaded(page, min_run=2, timeout=REDRAW_TIMEOUT_S, min_ink=NONBLANK_INK)
        assert page.page.locator(".stpx-control-preset select").input_value() == "forum"
        assert page.readout("U_0") == "0.300"
        page.open_advanced("Network")
        n_e = page.page.locator(".stpx-control-N_e input")
        assert n_e.is_visible()
        assert n_e.input_value() == "40"
        assert page.page.locator(".stpx-control-N_i input").input_value() == "10"
        assert "synapses" in page.status() and page.error() == ""
        href = page.share_href()
        assert href.startswith("?"), href
        assert _query(href) == {"preset": "forum", "U_0": "0.3"}, href
        assert page.page.locator(".stpx-link-error").count() == 0
        assert page.param_json()["U_0"] == 0.3 and page.param_json()["N_e"] == 40
        # the network tab is the default: switching tabs does not put tab= into the link
        assert "tab=" not in href
        # "copy link" puts the page's own address with that query on the clipboard
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        page.page.locator(".stpx-share-link .stpx-copy-link").click()
        page.poll(lambda: "copied" in page.text(".stpx-share-link .stpx-copy-link"), 10,
                  "the copy confirmation")
        copied = urlsplit(page.page.evaluate("navigator.clipboard.readText()"))
        opened = urlsplit(page.page.url)
        assert (copied.scheme, copied.netloc, copied.path) == (opened.scheme, opened.netloc, opened.path)
        assert "?" + copied.query == href
    finally:
        context.close()


def test_invalid_link_is_reported_and_the_page_works(browser, voila_server, dash, record_property):
    wait_kernels_idle(voila_server["pid"])
    context, page = open_page(browser, voila_server["url"] + "?U_0=7")
    try:
        page.poll(lambda: page.page.locator(".stpx-link-error").count() > 0, 90,
                  "the link error", interval=0.05)
        record_property("invalid_link_page_open_to_error_s", round(time.perf_counter() - page.opened_at, 3))
        message = page.text(".stpx-link-error")
        assert "U_0=7" in message and "ignored" in message, message
        assert page.page.locator(".stpx-link-error").is_visible()
        wait_loaded(page, min_run=1)
        assert page.selected_tab() == "Network"
        assert page.readout("U_0") == "0.600", "an invalid link must not change the controls"
        assert page.page.locator(".stpx-control-preset select").input_value() == "default"
        page.settle()
        run = page.run_number()
        assert run == 1, f"an invalid link must not start a run: {page.status()}"
        before = page.panels()
        start = page.set_readout("U_0", "0.35")
        page.wait_redraw(run, before, TIME_PANELS, start, "U_0 readout after invalid link")
        page.settle()
        assert page.run_number() == run + 1
        assert page.readout("U_0") == "0.350"
        assert page.error() == ""
        assert _query(page.share_href()) == {"preset": "default", "U_0": "0.35"}
    finally:
        context.close()
