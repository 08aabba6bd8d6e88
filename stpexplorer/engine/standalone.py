"""Brian2's ``cpp_standalone`` device: compile once per structure, re-run the
binary with run arguments (no Brian2 needed for that).

Faults give an error or a rebuild, never a result of another network: a
build is checked against its manifest before every run and its binary's
complaints are read; a run's output files must have the sizes the build
says; a compile starts from an empty directory, runs in its own process
group at low priority with as many jobs as there are cores, and its
failures name the cause and the log."""

from __future__ import annotations

import atexit
import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from .. import model
from ..errors import (
    CompileError,
    CompileKilledError,
    DamagedBuildError,
    NoSpaceError,
    TimeLimitError,
    TransientError,
)
from ..params import Params
from ..results import Result
from . import brian2_internals as internals
from . import cache_admin
from .build_cache import (
    COMPLETE_MARKER,
    RUN_SPEC,
    build_damage,
    build_key,
    build_lock,
    build_manifest,
    cache_root,
    compile_log,
    load_run_spec,
    no_space_note,
    remove_results,
    results_dir,
    writable,
    writable_root,
)
from .collect import collect
from .limits import time_limit_message, time_limit_s
from .runtime import BRIAN_LOCK


def usable_cores() -> int:
    """CPU cores this process may run on: the compile's ``make -j`` limit."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` in full or not at all (a temporary file renamed)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _empty_directory(directory: Path) -> None:
    """Remove everything in ``directory`` (the leftovers of a failed or killed
    compile, or an unreadable run spec) so that a compile starts clean."""
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)


def compile_build(params: Params, seed: int, directory: Path, stp_storage: str) -> None:
    """Generate and compile the network of ``params``/``seed`` into ``directory``
    (under its file lock; nothing to do if another process completed it).

    This is the only step that needs Brian2.  It starts from an empty
    directory, writes the binary, :data:`RUN_SPEC` and the completion marker
    with a manifest of the build (each file in full or not at all); ``make``'s
    output goes to :func:`compile_log`.  Raises :class:`CompileError` (or a
    subclass naming a killed compile or a full disk).
    """
    real = model.draw_realisation(params, seed)
    capacity = model.build_capacity(params, real)
    with BRIAN_LOCK, build_lock(directory):
        if load_run_spec(directory) is not None:
            return  # compiled before, by this or another process: never rewritten (it may be running)
        log = compile_log(directory)
        try:
            _empty_directory(directory)
            log.write_text("")
        except OSError as exc:
            raise _write_failure(f"preparing the build directory {directory} failed", directory, exc) from None
        device = internals.fresh_standalone_device(directory)
        try:
            built = model.build(params, real, stp_storage, padded=model.padded(params, real, capacity))
            built.net.run(params.duration * _brian_ms(), namespace={})
            internals.compile_device(device, directory, usable_cores(), log)
            spec = _run_spec(built, device, params, real, stp_storage, capacity)
            _write_atomically(directory / RUN_SPEC, json.dumps(spec))
            cache_admin.write_structure(directory, params, capacity)
            _write_atomically(directory / COMPLETE_MARKER, json.dumps(build_manifest(directory)))
        except CompileError:
            raise
        except OSError as exc:
            if _is_no_space(exc, directory):
                raise _write_failure(f"writing the build in {directory} failed", directory, exc) from None
            raise compile_failure(directory, str(exc)) from None
        except RuntimeError as exc:  # Brian2's "Project compilation failed (error code: N)"
            raise compile_failure(directory, str(exc)) from None
        finally:
            internals.release_standalone_device(device)


def _brian_ms():
    import brian2 as b2

    return b2.ms


def _run_spec(built, device, params: Params, real: model.Realisation, stp_storage: str,
              capacity: dict[str, int]) -> dict:
    """How to run the compiled binary and read its results without Brian2,
    and which of its static arrays a run replaces (checked here against the
    sizes they must have: a Brian2 that names them otherwise fails the
    compile instead of running one seed's network for every seed)."""
    outputs = model.output_files(built, device)
    run_dtypes = {f"{obj_name}.{var}": internals.variable_dtype(built.obj(obj_name), var)
                  for obj_name, var, _ in model.run_values(params, real, stp_storage)}
    static_arrays = internals.run_time_static_arrays(device)
    expected = {name: np.size(array)
                for name, array in model.run_time_arrays(params, real, capacity, stp_storage).items()}
    for name, parts in static_arrays.items():
        found = sum(entries for _, _, entries in parts)
        if found != expected.get(name, 0):
            raise CompileError(f"the compiled network's static array {name} holds {found} values, "
                               f"{expected.get(name, 0)} expected: this Brian2 names its arrays differently")
    return {"outputs": outputs,
            "sizes": internals.output_sizes(device, {name: entry[0] for name, entry in outputs.items()}),
            "run_dtypes": run_dtypes,
            "environment": internals.run_environment(device),
            "capacity": capacity,
            "static_arrays": static_arrays}


def _is_no_space(exc: OSError, path: Path) -> bool:
    """Whether ``exc`` (numpy's short writes carry no errno) comes from a full file system at ``path``."""
    return getattr(exc, "errno", None) in (errno.ENOSPC, errno.EDQUOT) or no_space_note(path) is not None


def _write_failure(what: str, path: Path, exc: OSError) -> Exception:
    """The error for a file that could not be written: :class:`NoSpaceError`
    naming the directory when the disk is full, else a ``RuntimeError``."""
    if _is_no_space(exc, path):
        return NoSpaceError(f"{what}: {no_space_note(path) or f'no space left in {path}'}")
    return RuntimeError(f"{what}: {exc}")


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def compile_failure(directory: Path, detail: str, returncode: int | None = None) -> CompileError | NoSpaceError:
    """The error of a failed compile of ``directory``, naming its cause (killed
    by a signal, no space left, compiler or ``make`` missing, else the first
    compiler error) and where its full log is.  ``detail``: the compile's own
    last words (Brian2's message or a subprocess's output)."""
    log = compile_log(directory)
    try:
        text = log.read_text(errors="replace")
    except OSError:
        text = ""
    where = f"full log: {log}" if text.strip() else f"no log was written ({log})"
    make_status = _make_status(detail)
    if returncode is not None and returncode < 0:
        return CompileKilledError(f"compiling the network was stopped: killed by signal {-returncode} "
                                  f"({_signal_name(-returncode)}); {where}")
    if make_status is not None and make_status & 0x7F:
        number = make_status & 0x7F
        return CompileKilledError(f"compiling the network was stopped: make was killed by signal {number} "
                                  f"({_signal_name(number)}); {where}")
    note = no_space_note(directory)
    if "no space left" in (text + detail).lower() or note:
        return NoSpaceError(f"compiling the network failed: {note or f'no space left in {directory}'}; {where}")
    compiler = os.environ.get("CXX", "g++")
    if not (shutil.which(compiler) or shutil.which("c++")):
        return CompileError(f"compiling the network failed: no C++ compiler ({compiler!r} not found on PATH); "
                            f"{where}")
    if not shutil.which("make"):
        return CompileError(f"compiling the network failed: 'make' not found on PATH; {where}")
    first_error = next((line.strip() for line in (text + "\n" + detail).splitlines()
                        if "error" in line.lower() and line.strip()), None)
    last_words = first_error or next((line for line in reversed(detail.strip().splitlines()) if line.strip()),
                                     "(no output)")
    return CompileError(f"compiling the network failed: {last_words}; {where}")


def _make_status(detail: str) -> int | None:
    """The wait status of ``make`` in Brian2's "(error code: N)" message."""
    marker = "error code: "
    if marker not in detail:
        return None
    digits = detail.split(marker, 1)[1].split(")", 1)[0].strip()
    return int(digits) if digits.isdigit() else None


#: Niceness of a compile in a subprocess (inherited by make and the compiler).
COMPILE_NICENESS = 15

#: Printed by the compile subprocess before its error message.
COMPILE_FAILURE_PREFIX = "stpexplorer compile failure: "


def compile_in_subprocess(params: Params, seed: int, directory: Path, stp_storage: str) -> None:
    """:func:`compile_build` in a new Python process, so that this process
    never imports Brian2 (a dashboard kernel stays small and responsive).

    The subprocess leads its own process group (``make`` and every compiler
    are in it); when it ends, is killed or this call is interrupted, the whole
    group is stopped.  It lowers its own priority (no ``preexec_fn``: this
    process may have threads) and stops its group if this process dies."""
    code = "from stpexplorer.engine.standalone import compile_child; compile_child()"
    argv = [sys.executable, "-c", code, params.to_json(), str(seed), str(directory), stp_storage, str(os.getpid())]
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        try:
            # wait without reaping: the group id cannot be reused before the kill below
            os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)
        finally:
            stop_process_group(process.pid)
            returncode = process.wait()
        output.seek(0)
        detail = output.read().decode(errors="replace")
    if returncode != 0:
        raise _child_failure(directory, detail, returncode)


#: The errors the compile subprocess reports by name (see :func:`compile_child`).
_CHILD_ERRORS = {cls.__name__: cls for cls in (CompileError, CompileKilledError, NoSpaceError)}


def _child_failure(directory: Path, output: str, returncode: int) -> Exception:
    """The error of a failed compile subprocess: the one it reported (named
    cause and log), else one found from its exit status and output."""
    if returncode > 0 and COMPILE_FAILURE_PREFIX in output:
        reported = output.rsplit(COMPILE_FAILURE_PREFIX, 1)[1].strip()
        name, _, message = reported.partition(": ")
        if name in _CHILD_ERRORS and message:
            return _CHILD_ERRORS[name](message)
    return compile_failure(directory, output, returncode)


def stop_process_group(group: int) -> None:
    """Kill every process of process group ``group`` (none left: nothing to do)."""
    try:
        os.killpg(group, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _stop_own_group(*_) -> None:
    os.killpg(0, signal.SIGKILL)  # this process, make and every compiler


#: How often the compile subprocess checks that the process that started it lives (s).
PARENT_CHECK_S = 0.2


def _die_with_parent(parent: int) -> None:
    """Stop this process's group (this process, ``make``, the compilers) once
    process ``parent`` has died.  A thread watches: a signal handler would
    wait for the main thread, which waits for ``make``."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_S)
        _stop_own_group()

    threading.Thread(target=watch, name="stop-compile-with-parent", daemon=True).start()


def compile_child() -> None:
    """The compile subprocess (see :func:`compile_in_subprocess`); arguments:
    params JSON, seed, directory, STP storage, the parent's process id."""
    params_json, seed, directory, stp_storage, parent = sys.argv[1:6]
    os.nice(COMPILE_NICENESS)  # inherited by make and the compilers
    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, _stop_own_group)
    _die_with_parent(int(parent))
    try:
        compile_build(Params.from_json(params_json), int(seed), Path(directory), stp_storage)
    except Exception as exc:  # noqa: BLE001  reported to the parent, which names the cause
        name = type(exc).__name__ if type(exc).__name__ in _CHILD_ERRORS else "CompileError"
        print(f"{COMPILE_FAILURE_PREFIX}{name}: {exc}", file=sys.stderr, flush=True)
        sys.exit(3)


class BinaryFailure(Exception):
    """A run of the compiled binary failed; ``error`` is what to raise if the
    build proves intact (else the build is rebuilt)."""

    def __init__(self, error: Exception):
        super().__init__(str(error))
        self.error = error


def _output_lines(done: subprocess.CompletedProcess) -> list[str]:
    text = (done.stdout or b"").decode(errors="replace") + "\n" + (done.stderr or b"").decode(errors="replace")
    return [line.strip() for line in text.splitlines() if line.strip()]


def _binary_failure(done: subprocess.CompletedProcess, directory: Path, results: Path) -> BinaryFailure | None:
    """Why a run of the binary in ``directory`` failed, or None if it did not:
    a signal, a non-zero exit status or a complaint of Brian2's binary (which
    exits 0 when a static array or a run argument cannot be read)."""
    lines = _output_lines(done)
    complaints = [line for line in lines if any(c in line for c in internals.BINARY_COMPLAINTS)]
    if done.returncode < 0:
        return BinaryFailure(TransientError(
            f"the compiled network in {directory} was killed by signal {-done.returncode} "
            f"({_signal_name(-done.returncode)})"))
    if done.returncode == 0 and not complaints:
        return None
    said = "; ".join((complaints or lines)[:3]) or "no output"
    if done.returncode == 0:  # Brian2's binary complains and carries on
        message = f"the compiled network in {directory} could not read or write its files ({said})"
    else:
        message = f"the compiled network in {directory} failed (exit status {done.returncode}: {said})"
    note = no_space_note(results)
    return BinaryFailure(NoSpaceError(f"{message}: {note}") if note else RuntimeError(message))


def _count(results: Path, size: list) -> tuple[int | None, str | None]:
    """Entries of a growing output from its count file: (count, problem)."""
    _, filename, dtype = size
    path = results / filename
    try:
        counted = np.fromfile(path, dtype=np.dtype(dtype))
    except (OSError, ValueError) as exc:
        return None, f"{filename}: {exc}"
    if counted.size != 1 or counted[0] < 0:
        return None, f"{filename} has {path.stat().st_size} bytes, expected {np.dtype(dtype).itemsize}"
    return int(counted[0]), None


def _expected_bytes(results: Path, size: list, dtype: str, columns: int) -> tuple[int | None, str | None]:
    if size[0] == "fixed":
        return size[1], None
    count, problem = _count(results, size)
    return (None, problem) if problem else (count * np.dtype(dtype).itemsize * max(columns, 1), None)


def read_outputs(results: Path, spec: dict, names=None) -> dict[str, np.ndarray]:
    """A run's output arrays, by output name, each checked against the size
    the run must have written; raises :class:`NoSpaceError` (full disk) or
    :class:`TransientError` for missing or short files, never a result."""
    arrays, problems, missing_bytes = {}, [], 0
    for name, (filename, dtype, columns) in spec["outputs"].items():
        if names is not None and name not in names:
            continue
        path = results / filename
        expected, problem = _expected_bytes(results, spec["sizes"][name], dtype, columns)
        try:
            actual = path.stat().st_size
        except OSError:
            actual = None
        if problem is None and actual != expected:
            problem = f"{filename} {'is missing' if actual is None else f'has {actual} bytes'}, expected {expected}"
            missing_bytes += expected - (actual or 0)
        if problem:
            problems.append(problem)
            continue
        data = np.fromfile(path, dtype=np.dtype(dtype))
        arrays[name] = data.reshape(-1, columns).T if columns else data
    if problems:
        message = f"the run's output in {results} is incomplete ({'; '.join(list(dict.fromkeys(problems))[:3])})"
        note = no_space_note(results, missing_bytes)
        raise NoSpaceError(f"{message}: {note}") if note else TransientError(message)
    return arrays


def _remove_outputs(results: Path, spec: dict) -> None:
    """Delete the output files of an earlier run in ``results``: a file the
    next run fails to write is then missing, never stale."""
    for name, (filename, _, _) in spec["outputs"].items():
        (results / filename).unlink(missing_ok=True)
        size = spec["sizes"][name]
        if size[0] == "count":
            (results / size[1]).unlink(missing_ok=True)


_RESULTS_TO_REMOVE_AT_EXIT: set[Path] = set()


def _link_build(results: Path, directory: Path, spec: dict) -> None:
    """Link the binary and every static array of the build that a run does
    not replace into the run folder ``results``."""
    replaced = {part[0] for parts in spec["static_arrays"].values() for part in parts}
    folder = results / internals.STATIC_ARRAY_FOLDER
    folder.mkdir(exist_ok=True)
    links = {results / "main": directory / "main"}
    for source in (directory / internals.STATIC_ARRAY_FOLDER).iterdir():
        if source.name not in replaced:
            links[folder / source.name] = source
    for link, target in links.items():
        if link.is_symlink() and os.readlink(link) == str(target):
            continue
        link.unlink(missing_ok=True)
        link.symlink_to(target)


def _run_folder_intact(results: Path, spec: dict) -> bool:
    """Whether a prepared run folder still has its link to the binary and each
    run-time static array at its size (a dozen stats)."""
    if not (results / "main").is_symlink():
        return False
    folder = results / internals.STATIC_ARRAY_FOLDER
    for parts in spec["static_arrays"].values():
        for name, dtype, entries in parts:
            try:
                if (folder / name).stat().st_size != entries * np.dtype(dtype).itemsize:
                    return False
            except OSError:
                return False
    return True


def _write_static_array(folder: Path, parts: list, values) -> None:
    """Write ``values`` over the static array files ``parts`` ([file, dtype,
    entries] each, in order), each in full: a file of another size would give
    the binary another network, so a short write is an error."""
    if not parts:
        return
    flat = np.ravel(np.asarray(values))
    total = sum(entries for _, _, entries in parts)
    if flat.size != total:
        raise RuntimeError(f"run-time data of {total} values expected, got {flat.size}")
    start = 0
    for name, dtype, entries in parts:
        path = folder / name
        path.unlink(missing_ok=True)  # a link into the build must never be written through
        chunk = flat[start:start + entries].astype(np.dtype(dtype), copy=False)
        chunk.tofile(path)
        if path.stat().st_size != chunk.nbytes:
            raise OSError(errno.ENOSPC, f"{path} was written short")
        start += entries


class StandaloneEngine:
    """Brian2 ``cpp_standalone``: one compiled build per structure, run arguments per call.

    Builds live in :func:`cache_root` (``$STPEXPLORER_CACHE`` or
    ``~/.cache/stpexplorer``), keyed by the structural parameters, the seed and
    the model code; a file lock makes concurrent processes wait for one build
    instead of racing.  Before every run the build is checked against the
    manifest written when it completed; a damaged build (a deleted, truncated
    or changed file, or one its binary complains about) is rebuilt from
    scratch once, and a run's output files must have the sizes the build
    says.  A read-only cache (prepared once for a class) serves its complete
    builds; results, new builds and their locks then go to
    :func:`writable_root`.

    Only compiling needs Brian2: a compiled network is run with its run
    arguments and its result files read with numpy, so a process that re-runs
    compiled networks never imports Brian2.  ``isolate_build=True`` compiles
    in a subprocess, so this process never imports it at all.  One engine may
    be shared by threads: each runs the binary into its own results folder.
    """

    name = "cpp_standalone"
    #: compiled structures whose run spec and realisation are kept in memory
    KEEP_STRUCTURES = 4
    #: seeds whose realisation (without noise) is kept in memory
    KEEP_REALISATIONS = 4

    def __init__(self, cache: Path | None = None, stp_storage: str = "presynaptic",
                 isolate_build: bool = False):
        self.cache = Path(cache) if cache else cache_root()
        self.stp_storage = stp_storage
        self.isolate_build = isolate_build
        #: how the compiled binary is started, inside the build directory
        self.run_command = ["./main"]
        self._loaded: dict[str, tuple[dict, Path]] = {}
        #: realisations (without noise) of the last seeds, by (structure, seed)
        self._realisations: dict[tuple, model.Realisation] = {}
        #: what each run folder holds: (build directory, (structure, seed), recording)
        self._run_folders: dict[Path, tuple] = {}
        #: damaged builds in read-only places: built again in writable_root()
        self._unusable: set[Path] = set()
        self._lock = threading.RLock()
        self._dir = None
        self._real = None
        self.last_build_s = 0.0
        #: compiles done by this engine (in this process or its subprocess)
        self.compiles = 0

    @property
    def imports_brian2(self) -> bool:
        """Whether a run may import Brian2 in this process (to compile)."""
        return not self.isolate_build

    def _directory(self, key: str) -> Path:
        """The build directory of ``key``: in the cache, unless the cache is
        read-only and holds no usable build of it (then in :func:`writable_root`)."""
        shared = self.cache / f"build-{key}"
        if shared not in self._unusable and (writable(shared) or load_run_spec(shared) is not None):
            return shared
        return writable_root() / f"build-{key}"

    # -- build ----------------------------------------------------------
    def _realisation(self, params: Params, seed: int) -> model.Realisation:
        """The realisation of ``seed`` without its noise (kept for a few seeds)."""
        key = (params.structure_key(), seed)
        with self._lock:
            real = self._realisations.pop(key, None)
            if real is None:
                real = model.draw_realisation(params, seed, noise=False)
            self._realisations[key] = real
            while len(self._realisations) > self.KEEP_REALISATIONS:
                self._realisations.pop(next(iter(self._realisations)))
            return real

    def _key(self, params: Params, seed: int) -> tuple[str, model.Realisation]:
        """The build key of ``params`` run with ``seed``, and the seed's realisation."""
        real = self._realisation(params, seed)
        own_build = model.build_capacity(params, real) != model.capacities(params)
        return build_key(params, seed if own_build else None, self.stp_storage), real

    def _prepare(self, params: Params, seed: int, progress=None) -> tuple[dict, Path, model.Realisation]:
        key, real = self._key(params, seed)
        with self._lock:
            if key in self._loaded:
                return (*self._loaded[key], real)
            directory = self._directory(key)
        start = time.perf_counter()
        spec = load_run_spec(directory)
        if spec is None:
            # not under the engine's lock: runs of compiled structures go on meanwhile
            # (the build's file lock makes one compile of a structure, whoever asks)
            cache_admin.cache_limit_mb()  # an invalid STPEXPLORER_CACHE_MB is refused before the compile
            if progress:
                progress("generating and compiling the C++ network (first time for this structure)")
            compile_step = compile_in_subprocess if self.isolate_build else compile_build
            compile_step(params, seed, directory, self.stp_storage)
            self.compiles += 1
            spec = load_run_spec(directory)
            if spec is None:
                raise CompileError(f"the build in {directory} did not complete; full log: "
                                   f"{compile_log(directory)}")
            cache_admin.enforce_limit(directory.parent, keep=[directory])
        cache_admin.mark_used(directory)
        with self._lock:
            remove_results(directory)
            if directory not in _RESULTS_TO_REMOVE_AT_EXIT:
                _RESULTS_TO_REMOVE_AT_EXIT.add(directory)
                atexit.register(remove_results, directory, only_this_process=True)
            while len(self._loaded) >= self.KEEP_STRUCTURES:
                self._loaded.pop(next(iter(self._loaded)))
            self._loaded[key] = (spec, directory)
            self.last_build_s = time.perf_counter() - start
            return spec, directory, real

    def preparation(self, params: Params, seed: int = 0) -> str | None:
        """What a run of ``params`` must do first: ``"compile"`` (a structure
        never built here), ``"load"`` (built, not the one loaded now) or None.
        Another seed or recording of a built structure needs neither."""
        key, _ = self._key(params, seed)
        if key in self._loaded:
            return None
        return "load" if load_run_spec(self._directory(key)) is not None else "compile"

    # -- run ------------------------------------------------------------
    def _run_args(self, params: Params, spec: dict, real: model.Realisation, args_dir: Path) -> list[str]:
        args_dir.mkdir(parents=True, exist_ok=True)
        dtypes = spec["run_dtypes"]
        full = model.padded(params, real, spec["capacity"])
        return [internals.run_argument(obj_name, var, value, dtypes.get(f"{obj_name}.{var}", "<f8"), args_dir)
                for obj_name, var, value in model.run_values(params, full, self.stp_storage)]

    def _prepare_run_folder(self, results: Path, directory: Path, spec: dict, params: Params, seed: int) -> None:
        """Make ``results`` the binary's working directory for this run: the
        binary and the build's static arrays linked, the seed's connectivity,
        spread draws and noise and the recording written as the static arrays
        that hold them (only those that changed since this folder's last run).
        Each process and thread has its own folder: runs of one build by
        several kernels never share these files."""
        folder = results / internals.STATIC_ARRAY_FOLDER
        state = self._run_folders.get(results)
        if state is not None and not _run_folder_intact(results, spec):
            state = None  # removed or changed behind this engine's back: prepared again in full
        if state is None or state[0] != directory:
            _link_build(results, directory, spec)
            state = (directory, None, None)
        seed_data = (params.structure_key(), seed)
        recording = (params.rec_neuron, params.rec_pre, params.rec_post)
        names = [] if state[1] == seed_data else ["e_sources", "e_targets", "e_zeta", "i_sources", "i_targets",
                                                   "i_zeta", "noise"]
        names += [] if state[1] == seed_data and state[2] == recording else ["recorded", "syn_recorded"]
        if names:
            real = model.draw_realisation(params, seed, noise="noise" in names)
            arrays = model.run_time_arrays(params, real, spec["capacity"], self.stp_storage)
            self._run_folders.pop(results, None)  # half-written: rewrite all next time if this fails
            for name in names:
                _write_static_array(folder, spec["static_arrays"].get(name, []), arrays.get(name))
        self._run_folders[results] = (directory, seed_data, recording)

    def _run_binary(self, params: Params, spec: dict, directory: Path,
                    real: model.Realisation, seed: int) -> tuple[dict[str, np.ndarray], float]:
        """Run the compiled network with ``params`` as run arguments and the
        data of ``seed``: (its checked output arrays, seconds taken).  Raises
        :class:`BinaryFailure` when the binary fails (the build may be damaged)."""
        results = results_dir(directory)
        try:
            results.mkdir(parents=True, exist_ok=True)
            _remove_outputs(results, spec)
            self._prepare_run_folder(results, directory, spec, params, seed)
            run_args = self._run_args(params, spec, real, results / "args")
        except OSError as exc:
            raise _write_failure(f"writing the run arguments into {results} failed", results, exc) from None
        limit = time_limit_s()
        env = {**os.environ, **spec["environment"]}
        start = time.perf_counter()
        try:
            done = subprocess.run(internals.binary_command(self.run_command, results, run_args),
                                  cwd=results, env=env, capture_output=True, timeout=limit)
        except subprocess.TimeoutExpired:
            raise TimeLimitError(time_limit_message(limit)) from None
        except OSError as exc:
            raise BinaryFailure(RuntimeError(f"the compiled network in {directory} could not be started: "
                                             f"{exc}")) from None
        elapsed = time.perf_counter() - start
        failure = _binary_failure(done, directory, results)
        if failure:
            raise failure
        return read_outputs(results, spec), elapsed

    def run(self, params: Params, seed: int = 0, progress=None) -> Result:
        for attempt in range(2):
            spec, directory, real = self._prepare(params, seed, progress)
            damage = build_damage(directory)
            if damage is None:
                try:
                    arrays, elapsed = self._run_binary(params, spec, directory, real, seed)
                    self._dir, self._real = directory, real
                    return collect(arrays, params, real, seed, self.name, elapsed)
                except BinaryFailure as failure:
                    damage = build_damage(directory)
                    if damage is None:
                        raise failure.error from None  # the build is fine: a real failure of this run
            if attempt:
                raise DamagedBuildError(f"the build in {directory} is still damaged after a rebuild: {damage}")
            # a damaged build (deleted, truncated or changed files): rebuild from scratch once
            self._discard_build(directory)
        raise AssertionError("unreachable")

    def read_results(self, names) -> dict[str, np.ndarray]:
        """Arrays of this thread's last run of the last loaded build, by
        :data:`model.OUTPUTS` or :data:`model.CONNECTIVITY_OUTPUTS` name (SI units)."""
        spec, directory = next(v for v in self._loaded.values() if v[1] == self._dir)
        arrays = read_outputs(results_dir(directory), spec, names)
        real_counts = {"e": len(self._real.exc), "i": len(self._real.inh)}
        for name in model.CONNECTIVITY_OUTPUTS:  # without the padding synapses
            if name in arrays:
                arrays[name] = arrays[name][:real_counts[name[0]]]
        return arrays

    def _discard_build(self, directory: Path) -> None:
        """Forget a damaged build and delete it, unless, checked again under
        its lock, another process has rebuilt it meanwhile.  A build in a
        read-only place is left alone and built again in :func:`writable_root`."""
        with self._lock:
            self._loaded = {k: v for k, v in self._loaded.items() if v[1] != directory}
            self._run_folders = {k: v for k, v in self._run_folders.items() if v[0] != directory}
            if not writable(directory):
                self._unusable.add(directory)
                return
            with build_lock(directory):
                if load_run_spec(directory) is not None and build_damage(directory) is None:
                    return  # rebuilt by another process since this one saw the damage: keep it
                shutil.rmtree(directory, ignore_errors=True)
