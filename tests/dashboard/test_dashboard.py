"""The tabbed shell: tabs from a link, lab tabs built when first shown."""

import re

from stpexplorer.dashboard import Dashboard


def test_dashboard_tabs_from_a_link(engine):
    dash = Dashboard("preset=forum&U_0=0.3&seed=2&tab=neuron", engine=engine)
    try:
        assert dash.explorer.wait(300)
        assert dash.tabs.selected_index == 2
        assert dash.explorer.preset.value == "forum" and dash.explorer.result.params.U_0 == 0.3
        assert "?preset=forum&amp;U_0=0.3&amp;seed=2" in dash.link.value
        dash.synapse_lab.preset.value = "facilitating"
        assert dash.synapse_lab.result.amplitude_ratio[1] > 1
        dash.gallery.kind.value = "chattering (CH)"
        assert len(dash.gallery.trace.spike_t_ms) > 10
        dash.apply_query("U_0=9")
        assert "link ignored: U_0=9" in dash.link.value
    finally:
        dash.explorer.close()


def test_lab_tabs_are_built_when_first_shown(engine):
    dash = Dashboard("preset=forum", engine=engine)
    assert dash._lab_tabs["synapse"].tab is None and dash._lab_tabs["neuron"].tab is None
    dash.tabs.selected_index = 2  # Neuron types
    assert dash._lab_tabs["neuron"].tab is not None and dash._lab_tabs["synapse"].tab is None
    assert dash.tabs.children[2].children == (dash.gallery.widget,)
    assert Dashboard("preset=forum&tab=synapse", engine=engine)._lab_tabs["synapse"].tab is not None
    dash.explorer.close()


def _texts(widget):
    """Every text a widget tree shows: descriptions, HTML values, option labels."""
    import ipywidgets as W

    yield str(getattr(widget, "description", "") or "")
    if isinstance(widget, (W.HTML, W.Label)):
        yield re.sub(r"<[^>]+>", "", widget.value)
    for child in getattr(widget, "children", ()) or ():
        yield from _texts(child)


def test_no_text_needs_an_emoji_font(engine):
    """Every character the dashboard shows is in DejaVu Sans (shipped with
    matplotlib, the usual fallback): icons come from Font Awesome, not emoji."""
    import os

    import matplotlib
    from matplotlib.ft2font import FT2Font

    from stpexplorer.dashboard.network_tab import BUSY_TEXT

    charmap = FT2Font(os.path.join(matplotlib.get_data_path(), "fonts/ttf/DejaVuSans.ttf")).get_charmap()
    dash = Dashboard("preset=forum", engine=engine)
    try:
        dash.explorer.wait(300)
        dash.explorer.busy.value = BUSY_TEXT["compile"]  # the busy line's longest text
        text = "".join(_texts(dash.widget)) + "".join(_texts(dash.synapse_lab.widget))
        missing = sorted({ch for ch in text if ord(ch) > 127 and ord(ch) not in charmap})
        assert not missing, f"characters without a glyph in DejaVu Sans: {missing}"
    finally:
        dash.explorer.close()


def test_the_notebook_introduction_names_every_tab():
    """The page header names each tab (in bold) and counts them right."""
    import json

    from stpexplorer.dashboard.serve import notebook_path

    intro = "".join(json.loads(notebook_path().read_text())["cells"][0]["source"])
    for title in ("Network", "Synapse lab", "Neuron types", "Sweep"):
        assert f"**{title}**" in intro, title
    words = {"two": 2, "three": 3, "four": 4, "five": 5}
    counted = [n for word, n in words.items() if re.search(rf"\b{word} (tabs|views)\b", intro, re.I)]
    assert counted == [4], counted
