"""The Network tab (Explorer) with real widgets and real simulations (no browser)."""

import base64

import numpy as np

from stpexplorer import StandaloneEngine, presets, simulate
from stpexplorer.dashboard.network_tab import Explorer, median_timings

from .text_fits import assert_text_fits


def test_every_field_has_a_control_with_its_dom_class_unit_and_doc(explorer):
    from stpexplorer import params as P

    for f in P.fields():
        if f.metadata["optional"]:  # a pathway's own STP value: edited through the pathway control
            assert f.metadata["shared"] in explorer.pathways.sliders
            continue
        widget = explorer.controls[f.name]
        assert f"stpx-control-{f.name}" in widget._dom_classes
        assert widget.tooltip == f.metadata["doc"]
        if f.metadata["unit"] not in ("", "1"):
            assert f.metadata["unit"] in widget.description


def test_a_slider_change_reruns_and_redraws(explorer):
    before = explorer.result
    explorer.controls["U_0"].value = 0.2
    assert explorer.wait(60)
    assert explorer.result is not before and explorer.result.params.U_0 == 0.2
    assert explorer.run_count == 2 and "run #2" in explorer.status.value
    assert "after the change" in explorer.status.value  # a change somebody waited for
    assert not np.array_equal(before.r_at_spikes, explorer.result.r_at_spikes[: len(before.r_at_spikes)]) \
        or len(before.r_at_spikes) != len(explorer.result.r_at_spikes)


def test_the_first_run_of_a_page_claims_no_change(engine):
    """A preheated kernel runs the default long before its visitor arrives:
    its status must not say "shown 81 s after the change"."""
    explorer = Explorer(presets.FORUM, engine=engine, preset="forum")
    assert explorer.wait(300)
    assert "run #1" in explorer.status.value and "after the change" not in explorer.status.value
    assert median_timings(explorer) == {}  # nothing timed that nobody waited for
    explorer.close()


def test_invalid_and_unstable_settings_show_a_message_and_keep_the_last_panels(explorer):
    good = explorer.result
    explorer.controls["C_m"].value = 0.01
    explorer.controls["w_i"].value = 10.0
    assert explorer.wait(60)
    assert "diverged" in explorer.error.value and explorer.result is good
    explorer.controls["C_m"].value = 1.0
    explorer.controls["w_i"].value = 1.0
    assert explorer.wait(60)
    assert explorer.error.value == "" and explorer.result is not good


def test_budget_errors_are_shown_without_running(explorer, monkeypatch):
    monkeypatch.setenv("STPEXPLORER_MAX_SYNAPSES", "10")
    count = explorer.run_count
    explorer.controls["U_0"].value = 0.33
    assert "exceed the limit" in explorer.error.value
    assert explorer.wait(10) and explorer.run_count == count


def test_preset_sets_every_control_and_reset_returns_to_it(explorer):
    explorer.preset.value = "depressing"
    assert explorer.wait(300)
    for name in ("U_0", "Omega_f", "Omega_d", "N_e", "w_e"):
        assert explorer.controls[name].value == getattr(presets.DEPRESSING, name)
    explorer.controls["U_0"].value = 0.9
    explorer.reset.click()
    assert explorer.wait(60) and explorer.controls["U_0"].value == presets.DEPRESSING.U_0


def test_picking_another_neuron_or_synapse_does_not_resimulate(explorer):
    runs = explorer.run_count
    other = [n for n in explorer.result.recorded_neurons if n != explorer.result.rec_neuron][0]
    explorer.neuron_pick.value = int(other)
    assert explorer.result.rec_neuron == other and explorer.run_count == runs
    r = explorer.result
    pre, post = int(r.conn_pre[5]), int(r.conn_post[5])
    explorer.syn_pre.value, explorer.syn_post.value = pre, post
    explorer.syn_show.click()
    assert (explorer.result.syn_pre, explorer.result.syn_post) == (pre, post)
    assert explorer.run_count == runs


def test_time_axes_are_linked(explorer):
    explorer.axes["conductances"].set_xlim(100, 200)
    for name in ("raster", "resources"):
        assert explorer.axes[name].get_xlim() == (100, 200)


def test_previous_run_overlay_and_pinned_reference(explorer):
    first = explorer.result
    explorer.pin.value = True
    for value in (0.1, 0.15):
        explorer.controls["U_0"].value = value
        assert explorer.wait(60)
    assert explorer.reference is first and explorer.panels.overlay() is first
    explorer.pin.value = False
    assert explorer.panels.overlay().params.U_0 == 0.1  # back to the run before the current one


def test_panels_keep_a_complete_data_url_until_a_page_attaches(explorer):
    """A page created from the kernel's widget state loads ``_data_url`` as an
    image; a bare base64 string there breaks the canvas for good."""
    canvas = explorer.figures["raster"].canvas
    url = canvas._data_url
    assert url.startswith("data:image/png;base64,")
    assert base64.b64decode(url.split(",", 1)[1]).startswith(b"\x89PNG")
    canvas._handle_custom_msg({"type": "initialized"}, [])  # what the page's canvas sends
    explorer.controls["U_0"].value = 0.35
    assert explorer.wait(60)
    assert canvas._data_url == url  # images now go to the page as binary messages


def test_busy_indicator_says_when_a_structure_is_compiled_or_loaded(explorer):
    from stpexplorer.dashboard.network_tab import BUSY_TEXT
    from stpexplorer.engine import build_key, preparation

    params = explorer.current_params()
    assert preparation(params, int(explorer.seed.value), explorer.engine) is None
    engine = explorer.engine
    new_size = next(n for n in range(11, 99) if not (
        engine.cache / f"build-{build_key(params.replace(N_i=n), None, engine.stp_storage)}").exists())
    explorer.controls["N_i"].value = new_size  # a structure not built before
    assert explorer.busy.value == BUSY_TEXT["compile"]
    assert explorer.wait(300) and explorer.result.Ni == new_size
    explorer.controls["N_i"].value = 10  # loaded before: kept in memory, runs at once
    assert explorer.busy.value == BUSY_TEXT[None]
    assert explorer.wait(300) and explorer.result.Ni == 10
    other = next(n for n in range(new_size + 1, 99) if not (
        engine.cache / f"build-{build_key(params.replace(N_i=n), None, engine.stp_storage)}").exists())
    simulate(params.replace(N_i=other), engine=StandaloneEngine(cache=engine.cache))  # another process
    explorer.controls["N_i"].value = other  # built, not loaded here
    assert explorer.busy.value == BUSY_TEXT["load"]
    assert explorer.wait(300) and explorer.result.Ni == other
    explorer.controls["U_0"].value = 0.4
    assert explorer.busy.value == BUSY_TEXT[None]
    assert explorer.wait(60)


def test_stp_sliders_act_on_the_chosen_pathway(engine):
    explorer = Explorer(engine=engine)
    assert explorer.wait(60)
    assert "All pathways use the shared values" in explorer.pathways.note.value
    explorer.pathways.target.value = "ei"
    assert explorer.controls["U_0"].description.endswith("E→I")
    explorer.controls["U_0"].value = 0.05
    assert explorer.wait(60)
    run = explorer.result.params
    assert (run.U_0, run.U_0_ei, run.U_0_ee, run.Omega_f_ei) == (0.6, 0.05, None, None)
    assert run.differing_pathways() == ("ei",) and "E→I (U₀ 0.05" in explorer.pathways.note.value
    explorer.pathways.target.value = "all"  # the sliders show the shared values again
    assert explorer.controls["U_0"].value == 0.6 and explorer.current_params().U_0_ei == 0.05
    explorer.pathways.target.value = "ei"
    assert explorer.controls["U_0"].value == 0.05
    explorer.pathways.use_shared.click()
    assert explorer.wait(60)
    assert explorer.result.params.U_0_ei is None and explorer.controls["U_0"].value == 0.6
    explorer.apply_params(presets.DEFAULT.replace(Omega_d_ii=9.0))  # a file, preset or link
    assert explorer.wait(60)
    assert explorer.pathways.pathway == "all" and explorer.result.params.Omega_d_ii == 9.0
    explorer.close()


def test_panel_labels_are_not_clipped(explorer):
    for name, fig in explorer.figures.items():
        assert_text_fits(fig, name)


def test_panels_blitted_over_kept_axes_look_like_a_full_redraw(explorer):
    """A slider move draws only the data over the kept image of the axes; the
    picture must equal a full redraw of the same figure."""
    for fig in explorer.figures.values():  # the message a page sends when its canvas is ready
        fig.canvas._handle_custom_msg({"type": "initialized"}, [])
    for value in (0.3, 0.35, 0.4):
        explorer.controls["U_0"].value = value
        assert explorer.wait(60)
    blitted = sum(b.blits for b in explorer.blitters.values())
    assert blitted > 0, {n: (b.full_draws, b.blits) for n, b in explorer.blitters.items()}
    for name in ("raster", "conductances", "resources"):
        canvas = explorer.figures[name].canvas
        shown = np.asarray(canvas.get_renderer().buffer_rgba()).copy()
        canvas.draw()  # full draw of the same artists
        np.testing.assert_array_equal(np.asarray(canvas.get_renderer().buffer_rgba()), shown, err_msg=name)
