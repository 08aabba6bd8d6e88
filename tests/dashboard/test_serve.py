"""``stpexplorer dashboard``: the Voila command line and a clean stop.

SIGTERM or SIGINT to the dashboard process stops Voila and every kernel and
frees the port within 10 s (a teacher's Ctrl-C, a service manager's stop).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from stpexplorer.dashboard import serve
from stpexplorer.engine.build_cache import process_alive

STOP_WITHIN_S = 10
START_TIMEOUT_S = 90
#: A --kernel-timeout other than the default (120 s), so that a value lost on the way shows
KERNEL_TIMEOUT_S = 37


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _port_free(port: int) -> bool:
    """A new server could listen on ``port`` (as servers do, with SO_REUSEADDR:
    connections of the old one may linger in TIME_WAIT)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=2)
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


def _kernels(pids) -> list[int]:
    found = []
    for pid in pids:
        try:
            if b"ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(pid)
        except OSError:
            pass
    return found


def _gone(pid: int) -> bool:
    return not process_alive(pid)


def test_voila_command_frees_kernels_of_gone_pages_and_serves_the_offline_template():
    command = serve.voila_command(8866, open_browser=False, pool_size=2, kernel_timeout=60)
    assert "--MappingKernelManager.cull_idle_timeout=60" in command
    assert "--MappingKernelManager.cull_connected=False" in command  # an open page keeps its kernel
    assert f"--MappingKernelManager.cull_interval={serve.cull_interval(60)}" in command
    assert "--template=stpexplorer" in command and "--pool_size=2" in command
    assert f"--VoilaExecutor.iopub_timeout={serve.IOPUB_TIMEOUT_S}" in command  # a busy class keeps its output
    template = serve.jupyter_data_dir() / "voila" / "templates" / "stpexplorer" / "index.html.j2"
    assert template.is_file()
    assert serve.voila_environment()["JUPYTER_PATH"].split(os.pathsep)[0] == str(serve.jupyter_data_dir())
    for bad in (dict(kernel_timeout=0), dict(kernel_timeout=10**6), dict(pool_size=-1), dict(port=0),
                dict(ip="somewhere")):
        with pytest.raises(ValueError, match=next(iter(bad))):
            serve.voila_command(**{"port": 8866, "open_browser": False, **bad})


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_voila_and_every_kernel_and_frees_the_port(sig, build_cache, tmp_path):
    """Also: the running server culls kernels of gone pages after the
    ``--kernel-timeout`` given on the command line (its kernel manager says so
    in its log when the first kernel starts)."""
    port = _free_port()
    env = dict(os.environ, STPEXPLORER_CACHE=build_cache)
    log_path = tmp_path / "dashboard.log"
    log = open(log_path, "w")
    process = subprocess.Popen([sys.executable, "-m", "stpexplorer.cli", "dashboard", "--no-browser",
                                f"--port={port}", "--pool-size=1", f"--kernel-timeout={KERNEL_TIMEOUT_S}",
                                "--no-prebuild"],  # the background compiles have their own test
                               env=env,
                               stdout=log, stderr=subprocess.STDOUT)  # a file: a full pipe would block Voila
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not (_answers(f"http://127.0.0.1:{port}/") and _kernels(serve.descendants(process.pid))
                   and "Culling kernels" in log_path.read_text()):
            assert process.poll() is None, log_path.read_text()[-2000:]
            assert time.monotonic() < deadline, "the dashboard did not start with a kernel"
            time.sleep(0.3)
        culling = [line for line in log_path.read_text().splitlines() if "Culling kernels" in line]
        interval = serve.cull_interval(KERNEL_TIMEOUT_S)
        assert culling == [f"[Voila] Culling kernels with idle durations > {KERNEL_TIMEOUT_S} seconds at "
                           f"{interval} second intervals ..."], culling  # and not those with an open page
        tree = serve.descendants(process.pid)
        kernels = _kernels(tree)
        assert kernels and len(tree) >= 2  # Voila and its preheated kernel
        start = time.monotonic()
        process.send_signal(sig)
        process.wait(timeout=STOP_WITHIN_S)
        while time.monotonic() - start < STOP_WITHIN_S and not (
                all(_gone(pid) for pid in tree) and _port_free(port)):
            time.sleep(0.1)
        stopped_after = time.monotonic() - start
        left = [pid for pid in tree if not _gone(pid)]
        assert not left, f"still running {stopped_after:.1f} s after {sig.name}: {left}"
        assert _port_free(port), f"port {port} still taken {stopped_after:.1f} s after {sig.name}"
        assert process.returncode == 0
        print(f"\n[serve] {sig.name}: Voila, {len(kernels)} kernel(s) and the port freed in "
              f"{stopped_after:.1f} s")
    finally:
        if process.poll() is None:
            serve.stop_server(process)
        for pid in serve.descendants(process.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def test_one_thin_notebook_in_the_package():
    """The served notebook is the package's only copy and only imports and shows the dashboard."""
    import json

    notebook = serve.notebook_path()
    assert notebook.parent == Path(serve.__file__).parent
    root = Path(__file__).resolve().parents[2]
    # the project's files: what git tracks or would add (not the documentation's build output)
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.ipynb"],
                            cwd=root, capture_output=True, text=True)
    found = listed.stdout.split() if listed.returncode == 0 else [
        p.relative_to(root).as_posix() for p in root.glob("**/*.ipynb")
        if ".venv" not in p.parts and ".ipynb_checkpoints" not in p.parts]
    assert sorted(found) == ["stpexplorer/dashboard/explorer.ipynb"]
    code = ["".join(cell["source"]) for cell in json.loads(notebook.read_text())["cells"]
            if cell["cell_type"] == "code"]
    assert code[0].startswith("from stpexplorer.dashboard import Dashboard, page_query")
    assert sum(len(c.splitlines()) for c in code) <= 6
