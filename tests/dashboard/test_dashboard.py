"""The tabbed shell: tabs from a link, lab tabs built when first shown."""

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
