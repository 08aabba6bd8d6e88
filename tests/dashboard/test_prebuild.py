"""The presets' structures are compiled before anyone asks: ``stpexplorer
dashboard`` starts :mod:`stpexplorer.engine.prebuild` in the background at
low priority, and stops it (compilers included) when it stops."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from stpexplorer import StandaloneEngine, presets
from stpexplorer.dashboard.serve import descendants
from stpexplorer.engine import prebuild
from system import wait_for


def test_prebuild_compiles_a_preset_once(tmp_path):
    engine = StandaloneEngine(cache=tmp_path, isolate_build=True)
    assert engine.preparation(presets.FORUM, prebuild.PAGE_SEED) == "compile"
    said = []
    assert prebuild.prebuild(["forum"], engine=engine, say=said.append) == ["forum"]
    assert said == ["stpexplorer: preset 'forum' compiled"]
    # a page's engine (another process: a new engine on the same cache) finds the build
    assert StandaloneEngine(cache=tmp_path).preparation(presets.FORUM, prebuild.PAGE_SEED) == "load"
    assert prebuild.prebuild(["forum"], engine=engine, say=said.append) == []


def test_an_unknown_preset_is_refused_before_any_compile(tmp_path):
    done = subprocess.run(prebuild.command(["no-such-preset"]), capture_output=True, text=True, timeout=60,
                          env={**os.environ, "STPEXPLORER_CACHE": str(tmp_path)})
    assert done.returncode != 0 and "unknown preset 'no-such-preset'" in done.stderr
    assert not any(tmp_path.iterdir())


def _nice(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _dashboard(tmp_path, *options):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "STPEXPLORER_CACHE": str(tmp_path / "cache")}
    return subprocess.Popen([sys.executable, "-m", "stpexplorer.cli", "dashboard", "--no-browser",
                             f"--port={port}", "--pool-size=0", *options],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_dashboard_compiles_presets_in_the_background_and_stops_them(tmp_path):
    server = _dashboard(tmp_path)
    try:
        def prebuilder():
            return [pid for pid in descendants(server.pid) if "stpexplorer.engine.prebuild" in _cmdline(pid)]

        found = wait_for(prebuilder, 30)
        assert found, "no background compile of the presets was started"
        assert wait_for(lambda: _nice(found[0]) == prebuild.PREBUILD_NICENESS, 30), _nice(found[0])
        # its compile subprocess (and make, and the compilers) run below it
        assert wait_for(lambda: [p for p in descendants(found[0]) if "compile_child" in _cmdline(p)], 60)
        tree = set(descendants(server.pid))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    survivors = wait_for(lambda: not [p for p in tree if _cmdline(p)], 10)
    assert survivors, f"still running after the stop: {[_cmdline(p) for p in tree if _cmdline(p)]}"


def test_no_prebuild_starts_no_background_compile(tmp_path):
    server = _dashboard(tmp_path, "--no-prebuild")
    try:
        assert wait_for(lambda: any("voila" in _cmdline(p) for p in descendants(server.pid)), 30)
        time.sleep(1.0)
        assert not [p for p in descendants(server.pid) if "stpexplorer.engine.prebuild" in _cmdline(p)]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
