"""The size of the build cache: what it holds, its limit and the eviction of
the least recently used builds.

The cache (:func:`build_cache.cache_root`) holds one directory ``build-<key>``
per compiled structure, with files beside it: ``<dir>.lock`` (held while the
build is compiled or removed), ``<dir>.compile.log`` and ``<dir>.used``.

* **Limit.** ``$STPEXPLORER_CACHE_MB`` megabytes (1 MB = 10**6 bytes; default
  :data:`DEFAULT_CACHE_MB`) for the builds in writable places; a read-only
  cache (prepared for a class) is listed but never changed.
* **Last use.** :func:`mark_used` touches ``<dir>.used`` (beside the build, so
  the build's own files and its manifest stay untouched) whenever a process
  loads or compiles the build; without it, the newest of the completion
  marker, the directory and its run folders counts.
* **In use.** A build is in use while its lock is held (a compile or a
  removal under way) or while a living process has a run folder
  (``results-<pid>-<thread>``) for it: a process keeps its run folders until
  it exits, so a kernel that ran a build keeps it.  A build in use is never
  removed; the lock files stay (removing a lock file another process waits
  on would let two processes hold "the" lock).
* **Eviction.** :func:`enforce_limit` removes builds in the order: leftovers
  of interrupted compiles first, then complete builds from the least recently
  used, each under its lock and checked again there, until the builds fit.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import fcntl
import json
import math
import os
import shutil
import time
from pathlib import Path

from .build_cache import (
    COMPLETE_MARKER,
    RESULTS_PREFIX,
    RUN_SPEC,
    cache_root,
    compile_log,
    file_lock,
    lock_path,
    process_alive,
    remove_memory_folders,
    results_parent,
    run_folder_pid,
    writable,
    writable_root,
)

#: Environment variable with the cache's limit in megabytes (10**6 bytes).
CACHE_MB_ENV = "STPEXPLORER_CACHE_MB"
#: The limit without ``$STPEXPLORER_CACHE_MB``: about 150 builds of the
#: 1000-neuron default network (10-15 MB each).
DEFAULT_CACHE_MB = 2000.0
MB = 1_000_000
BUILD_PREFIX = "build-"
#: Written into a build by :func:`write_structure`: its structural fields.
STRUCTURE_FILE = "structure.json"
USED_SUFFIX = ".used"
#: Serialises evictions of one cache directory (beside the builds).
EVICTION_LOCK = "eviction.lock"


@dataclasses.dataclass(frozen=True)
class BuildInfo:
    """One build directory of the cache."""

    path: Path
    #: bytes of its files (run folders and compile log included; each
    #: hard-linked file once, symbolic links not followed)
    size_bytes: int
    #: structural fields and synapse capacity (:func:`describe_build`); empty if unknown
    structure: dict
    #: seconds since the epoch
    last_use: float
    #: whether its binary compiled (the completion marker exists)
    complete: bool
    #: why it must stay (a lock held, a living process's run folder), or None
    in_use: str | None
    #: whether it lies in a writable place (a read-only cache is never changed)
    removable: bool

    @property
    def key(self) -> str:
        return self.path.name[len(BUILD_PREFIX):]

    @property
    def size_mb(self) -> float:
        return self.size_bytes / MB

    def summary(self) -> str:
        """The structure in a few words, e.g. ``800+200 neurons, p 0.1/0.1, ...``."""
        return structure_summary(self.structure)


def cache_limit_mb() -> float:
    """``$STPEXPLORER_CACHE_MB`` (a positive number of megabytes), else
    :data:`DEFAULT_CACHE_MB`.  Raises ValueError for anything else."""
    raw = os.environ.get(CACHE_MB_ENV, "").strip()
    if not raw:
        return DEFAULT_CACHE_MB
    return _checked_limit(raw, f"{CACHE_MB_ENV}={raw!r}")


def _checked_limit(value, name: str) -> float:
    try:
        limit = float(value)
    except (TypeError, ValueError):
        limit = math.nan
    if not (math.isfinite(limit) and limit > 0):
        raise ValueError(f"{name} is invalid; give the build cache's limit as a positive number of megabytes "
                         f"(default {DEFAULT_CACHE_MB:g})")
    return limit


# -- what a build is ---------------------------------------------------------------
def write_structure(directory: Path, params, capacity: dict | None = None) -> None:
    """Write :data:`STRUCTURE_FILE` into ``directory``: the structural fields
    of ``params`` (:meth:`Params.structure_key`) and the synapse capacity of
    each pathway (``{"e": n, "i": n}``), for :func:`describe_build`."""
    text = json.dumps({"fields": dict(params.structure_key()), "capacity": capacity})
    path = Path(directory) / STRUCTURE_FILE
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def describe_build(directory: Path) -> dict:
    """The structure of a build: ``{"fields": {...}, "capacity": {"e": n, "i": n}}``
    from :data:`STRUCTURE_FILE`; for a build without it the capacity of its
    run spec alone; ``{}`` when neither can be read."""
    directory = Path(directory)
    found = _read_json(directory / STRUCTURE_FILE)
    if isinstance(found, dict) and isinstance(found.get("fields"), dict):
        return {"fields": found["fields"], "capacity": found.get("capacity")}
    spec = _read_json(directory / RUN_SPEC)
    if isinstance(spec, dict) and isinstance(spec.get("capacity"), dict):
        return {"capacity": spec["capacity"]}
    return {}


def _read_json(path: Path):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def structure_summary(structure: dict) -> str:
    """``STP on, conductance, 800+200 neurons, p 0.1/0.1, 1000 ms at dt 0.1 ms,
    capacity 80000/20000 synapses``; ``unknown`` for an empty description."""
    fields = dict(structure.get("fields") or {})
    words = []
    if "stp" in fields:
        words.append("STP on" if fields.pop("stp") else "STP off")
    if "synapse_model" in fields:
        words.append(str(fields.pop("synapse_model")))
    if "N_e" in fields and "N_i" in fields:
        words.append(f"{fields.pop('N_e')}+{fields.pop('N_i')} neurons")
    if "p_e" in fields and "p_i" in fields:
        words.append(f"p {fields.pop('p_e'):g}/{fields.pop('p_i'):g}")
    if "duration" in fields and "dt" in fields:
        words.append(f"{fields.pop('duration'):g} ms at dt {fields.pop('dt'):g} ms")
    words += [f"{name}={value}" for name, value in fields.items()]
    capacity = structure.get("capacity")
    if isinstance(capacity, dict) and {"e", "i"} <= set(capacity):
        words.append(f"capacity {capacity['e']}/{capacity['i']} synapses")
    return ", ".join(words) or "unknown"


def mark_used(directory: Path) -> None:
    """Record that a process loads or compiled ``directory`` now (touches
    ``<dir>.used`` beside it); nothing happens in a read-only place."""
    with contextlib.suppress(OSError):
        _used_file(Path(directory)).touch()


def _used_file(directory: Path) -> Path:
    return directory.with_name(directory.name + USED_SUFFIX)


def _run_folders(directory: Path) -> list[Path]:
    """Every run folder of ``directory``: inside it, and for a build in a
    read-only place in this user's :func:`writable_root`."""
    parents = {directory}
    with contextlib.suppress(OSError, RuntimeError):
        parents.add(results_parent(directory))
    folders = []
    for parent in parents:
        with contextlib.suppress(OSError):
            folders += [p for p in parent.glob(RESULTS_PREFIX + "*-*") if p.is_dir()]
    return folders


def last_use(directory: Path) -> float:
    """When ``directory`` was last loaded or compiled (seconds since the
    epoch): ``<dir>.used``, else the newest of its completion marker, the
    directory itself and its run folders."""
    directory = Path(directory)
    with contextlib.suppress(OSError):
        return _used_file(directory).stat().st_mtime
    times = []
    for path in (directory / COMPLETE_MARKER, directory, *_run_folders(directory)):
        with contextlib.suppress(OSError):
            times.append(path.stat().st_mtime)
    return max(times, default=0.0)


def _lock_held(directory: Path) -> bool:
    """Whether some open file (of any process) holds the build's lock."""
    try:
        handle = os.open(lock_path(directory), os.O_RDONLY)
    except OSError:
        return False  # no lock file: nobody has ever locked it
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        return exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN)
    else:
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False
    finally:
        os.close(handle)


LOCKED = "its lock is held (a compile or a removal is under way)"


def running_processes(directory: Path) -> list[int]:
    """Living processes with a run folder of ``directory``."""
    pids = {run_folder_pid(folder) for folder in _run_folders(Path(directory))}
    return sorted(pid for pid in pids if pid is not None and process_alive(pid))


def in_use(directory: Path) -> str | None:
    """Why ``directory`` must not be removed now, or None."""
    if _lock_held(directory):
        return LOCKED
    return _processes_reason(running_processes(directory))


def _processes_reason(pids: list[int]) -> str | None:
    if not pids:
        return None
    return f"run by process{'es' if len(pids) > 1 else ''} {', '.join(map(str, pids))}"


def directory_bytes(directory: Path) -> int:
    """Bytes of the regular files under ``directory`` (links not followed,
    each hard-linked file counted once); files vanishing meanwhile count 0."""
    seen, total = set(), 0
    pending = [Path(directory)]
    while pending:
        try:
            entries = list(os.scandir(pending.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(Path(entry.path))
                elif entry.is_file(follow_symlinks=False):
                    info = entry.stat(follow_symlinks=False)
                    if (info.st_dev, info.st_ino) not in seen:
                        seen.add((info.st_dev, info.st_ino))
                        total += info.st_size
            except OSError:
                continue
    return total


def build_info(directory: Path) -> BuildInfo:
    """Size, structure, last use and state of one build directory."""
    directory = Path(directory)
    size = directory_bytes(directory)
    with contextlib.suppress(OSError):
        size += compile_log(directory).stat().st_size
    return BuildInfo(path=directory, size_bytes=size, structure=describe_build(directory),
                     last_use=last_use(directory), complete=(directory / COMPLETE_MARKER).is_file(),
                     in_use=in_use(directory), removable=writable(directory.parent))


# -- the cache -----------------------------------------------------------------------
def cache_places(root: Path | None = None) -> list[Path]:
    """Where builds are: ``root``, by default :func:`cache_root` and, when that
    is read-only, this user's :func:`writable_root` (where new builds go then)."""
    if root is not None:
        return [Path(root)]
    places = [cache_root()]
    if not writable(places[0]):
        with contextlib.suppress(OSError, RuntimeError):
            places.append(writable_root())
    return places


def list_builds(root: Path | None = None) -> list[BuildInfo]:
    """Every build directory of :func:`cache_places`, most recently used first."""
    builds = []
    for place in cache_places(root):
        with contextlib.suppress(OSError):
            builds += [build_info(path) for path in place.glob(BUILD_PREFIX + "*")
                       if path.is_dir() and not path.is_symlink()]
    return sorted(builds, key=lambda info: info.last_use, reverse=True)


def remove_build(directory: Path, used_before: float | None = None) -> str | None:
    """Remove a build, its compile log and its use mark under its lock, unless
    it is in use; returns why it was kept, or None when it was removed.
    ``used_before``: also keep it if it was used after this time (a process
    loaded it since the caller chose it)."""
    directory = Path(directory)
    if not writable(directory.parent):
        return "read-only place"
    try:
        handle = os.open(lock_path(directory), os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        return f"its lock cannot be opened: {exc}"
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return LOCKED
        reason = _processes_reason(running_processes(directory))
        if reason:
            return reason
        if used_before is not None and last_use(directory) > used_before:
            return "used again meanwhile"
        try:
            (directory / COMPLETE_MARKER).unlink(missing_ok=True)  # never seen complete while half removed
            if directory.exists():
                shutil.rmtree(directory)
            compile_log(directory).unlink(missing_ok=True)
            _used_file(directory).unlink(missing_ok=True)
            remove_memory_folders(directory)
        except OSError as exc:
            return f"could not be removed: {exc}"
        return None
    finally:
        os.close(handle)  # closing releases the lock


@contextlib.contextmanager
def _eviction_lock(place: Path):
    """One eviction at a time per cache directory (two would each skip the
    build the other is removing and remove one more)."""
    with file_lock(place / EVICTION_LOCK):
        yield


def enforce_limit(root: Path | None = None, limit_mb: float | None = None, keep=()) -> list[Path]:
    """Remove builds until those in writable places hold at most ``limit_mb``
    megabytes (default :func:`cache_limit_mb`; each place of
    :func:`cache_places` on its own): leftovers of interrupted
    compiles first, then the least recently used.  Never a build in use, in
    ``keep`` (paths) or in a read-only place.  Returns the removed builds."""
    limit = cache_limit_mb() if limit_mb is None else _checked_limit(limit_mb, f"limit_mb={limit_mb!r}")
    kept = {Path(path).resolve() for path in keep}
    removed = []
    for place in cache_places(root):
        if writable(place):
            with _eviction_lock(place):
                removed += _evict(place, limit * MB, kept)
    return removed


def _evict(place: Path, limit_bytes: float, keep: set[Path]) -> list[Path]:
    builds = [info for info in list_builds(place) if info.removable]
    total = sum(info.size_bytes for info in builds)
    removed = []
    candidates = sorted((info for info in builds if info.in_use is None and info.path.resolve() not in keep),
                        key=lambda info: (info.complete, info.last_use))
    for info in candidates:
        if total <= limit_bytes:
            break
        if remove_build(info.path, used_before=info.last_use) is None:
            total -= info.size_bytes
            removed.append(info.path)
    return removed


def clear(root: Path | None = None) -> tuple[list[BuildInfo], list[tuple[BuildInfo, str]]]:
    """Remove every build that is not in use: (removed, [(kept, why)])."""
    removed, kept = [], []
    for info in list_builds(root):
        reason = info.in_use or remove_build(info.path, used_before=None)
        if reason:
            kept.append((info, reason))
        else:
            removed.append(info)
    for place in cache_places(root):
        _remove_orphans(place)
    return removed, kept


def _remove_orphans(place: Path) -> None:
    """Compile logs and use marks whose build is gone."""
    if not writable(place):
        return
    for suffix in (".compile.log", USED_SUFFIX):
        for path in place.glob(f"{BUILD_PREFIX}*{suffix}"):
            directory = path.with_name(path.name[:-len(suffix)])
            if not directory.exists():
                remove_build(directory)


def describe_limit(builds: list[BuildInfo]) -> str:
    """``123.4 MB of 2000 MB (STPEXPLORER_CACHE_MB)`` for the removable builds."""
    total = sum(info.size_bytes for info in builds if info.removable) / MB
    source = CACHE_MB_ENV if os.environ.get(CACHE_MB_ENV, "").strip() else f"default; set {CACHE_MB_ENV}"
    return f"{total:.1f} MB of {cache_limit_mb():g} MB ({source})"


def time_text(seconds_since_epoch: float) -> str:
    """``2024-05-01 14:03`` (local time), ``never`` for 0."""
    if not seconds_since_epoch:
        return "never"
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(seconds_since_epoch))
