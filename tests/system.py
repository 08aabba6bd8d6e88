"""Test helpers that use the machine: a read-only view of a folder, waiting for a condition."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from pathlib import Path

import pytest


@contextlib.contextmanager
def read_only_view(source: Path, point: Path):
    """``source`` made read-only: seen through a read-only bind mount at
    ``point`` as root (permission bits do not stop root), or by its own
    permission bits for other users (then ``source`` itself is yielded)."""
    if os.geteuid() != 0:
        subprocess.run(["chmod", "-R", "a-w", str(source)], check=True)
        try:
            yield source
        finally:
            subprocess.run(["chmod", "-R", "u+w", str(source)], check=True)
        return
    point.mkdir(exist_ok=True)
    bind = subprocess.run(["mount", "--bind", str(source), str(point)], capture_output=True)
    if bind.returncode != 0:
        pytest.skip(f"cannot bind-mount here: {bind.stderr.decode().strip()}")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(point)], check=True)
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)


def wait_for(condition, timeout: float, interval: float = 0.05):
    """The first true value of ``condition()`` within ``timeout`` seconds, else None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    return None
