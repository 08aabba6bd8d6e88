"""The dashboard's Python side with real widgets and real simulations (no browser)."""

import base64
import io
import json
import threading
import time

import numpy as np
import pytest

from stpexplorer import StandaloneEngine, presets, simulate
from stpexplorer.app import MAX_UPLOAD_BYTES, Explorer
from stpexplorer.labapp import Dashboard, link_query, parse_query
from stpexplorer.runner import LatestRunner


@pytest.fixture
def explorer(engine):
    ex = Explorer(presets.FORUM, engine=engine, preset="forum")
    assert ex.wait(300)
    yield ex
    ex.close()


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
    assert not np.array_equal(before.r_at_spikes, explorer.result.r_at_spikes[: len(before.r_at_spikes)]) \
        or len(before.r_at_spikes) != len(explorer.result.r_at_spikes)


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


def test_params_json_download_upload_round_trip_and_limits(explorer):
    href = explorer.param_link.value.split('href="')[1].split('"')[0]
    data = json.loads(base64.b64decode(href.split("base64,")[1]))
    assert data == presets.FORUM.to_dict()
    data["U_0"] = 0.25
    explorer.load_params_json(json.dumps(data).encode())
    assert explorer.wait(60) and explorer.controls["U_0"].value == 0.25
    explorer.load_params_json(b"{" + b" " * MAX_UPLOAD_BYTES + b"}")
    assert "limit is" in explorer.error.value
    explorer.load_params_json(b'{"U_0": 7}')
    assert "U_0=7" in explorer.error.value and explorer.controls["U_0"].value == 0.25


def test_value_beyond_the_slider_range_is_kept_not_clamped(explorer):
    explorer.load_params_json(json.dumps({**presets.FORUM.to_dict(), "w_e": 50.0}).encode())
    assert explorer.controls["w_e"].value == 50.0


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


def test_exports_png_and_npz(explorer):
    explorer.export.click()
    html = explorer.export_links.value
    png = base64.b64decode(html.split("data:image/png;base64,")[1].split('"')[0])
    assert png.startswith(b"\x89PNG")
    npz = base64.b64decode(html.split("data:application/octet-stream;base64,")[1].split('"')[0])
    assert_npz_holds_result(io.BytesIO(npz), explorer.result)


def assert_npz_holds_result(file, result):
    """Every contract name of the npz equals the result's value, and the
    parameters and seed come back (the file alone reproduces the run)."""
    from stpexplorer import Params
    from stpexplorer.results import CONTRACT

    with np.load(file, allow_pickle=False) as data:
        assert set(CONTRACT) <= set(data.files)
        for name in CONTRACT:
            np.testing.assert_array_equal(data[name], np.asarray(getattr(result, name)), err_msg=name)
        for name in ("recorded_neurons", "v_rec_mV", "conn_pre", "conn_post"):
            np.testing.assert_array_equal(data[name], getattr(result, name), err_msg=name)
        assert Params.from_json(str(data["params_json"])) == result.params
        assert int(data["seed"]) == result.seed
    assert len(result.spike_i) > 0 and len(result.u_at_spikes) > 0  # something to compare


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
    assert explorer.reference is first and explorer._overlay() is first
    explorer.pin.value = False
    assert explorer._overlay().params.U_0 == 0.1  # back to the run before the current one


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
    from stpexplorer.app import BUSY_TEXT
    from stpexplorer.simulate import build_key, preparation

    params = explorer.current_params()
    assert preparation(params, int(explorer.seed.value), explorer.engine) is None
    engine = explorer.engine
    new_size = next(n for n in range(11, 99) if not (
        engine.cache / f"build-{build_key(params.replace(N_i=n), 0, engine.stp_storage)}").exists())
    explorer.controls["N_i"].value = new_size  # a structure not built before
    assert explorer.busy.value == BUSY_TEXT["compile"]
    assert explorer.wait(300) and explorer.result.Ni == new_size
    explorer.controls["N_i"].value = 10  # loaded before: kept in memory, runs at once
    assert explorer.busy.value == BUSY_TEXT[None]
    assert explorer.wait(300) and explorer.result.Ni == 10
    other = next(n for n in range(new_size + 1, 99) if not (
        engine.cache / f"build-{build_key(params.replace(N_i=n), 0, engine.stp_storage)}").exists())
    simulate(params.replace(N_i=other), engine=StandaloneEngine(cache=engine.cache))  # another process
    explorer.controls["N_i"].value = other  # built, not loaded here
    assert explorer.busy.value == BUSY_TEXT["load"]
    assert explorer.wait(300) and explorer.result.Ni == other
    explorer.controls["U_0"].value = 0.4
    assert explorer.busy.value == BUSY_TEXT[None]
    assert explorer.wait(60)


def test_latest_request_wins_and_stale_runs_are_dropped():
    done, started = [], threading.Event()

    def work(job):
        started.set()
        time.sleep(0.2)
        return job

    runner = LatestRunner(work, lambda job, out, err: done.append(out))
    runner.submit(1)
    started.wait(5)
    for job in (2, 3, 4):
        runner.submit(job)  # 1 is running: 2 and 3 are replaced by 4, 1 becomes stale
    assert runner.wait_idle(10)
    runner.stop()
    assert done == [4] and runner.dropped == 1


def test_a_failing_done_callback_does_not_stop_the_runner(capsys):
    done = []

    def report(job, out, err):
        if job == 1:
            raise RuntimeError("drawing failed")
        done.append(out)

    runner = LatestRunner(lambda job: job, report)
    runner.submit(1)
    assert runner.wait_idle(10)
    runner.submit(2)
    assert runner.wait_idle(10)
    runner.stop()
    assert done == [2]
    assert "drawing failed" in capsys.readouterr().err


def test_share_link_round_trip():
    params = presets.FORUM.replace(U_0=0.3, stp=False)
    query = link_query(params, seed=5, preset="forum", tab="synapse")
    assert query.startswith("?preset=forum&") and "U_0=0.3" in query and "stp=false" in query
    assert parse_query(query) == ("forum", params, 5, "synapse")
    for bad, field in (("U_0=abc", "U_0"), ("bogus=1", "bogus"), ("seed=-1", "seed"), ("tab=x", "tab"),
                       ("preset=nope", "preset"), ("a" * 5000, "limit"), ("seed=²", "seed="),
                       (f"seed={2**32}", "seed=")):
        with pytest.raises(ValueError, match=field):
            parse_query(bad)
    assert parse_query(f"seed={2**32 - 1}")[2] == 2**32 - 1  # the same bound as simulate() and the CLI


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


def test_sweep_tab_runs_a_grid_and_a_cell_loads_into_the_explorer(engine):
    dash = Dashboard("preset=forum", engine=engine)
    try:
        assert dash.explorer.wait(300)
        tab = dash.sweep
        tab.points.value = 2
        tab.start()
        deadline = time.time() + 120
        while tab.run.disabled and time.time() < deadline:
            time.sleep(0.05)
        assert len(tab.rows) == 4 and all(r["error"] == "" for r in tab.rows)
        assert tab.ax.images, "no heatmap drawn"
        table = tab.sw.grid_table(tab.rows, tab.grid, "rate_e_hz")
        assert table.shape == (2, 2) and np.all(table > 0)
        dash.tabs.selected_index = 3
        x_values, y_values = tab.grid.values()
        tab.load_cell(1, 0)
        assert dash.explorer.wait(60) and dash.tabs.selected_index == 0
        assert dash.explorer.result.params.U_0 == x_values[1]
        assert dash.explorer.result.params.Omega_f == y_values[0]
    finally:
        dash.explorer.close()


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


def _text_boxes(fig):
    renderer = fig.canvas.get_renderer()
    fig.canvas.draw()
    for ax in fig.axes:
        ticks = [label.get_window_extent(renderer)
                 for axis in (ax.xaxis, ax.yaxis)
                 for tick, label in zip(axis.get_ticklocs(), axis.get_ticklabels())
                 if label.get_visible() and label.get_text()
                 and min(axis.get_view_interval()) <= tick <= max(axis.get_view_interval())]
        labels = [(label.get_text(), label.get_window_extent(renderer))
                  for label in (ax.xaxis.label, ax.yaxis.label) if label.get_visible() and label.get_text()]
        yield ax, ticks, labels


def _assert_text_fits(fig, name, margin_in=0.15):
    """Axis labels at least ``margin_in`` inside the figure and clear of the
    tick labels; tick labels inside the figure (nothing cut at the edges)."""
    edge = margin_in * fig.dpi
    box = fig.bbox
    for ax, ticks, labels in _text_boxes(fig):
        for tick in ticks:
            assert box.x0 <= tick.x0 and tick.x1 <= box.x1 and box.y0 <= tick.y0, (name, tick)
        for text, bb in labels:
            assert (bb.x0 - box.x0 >= edge and box.x1 - bb.x1 >= edge and bb.y0 - box.y0 >= 0.5 * edge), \
                f"{name}: label {text!r} is within {margin_in} in of the figure's edge: {bb} in {box}"
            assert not any(bb.overlaps(t) for t in ticks), f"{name}: label {text!r} overlaps tick labels"


def test_panel_labels_are_not_clipped(explorer):
    for name, fig in explorer.figures.items():
        _assert_text_fits(fig, name)


def test_sweep_heatmap_ticks_have_three_significant_digits_and_fit(engine):
    from stpexplorer import sweep as sw
    from stpexplorer.labapp import SweepTab

    tab = SweepTab(Explorer(presets.FORUM, engine=engine, autorun=False))
    tab.grid = {"U_0": [0.1, 0.366667, 0.633333, 0.9], "Omega_f": [1.0, 4.0, 7.0, 10.0]}
    tab.rows = [{"U_0": u, "Omega_f": f, **{m: 1.0 for m in sw.MEASURES}, "error": ""}
                for u in tab.grid["U_0"] for f in tab.grid["Omega_f"]]
    tab.draw()
    assert [t.get_text() for t in tab.ax.get_xticklabels()] == ["0.1", "0.367", "0.633", "0.9"]
    _assert_text_fits(tab.fig, "sweep")
    assert sw.tick_labels([0.1001, 0.1002]) == ["0.1001", "0.1002"]  # more digits only where needed


def test_lab_tabs_are_built_when_first_shown(engine):
    dash = Dashboard("preset=forum", engine=engine)
    assert dash._lab_tabs["synapse"].tab is None and dash._lab_tabs["neuron"].tab is None
    dash.tabs.selected_index = 2  # Neuron types
    assert dash._lab_tabs["neuron"].tab is not None and dash._lab_tabs["synapse"].tab is None
    assert dash.tabs.children[2].children == (dash.gallery.widget,)
    assert Dashboard("preset=forum&tab=synapse", engine=engine)._lab_tabs["synapse"].tab is not None
    dash.explorer.close()


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


def test_nice_limits_are_round_and_contain_the_data():
    from stpexplorer.blit import nice_limits

    assert nice_limits(0.0, 3.66) == (0.0, 4.0)
    assert nice_limits(-83.2, 30.0) == (-100.0, 50.0)
    assert nice_limits(0.0, 0.0123) == (0.0, 0.015)
    assert nice_limits(5.0, 5.0)[0] < 5.0 < nice_limits(5.0, 5.0)[1]
    assert nice_limits(float("nan"), 1.0) == (0.0, 1.0)


def test_the_synapse_lab_loads_a_pathways_values_from_the_network(engine):
    dash = Dashboard("preset=forum&U_0_ei=0.05&Omega_f_ei=1.5", engine=engine)
    lab = dash.synapse_lab
    lab.load_from_network("ei")
    assert (lab.U_0.value, lab.Omega_f.value, lab.Omega_d.value) == (0.05, 1.5, presets.FORUM.Omega_d)
    assert lab.result.states.u[0] == pytest.approx(0.05)  # the lab redrew with them
    lab.load_from_network("all")
    assert (lab.U_0.value, lab.Omega_f.value) == (presets.FORUM.U_0, presets.FORUM.Omega_f)
    from stpexplorer import params as P
    for name in ("U_0", "Omega_f", "Omega_d"):  # one range: the parameter definition's
        m = P.field_info(name).metadata
        assert (getattr(lab, name).min, getattr(lab, name).max) == (m["lo"], m["slider_hi"])
    dash.explorer.close()
