"""Compiling a network structure: Brian2 generates the C++ code and ``make``
builds it, once per structure, in a directory of the build cache.

A compile starts from an empty directory, runs in its own process group at
low priority with as many jobs as there are cores (in a subprocess that
stops its group when its parent dies), writes its run description and
completion marker each in full or not at all, and its failures name the
cause and the log."""

from __future__ import annotations

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
from ..errors import CompileError, CompileKilledError, NoSpaceError
from ..params import Params
from . import brian2_internals as internals
from . import cache_admin
from .build_cache import (
    COMPLETE_MARKER,
    RUN_SPEC,
    build_lock,
    build_manifest,
    compile_log,
    load_run_spec,
    no_space_note,
)
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
            raise write_failure(f"preparing the build directory {directory} failed", directory, exc) from None
        device = internals.fresh_standalone_device(directory)
        try:
            built = model.build(params, real, stp_storage, padded=model.padded(params, real, capacity))
            built.net.run(params.duration * _brian_ms(), namespace={})
            resident = internals.compile_device(device, directory, usable_cores(), log)
            spec = {**_run_spec(built, device, params, real, stp_storage, capacity), "resident": resident}
            _write_atomically(directory / RUN_SPEC, json.dumps(spec))
            cache_admin.write_structure(directory, params, capacity)
            _write_atomically(directory / COMPLETE_MARKER, json.dumps(build_manifest(directory)))
        except CompileError:
            raise
        except OSError as exc:
            if _is_no_space(exc, directory):
                raise write_failure(f"writing the build in {directory} failed", directory, exc) from None
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


def write_failure(what: str, path: Path, exc: OSError) -> Exception:
    """The error for a file that could not be written: :class:`NoSpaceError`
    naming the directory when the disk is full, else a ``RuntimeError``."""
    if _is_no_space(exc, path):
        return NoSpaceError(f"{what}: {no_space_note(path) or f'no space left in {path}'}")
    return RuntimeError(f"{what}: {exc}")


def signal_name(number: int) -> str:
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
                                  f"({signal_name(-returncode)}); {where}")
    if make_status is not None and make_status & 0x7F:
        number = make_status & 0x7F
        return CompileKilledError(f"compiling the network was stopped: make was killed by signal {number} "
                                  f"({signal_name(number)}); {where}")
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


#: How long the first compile of a structure takes, as the command line and the
#: dashboard tell it (8-13 s measured on 2 cores, see the documentation's
#: performance page; longer on a loaded machine).
COMPILE_TIME_TEXT = "10-20 s"

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
    code = "from stpexplorer.engine.compile import compile_child; compile_child()"
    argv = [sys.executable, "-c", code, params.to_json(), str(seed), str(directory), stp_storage, str(os.getpid())]
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        try:
            # wait without reaping: the group id cannot be reused before the kill below
            os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)
        finally:
            returncode = stop_process(process)
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


def stop_process(process: subprocess.Popen) -> int:
    """Kill the process group that ``process`` leads and reap ``process``; its return code."""
    stop_process_group(process.pid)
    return process.wait()


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
