"""The bounded build cache: least recently used builds go first, a build in use
(a living process's run folder, its lock held) or in a read-only place never,
the limit comes from STPEXPLORER_CACHE_MB, and ``stpexplorer cache`` lists and
clears it.  The builds here are directories of files of chosen sizes, laid out
as the engine lays out a real build."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stpexplorer.engine import cache_admin
from stpexplorer.engine.build_cache import COMPLETE_MARKER, RUN_SPEC
from stpexplorer.params import Params
from system import read_only_view

MB = cache_admin.MB
HOUR = 3600.0


def make_build(root: Path, key: str, size_bytes: int, used_hours_ago: float | None = None,
               complete: bool = True, run_pid: int | None = None) -> Path:
    """A build directory with a binary of ``size_bytes`` bytes, its completion
    marker, a compile log beside it and, optionally, a use mark and a run
    folder of process ``run_pid``."""
    build = root / f"build-{key}"
    build.mkdir(parents=True)
    (build / "main").write_bytes(b"\0" * size_bytes)
    if complete:
        (build / COMPLETE_MARKER).write_text("{}")
    (root / f"build-{key}.compile.log").write_text("")
    if used_hours_ago is not None:
        used = root / f"build-{key}.used"
        used.touch()
        stamp = time.time() - used_hours_ago * HOUR
        os.utime(used, (stamp, stamp))
    if run_pid is not None:
        (build / f"results-{run_pid}-1").mkdir()
    return build


def names(paths) -> list[str]:
    return [Path(path).name for path in paths]


def files_under(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*"))


@pytest.fixture
def dead_pid() -> int:
    """The id of a process that has ended (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.fixture
def lock_holder():
    """Start a process that holds a build's lock (``fcntl.flock``) until stopped."""
    children = []

    def hold(build: Path) -> subprocess.Popen:
        code = ("import fcntl, sys, time\n"
                f"handle = open({str(build) + '.lock'!r}, 'w')\n"
                "fcntl.flock(handle, fcntl.LOCK_EX)\n"
                "print('locked', flush=True)\n"
                "time.sleep(120)\n")
        child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        children.append(child)
        assert child.stdout.readline().strip() == "locked"
        return child

    yield hold
    for child in children:
        child.kill()
        child.wait()


# -- the listing ---------------------------------------------------------------


def test_a_listing_gives_size_structure_last_use_and_state(tmp_path):
    params = Params()
    described = make_build(tmp_path, "a" * 20, 3 * MB, used_hours_ago=2)
    cache_admin.write_structure(described, params, {"e": 80_000, "i": 20_000})
    (described / "static_arrays").mkdir()
    (described / "static_arrays" / "w").write_bytes(b"\0" * 1000)
    os.link(described / "main", described / "static_arrays" / "same_file")  # a hard link counts once
    (described / "static_arrays" / "link").symlink_to(described / "main")  # a symbolic link not at all
    from_spec = make_build(tmp_path, "b" * 20, 1000, used_hours_ago=1, complete=False)
    (from_spec / RUN_SPEC).write_text(json.dumps({"capacity": {"e": 7, "i": 3}}))
    unknown = make_build(tmp_path, "c" * 20, 10, used_hours_ago=3)

    builds = cache_admin.list_builds(tmp_path)

    assert names(info.path for info in builds) == [from_spec.name, described.name, unknown.name]
    by_name = {info.path.name: info for info in builds}
    structure_bytes = len((described / cache_admin.STRUCTURE_FILE).read_bytes())
    assert by_name[described.name].size_bytes == 3 * MB + len("{}") + 1000 + structure_bytes
    assert by_name[described.name].structure == {"fields": dict(params.structure_key()),
                                                 "capacity": {"e": 80_000, "i": 20_000}}
    assert by_name[described.name].summary() == ("STP on, conductance, 800+200 neurons, p 0.1/0.1, "
                                                 "1000 ms at dt 0.1 ms, capacity 80000/20000 synapses")
    assert by_name[from_spec.name].summary() == "capacity 7/3 synapses"
    assert by_name[unknown.name].summary() == "unknown"
    assert by_name[described.name].key == "a" * 20
    assert abs(by_name[described.name].last_use - (time.time() - 2 * HOUR)) < 60
    assert [info.complete for info in builds] == [False, True, True]
    assert all(info.in_use is None and info.removable for info in builds)


def test_mark_used_makes_a_build_the_most_recently_used(tmp_path):
    old = make_build(tmp_path, "old", MB, used_hours_ago=5)
    make_build(tmp_path, "new", MB, used_hours_ago=1)
    cache_admin.mark_used(old)
    assert names(info.path for info in cache_admin.list_builds(tmp_path)) == ["build-old", "build-new"]
    assert names(cache_admin.enforce_limit(tmp_path, limit_mb=1.5)) == ["build-new"]


# -- eviction ------------------------------------------------------------------


def test_the_least_recently_used_builds_go_first_until_the_rest_fits(tmp_path):
    for hours, key in [(3, "c"), (1, "a"), (4, "d"), (2, "b")]:
        make_build(tmp_path, key, MB, used_hours_ago=hours)
    removed = cache_admin.enforce_limit(tmp_path, limit_mb=2.5)
    assert names(removed) == ["build-d", "build-c"]
    assert sorted(p.name for p in tmp_path.glob("build-*") if p.is_dir()) == ["build-a", "build-b"]
    assert not (tmp_path / "build-d.compile.log").exists() and not (tmp_path / "build-d.used").exists()
    assert cache_admin.enforce_limit(tmp_path, limit_mb=2.5) == []


def test_the_leftover_of_an_interrupted_compile_goes_before_a_complete_build(tmp_path):
    make_build(tmp_path, "complete", MB, used_hours_ago=5)
    make_build(tmp_path, "interrupted", MB, used_hours_ago=1, complete=False)
    assert names(cache_admin.enforce_limit(tmp_path, limit_mb=1.5)) == ["build-interrupted"]


def test_a_build_run_by_a_living_process_is_never_removed(tmp_path, dead_pid):
    make_build(tmp_path, "running", MB, used_hours_ago=9, run_pid=os.getpid())
    make_build(tmp_path, "ended", MB, used_hours_ago=8, run_pid=dead_pid)
    make_build(tmp_path, "recent", MB, used_hours_ago=1)
    assert cache_admin.remove_build(tmp_path / "build-running") == f"run by process {os.getpid()}"
    assert names(cache_admin.enforce_limit(tmp_path, limit_mb=0.5)) == ["build-ended", "build-recent"]
    (info,) = cache_admin.list_builds(tmp_path)
    assert info.in_use == f"run by process {os.getpid()}"


def test_a_build_whose_lock_another_process_holds_is_never_removed(tmp_path, lock_holder):
    compiling = make_build(tmp_path, "compiling", MB, used_hours_ago=9, complete=False)
    make_build(tmp_path, "idle", MB, used_hours_ago=1)
    holder = lock_holder(compiling)
    assert [info.in_use for info in cache_admin.list_builds(tmp_path)] == [None, cache_admin.LOCKED]
    assert cache_admin.remove_build(compiling) == cache_admin.LOCKED  # checked again at the removal
    assert names(cache_admin.enforce_limit(tmp_path, limit_mb=0.5)) == ["build-idle"]
    removed, kept = cache_admin.clear(tmp_path)
    assert removed == [] and [(info.path, reason) for info, reason in kept] == [(compiling, cache_admin.LOCKED)]
    holder.kill()
    holder.wait()
    assert names(cache_admin.enforce_limit(tmp_path, limit_mb=0.5)) == ["build-compiling"]


def test_a_build_named_in_keep_stays(tmp_path):
    just_built = make_build(tmp_path, "just_built", 2 * MB, used_hours_ago=3)
    make_build(tmp_path, "other", MB, used_hours_ago=1)
    assert names(cache_admin.enforce_limit(tmp_path, limit_mb=0.5, keep=[just_built])) == ["build-other"]
    assert just_built.is_dir()


def test_a_build_used_after_it_was_chosen_stays(tmp_path):
    build = make_build(tmp_path, "chosen", MB, used_hours_ago=3)
    (info,) = cache_admin.list_builds(tmp_path)
    cache_admin.mark_used(build)  # another process loads it between the listing and the removal
    assert cache_admin.remove_build(build, used_before=info.last_use) == "used again meanwhile"
    assert build.is_dir()


# -- the limit -----------------------------------------------------------------


def test_the_limit_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv(cache_admin.CACHE_MB_ENV, raising=False)
    assert cache_admin.cache_limit_mb() == cache_admin.DEFAULT_CACHE_MB
    for hours, key in [(1, "a"), (2, "b"), (3, "c")]:
        make_build(tmp_path, key, MB, used_hours_ago=hours)
    assert cache_admin.enforce_limit(tmp_path) == []
    monkeypatch.setenv(cache_admin.CACHE_MB_ENV, "2.5")
    assert cache_admin.cache_limit_mb() == 2.5
    assert names(cache_admin.enforce_limit(tmp_path)) == ["build-c"]


@pytest.mark.parametrize("value", ["abc", "0", "-5", "nan", "inf", "1e999", "2 GB"])
def test_an_invalid_limit_is_refused_with_its_name(tmp_path, monkeypatch, value):
    make_build(tmp_path, "a", MB, used_hours_ago=1)
    monkeypatch.setenv(cache_admin.CACHE_MB_ENV, value)
    with pytest.raises(ValueError, match=f"STPEXPLORER_CACHE_MB={value!r} is invalid; .*positive number"):
        cache_admin.enforce_limit(tmp_path)
    assert (tmp_path / "build-a").is_dir()
    with pytest.raises(ValueError, match="limit_mb=-1 is invalid"):
        cache_admin.enforce_limit(tmp_path, limit_mb=-1)


# -- the command ---------------------------------------------------------------


def run_cli(cache: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    code = ("import sys\n"
            "from stpexplorer.cli import main\n"
            f"status = main({list(args)!r})\n"
            "heavy = [m for m in ('ipywidgets', 'ipympl', 'brian2', 'matplotlib', 'scipy') if m in sys.modules]\n"
            "print('heavy modules:', heavy)\n"
            "sys.exit(status)\n")
    environment = {**os.environ, "STPEXPLORER_CACHE": str(cache), **env}
    environment.pop(cache_admin.CACHE_MB_ENV, None)
    environment.update(env)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment,
                          timeout=60)


def test_the_cache_command_lists_and_clears_keeping_builds_in_use(tmp_path, dead_pid):
    make_build(tmp_path, "running", 3 * MB, used_hours_ago=9, run_pid=os.getpid())
    make_build(tmp_path, "ended", 2 * MB, used_hours_ago=1, run_pid=dead_pid)
    cache_admin.write_structure(tmp_path / "build-ended", Params(N_e=40, N_i=10))
    make_build(tmp_path, "interrupted", MB, complete=False)
    (tmp_path / "sweep-rows").mkdir()  # not a build: never touched

    listing = run_cli(tmp_path, "cache", STPEXPLORER_CACHE_MB="5")
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert lines[0].split() == ["size", "MB", "last", "use", "state", "structure"]
    row = next(line for line in lines if "40+10 neurons" in line)
    assert row.split()[0] == "2.0" and "complete" in row
    assert any(line.split()[0] == "3.0" and "in use" in line for line in lines[1:4])
    assert f"3 builds in {tmp_path}: 6.0 MB of 5 MB (STPEXPLORER_CACHE_MB)" in listing.stdout
    assert f"in use: build-running: run by process {os.getpid()}" in listing.stdout
    assert "heavy modules: []" in listing.stdout

    cleared = run_cli(tmp_path, "cache", "--clear")
    assert cleared.returncode == 0, cleared.stderr
    assert f"removed 2 builds (3.0 MB) from {tmp_path}" in cleared.stdout
    assert f"kept build-running (3.0 MB): run by process {os.getpid()}" in cleared.stdout
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == [
        "build-running", "build-running.compile.log", "build-running.used", "sweep-rows"]

    refused = run_cli(tmp_path, "cache", STPEXPLORER_CACHE_MB="-1")
    assert refused.returncode == 2
    assert "STPEXPLORER_CACHE_MB='-1' is invalid" in refused.stderr


def test_the_cache_command_on_an_empty_cache(tmp_path):
    listing = run_cli(tmp_path / "none", "cache")
    assert listing.returncode == 0, listing.stderr
    assert f"no builds in {tmp_path / 'none'}" in listing.stdout


# -- a read-only cache ---------------------------------------------------------


@pytest.fixture
def read_only_cache(tmp_path):
    """A cache of two builds, made read-only by a read-only bind mount (root:
    permission bits do not stop root) or by its permission bits (other users)."""
    source = tmp_path / "prepared"
    make_build(source, "old", MB, used_hours_ago=5)
    make_build(source, "new", MB, used_hours_ago=1)
    with read_only_view(source, tmp_path / "shared") as view:
        yield view


def test_a_read_only_cache_is_left_alone(read_only_cache):
    before = files_under(read_only_cache)
    builds = cache_admin.list_builds(read_only_cache)
    assert names(info.path for info in builds) == ["build-new", "build-old"]
    assert not any(info.removable for info in builds)
    cache_admin.mark_used(read_only_cache / "build-old")
    assert cache_admin.enforce_limit(read_only_cache, limit_mb=0.1) == []
    removed, kept = cache_admin.clear(read_only_cache)
    assert removed == [] and [reason for _, reason in kept] == ["read-only place"] * 2
    assert files_under(read_only_cache) == before
