"""Faults injected into the standalone engine: each ends in a clear error or
in a result equal to a clean run of the same parameters and seed, never in a
silently different one.

One finished build (the forum network, 200 ms) is compiled per session and
copied into a test's own cache to be damaged; only the tests of the compile
itself compile.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from stpexplorer import StandaloneEngine, presets, simulate
from stpexplorer.engine import brian2_internals, build_cache, standalone
from stpexplorer.engine.build_cache import (
    COMPLETE_MARKER,
    RUN_SPEC,
    build_key,
    build_manifest,
    compile_log,
    results_dir_name,
)
from stpexplorer.engine.compile import usable_cores
from stpexplorer.errors import CompileError, CompileKilledError, NoSpaceError, TransientError
from system import read_only_view
from system import wait_for as poll

PARAMS = presets.FORUM.replace(duration=200.0)
#: a run argument of the compiled network (not a structural field)
OTHER_VALUES = {"U_0": 0.3, "w_e": 0.08}
COMPARED = ("spike_i", "spike_t_ms", "v_mV", "ge_rec_nS", "u_at_spikes", "x_at_spikes", "conn_pre", "conn_post")


def assert_same_result(result, reference) -> None:
    for name in COMPARED:
        np.testing.assert_array_equal(getattr(result, name), getattr(reference, name), err_msg=name)


@pytest.fixture(scope="session")
def finished_build(engine):
    """(build directory, clean result) of PARAMS with its values changed (run arguments)."""
    params = PARAMS.replace(**OTHER_VALUES)
    reference = simulate(params, engine=engine)
    return engine._directory(build_key(params, None, engine.stp_storage)), reference


def copy_build(build: Path, cache: Path) -> Path:
    """A copy of a finished build in ``cache`` (its manifest still matches)."""
    copy = cache / build.name
    shutil.copytree(build, copy, ignore=shutil.ignore_patterns("results*"))
    return copy


def processes_in_group(group: int, name: str | None = None) -> list[int]:
    """Living processes of process group ``group`` (called ``name`` if given)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        command, fields = text[text.index("(") + 1:text.rindex(")")], text[text.rindex(")") + 2:].split()
        if int(fields[2]) == group and fields[0] != "Z" and name in (None, command):
            found.append(int(stat.parent.name))
    return found


def children_running(code_fragment: str, parent: int | None = None) -> list[int]:
    """Process ids whose command line contains ``code_fragment`` (children of ``parent`` if given)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
            ppid = int((cmdline.parent / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if code_fragment in text and (parent is None or ppid == parent):
            found.append(int(cmdline.parent.name))
    return found


def wait_for(condition, timeout: float = 300.0, what: str = "condition"):
    value = poll(condition, timeout)
    if not value:
        raise AssertionError(f"timed out waiting for {what}")
    return value


def fake_compile_from(build: Path, calls: list):
    """A compile that gives ``build`` (what compiling the same structure
    gives, as tests/test_safety.py checks): counts the calls."""
    def compile_step(params, seed, directory, stp_storage):
        calls.append(directory)
        shutil.rmtree(directory, ignore_errors=True)
        shutil.copytree(build, directory, ignore=shutil.ignore_patterns("results*"))
    return compile_step


# -- damaged builds --------------------------------------------------------


def test_a_truncated_static_array_is_found_before_the_run_and_rebuilt(finished_build, tmp_path, monkeypatch):
    """Issue: a build with a damaged connectivity file ran and gave another
    network.  A truncated file is read by the binary without a complaint, so
    only the manifest check before the run stands between it and a wrong result."""
    build, reference = finished_build
    copy = copy_build(build, tmp_path)
    engine = StandaloneEngine(cache=tmp_path)
    calls = []
    monkeypatch.setattr(standalone, "compile_build", fake_compile_from(build, calls))
    simulate(PARAMS, engine=engine)  # loaded before the damage, as in a running kernel
    target = copy / "static_arrays" / "_static_array__array_syn_exc_sources"
    target.write_bytes(target.read_bytes()[:-400])
    result = simulate(PARAMS.replace(**OTHER_VALUES), engine=engine)
    assert calls == [copy], "the damaged build is rebuilt once"
    assert_same_result(result, reference)


def test_a_missing_static_array_the_binary_complains_about_is_an_error(finished_build, tmp_path):
    """The binary prints "Error opening static array" and exits 0: with a
    manifest that agrees (the check before the run cannot see it), its output
    must stop the run."""
    build, _ = finished_build
    copy = copy_build(build, tmp_path)
    # a static array the build itself provides (a run replaces the connectivity's, not this one)
    (copy / "static_arrays" / "_static_array__array_neurons_sigma").unlink()
    (copy / COMPLETE_MARKER).write_text(json.dumps(build_manifest(copy)))
    engine = StandaloneEngine(cache=tmp_path)
    complaint = r"could not read or write its files \(Error opening static array _static_array__array_neurons_sigma"
    with pytest.raises(RuntimeError, match=complaint):
        simulate(PARAMS, engine=engine)


def test_a_build_rebuilt_by_another_process_is_not_deleted(finished_build, tmp_path, monkeypatch):
    """The issue's case (one connectivity file deleted) seen by a process while
    another rebuilds: re-checked under the lock, the fresh build is kept."""
    build, reference = finished_build
    copy = copy_build(build, tmp_path)
    engine = StandaloneEngine(cache=tmp_path)
    calls = []
    monkeypatch.setattr(standalone, "compile_build", fake_compile_from(build, calls))
    deleted = copy / "static_arrays" / "_static_array__array_syn_inh_targets"
    kept = deleted.read_bytes()
    deleted.unlink()
    real_lock = standalone.build_lock

    def lock_after_another_rebuild(directory):
        deleted.write_bytes(kept)  # the other process's rebuild finished just before this one locks
        return real_lock(directory)

    monkeypatch.setattr(standalone, "build_lock", lock_after_another_rebuild)
    binary = (copy / "main").stat()
    result = simulate(PARAMS.replace(**OTHER_VALUES), engine=engine)
    assert calls == [], "no rebuild: the other process's build is used"
    assert (copy / "main").stat().st_ino == binary.st_ino
    assert_same_result(result, reference)


@pytest.mark.parametrize("spec", ["{}", '{"outputs": {}}', "[]", '{"outputs": {"v": 3}, "sizes": {}}'])
def test_a_run_spec_of_the_wrong_shape_is_rebuilt(finished_build, tmp_path, monkeypatch, spec):
    build, reference = finished_build
    copy = copy_build(build, tmp_path)
    (copy / RUN_SPEC).write_text(spec)
    engine = StandaloneEngine(cache=tmp_path)
    assert engine.preparation(PARAMS) == "compile"
    calls = []
    monkeypatch.setattr(standalone, "compile_build", fake_compile_from(build, calls))
    assert_same_result(simulate(PARAMS.replace(**OTHER_VALUES), engine=engine), reference)
    assert calls == [copy]


# -- full disk ---------------------------------------------------------------

#: Runs the binary, then cuts one of its output files short (a write that ran out of space).
SHORT_WRITE = """
import subprocess, sys
from pathlib import Path
from types import SimpleNamespace
done = subprocess.run(["./main", *sys.argv[2:]])
results = Path(sys.argv[sys.argv.index("--results_dir") + 1])
path = results / sys.argv[1]
path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
sys.exit(done.returncode)
"""


@pytest.mark.parametrize("output", ["spike_t", "v", "t_diverged"])
def test_an_output_file_cut_short_is_an_error_never_a_result(finished_build, tmp_path, monkeypatch, output):
    build, reference = finished_build
    copy = copy_build(build, tmp_path)
    engine = StandaloneEngine(cache=tmp_path)
    filename = json.loads((copy / RUN_SPEC).read_text())["outputs"][output][0]
    script = tmp_path / "short_write.py"
    script.write_text(SHORT_WRITE)
    engine.run_command = [sys.executable, str(script), filename]
    with pytest.raises(TransientError, match=f"output in .* is incomplete \\({filename} has"):
        simulate(PARAMS.replace(**OTHER_VALUES), engine=engine)
    # as the disk would say when full: the cause is named
    monkeypatch.setattr(shutil, "disk_usage", lambda path: SimpleNamespace(total=10**6, used=10**6, free=0))
    with pytest.raises(NoSpaceError, match=f"no space left in {copy}"):
        simulate(PARAMS.replace(**OTHER_VALUES), engine=engine)
    engine.run_command = ["./main"]
    assert_same_result(simulate(PARAMS.replace(**OTHER_VALUES), engine=engine), reference)


@pytest.fixture
def tiny_file_system(tmp_path):
    """A mount point on which a tmpfs of a given size can be mounted (root with
    mount rights only); unmounted at the end."""
    mounted = []

    def mount(size_bytes: int) -> Path:
        point = tmp_path / f"tmpfs{len(mounted)}"
        point.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_bytes}", "tmpfs", str(point)],
                              capture_output=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], check=False)


def test_a_run_on_a_full_disk_names_the_cause(finished_build, tiny_file_system, monkeypatch):
    """The build on a tmpfs that, after a first run, is shrunk until the
    output of the next run does not fit."""
    build, reference = finished_build
    monkeypatch.setenv(build_cache.MEMORY_ENVIRONMENT, "0")  # the output, too, on the full disk
    disk = tiny_file_system(64 * 2**20)
    copy_build(build, disk)
    engine = StandaloneEngine(cache=disk)
    assert_same_result(simulate(PARAMS.replace(**OTHER_VALUES), engine=engine), reference)
    with_results = shutil.disk_usage(disk).used
    shutil.rmtree(disk / build.name / results_dir_name())
    without = shutil.disk_usage(disk).used
    room = without + (with_results - without) // 2  # half of what a run writes
    subprocess.run(["mount", "-o", f"remount,size={room}", str(disk)], check=True)
    with pytest.raises(NoSpaceError, match=f"no space left in {disk}"):
        simulate(PARAMS.replace(**OTHER_VALUES), engine=engine)


def test_a_run_that_fills_the_memory_file_system_is_run_again_on_disk(finished_build, tiny_file_system,
                                                                     tmp_path, monkeypatch):
    """Run output goes to memory (/dev/shm) when it seems to have room; a run
    that fills it up is run again writing on disk, and so are the later runs
    of that run folder: the result is the run's, never an error or a half-written one."""
    build, reference = finished_build
    copy_build(build, tmp_path)
    memory = tiny_file_system(64 * 2**10)
    monkeypatch.setattr(build_cache, "MEMORY_ROOT", memory)
    monkeypatch.setattr(build_cache, "MEMORY_MARGIN_BYTES", -(2**40))  # "room", whatever is free
    engine = StandaloneEngine(cache=tmp_path)
    assert_same_result(simulate(PARAMS.replace(**OTHER_VALUES), engine=engine), reference)
    results = Path(tmp_path) / build.name / results_dir_name()
    assert (results / "last_run_info.txt").exists(), "the output was written on disk"
    assert not any((memory / f"stpexplorer-{os.getuid()}").iterdir()), "the memory folder was removed"
    assert_same_result(simulate(PARAMS.replace(**OTHER_VALUES), engine=engine), reference)
    engine.close_residents()


def test_a_compile_on_a_full_disk_names_the_cause(tiny_file_system):
    disk = tiny_file_system(300_000)
    engine = StandaloneEngine(cache=disk, isolate_build=True)
    with pytest.raises(NoSpaceError, match=f"no space left in {disk}"):
        simulate(PARAMS, engine=engine)


# -- read-only cache -----------------------------------------------------------


@pytest.fixture
def read_only_copy(finished_build, tmp_path):
    """A cache holding a copy of the finished build, made read-only by a
    read-only bind mount (root: permission bits do not stop root) or by its
    permission bits (other users)."""
    build, _ = finished_build
    source = tmp_path / "prepared"
    source.mkdir()
    copy_build(build, source)
    with read_only_view(source, tmp_path / "shared") as view:
        yield view


def test_a_read_only_cache_serves_its_builds(finished_build, read_only_copy, tmp_path, monkeypatch):
    build, reference = finished_build
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    before = sorted(str(p.relative_to(read_only_copy)) for p in read_only_copy.rglob("*"))
    engine = StandaloneEngine(cache=read_only_copy)
    assert engine.preparation(PARAMS) == "load"
    result = simulate(PARAMS.replace(**OTHER_VALUES), engine=engine)
    assert engine.compiles == 0
    assert_same_result(result, reference)
    assert sorted(str(p.relative_to(read_only_copy)) for p in read_only_copy.rglob("*")) == before
    runs = private / f"stpexplorer-{os.getuid()}" / "runs" / build.name / results_dir_name()
    assert runs.is_dir(), "the results are written in the user's own directory"


# -- compiles ------------------------------------------------------------------


def test_a_killed_compile_stops_its_compilers_and_the_next_compile_starts_clean(finished_build, tmp_path):
    """Kill the compile subprocess once ``make`` runs: the error names the
    signal and the log, no compiler of its process group survives, ``make``
    had as many jobs as there are cores; a leftover object file does not
    stop the next compile, which gives the clean run's result."""
    _, reference = finished_build
    engine = StandaloneEngine(cache=tmp_path, isolate_build=True)
    errors = []
    params = PARAMS.replace(**OTHER_VALUES)
    worker = threading.Thread(target=lambda: _record_error(errors, simulate, params, engine=engine))
    worker.start()
    (child,) = wait_for(lambda: children_running("compile_child", os.getpid()), what="the compile subprocess")
    makes = wait_for(lambda: processes_in_group(child, "make"), what="make in the compile's process group")
    make_line = Path(f"/proc/{makes[0]}/cmdline").read_bytes().split(b"\0")
    os.kill(child, signal.SIGKILL)
    worker.join(60)
    assert not worker.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], CompileKilledError), errors
    directory = tmp_path / f"build-{build_key(params, None, engine.stp_storage)}"
    assert f"killed by signal 9 (SIGKILL); full log: {compile_log(directory)}" in str(errors[0])
    wait_for(lambda: not processes_in_group(child), timeout=10, what="nothing of the killed compile to run on")
    assert f"-j{usable_cores()}".encode() in make_line, make_line
    # a stale, broken object file as a killed compiler leaves it
    (directory / "objects.o").write_bytes(b"truncated")
    (directory / "main.o").write_bytes(b"truncated")
    assert_same_result(simulate(params, engine=engine), reference)
    assert engine.compiles == 1


def _record_error(errors: list, function, *args, **kwargs) -> None:
    try:
        function(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001  examined by the test
        errors.append(exc)


def test_the_compilers_stop_when_the_process_that_started_them_dies(tmp_path):
    code = ("import sys; from stpexplorer import simulate, presets, StandaloneEngine\n"
            "simulate(presets.FORUM.replace(duration=200.0, N_e=41), "
            "engine=StandaloneEngine(cache=sys.argv[1], isolate_build=True))\n")
    parent = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        (child,) = wait_for(lambda: children_running("compile_child", parent.pid), what="the compile subprocess")
        wait_for(lambda: processes_in_group(child, "make"), what="make in the compile's process group")
        parent.kill()
        parent.wait()
        wait_for(lambda: not processes_in_group(child), timeout=10,
                 what="the compile's process group to end with its parent")
    finally:
        parent.kill()
        parent.wait()


def test_a_compile_without_a_compiler_names_the_cause_and_the_log(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setenv("CXX", "g++")
    engine = StandaloneEngine(cache=tmp_path, isolate_build=True)
    with pytest.raises(CompileError, match=r"no C\+\+ compiler \('g\+\+' not found on PATH\); full log: ") as info:
        simulate(PARAMS.replace(N_e=39), engine=engine)
    log = Path(str(info.value).rsplit("full log: ", 1)[1])
    assert log.is_file() and "not found" in log.read_text()


# -- Brian2's internals ------------------------------------------------------------


def test_the_brian2_internals_the_engine_uses_are_there():
    assert brian2_internals.missing_internals() == []


def test_the_compiled_binary_reads_run_arguments_in_the_dtype_the_run_spec_records(finished_build):
    build, _ = finished_build
    dtypes = json.loads((build / RUN_SPEC).read_text())["run_dtypes"]
    assert dtypes and set(dtypes.values()) == {"<f8"}, dtypes  # Brian2's default float type
    import brian2

    assert np.dtype(brian2.prefs.core.default_float_dtype) == np.float64
