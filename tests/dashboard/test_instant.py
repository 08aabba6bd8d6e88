"""No compile blocks a page: a structure that is not compiled yet is run at
once on Brian2's runtime target (in a subprocess) while it compiles in the
background, and the compiled network answers the moves after that."""

from __future__ import annotations

import numpy as np
import pytest

from stpexplorer import DivergenceError, StandaloneEngine, presets, simulate
from stpexplorer.dashboard.network_tab import BUSY_TEXT, Explorer
from stpexplorer.engine import InstantEngine, run_runtime_isolated
from stpexplorer.engine.instant import RUNTIME_STEP

SMALL = presets.FORUM.replace(duration=200.0)


def test_the_runtime_target_in_a_subprocess_gives_the_compiled_networks_spikes(engine):
    isolated = run_runtime_isolated(SMALL, seed=3)
    compiled = simulate(SMALL, seed=3, engine=engine)
    assert isolated.engine == "runtime-numpy" and compiled.engine == "cpp_standalone"
    np.testing.assert_array_equal(isolated.spike_i, compiled.spike_i)
    np.testing.assert_array_equal(isolated.spike_t_ms, compiled.spike_t_ms)
    np.testing.assert_allclose(isolated.v_rec_mV, compiled.v_rec_mV, rtol=0, atol=1e-6)


def test_errors_of_the_subprocess_arrive_as_they_were_raised():
    with pytest.raises(ValueError, match="rec_post=40: there is no synapse 0 -> 40"):
        run_runtime_isolated(SMALL.replace(rec_post=40), seed=2)
    with pytest.raises(DivergenceError) as caught:
        run_runtime_isolated(SMALL.replace(w_i=100.0, C_m=0.01), seed=0)
    assert caught.value.population in ("excitatory", "inhibitory") and caught.value.t_ms is not None


def test_a_new_size_is_drawn_before_its_compile_ends_and_then_compiled(tmp_path):
    instant = InstantEngine(StandaloneEngine(cache=tmp_path, isolate_build=True))
    explorer = Explorer(SMALL, engine=instant, preset="forum")
    try:
        assert explorer.wait(300)
        assert explorer.result.engine == "runtime-numpy"  # nothing was compiled in this cache
        assert instant.wait_compiled(600) and not instant.compile_error
        standby = instant.standby  # waits, Brian2 imported, for the next structure change
        assert standby is not None and standby.poll() is None
        explorer.controls["N_i"].value = 13  # a structure not compiled yet
        assert explorer.busy.value == BUSY_TEXT[RUNTIME_STEP]
        assert explorer.wait(300)
        assert explorer.result.Ni == 13 and explorer.result.engine == "runtime-numpy"
        assert standby.wait(10) == 0 and instant.standby.pid != standby.pid  # it ran this job; a new one waits
        assert "Brian2 numpy target" in explorer.status.value
        first = explorer.result
        assert instant.wait_compiled(600) and not instant.compile_error
        assert instant.standalone.compiles == 2
        explorer.controls["U_0"].value = 0.45  # the next move: the compiled network
        assert explorer.wait(60) and explorer.result.engine == "cpp_standalone"
        assert "compiled network" in explorer.status.value
        explorer.controls["U_0"].value = SMALL.U_0
        assert explorer.wait(60)
        np.testing.assert_array_equal(explorer.result.spike_t_ms, first.spike_t_ms)  # the same network
    finally:
        explorer.close()


def test_a_waiting_runtime_process_exits_when_its_pipe_closes():
    from stpexplorer.engine.instant import start_runtime_process

    process = start_runtime_process()
    process.stdin.close()  # as when the kernel that started it ends
    assert process.wait(60) == 0


class _SlowCompiles:
    """A standalone engine's compile interface that takes 0.3 s per structure (N_i)."""

    def __init__(self):
        import threading

        self.compiled: list[int] = []
        self.started = threading.Event()

    def preparation(self, params, seed=0):
        return None if params.N_i in self.compiled else "compile"

    def _prepare(self, params, seed):
        import time

        self.started.set()
        time.sleep(0.3)
        self.compiled.append(params.N_i)


def test_one_background_compile_at_a_time_and_only_the_newest_structure_waits():
    standalone = _SlowCompiles()
    instant = InstantEngine(standalone)
    instant._compile_in_background(SMALL.replace(N_i=11), 0)
    assert standalone.started.wait(10)
    for n_i in (12, 13, 14):  # while 11 compiles, 12 and 13 are replaced by 14
        instant._compile_in_background(SMALL.replace(N_i=n_i), 0)
    assert instant.compiling()
    assert instant.wait_compiled(10)
    assert standalone.compiled == [11, 14]
    instant._compile_in_background(SMALL.replace(N_i=15), 0)  # the compiler stopped: a new one starts
    assert instant.wait_compiled(10) and standalone.compiled == [11, 14, 15]


def test_opening_the_advanced_section_readies_a_runtime_process(engine):
    instant = InstantEngine(engine)
    explorer = Explorer(SMALL, engine=instant, preset="forum", autorun=False)
    try:
        assert instant.standby is None
        explorer.advanced.selected_index = 0
        standby = instant.standby
        assert standby is not None and standby.poll() is None
        explorer.advanced.selected_index = None
        explorer.advanced.selected_index = 0
        assert instant.standby is standby  # one waits, not one per opening
    finally:
        explorer.close()
    assert standby.wait(10) is not None
