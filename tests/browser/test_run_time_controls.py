"""Every control answers without waiting for a compiler, in a real browser
against a real Voila server.

The seed and the recorded neuron or synapse are run-time data of the
compiled network: changing them redraws the panels without a compile (no new
build appears in the cache) from the compiled network.  A new size is a new
structure: the panels come from Brian2's runtime target before its compile
ends, and the compiled network answers the moves after the compile.
Timings are printed, not asserted."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

TIMING_PREFIX = "run_time_controls."
TIME_PANELS = ("raster", "conductances", "resources")
#: a compile of the default network's structure on these cores, with room for a loaded machine
COMPILE_TIMEOUT_S = 300


def builds(cache: str) -> list[str]:
    return sorted(path.name for path in Path(cache).glob("build-*") if path.is_dir())


def set_field(dash, field: str, value: str) -> float:
    """Type ``value`` into a control (a slider's readout or a number box); return the commit time."""
    if dash.page.locator(f".stpx-control-{field} .widget-readout").count():
        return dash.set_readout(field, value)
    return dash.set_number(field, value)


def change(dash, section: str | None, field: str, value: str, names=TIME_PANELS) -> float:
    """Change a control (in the Advanced ``section``, or a front one) and wait for the redrawn ``names``."""
    if section:
        dash.open_advanced(section)
    dash.settle()
    before_run, before = dash.run_number(), dash.panels()
    start = set_field(dash, field, value)
    return dash.wait_redraw(before_run, before, names, start, f"{field} -> {value}", slider=True)


def test_a_seed_change_redraws_from_the_compiled_network(dash, prebuilt):
    before = builds(prebuilt)
    for seed in ("7", "0"):
        change(dash, "Seed", "seed", seed)
        assert "compiled network" in dash.status(), dash.status()
    assert builds(prebuilt) == before, "a seed change compiled a network"


def test_a_recorded_synapse_or_neuron_change_redraws_without_a_compile(dash, prebuilt):
    before = builds(prebuilt)
    change(dash, "Recording", "rec_pre", "5", names=("resources",))
    assert "compiled network" in dash.status(), dash.status()
    change(dash, "Recording", "rec_neuron", "850", names=("conductances",))
    assert "compiled network" in dash.status(), dash.status()
    for field, value in (("rec_pre", "0"), ("rec_neuron", "0")):
        change(dash, "Recording", field, value, names=())
    assert builds(prebuilt) == before, "a recording change compiled a network"


def test_a_new_size_is_drawn_before_its_compile_ends(dash, prebuilt):
    before = builds(prebuilt)
    change(dash, "Network", "N_i", "190")
    status = dash.status()
    assert "Brian2 numpy target" in status and "being built" in status, status
    deadline = time.monotonic() + COMPILE_TIMEOUT_S
    while len(builds(prebuilt)) == len(before) or not _complete(prebuilt, before):
        assert time.monotonic() < deadline, "the background compile did not finish"
        time.sleep(1)
    change(dash, None, "U_0", "0.31")
    assert "compiled network" in dash.status(), dash.status()
    change(dash, "Network", "N_i", "200")  # back to the default structure (compiled before)
    assert "compiled network" in dash.status(), dash.status()


def _complete(cache: str, before: list[str]) -> bool:
    return any((Path(cache) / name / "COMPLETE").exists() for name in builds(cache) if name not in before)


@pytest.fixture(autouse=True)
def _pause_between_tests(dash):
    yield
    dash.settle()

