"""The sweep tab: a grid run in the kernel, a heatmap, a cell loaded into the Network tab."""

import time

import numpy as np

from stpexplorer import presets
from stpexplorer.dashboard import Dashboard
from stpexplorer.dashboard.network_tab import Explorer
from stpexplorer.dashboard.sweep_tab import SweepTab

from .text_fits import assert_text_fits


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


def test_sweep_heatmap_ticks_have_three_significant_digits_and_fit(engine):
    from stpexplorer import sweep as sw

    tab = SweepTab(Explorer(presets.FORUM, engine=engine, autorun=False))
    tab.grid = {"U_0": [0.1, 0.366667, 0.633333, 0.9], "Omega_f": [1.0, 4.0, 7.0, 10.0]}
    tab.rows = [{"U_0": u, "Omega_f": f, **{m: 1.0 for m in sw.MEASURES}, "error": ""}
                for u in tab.grid["U_0"] for f in tab.grid["Omega_f"]]
    tab.draw()
    assert [t.get_text() for t in tab.ax.get_xticklabels()] == ["0.1", "0.367", "0.633", "0.9"]
    assert_text_fits(tab.fig, "sweep")
    assert sw.tick_labels([0.1001, 0.1002]) == ["0.1001", "0.1002"]  # more digits only where needed


def test_the_worker_hands_progress_and_rows_to_the_kernel_thread(engine, monkeypatch):
    """The sweep's worker thread changes no widget itself: progress and rows
    go through on_kernel_thread (here: collected, then run as the kernel would)."""
    from types import SimpleNamespace

    from stpexplorer import sweep as sw
    from stpexplorer.dashboard import sweep_tab

    handed = []
    monkeypatch.setattr(sweep_tab, "on_kernel_thread", lambda f, *args: handed.append((f, args)))
    tab = SweepTab(Explorer(presets.FORUM, engine=engine, autorun=False))
    tab.sw = SimpleNamespace(expand_grid=sw.expand_grid, MEASURES=sw.MEASURES,
                             run_point=lambda *a, **k: {m: 1.0 for m in sw.MEASURES} | {"error": ""})
    tab.points.value = 2
    tab.start()
    deadline = time.time() + 30
    while len(handed) < 5 and time.time() < deadline:
        time.sleep(0.01)
    assert tab.progress.value == 0 and tab.rows == [] and tab.run.disabled  # nothing changed by the worker
    for function, args in handed:
        function(*args)
    assert tab.progress.value == 4 and len(tab.rows) == 4 and not tab.run.disabled
    tab.explorer.close()


def test_sweep_ranges_start_around_the_network_value_with_handles_apart(engine):
    """Each range slider starts with its handles well apart on its track (Ω_f:
    1–10 on a 0–100 track showed both at the far left) and around the value."""
    from stpexplorer import params as params_mod
    from stpexplorer.dashboard.sweep_tab import MIN_RANGE_FRACTION

    tab = SweepTab(Explorer(presets.DEFAULT, engine=engine, autorun=False))
    numeric = list(tab.x_field.options)
    for name in numeric:
        tab.y_field.value = name
        low, high = tab.y_range.value
        m = params_mod.field_info(name).metadata
        assert m["lo"] <= tab.y_range.min <= low < high <= tab.y_range.max <= m["slider_hi"], name
        assert high - low >= MIN_RANGE_FRACTION * (tab.y_range.max - tab.y_range.min), (name, tab.y_range)
    tab.y_field.value = "Omega_f"
    low, high = tab.y_range.value
    assert low < presets.DEFAULT.Omega_f < high


def test_before_the_first_sweep_the_tab_says_what_to_do(engine):
    tab = SweepTab(Explorer(presets.FORUM, engine=engine, autorun=False))
    texts = [t.get_text() for t in tab.ax.texts]
    assert any("Run sweep" in t for t in texts), texts
    assert not tab.ax.axison, "empty axes instead of the hint"
    assert "Run sweep" in tab.message.value


def test_sweep_axes_are_model_parameters_not_the_recording(engine):
    tab = SweepTab(Explorer(presets.FORUM, engine=engine, autorun=False))
    assert {"U_0", "w_e", "a_e"} <= set(tab.x_field.options)
    assert not {"rec_neuron", "rec_pre", "rec_post"} & set(tab.x_field.options)
