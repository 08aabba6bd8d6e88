"""A JupyterLab or Notebook 7 server for the browser tests: the packaged
notebook copied into a temporary folder (running it there writes nothing into
the package), on a free localhost port with a token, no browser, as root if
need be, with its own HOME and Jupyter folders; and Run All from the menu.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from pages import SERVER_START_TIMEOUT_S
from servers import _answers, _children, _signal_group, free_port

#: Where each front end opens a notebook.
NOTEBOOK_URL = {"lab": "lab/tree/{name}", "notebook": "notebooks/{name}"}
#: JupyterLab's settings that keep a test page quiet: no question about fetching news.
QUIET_SETTINGS = {"@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false"}}


def _jupyter_environment(folder: Path, cache: str) -> dict[str, str]:
    env = os.environ.copy()
    for name in ("HOME", "JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTERLAB_WORKSPACES_DIR",
                 "JUPYTERLAB_SETTINGS_DIR", "IPYTHONDIR"):
        path = folder / name.lower()
        path.mkdir(parents=True, exist_ok=True)
        env[name] = str(path)
    for relative, values in QUIET_SETTINGS.items():
        target = Path(env["JUPYTERLAB_SETTINGS_DIR"]) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values))
    env["STPEXPLORER_CACHE"] = cache
    return env


def start_jupyter(kind: str, cache: str, folder: Path) -> dict:
    """Start ``jupyter lab`` or ``jupyter notebook`` (``kind``) serving a copy
    of the packaged notebook; returns the server dict (``url`` of the
    notebook with the token, ``proc``, ``log``).  Stop it with :func:`stop_jupyter`."""
    from stpexplorer.dashboard.serve import notebook_path

    root = folder / "notebooks"
    root.mkdir(parents=True, exist_ok=True)
    name = notebook_path().name
    shutil.copy(notebook_path(), root / name)
    port, token = free_port(), secrets.token_hex(16)
    command = [sys.executable, "-m", "jupyter", kind, "--no-browser", "--allow-root", "--ip=127.0.0.1",
               f"--port={port}", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    log_path = folder / f"{kind}.log"
    log = open(log_path, "w")
    proc = subprocess.Popen(command, env=_jupyter_environment(folder, cache), stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}/"
    server = {"url": f"{base}{NOTEBOOK_URL[kind].format(name=name)}?token={token}", "proc": proc,
              "log": log_path, "log_file": log, "kind": kind}
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while not _answers(f"{base}api/status?token={token}"):
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_jupyter(server)
            raise RuntimeError(f"jupyter {kind} did not start:\n{log_path.read_text()}")
        time.sleep(0.2)
    return server


def stop_jupyter(server: dict) -> None:
    """Stop the server (it shuts its kernels down) and any kernel that outlives it."""
    proc = server["proc"]
    kernels = _children(proc.pid)
    _signal_group(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        _signal_group(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    for pid in kernels:  # kernels run in their own sessions
        _signal_group(pid, signal.SIGKILL)
    server["log_file"].close()


def run_all(page, timeout_s: float = 60) -> None:
    """Run every cell of the open notebook from the menu bar (Run → Run All
    Cells) once its kernel is idle, until the dashboard shows (a second time
    if a busy page lost the first click)."""
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=SERVER_START_TIMEOUT_S * 1000)
    page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').first.wait_for(
        timeout=timeout_s * 1000)
    for _ in range(2):
        dialog = page.locator(".jp-Dialog")
        if dialog.count():  # the kernel choice of a first start: the notebook's own kernel
            print(f"[browser] dialog before Run All: {dialog.first.inner_text()[:60]!r}")
            choice = dialog.locator("select")
            if choice.count():
                choice.first.select_option(label="Python 3 (ipykernel)")
            dialog.locator(".jp-mod-accept").first.click()
        page.get_by_role("menuitem", name="Run", exact=True).first.click()
        page.get_by_role("menuitem", name="Run All Cells").first.click()
        try:
            page.locator(".stpx-tabs").first.wait_for(timeout=timeout_s * 1000)
            return
        except Exception:  # noqa: BLE001  Playwright's timeout: try the menu once more
            continue
    raise AssertionError("Run All Cells showed no dashboard")
