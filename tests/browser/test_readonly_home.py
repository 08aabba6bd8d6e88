"""A classroom account whose HOME cannot be written (a read-only home
directory): ``stpexplorer dashboard`` still serves working pages.  Jupyter
writes its runtime files (kernel connection files), IPython its profile and
matplotlib its font cache under HOME; without a writable place every page
was an HTTP 500 with nothing said.

The read-only HOME is a read-only bind mount, which stops root too (CI runs
as root; ``chmod`` would not), or read-only permission bits for other users."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import open_page, wait_loaded
from servers import _answers, free_port
from stpexplorer.dashboard.serve import unwritable_folders
from system import read_only_view


@pytest.fixture
def read_only_home(tmp_path):
    source = tmp_path / "home-files"
    source.mkdir()
    with read_only_view(source, tmp_path / "home") as home:
        yield home


def test_unwritable_folders_are_found(read_only_home, tmp_path):
    env = {"HOME": str(read_only_home), "IPYTHONDIR": str(tmp_path / "ipython")}
    assert set(unwritable_folders(env)) == {"JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "MPLCONFIGDIR"}
    assert unwritable_folders({"HOME": str(tmp_path)}) == {}


def test_dashboard_with_a_read_only_home_serves_working_pages(read_only_home, prebuilt, browser, tmp_path):
    port = free_port()
    env = {**os.environ, "HOME": str(read_only_home), "STPEXPLORER_CACHE": prebuilt}
    for name in ("JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "MPLCONFIGDIR", "XDG_CACHE_HOME"):
        env.pop(name, None)
    log_path = tmp_path / "dashboard.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "stpexplorer.cli", "dashboard", "--no-browser",
                                 f"--port={port}", "--pool-size=0", "--no-prebuild"],
                                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while not _answers(url):
            assert proc.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.2)
        with urllib.request.urlopen(url, timeout=120) as answer:  # this page was HTTP 500
            assert answer.status == 200
        context, dash = open_page(browser, url)
        try:
            wait_loaded(dash)
        finally:
            context.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    said = log_path.read_text()
    moved = re.search(r"runtime is not writable; JUPYTER_RUNTIME_DIR is (\S+) while the server runs", said)
    assert moved, said
    assert not Path(moved.group(1)).exists()  # the stand-in folder goes with the server
