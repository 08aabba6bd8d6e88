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
import stat
import subprocess
import tempfile
import threading
from pathlib import Path

import numpy as np

from .. import model
from ..params import Params


def cache_root() -> Path:
    """``$STPEXPLORER_CACHE``, else ``$XDG_CACHE_HOME/stpexplorer`` or
    ``~/.cache/stpexplorer``.  It may be read-only (a cache prepared for a
    class): its complete builds are run, new ones go to :func:`writable_root`."""
    root = os.environ.get("STPEXPLORER_CACHE")
    if root:
        return Path(root)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "stpexplorer"


@functools.lru_cache(maxsize=None)


def code_fingerprint() -> str:
    from importlib.metadata import version  # not ``import brian2``: re-runs need no Brian2

    # the model and everything that builds, runs and reads it
    model_file = Path(model.__file__)
    model_files = sorted(model_file.parent.glob("*.py")) if model_file.name == "__init__.py" else [model_file]
    files = [*model_files, *sorted(Path(__file__).parent.glob("*.py"))]
    source = b"".join(path.read_bytes() for path in files)
    return hashlib.sha256(source + version("brian2").encode()).hexdigest()[:12]


#: Written into a build directory once its binary compiled successfully.
COMPLETE_MARKER = "COMPLETE"


def build_key(params: Params, seed: int | None, stp_storage: str) -> str:
    """The build directory's key: the structural fields, the STP storage and
    the model code (a slider move asks twice: once for the busy line, once to
    run; the second is a dictionary lookup).

    A build runs the connectivity, heterogeneity, noise and recording of any
    seed (run-time data of a fixed capacity, :func:`model.capacities`), so
    ``seed`` is None; only a seed whose synapses exceed the capacity gets a
    build of its own.  With the STP state kept per synapse, the monitored
    Synapses object (excitatory or inhibitory source) is part of the key."""
    structure = params.structure_key()
    if params.stp and stp_storage == "synaptic":
        structure += (("recorded_source", "e" if params.rec_pre < params.N_e else "i"),)
    return _structure_key(structure, seed, stp_storage)


@functools.lru_cache(maxsize=256)
def _structure_key(structure: tuple, seed: int | None, stp_storage: str) -> str:
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


def nearest_existing(path: Path) -> Path:
    """``path`` itself if it exists, else its nearest existing parent."""
    path = Path(path)
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def writable(path: Path) -> bool:
    """Whether this process may create files in ``path`` (or, if it does not
    exist yet, in its nearest existing parent).  A read-only mount is not
    writable even for root; permission bits are (root ignores them)."""
    existing = nearest_existing(path)
    return existing.is_dir() and os.access(existing, os.W_OK | os.X_OK)


def writable_root() -> Path:
    """This user's own directory for builds and run results when the cache is
    read-only: ``stpexplorer-<uid>`` in the temporary directory, created
    private; refused if another user owns it."""
    return _private_folder(Path(tempfile.gettempdir()))


def _private_folder(parent: Path) -> Path:
    """``parent/stpexplorer-<uid>``, created readable by this user only;
    refused if it is a link or another user owns it."""
    root = parent / f"stpexplorer-{os.getuid()}"
    root.mkdir(mode=0o700, exist_ok=True)
    info = root.lstat()
    if not root.is_dir() or root.is_symlink() or info.st_uid != os.getuid():
        raise RuntimeError(f"{root} is not a directory of this user; remove it or set TMPDIR")
    return root


def lock_path(directory: Path) -> Path:
    """The lock file of a build directory (beside it)."""
    return directory.with_name(directory.name + ".lock")


def build_lock(directory: Path):
    """The lock of one build directory: held while it is compiled or removed."""
    return file_lock(lock_path(directory))


RESULTS_PREFIX = "results-"


def results_dir_name() -> str:
    """Each process and thread runs the binary into its own results folder."""
    return f"{RESULTS_PREFIX}{os.getpid()}-{threading.get_ident()}"


def results_parent(build_dir: Path) -> Path:
    """Where the results folders of runs of ``build_dir`` go: the build itself,
    or for a read-only build a folder of its name in :func:`writable_root`."""
    if writable(build_dir):
        return build_dir
    return writable_root() / "runs" / build_dir.name


def results_dir(build_dir: Path) -> Path:
    """This process's and thread's results folder for runs of ``build_dir``."""
    return results_parent(build_dir) / results_dir_name()


#: A memory file system (tmpfs) for the output of runs.  The binary writes ~100
#: files per run (5 MB for the default network): on a disk file system that
#: cost a third of a warm re-run (ext4 writes a truncated file out when it is
#: closed), and a dragged slider would keep the disk busy.  Off with
#: ``STPEXPLORER_RUN_IN_MEMORY=0``.
MEMORY_ROOT = Path("/dev/shm")
MEMORY_ENVIRONMENT = "STPEXPLORER_RUN_IN_MEMORY"
#: Room left in the memory file system beyond twice a run's output.
MEMORY_MARGIN_BYTES = 64 * 2**20
#: Bytes the binary writes per synapse of the capacity (indices, sources and
#: targets, spread draw; generous), for a build's first run in a process.
OUTPUT_BYTES_PER_SYNAPSE = 64


def first_run_output_bytes(spec: dict) -> int:
    """What a build's first run may write, before one was measured: its synapse
    arrays and fixed-size outputs (traces and spikes are found out by the run)."""
    fixed = sum(size[1] for size in spec.get("sizes", {}).values() if size[0] == "fixed")
    return OUTPUT_BYTES_PER_SYNAPSE * sum(spec.get("capacity", {}).values()) + fixed


def output_dir(results: Path, output_bytes: int) -> Path:
    """Where the binary writes the output of a run in the run folder
    ``results`` and finds its run arguments: this user's private folder in
    :data:`MEMORY_ROOT`, named after the build and the run folder, when it has
    room for twice ``output_bytes`` (what a run writes) and
    :data:`MEMORY_MARGIN_BYTES`; else ``results`` itself."""
    if os.environ.get(MEMORY_ENVIRONMENT, "1") != "0":
        try:
            if shutil.disk_usage(MEMORY_ROOT).free >= 2 * output_bytes + MEMORY_MARGIN_BYTES:
                folder = _private_folder(MEMORY_ROOT) / _memory_name(results)
                folder.mkdir(exist_ok=True)
                return folder
        except (OSError, RuntimeError):
            pass
    return results


def _memory_prefix(parent: Path) -> str:
    """The start of the names of the memory folders of runs whose run folders
    are in ``parent`` (a build, or its place for a read-only build): its name
    and a digest of its path (two caches may hold a build of one key)."""
    digest = hashlib.sha256(str(parent).encode()).hexdigest()[:8]
    return f"{parent.name}-{digest}-{RESULTS_PREFIX}"


def _memory_name(results: Path) -> str:
    """A run folder's output folder's name in the memory file system."""
    return _memory_prefix(results.parent) + results.name[len(RESULTS_PREFIX):]


def run_folder_pid(folder: Path) -> int | None:
    """The process id in a run folder's name (:func:`results_dir_name`, also
    after a build's name as in :func:`output_dir`), or None."""
    try:
        return int(folder.name.rsplit(RESULTS_PREFIX, 1)[1].split("-")[0])
    except (IndexError, ValueError):
        return None


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
    try:
        parent = results_parent(build_dir)
    except (OSError, RuntimeError):
        return
    own = _memory_prefix(parent)
    for path in [*parent.glob(RESULTS_PREFIX + "*-*"), *_memory_folders()]:
        pid = run_folder_pid(path)
        if pid is None:
            continue
        if only_this_process:
            if pid == os.getpid() and (path.parent == parent or path.name.startswith(own)):
                shutil.rmtree(path, ignore_errors=True)
        elif not process_alive(pid):  # any build's: a build never loaded again leaves none behind
            shutil.rmtree(path, ignore_errors=True)


def _memory_folders() -> list[Path]:
    """The run output folders in this user's private folder of :data:`MEMORY_ROOT`
    (none if that is missing, a link or not this user's)."""
    memory = MEMORY_ROOT / f"stpexplorer-{os.getuid()}"
    try:
        info = memory.lstat()
    except OSError:
        return []
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        return []
    return list(memory.glob(f"*-{RESULTS_PREFIX}*-*"))


def remove_memory_folders(build_dir: Path) -> None:
    """Delete the run output folders of ``build_dir`` in memory (a build being removed)."""
    try:
        own = _memory_prefix(results_parent(build_dir))
    except (OSError, RuntimeError):
        return
    for path in _memory_folders():
        if path.name.startswith(own):
            shutil.rmtree(path, ignore_errors=True)


def compiler_available() -> bool:
    compiler = shutil.which(os.environ.get("CXX", "g++")) or shutil.which("c++")
    return bool(compiler) and compiler_accepts(compiler)


def compiler_accepts(compiler: str, flags=()) -> bool:
    """Whether ``compiler`` builds an empty program with ``flags``."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp, "probe.cpp")
        src.write_text("int main() { return 0; }\n")
        try:
            probe = subprocess.run([compiler, *flags, str(src), "-o", str(Path(tmp, "probe"))],
                                   capture_output=True, timeout=120)
        except (OSError, subprocess.SubprocessError):
            return False
        return probe.returncode == 0


BINARY_HASH = "main sha256"


def build_manifest(directory: Path) -> dict[str, int | str]:
    """Size of every file of a build (results folders excepted) and a hash of
    its binary: written into the completion marker, checked before every run."""
    manifest: dict[str, int | str] = {}
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory)
        if relative.parts[0].startswith(("results", COMPLETE_MARKER)) or not path.is_file():
            continue
        manifest[str(relative)] = path.stat().st_size
    binary = directory / "main"
    if binary.is_file():
        manifest[BINARY_HASH] = _binary_hash(binary)
    return manifest


def _binary_hash(binary: Path) -> str:
    info = binary.stat()
    return _hash_file(str(binary), info.st_ino, info.st_size, info.st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _hash_file(path: str, inode: int, size: int, mtime_ns: int) -> str:
    """sha256 of a file, recomputed whenever it is replaced, resized or written."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def build_damage(directory: Path) -> str | None:
    """What differs in a completed build from when it was written (a missing,
    resized or changed file), or None when it is intact.  A stat of every
    file of the manifest: cheap enough before every run (about 1 ms)."""
    try:
        recorded = json.loads((directory / COMPLETE_MARKER).read_text())
    except (OSError, ValueError):
        return f"its completion marker {COMPLETE_MARKER} is missing or unreadable"
    if not isinstance(recorded, dict) or BINARY_HASH not in recorded:
        return f"its completion marker {COMPLETE_MARKER} is not a manifest"
    folder = str(directory)
    for name, size in recorded.items():
        if name == BINARY_HASH:
            continue
        try:
            actual = os.stat(os.path.join(folder, name)).st_size
        except OSError:
            return f"{name} is missing"
        if actual != size:
            return f"{name} has {actual} bytes instead of {size}"
    try:
        if _binary_hash(directory / "main") != recorded[BINARY_HASH]:
            return "the binary main was changed"
    except OSError:
        return "the binary main is missing"
    return None


def build_intact(directory: Path) -> bool:
    """Whether a completed build still has every file as it was written."""
    return build_damage(directory) is None


#: Written into a build directory with the completion marker: how to run the
#: binary and read its results without Brian2 (see :meth:`StandaloneEngine.run`).
RUN_SPEC = "run_spec.json"


def load_run_spec(directory: Path) -> dict | None:
    """The run description of a completed build, or None if not built (yet)
    or if it is not a run description (damaged: to be rebuilt)."""
    if not (directory / COMPLETE_MARKER).exists():
        return None
    try:
        spec = json.loads((directory / RUN_SPEC).read_text())
    except (OSError, ValueError):
        return None
    return spec if run_spec_problem(spec) is None else None


def _plain_file_name(name) -> bool:
    return isinstance(name, str) and name not in ("", ".", "..") and "/" not in name and "\\" not in name


def run_spec_problem(spec) -> str | None:
    """What is wrong with the shape of a run description (None if nothing):
    ``outputs`` (name -> [file, dtype, columns]) with every output that a
    result needs, ``sizes`` (name -> how many bytes the run writes, see
    :func:`brian2_internals.output_sizes`), ``run_dtypes`` (run argument ->
    dtype), ``environment`` (name -> value), ``capacity`` (pathway -> synapses)
    and ``static_arrays`` (run-time data -> its files, each [file name, dtype,
    entries])."""
    if not isinstance(spec, dict):
        return "not a JSON object"
    for key in ("outputs", "sizes", "run_dtypes", "environment", "capacity", "static_arrays"):
        if not isinstance(spec.get(key), dict):
            return f"no {key!r} object"
    if sorted(spec["capacity"]) != ["e", "i"] or not all(isinstance(v, int) and v >= 0
                                                         for v in spec["capacity"].values()):
        return "no synapse capacity of each pathway"
    for parts in spec["static_arrays"].values():
        if not (isinstance(parts, list) and all(
                isinstance(part, list) and len(part) == 3 and _plain_file_name(part[0]) and _valid_dtype(part[1])
                and isinstance(part[2], int) and part[2] > 0 for part in parts)):
            return "a run-time static array is not a list of [file name, dtype, entries]"
    outputs, sizes = spec["outputs"], spec["sizes"]
    missing = sorted(set(REQUIRED_OUTPUTS) - set(outputs))
    if missing:
        return f"outputs {missing} missing"
    for name, entry in outputs.items():
        if not (isinstance(entry, list) and len(entry) == 3 and _plain_file_name(entry[0])
                and _valid_dtype(entry[1]) and isinstance(entry[2], int) and entry[2] >= 0):
            return f"output {name!r} is not [file name, dtype, columns]"
        size = sizes.get(name)
        fixed = isinstance(size, list) and len(size) == 2 and size[0] == "fixed" and isinstance(size[1], int)
        counted = (isinstance(size, list) and len(size) == 3 and size[0] == "count" and _plain_file_name(size[1])
                   and _valid_dtype(size[2]))
        if not (fixed or counted):
            return f"no size of output {name!r}"
    if not all(isinstance(v, str) and _valid_dtype(v) for v in spec["run_dtypes"].values()):
        return "a run argument's dtype is invalid"
    if not all(isinstance(v, str) for v in spec["environment"].values()):
        return "an environment value is not a string"
    return None


#: Outputs every run writes (the others depend on the synapse model and STP).
REQUIRED_OUTPUTS = ("spike_i", "spike_t", "trace_t", "v", "t_diverged")


def _valid_dtype(text) -> bool:
    try:
        return isinstance(text, str) and np.dtype(text).kind in "biuf"
    except TypeError:
        return False


def compile_log(directory: Path) -> Path:
    """The full output of the last compile of ``directory`` (beside it)."""
    return directory.with_name(directory.name + ".compile.log")


def no_space_note(path: Path, needed_bytes: int = 0) -> str | None:
    """``"no space left in <path> (N bytes free)"`` when the file system of
    ``path`` has less than ``needed_bytes`` + 64 kB free, else None."""
    try:
        free = shutil.disk_usage(nearest_existing(path)).free
    except OSError:
        return None
    if free >= needed_bytes + 65536:
        return None
    return f"no space left in {path} ({free} bytes free)"
