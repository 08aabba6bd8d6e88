"""A Voila server for the browser tests and ``scripts/classroom.py``: the
production command line on a free port, its kernels, their CPU and memory.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from pages import SERVER_START_TIMEOUT_S


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    """Any HTTP answer counts.  HEAD, because a GET of the notebook page would
    take the preheated kernel and start a dashboard nobody looks at."""
    try:
        urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=2)
        return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def _children(pid: int) -> list[int]:
    """Direct children of ``pid`` (the kernels Voila started in their own sessions)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _cpu_seconds(pid: int) -> float:
    """CPU time of a process and its reaped children (the simulation binaries)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def wait_kernels_idle(server_pid: int, timeout: float = 90.0, window: float = 1.0,
                      busy_cpu_s: float = 0.1) -> float:
    """Wait until Voila's kernels used less than ``busy_cpu_s`` CPU over ``window``.

    Voila logs "Kernel pool ... is filled" as soon as a kernel *starts*; the
    preheat (importing Brian2, running the notebook, the first simulation)
    continues afterwards.  Returns the seconds waited."""
    start = time.monotonic()
    while not _children(server_pid) and time.monotonic() - start < min(timeout, 30.0):
        time.sleep(0.2)
    while time.monotonic() - start < timeout:
        kernels = _children(server_pid)
        before = sum(_cpu_seconds(pid) for pid in kernels)
        time.sleep(window)
        if sum(_cpu_seconds(pid) for pid in kernels) - before < busy_cpu_s:
            break
    return time.monotonic() - start


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def start_voila(cache: str, log_path: Path, pool_size: int = 1, wait_idle: bool = True,
                **options) -> dict:
    """Start the production Voila command on a free port and wait until it
    answers (and, with ``wait_idle``, its preheated kernels are idle); returns
    the server dict (``url``, ``log``, ``pid``, ``proc``, ``pool_size``).
    ``options`` go to :func:`stpexplorer.dashboard.serve.voila_command` (e.g.
    ``kernel_timeout``).  Stop it with :func:`stop_voila`."""
    from stpexplorer.dashboard.serve import voila_command, voila_environment

    port = free_port()
    env = voila_environment()
    env["STPEXPLORER_CACHE"] = cache
    log = open(log_path, "w")
    start = time.monotonic()
    proc = subprocess.Popen(voila_command(port, open_browser=False, pool_size=pool_size, **options),
                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    server = {"url": f"http://127.0.0.1:{port}/", "port": port, "log": log_path, "pid": proc.pid,
              "proc": proc, "log_file": log, "pool_size": pool_size}
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not _answers(server["url"]):
            if proc.poll() is not None:
                raise RuntimeError(f"voila exited with {proc.returncode}:\n{log_path.read_text()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"voila did not answer within {SERVER_START_TIMEOUT_S} s:\n"
                                   f"{log_path.read_text()}")
            time.sleep(0.2)
        if not wait_idle:
            return server
        # Let the preheated kernel(s) finish the notebook and its first run, so
        # the measured page load is that of a server that has been up a while.
        waited = wait_kernels_idle(proc.pid)
        print(f"[browser] voila up (pool_size={pool_size}); preheated kernel(s) idle after "
              f"{waited:.1f} s more ({time.monotonic() - start:.1f} s from start)")
    except BaseException:
        stop_voila(server)
        raise
    return server


def stop_voila(server: dict) -> None:
    proc = server["proc"]
    kernels = _children(proc.pid)
    _signal_group(proc.pid, signal.SIGTERM)  # Voila shuts its kernels down on SIGTERM
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        _signal_group(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    for pid in kernels:  # kernels run in their own sessions: clean up stragglers
        _signal_group(pid, signal.SIGKILL)
    server["log_file"].close()


def kernel_pids(server: dict) -> list[int]:
    """The kernel processes of a Voila server (its direct children)."""
    return sorted(_children(server["pid"]))


def rss_mb(pid: int) -> float | None:
    """Resident set size (VmRSS) of a process in MB, None if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


