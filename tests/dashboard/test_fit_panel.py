"""The synapse lab's "Fit to data" part with real widgets, fits and simulations (no browser)."""

import dataclasses
import html
import re

import matplotlib.pyplot as plt
import pytest

from stpexplorer import fit, presets, simulate
from stpexplorer.dashboard import FIT_TARGETS, Dashboard, SynapseLab
from stpexplorer.dashboard.network_tab import Explorer

CELL_RE = re.compile(r'<tr class="stpx-fit-row-(\w+)">.*?<td class="stpx-fit-value">([^<]*)</td>'
                     r'<td class="stpx-fit-ci">\[([^,]*), ([^\]]*)\]</td>')


def _rows(table_html: str) -> dict[str, tuple[float, float, float]]:
    """(value, lo, hi) by parameter name, as shown in the table."""
    return {name: tuple(float(x) for x in cells) for name, *cells in CELL_RE.findall(table_html)}


def _upload(widget, content, name: str = "recording.csv", size: int | None = None) -> None:
    """The state message a page sends when a file is chosen (deserialized by ipywidgets as in a kernel)."""
    widget.set_state({"value": [{"name": name, "type": "text/csv", "last_modified": 0,
                                 "size": len(content) if size is None else size,
                                 "content": memoryview(content) if isinstance(content, bytes) else content}]})


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def lab():
    return SynapseLab()


@pytest.fixture(scope="module")
def forum_engine(engine):
    """The engine with the forum network built here (Brian2 imports only on the main thread)."""
    simulate(presets.FORUM, engine=engine)
    return engine


@pytest.fixture
def dashboard(forum_engine):
    d = Dashboard("?preset=forum", engine=forum_engine)
    assert d.explorer.wait(300) and d.explorer.result is not None, d.explorer.error.value
    yield d
    d.explorer.close()


def test_the_part_is_in_the_synapse_lab_with_its_dom_classes(lab):
    part = lab.fit
    assert part.widget in lab.widget.children
    for widget, css in [(part.upload, "stpx-fit-upload"), (part.example, "stpx-fit-example"),
                        (part.try_example, "stpx-fit-try"), (part.table, "stpx-fit-table"),
                        (part.error, "stpx-fit-error"), (part.target, "stpx-fit-target"),
                        (part.use, "stpx-fit-use"), (part.to_lab, "stpx-fit-to-lab"),
                        (part.panel, "stpx-panel-fit"), (part.source, "stpx-fit-source")]:
        assert css in widget._dom_classes, css
    assert list(part.example.options) == list(fit.EXAMPLES)
    assert [value for _, value in part.target.options] == ["shared", "ee", "ei", "ie", "ii"]
    assert dict(part.target.options)["E→I"] == "ei" and FIT_TARGETS["ie"] == "I→E"
    assert part.use.disabled and part.to_lab.disabled, "nothing to use before a fit"
    assert "recovery" in part.widget.children[0].value, "teaching text on what the protocol needs"


@pytest.mark.parametrize("kind", fit.EXAMPLES)
def test_example_shows_table_rows_with_intervals_and_the_fitted_curves(lab, kind):
    part = lab.fit
    part.example.value = kind
    part.try_example.click()
    expected = fit.fit_stp(fit.load_csv(fit.example_path(kind)), seed=0)
    rows = _rows(part.table.value)
    assert list(rows) == ["U_0", "Omega_f", "Omega_d", "A"], part.table.value
    for name, (value, lo, hi) in rows.items():
        assert value == pytest.approx(getattr(expected, name), rel=1e-3)
        assert (lo, hi) == pytest.approx(expected.ci[name], rel=1e-3)
        assert lo < value < hi, (name, lo, value, hi)
    assert "95 % interval" in part.table.value and "responses in 2 train(s)" in part.table.value
    assert f"fit_{kind}.csv" in part.source.value
    assert part.error.layout.display == "none"
    assert part.result.U_0 == expected.U_0
    # data (dots) and fitted amplitudes (line) per train, residuals below
    amplitude_ax, residual_ax = part.axes
    labels = {line.get_label() for line in amplitude_ax.lines}
    assert {f"{t.name}: {what}" for t in part.trains for what in ("data", "fit")} <= labels, labels
    assert residual_ax.lines
    assert part.use.disabled == (part.explorer is None)
    assert not part.to_lab.disabled


def test_warnings_are_listed_and_escaped(lab):
    # one regular train at one rate: facilitation decay and recovery are not separable
    times = [50.0 * k for k in range(12)]
    amplitudes = 100 * fit.release(times, 0.3, 5.0, 2.0)
    csv = "spike_time_ms,amplitude,train\n" + "".join(
        f"{t},{a},<b>20Hz</b>\n" for t, a in zip(times, amplitudes))
    assert lab.fit.load(csv.encode(), "one_rate.csv")
    result = lab.fit.result
    assert result.warnings, "a single-rate train must warn"
    assert '<ul class="stpx-fit-warnings">' in lab.fit.table.value
    assert lab.fit.table.value.count("<li>") == len(result.warnings)
    assert "<b>20Hz" not in lab.fit.table.value


def test_bad_csv_upload_shows_line_and_column_and_keeps_the_last_fit(lab):
    part = lab.fit
    assert part.load_example("depressing")
    good, table = part.result, part.table.value
    _upload(part.upload, b"spike_time_ms,amplitude\n0,10\n50,n/a\n100,5\n", "my <data>.csv")
    message = part.error.value
    assert part.error.layout.display == ""
    assert "line 3" in message and "column amplitude" in message and "not a number" in message, message
    assert "my &lt;data&gt;.csv" in message and "<data>" not in message
    assert "Traceback" not in message
    assert part.result is good and part.table.value == table
    assert part.upload.value == (), "the upload's content is not kept in the widget"
    # a good upload clears the message
    _upload(part.upload, fit.example_bytes("facilitating"), "facilitating.csv")
    assert part.error.layout.display == "none" and part.result is not good
    assert "facilitating.csv" in part.source.value


@pytest.mark.parametrize("content, words", [
    (b"time,amplitude\n0,1\n", ("line 1", "spike_time_ms", "missing column")),
    (b"spike_time_ms,amplitude\n0,10\n0,8\n", ("line 3", "spike_time_ms", "not increasing")),
    (b"spike_time_ms,amplitude\n0,-10\n5,8\n", ("line 2", "amplitude", "negative")),
    (b"\xff\xfe not utf-8", ("line 1", "UTF-8")),
])
def test_bad_files_each_give_their_message(lab, content, words):
    _upload(lab.fit.upload, content)
    message = lab.fit.error.value
    assert all(w in message for w in words), message
    assert lab.fit.result is None and lab.fit.use.disabled


def test_oversized_and_malformed_uploads_are_rejected_in_the_kernel(lab):
    big = b"spike_time_ms,amplitude\n" + b"#" * fit.MAX_BYTES
    _upload(lab.fit.upload, big, "../../etc/big.csv")
    message = lab.fit.error.value
    assert f"{len(big)} bytes" in message and "1 MB" in message and "big.csv" in message, message
    assert "etc/" not in message, "only the file's own name is shown"
    _upload(lab.fit.upload, "spike_time_ms,amplitude", size=3)  # content that is not a file's bytes
    assert "could not be read" in lab.fit.error.value
    _upload(lab.fit.upload, fit.example_bytes("depressing")[:40], size=10)  # a false size is not believed
    assert "line" in lab.fit.error.value and lab.fit.result is None
    assert lab.fit.result is None


def test_use_in_network_shared_updates_the_explorer_and_shows_the_network_tab(dashboard):
    part, explorer = dashboard.synapse_lab.fit, dashboard.explorer
    assert part.explorer is explorer
    dashboard.tabs.selected_index = 1
    runs = explorer.run_count
    assert part.load_example("depressing")
    assert explorer.run_count == runs, "fitting alone does not run the network"
    part.target.value = "shared"
    assert part.use_in_network()
    assert dashboard.tabs.selected_index == 0
    assert explorer.wait(120) and explorer.run_count == runs + 1
    params = explorer.result.params
    for name in fit.FITTED:
        assert getattr(params, name) == getattr(part.result, name)
        assert explorer.controls[name].value == getattr(part.result, name)
    assert params.N_e == presets.FORUM.N_e, "everything else stays"
    assert "fit_depressing.csv" in part.applied.value and "shared" in part.applied.value
    assert explorer.error.value == "" and part.error.layout.display == "none"


def test_use_in_network_for_a_pathway_sets_only_its_fields_or_says_why_not(dashboard):
    part, explorer = dashboard.synapse_lab.fit, dashboard.explorer
    assert part.load_example("facilitating")
    before = explorer.current_params()
    runs = explorer.run_count
    dashboard.tabs.selected_index = 1
    part.target.value = "ei"
    have_pathways = any(f.name == "U_0_ei" for f in dataclasses.fields(before))
    applied = part.use_in_network()
    if not have_pathways:  # Params without per-pathway fields: to_params says so, nothing changes
        with pytest.raises(ValueError) as exc:
            part.result.to_params(before, "ei")
        assert not applied and part.error.layout.display == ""
        assert html.unescape(part.error.value) == f"⚠ {exc.value}", part.error.value
        assert dashboard.tabs.selected_index == 1
        assert explorer.wait(60) and explorer.run_count == runs
        assert explorer.current_params() == before
        return
    assert applied and dashboard.tabs.selected_index == 0
    assert explorer.wait(120) and explorer.run_count == runs + 1
    params = explorer.result.params
    for name in fit.FITTED:
        assert getattr(params, f"{name}_ei") == getattr(part.result, name)
        assert getattr(params, name) == getattr(before, name), "the shared values stay"
        assert getattr(params, f"{name}_ee") == getattr(before, f"{name}_ee")


def test_use_in_network_turns_stp_on(forum_engine):
    explorer = Explorer(presets.FORUM.replace(stp=False), engine=forum_engine, autorun=False, preset="forum")
    used = []
    lab = SynapseLab(explorer=explorer, on_use=lambda: used.append(True))
    try:
        assert lab.fit.load_example("depressing")
        assert lab.fit.use_in_network() and used == [True]
        assert explorer.wait(300)
        assert explorer.result.params.stp and explorer.result.params.U_0 == lab.fit.result.U_0
        assert "STP was off" in lab.fit.applied.value
    finally:
        explorer.close()


def test_use_without_a_fit_or_with_an_invalid_network_setting_says_so(dashboard, monkeypatch):
    part, explorer = dashboard.synapse_lab.fit, dashboard.explorer
    assert not part.use_in_network() and "fit some data first" in part.error.value
    assert part.load_example("depressing")
    monkeypatch.setattr(explorer, "current_params_or_none", lambda: None)  # controls that do not validate
    runs = explorer.run_count
    assert not part.use_in_network()
    assert "Network tab's current setting is invalid" in html.unescape(part.error.value)
    assert explorer.run_count == runs


def test_load_into_lab_sets_the_sliders_beyond_their_usual_range(lab):
    part = lab.fit
    assert part.load_example("depressing")
    part.load_into_lab()
    for name in fit.FITTED:
        assert getattr(lab, name).value == pytest.approx(getattr(part.result, name))
    assert "fit_depressing.csv" in lab.look_for.value
    assert lab.result.U_0 == pytest.approx(part.result.U_0), "the lab redrew with the fitted values"
    part.result = dataclasses.replace(part.result, Omega_f=400.0)
    part.load_into_lab()
    assert lab.Omega_f.value == 400.0 and lab.Omega_f.max >= 400.0


def test_a_to_params_error_is_shown_in_the_error_line_and_nothing_runs(dashboard, monkeypatch):
    part, explorer = dashboard.synapse_lab.fit, dashboard.explorer
    assert part.load_example("depressing")
    message = "per-pathway values are not available: these parameters have no field U_0_ii"

    def refuse(self, base=None, pathway=None):
        raise ValueError(message)

    monkeypatch.setattr(fit.StpFit, "to_params", refuse)
    dashboard.tabs.selected_index = 1
    runs, before = explorer.run_count, explorer.current_params()
    part.target.value = "ii"
    assert not part.use_in_network()
    assert html.unescape(part.error.value) == f"⚠ {message}" and part.error.layout.display == ""
    assert dashboard.tabs.selected_index == 1 and part.applied.value == ""
    assert explorer.wait(60) and explorer.run_count == runs and explorer.current_params() == before
