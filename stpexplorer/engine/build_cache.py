"""The disk cache of compiled networks: keys, locks, completion markers with
a manifest, run specs, results folders of ended processes."""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from .. import model
from ..params import Params


def cache_root() -> Path:
    root = os.environ.get("STPEXPLORER_CACHE")
    if root:
        return Path(root)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "stpexplorer"


@functools.lru_cache(maxsize=None)


def code_fingerprint() -> str:
    from importlib.metadata import version  # not ``import brian2``: re-runs need no Brian2

    # the model and everything that builds, runs and reads it
    files = [Path(model.__file__), *sorted(Path(__file__).parent.glob("*.py"))]
    source = b"".join(path.read_bytes() for path in files)
    return hashlib.sha256(source + version("brian2").encode()).hexdigest()[:12]


#: Written into a build directory once its binary compiled successfully.
COMPLETE_MARKER = "COMPLETE"


def build_key(params: Params, seed: int, stp_storage: str) -> str:
    """The build directory's key: the structural fields, the seed, the STP
    storage and the model code (a slider move asks twice: once for the busy
    line, once to run; the second is a dictionary lookup)."""
    return _structure_key(params.structure_key(), seed, stp_storage)


@functools.lru_cache(maxsize=256)
def _structure_key(structure: tuple, seed: int, stp_storage: str) -> str:
    text = repr((structure, seed, stp_storage, code_fingerprint()))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


@contextlib.contextmanager


def file_lock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_lock(directory: Path):
    """The lock of one build directory (a file beside it): held while it is
    compiled or removed."""
    return file_lock(directory.with_name(directory.name + ".lock"))


RESULTS_PREFIX = "results-"


def results_dir_name() -> str:
    """Each process and thread runs the binary into its own results folder."""
    return f"{RESULTS_PREFIX}{os.getpid()}-{threading.get_ident()}"


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs; a zombie (exited, waiting for its
    parent to read its status) does not.  Unknowable cases count as running."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def remove_results(build_dir: Path, only_this_process: bool = False) -> None:
    """Delete the results folders of processes that have ended (killed kernels
    leave theirs behind), or with ``only_this_process`` this process's own."""
    for path in build_dir.glob(RESULTS_PREFIX + "*-*"):
        try:
            pid = int(path.name[len(RESULTS_PREFIX):].split("-")[0])
        except ValueError:
            continue
        if (pid == os.getpid()) if only_this_process else not process_alive(pid):
            shutil.rmtree(path, ignore_errors=True)


def compiler_available() -> bool:
    compiler = shutil.which(os.environ.get("CXX", "g++")) or shutil.which("c++")
    if not compiler:
        return False
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp, "probe.cpp")
        src.write_text("int main() { return 0; }\n")
        probe = subprocess.run([compiler, str(src), "-o", str(Path(tmp, "probe"))],
                               capture_output=True)
        return probe.returncode == 0


def build_manifest(directory: Path) -> dict[str, int | str]:
    """Size of every file of a build (results folders excepted) and a hash of
    its binary: written into the completion marker, checked when a run fails."""
    manifest: dict[str, int | str] = {}
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory)
        if relative.parts[0].startswith(("results", COMPLETE_MARKER)) or not path.is_file():
            continue
        manifest[str(relative)] = path.stat().st_size
    binary = directory / "main"
    if binary.is_file():
        manifest["main sha256"] = hashlib.sha256(binary.read_bytes()).hexdigest()
    return manifest


def build_intact(directory: Path) -> bool:
    """Whether a completed build still has every file as it was written."""
    try:
        recorded = json.loads((directory / COMPLETE_MARKER).read_text())
    except (OSError, ValueError):
        return False
    return isinstance(recorded, dict) and recorded == build_manifest(directory)


#: Written into a build directory with the completion marker: how to run the
#: binary and read its results without Brian2 (see :meth:`StandaloneEngine.run`).
RUN_SPEC = "run_spec.json"


def load_run_spec(directory: Path) -> dict | None:
    """The run description of a completed build, or None if not built (yet)."""
    if not (directory / COMPLETE_MARKER).exists():
        return None
    try:
        return json.loads((directory / RUN_SPEC).read_text())
    except (OSError, ValueError):
        return None
