"""The changes to Brian2's generated project (:mod:`stpexplorer.engine.speedups`)
and the run output in memory make runs faster and change no result: a build
with them gives the spikes and traces of Brian2's unchanged project."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from stpexplorer import StandaloneEngine, presets
from stpexplorer.engine import build_cache as cache_mod
from stpexplorer.engine import cache_admin, speedups

BASE = presets.FORUM.replace(duration=300.0)


def _compiler() -> str:
    return os.environ.get("CXX", "g++")


def test_the_build_reads_the_cpu_clock_once_per_run_and_still_times_the_run(engine):
    spec, directory, _ = engine._prepare(BASE, 0, None)
    assert "spare" in (directory / "brianlib" / "dynamic_array.h").read_text(), "monitor rows are reused"
    network = (directory / "network.cpp").read_text()
    assert speedups._STEP_CLOCK not in network, "the per-step std::clock() read is still in the loop"
    assert network.count(speedups._CLOCK_ONCE) == 1
    engine.run(BASE, 0)
    outputs = engine._outputs[cache_mod.results_dir(directory)]
    elapsed, fraction = (float(v) for v in (outputs / "last_run_info.txt").read_text().split())
    assert elapsed > 0 and fraction == 1.0


def test_read_clock_once_leaves_a_file_of_another_shape_alone(tmp_path):
    other = "void Network::run() { while (running) { step(); } }\n"
    (tmp_path / "network.cpp").write_text(other)
    assert not speedups.read_clock_once(tmp_path)
    assert (tmp_path / "network.cpp").read_text() == other
    assert not speedups.read_clock_once(tmp_path / "missing")
    # a maximum run time reads the clock at every step: left alone
    limited = speedups._STEP_CLOCK + "        if(elapsed_realtime>10.0) { did_break_early = true; break; }\n"
    (tmp_path / "network.cpp").write_text(limited + speedups._AFTER_LOOP)
    assert not speedups.read_clock_once(tmp_path)


def test_the_build_compiles_with_the_vectoriser_flags_when_the_compiler_is_gcc(engine):
    _, directory, _ = engine._prepare(BASE, 0, None)
    flags = speedups.extra_compile_args(_compiler())
    version = subprocess.run([_compiler(), "--version"], capture_output=True, text=True).stdout
    assert ("Free Software Foundation" in version) == (flags == speedups.VECTORISE_FLAGS), version
    optimisations = next(line for line in (directory / "makefile").read_text().splitlines()
                         if line.startswith("OPTIMISATIONS"))
    assert all(flag in optimisations for flag in flags)


#: Grows, shrinks and grows a 2-D dynamic array as a monitor and the resident
#: binary's reset do, printing every element after each step.
_ROWS_PROGRAM = r"""
#include <cstdio>
#include "brianlib/dynamic_array.h"
static void show(DynamicArray2D<double> &a) {
    for (int i = 0; i < a.n; i++) for (int j = 0; j < a.m; j++) std::printf("%g ", a(i, j));
    std::printf("| %d %d\n", a.n, a.m);
}
int main() {
    DynamicArray2D<double> a;
    for (int run = 0; run < 3; run++) {
        for (int n = 1; n <= 4 + run; n++) {
            a.resize(n, 3);
            show(a);
            for (int j = 0; j < 3; j++) a(n - 1, j) = 10 * run + n + 0.1 * j;
        }
        show(a);
        a.resize(0, 0);
        show(a);
    }
    a.resize(2, 5); show(a); a.resize(1, 2); show(a); a.resize(3, 2); show(a);
    return 0;
}
"""


def _rows_program_output(folder) -> str:
    (folder / "rows.cpp").write_text(_ROWS_PROGRAM)
    subprocess.run([_compiler(), "-O2", "-I", str(folder), str(folder / "rows.cpp"), "-o", str(folder / "rows")],
                   check=True, capture_output=True)
    return subprocess.run([str(folder / "rows")], check=True, capture_output=True, text=True).stdout


def test_reused_monitor_rows_behave_as_new_rows(tmp_path):
    import brian2

    original = Path(brian2.__file__).parent / "devices" / "cpp_standalone" / "brianlib" / "dynamic_array.h"
    plain, reused = tmp_path / "plain", tmp_path / "reused"
    for folder in (plain, reused):
        (folder / "brianlib").mkdir(parents=True)
        shutil.copy(original, folder / "brianlib" / "dynamic_array.h")
    assert speedups.reuse_monitor_rows(reused)
    assert "spare" in (reused / "brianlib" / "dynamic_array.h").read_text()
    expected = _rows_program_output(plain)
    assert "0 0 0 | 1 3" in expected.splitlines()[0]
    assert _rows_program_output(reused) == expected
    (reused / "brianlib" / "dynamic_array.h").write_text("// another shape\n")
    assert not speedups.reuse_monitor_rows(reused)


def test_no_vectoriser_flags_for_a_compiler_that_is_not_gcc(tmp_path):
    fake = tmp_path / "clang++"
    fake.write_text("#!/bin/sh\necho 'clang version 16.0.6'\n")
    fake.chmod(0o755)
    assert speedups.extra_compile_args(str(fake)) == ()
    assert speedups.extra_compile_args(str(tmp_path / "no-such-compiler")) == ()


def test_a_build_with_the_speedups_gives_what_brian2s_own_project_gives(engine, tmp_path, monkeypatch):
    """Spikes identical; traces to rounding (a vectorised update may round the
    last bit differently).  Outputs on disk for the plain build, in memory for
    the other."""
    fast = engine.run(BASE, 3)
    monkeypatch.setattr(speedups, "extra_compile_args", lambda compiler: ())
    monkeypatch.setattr(speedups, "read_clock_once", lambda directory: False)
    monkeypatch.setattr(speedups, "reuse_monitor_rows", lambda directory: False)
    monkeypatch.setenv(cache_mod.MEMORY_ENVIRONMENT, "0")
    plain_engine = StandaloneEngine(cache=tmp_path)
    plain = plain_engine.run(BASE, 3)
    _, directory, _ = plain_engine._prepare(BASE, 3, None)
    assert speedups._STEP_CLOCK in (directory / "network.cpp").read_text(), "the plain build is Brian2's own"
    assert "spare" not in (directory / "brianlib" / "dynamic_array.h").read_text()
    plain_engine.close_residents()
    assert len(plain.spike_t_ms) > 100
    for name in ("spike_i", "spike_t_ms", "syn_spike_t_ms", "conn_pre", "conn_post"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(plain, name), err_msg=name)
    for name in ("v_rec_mV", "ge_rec_nS", "gi_rec_nS", "u_at_spikes", "x_at_spikes", "r_at_spikes"):
        np.testing.assert_allclose(getattr(fast, name), getattr(plain, name), rtol=1e-9, atol=1e-15,
                                   err_msg=name)


# -- run output in memory ------------------------------------------------------


def test_run_output_goes_to_a_private_folder_in_memory_and_leaves_with_the_process(engine):
    spec, directory, _ = engine._prepare(BASE, 0, None)
    engine.run(BASE, 0)
    results = cache_mod.results_dir(directory)
    outputs = engine._outputs[results]
    if outputs == results:
        pytest.skip(f"{cache_mod.MEMORY_ROOT} has no room for run output here")
    assert outputs.parent == cache_mod.MEMORY_ROOT / f"stpexplorer-{os.getuid()}"
    assert 0 < engine._output_bytes[directory] == cache_admin.directory_bytes(outputs)
    assert outputs.parent.stat().st_mode & 0o077 == 0, "readable by this user only"
    written = {path.name for path in outputs.iterdir()}
    assert {filename for filename, _, _ in spec["outputs"].values()} <= written
    assert not any(name.startswith("_dynamic_array") for name in os.listdir(results)), \
        "output written beside the build"
    # folders of ended processes go at the next load of any build; this process's at its exit
    own, other = cache_mod._memory_prefix(results.parent), f"build-x-00000000-{cache_mod.RESULTS_PREFIX}"
    stale = [outputs.parent / f"{prefix}999999999-1" for prefix in (own, other)]
    other_build = outputs.parent / f"{other}{os.getpid()}-1"
    for folder in (*stale, other_build):
        folder.mkdir()
    cache_mod.remove_results(directory)
    assert not any(folder.exists() for folder in stale) and outputs.exists() and other_build.exists()
    cache_mod.remove_results(directory, only_this_process=True)
    assert not outputs.exists() and other_build.exists(), "only this build's folders of this process"
    # a build removed from the cache takes its folders along, and only its own
    kept = outputs.parent / f"{own}999999999-2"
    kept.mkdir()
    cache_mod.remove_memory_folders(directory)
    assert not kept.exists() and other_build.exists()
    other_build.rmdir()


def test_two_caches_with_a_build_of_one_key_write_into_different_memory_folders():
    name = cache_mod.results_dir_name()
    first, second = Path("/a/build-k") / name, Path("/b/build-k") / name
    assert cache_mod._memory_name(first) != cache_mod._memory_name(second)
    assert cache_mod.run_folder_pid(Path(cache_mod._memory_name(first))) == os.getpid()


def test_without_room_in_memory_the_output_goes_beside_the_build(engine, monkeypatch):
    spec, directory, _ = engine._prepare(BASE, 0, None)
    results = cache_mod.results_dir(directory)
    monkeypatch.setattr(cache_mod, "MEMORY_MARGIN_BYTES", shutil.disk_usage(cache_mod.MEMORY_ROOT).free + 1)
    assert cache_mod.output_dir(results, 0) == results
    reference = engine.run(BASE.replace(U_0=0.3), 0)
    assert (results / "last_run_info.txt").exists()
    monkeypatch.undo()
    again = engine.run(BASE.replace(U_0=0.3), 0)
    np.testing.assert_array_equal(again.spike_t_ms, reference.spike_t_ms)
    np.testing.assert_array_equal(again.v_rec_mV, reference.v_rec_mV)
