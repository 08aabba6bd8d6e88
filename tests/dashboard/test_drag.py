"""Live dragging in the kernel: the page's drag messages (as its script writes
them into a tab's hidden sink) redraw for the value under the handle, never
change a slider, and the release draws the slider's exact value."""

import json
import time

import ipywidgets as W
import numpy as np
import pytest

from stpexplorer import lab
from stpexplorer.dashboard.drag import DragRelay
from stpexplorer.dashboard.neuron_tab import NeuronGallery
from stpexplorer.dashboard.synapse_tab import SynapseLab


def send(relay: DragRelay, **message) -> None:
    """Write ``message`` into the relay's sink as the page's script does (a new ``n`` each time)."""
    send.count = getattr(send, "count", 0) + 1
    relay.sink.value = json.dumps({**message, "n": send.count})


@pytest.fixture
def relay():
    seen = {"drag": [], "end": []}
    sliders = {"x": W.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.01), "n": W.IntSlider(value=3, min=1, max=9)}
    return DragRelay(sliders, seen["drag"].append, seen["end"].append), seen


def test_the_relay_passes_values_clamped_to_the_slider_and_ignores_everything_else(relay):
    relay, seen = relay
    for text in ("", "not json", "[1, 2]", json.dumps({"value": 0.3}), json.dumps({"key": "y", "value": 0.3}),
                 json.dumps({"key": "x", "value": "0.3"}), json.dumps({"key": "x", "value": True}),
                 json.dumps({"key": "x"}), '{"key": "x", "value": NaN}', '{"key": "x", "value": Infinity}',
                 json.dumps({"key": "x", "value": 0.3, "pad": "#" * 300})):
        relay.sink.value = text
    assert seen["drag"] == []
    send(relay, key="x", value=0.25)
    send(relay, key="x", value=7.0)
    send(relay, key="x", value=-1e300)
    send(relay, key="n", value=4.6)
    assert seen["drag"] == [{"x": 0.25}, {"x": 1.0}, {"x": 0.0}, {"n": 5}]
    assert isinstance(seen["drag"][-1]["n"], int)
    assert relay.sliders["x"].value == 0.5 and relay.sliders["n"].value == 3  # the sliders stay
    assert [c for s in relay.sliders.values() for c in s._dom_classes if c.startswith("stpx-live")] == [
        "stpx-live", "stpx-live-x", "stpx-live", "stpx-live-n"]


def test_the_end_of_a_drag_asks_for_a_redraw_only_if_a_dragged_value_is_on_show(relay):
    relay, seen = relay
    send(relay, key="x", end=True)
    assert seen["end"] == []  # nothing was dragged
    send(relay, key="x", value=0.7)
    send(relay, key="x", end=True)
    assert seen["end"] == ["x"]  # dragged back to where it started: no value change will come
    relay.settled()  # the slider's value change was drawn
    send(relay, key="x", end=True)
    assert seen["end"] == ["x"]


def test_dragging_the_synapse_lab_draws_the_dragged_value_then_the_slider_value_on_release():
    tab = SynapseLab("depressing")
    assert tab.U_0.value != 0.9
    send(tab.drag, key="U_0", value=0.9)
    assert tab.U_0.value != 0.9  # the slider stays where the kernel knows it
    dragged = lab.synapse_lab(0.9, tab.Omega_f.value, tab.Omega_d.value, tab.rate.value, tab.n_spikes.value,
                              tab.kind.value, tab.gap.value)
    np.testing.assert_array_equal(tab.result.curve_u, dragged.curve_u)
    send(tab.drag, key="U_0", end=True)  # let go where the drag started: no value change comes
    expected = lab.synapse_lab(tab.U_0.value, tab.Omega_f.value, tab.Omega_d.value, tab.rate.value,
                               tab.n_spikes.value, tab.kind.value, tab.gap.value)
    np.testing.assert_array_equal(tab.result.curve_u, expected.curve_u)


def test_dragging_the_gallery_follows_every_kind_of_slider():
    gallery = NeuronGallery()
    for name, value in (("a", 0.1), ("b", 0.25), ("c", -50.0), ("d", 2.0), ("current", 25.0)):
        before = gallery.trace.v_mV.copy()
        send(gallery.drag, key=name, value=value)
        assert not np.array_equal(gallery.trace.v_mV, before), name
        assert getattr(gallery, name).value != value
    gallery.d.value = 4.0  # the release: the slider's value arrives
    send(gallery.drag, key="d", end=True)
    k = lab.NEURON_TYPES[gallery.kind.value]
    expected = lab.simulate_neuron(k.a, k.b, k.c, 4.0, **k.protocol())
    np.testing.assert_array_equal(gallery.trace.v_mV, expected.v_mV)


def test_a_slider_value_with_float_noise_runs_and_links_as_its_decimal(explorer):
    """The page's step arithmetic releases 0.15100000000000002 for 0.151."""
    import base64
    import re

    slider = explorer.controls["U_0"]
    slider.value = 151 * 0.001 + 2e-17
    assert explorer.wait(120)
    assert repr(slider.value) == "0.15100000000000002"
    assert repr(explorer.result.params.U_0) == "0.151"
    payload = base64.b64decode(re.search(r"base64,([^\"]+)", explorer.keep.param_link.value).group(1)).decode()
    assert '"U_0": 0.151,' in payload and "0.15100000000000002" not in payload
    slider.value = 0.4939359264985734  # a fitted value: kept to the last digit
    assert explorer.wait(120) and explorer.result.params.U_0 == 0.4939359264985734


def test_a_network_drag_draws_interim_runs_and_the_release_draws_the_slider_value(explorer):
    slider = explorer.controls["U_0"]
    start, runs = explorer.run_count, []
    before_drag = explorer.result
    explorer.on_params_changed = lambda params, seed: runs.append(params.U_0)
    for value in np.linspace(0.2, 0.35, 12):
        send(explorer.drag, key="U_0", value=float(value))
        time.sleep(0.01)  # faster than a run: most drag values are replaced before they start
    assert explorer.wait(120)
    drawn = explorer.run_count - start
    assert 2 <= drawn < 12  # frames while dragging, fewer than the values sent
    assert slider.value != pytest.approx(0.35)
    assert explorer.result.params.U_0 == pytest.approx(0.35)  # the last value under the handle
    assert all(t["dragged"] for t in list(explorer.timings)[-drawn:])
    assert "being dragged" in explorer.status.value
    assert runs == []  # the links follow the release, not each frame
    slider.value = 0.4939  # released between two steps, as a typed or fitted value
    assert explorer.wait(120)
    assert explorer.result.params.U_0 == 0.4939 and not explorer.timings[-1]["dragged"]
    assert "being dragged" not in explorer.status.value
    assert runs == [0.4939] and explorer.keep.param_link.value.count("stpx-link-params") == 1
    assert explorer.panels.previous is before_drag  # the overlay: the run before the drag, not its last frame
    send(explorer.drag, key="U_0", end=True)
    assert explorer.wait(120) and explorer.run_count - start == drawn + 1  # the release was already drawn


def test_a_pathway_drag_moves_that_pathways_own_value(explorer):
    explorer.pathways.target.value = "ei"
    send(explorer.drag, key="Omega_d", value=7.5)
    assert explorer.wait(120)
    assert explorer.result.params.pathway_values("ei")[2] == 7.5
    assert explorer.result.params.Omega_d != 7.5


def test_a_frame_handed_over_behind_a_newer_outcome_is_skipped_a_final_run_never(explorer, monkeypatch):
    from stpexplorer.dashboard import network_tab

    queued = []  # the kernel thread's callbacks, run later as when it was busy drawing
    monkeypatch.setattr(network_tab, "on_kernel_thread", lambda function, *args: queued.append((function, args)))
    params, result = explorer.result.params, explorer.result

    def hand_over(*kinds):
        for frame in kinds:
            explorer._hand_over((params, 0, None, frame), result, None)
        start = explorer.run_count
        for function, args in queued:
            function(*args)
        queued.clear()
        return explorer.run_count - start

    assert hand_over(True, True, False) == 1  # two frames behind the release's run: only the release is drawn
    assert hand_over(False, True) == 2  # a page's first run, then a frame: both
    assert hand_over(True) == 1
