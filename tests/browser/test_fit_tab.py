"""The synapse lab's "Fit to data" part in a real (headless) Chromium: a CSV
chosen through the page's file chooser is fitted in the kernel, the table shows
values with 95 % intervals, and "use in network" sets the fitted values in the
Network tab, which is selected and runs again with changed panels.

Run with ``python -m pytest tests/browser/test_fit_tab.py -x -s -q``.
"""

from __future__ import annotations

import time

import pytest

from conftest import shows_data
from stpexplorer import fit

pytestmark = pytest.mark.browser

TIMING_PREFIX = "fit."
TIME_PANELS = ("raster", "conductances", "resources")
#: A fit takes 0.05-0.4 s in the kernel; the rest is the upload's round trip.
FIT_TIMEOUT_S = 30


def _choose_file(dash, path) -> float:
    """Choose ``path`` with the fit part's upload button (a real file chooser); return the time."""
    with dash.page.expect_file_chooser() as chooser:
        dash.page.locator(".stpx-fit-upload").click()
    start = time.perf_counter()
    chooser.value.set_files(str(path))
    return start


def _cell(dash, name: str, cell: str) -> str:
    return dash.text(f".stpx-fit-table .stpx-fit-row-{name} .stpx-fit-{cell}")


def _fit_error(dash) -> str:
    loc = dash.page.locator(".stpx-fit-error")
    return loc.inner_text().strip() if loc.count() and loc.is_visible() else ""


def test_bad_csv_shows_line_and_column(dash, tmp_path):
    dash.select_tab("Synapse lab")
    bad = tmp_path / "bad_recording.csv"
    bad.write_bytes(b"spike_time_ms,amplitude\n0,10\n50,n/a\n100,5\n")
    _choose_file(dash, bad)
    message = dash.poll(lambda: _fit_error(dash), FIT_TIMEOUT_S, "the fit's error line")
    assert "bad_recording.csv" in message and "line 3" in message and "column amplitude" in message, message
    assert "Traceback" not in message
    assert dash.page.locator(".stpx-fit-use").is_disabled(), "nothing to use after a bad file"


def test_upload_table_use_in_network_changes_the_network(dash, tmp_path, record_property):
    data = tmp_path / "my_synapse.csv"
    data.write_bytes(fit.example_bytes("depressing"))
    expected = fit.fit_stp(fit.load_csv(data), seed=0)  # the kernel fits the same file with the same seed

    # the network as it is before: settled panels, run number, U_0 readout
    dash.select_tab("Network")
    before = dash.settle()
    run = dash.run_number()
    assert dash.readout("U_0") != f"{expected.U_0:#.3g}"

    dash.select_tab("Synapse lab")
    start = _choose_file(dash, data)
    dash.poll(lambda: _cell(dash, "U_0", "value") == f"{expected.U_0:.4g}", FIT_TIMEOUT_S,
              f"the fit table with U_0 = {expected.U_0:.4g}")
    elapsed = time.perf_counter() - start
    record_property("fit_upload_to_table_s", round(elapsed, 3))
    print(f"\n[browser] file chosen -> fit table shown: {elapsed:.2f} s")
    for row in expected.table_rows():
        name = row["name"]
        assert _cell(dash, name, "value") == f"{row['value']:.4g}", name
        assert _cell(dash, name, "ci") == f"[{row['lo']:.4g}, {row['hi']:.4g}]", name
        assert row["lo"] < row["value"] < row["hi"]
    assert "95 % interval" in dash.text(".stpx-fit-table")
    assert "my_synapse.csv" in dash.text(".stpx-fit-source")
    assert _fit_error(dash) == "", "a good file clears the error line"
    dash.poll(lambda: shows_data(dash.panel("fit")), 10, "the data and fitted amplitudes in the fit panel")
    targets = dash.page.locator(".stpx-fit-target select option").all_inner_texts()
    assert targets[1:] == ["E→E", "E→I", "I→E", "I→I"] and "shared" in targets[0], targets
    assert dash.page.locator(".stpx-fit-target select option:checked").inner_text().startswith("shared")
    assert dash.run_number() == run, "fitting does not run the network"

    start = time.perf_counter()
    dash.page.locator(".stpx-fit-use").click()
    dash.poll(lambda: dash.selected_tab() == "Network", 10, "the Network tab after 'use in network'")
    dash.wait_redraw(run, before, TIME_PANELS, start, "fit: use in network")
    dash.settle()
    assert dash.run_number() == run + 1
    assert dash.readout("U_0") == f"{expected.U_0:#.3g}"
    assert dash.readout("Omega_f") == f"{expected.Omega_f:#.3g}"
    assert dash.readout("Omega_d") == f"{expected.Omega_d:#.3g}"
    shown = dash.param_json()  # the parameters of the run the page shows, at full precision
    assert (shown["U_0"], shown["Omega_f"], shown["Omega_d"]) == (expected.U_0, expected.Omega_f,
                                                                  expected.Omega_d)
    assert dash.error() == ""
    for name in TIME_PANELS:
        assert dash.panel(name)["hash"] != before[name]["hash"], f"panel {name} did not change"
    dash.select_tab("Synapse lab")
    assert "my_synapse.csv" in dash.text(".stpx-fit-applied")
