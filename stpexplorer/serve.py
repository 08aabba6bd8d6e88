"""Serve the packaged explorer notebook with Voila (``stpexplorer dashboard``)."""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path


def notebook_path() -> Path:
    """The explorer notebook inside the installed package."""
    return Path(str(resources.files("stpexplorer") / "notebooks" / "explorer.ipynb"))


def voila_command(port: int, open_browser: bool, pool_size: int = 1,
                  ip: str = "127.0.0.1") -> list[str]:
    """The Voila command line: preheated kernels, no tracebacks, no sources."""
    if not 1 <= port <= 65535:
        raise ValueError(f"port={port} is invalid; allowed 1..65535")
    if not 0 <= pool_size <= 32:
        raise ValueError(f"pool_size={pool_size} is invalid; allowed 0..32")
    try:
        ipaddress.ip_address(ip)
    except ValueError:
        raise ValueError(f"ip={ip!r} is invalid; allowed: an IP address such as 127.0.0.1 "
                         "(this machine only) or 0.0.0.0 (every interface)") from None
    notebook = notebook_path()
    return [
        sys.executable, "-m", "voila", str(notebook),
        f"--port={port}",
        f"--Voila.ip={ip}",
        "--no-browser" if not open_browser else "--Voila.open_browser=True",
        "--show_tracebacks=False",
        "--strip_sources=True",
        "--preheat_kernel=True",
        f"--pool_size={pool_size}",
        # the dashboard notebook is the only page served
        f"--Voila.root_dir={notebook.parent}",
    ]


def serve(port: int = 8866, open_browser: bool = True, pool_size: int = 1,
          ip: str = "127.0.0.1") -> int:
    """Run Voila on the packaged notebook until interrupted; ``ip`` 0.0.0.0
    serves every network interface (a class network; Voila has no login)."""
    command = voila_command(port, open_browser, pool_size, ip)
    host = "127.0.0.1" if ip == "0.0.0.0" else ip
    print(f"stpexplorer: serving the explorer on http://{host}:{port}/ (Ctrl-C stops)", flush=True)
    try:
        return subprocess.call(command, env=os.environ.copy())
    except KeyboardInterrupt:
        return 0
