"""A compiled network's run folder: one per process and thread.

The binary runs with this folder as its working directory: its binary and
the build's static arrays are linked, the seed's connectivity, spread draws
and noise and the recorded indices are written as the static arrays that
hold them.  Its output files are read back only if each has the size the
build says (a full disk gives an error, never a result), and its complaints
(Brian2's binary exits 0 when it cannot read a file) stop the run."""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path

import numpy as np

from ..errors import NoSpaceError, TransientError
from . import brian2_internals as internals
from .build_cache import no_space_note
from .compile import signal_name


class BinaryFailure(Exception):
    """A run of the compiled binary failed; ``error`` is what to raise if the
    build proves intact (else the build is rebuilt)."""

    def __init__(self, error: Exception):
        super().__init__(str(error))
        self.error = error


def _output_lines(done: subprocess.CompletedProcess) -> list[str]:
    text = (done.stdout or b"").decode(errors="replace") + "\n" + (done.stderr or b"").decode(errors="replace")
    return [line.strip() for line in text.splitlines() if line.strip()]


def binary_failure(done: subprocess.CompletedProcess, directory: Path, results: Path) -> BinaryFailure | None:
    """Why a run of the binary in ``directory`` failed, or None if it did not:
    a signal, a non-zero exit status or a complaint of Brian2's binary (which
    exits 0 when a static array or a run argument cannot be read)."""
    lines = _output_lines(done)
    complaints = [line for line in lines if any(c in line for c in internals.BINARY_COMPLAINTS)]
    if done.returncode < 0:
        return BinaryFailure(TransientError(
            f"the compiled network in {directory} was killed by signal {-done.returncode} "
            f"({signal_name(-done.returncode)})"))
    if done.returncode == 0 and not complaints:
        return None
    said = "; ".join((complaints or lines)[:3]) or "no output"
    if done.returncode == 0:  # Brian2's binary complains and carries on
        message = f"the compiled network in {directory} could not read or write its files ({said})"
    else:
        message = f"the compiled network in {directory} failed (exit status {done.returncode}: {said})"
    note = no_space_note(results)
    return BinaryFailure(NoSpaceError(f"{message}: {note}") if note else RuntimeError(message))


def _count(results: str, size: list) -> tuple[int | None, str | None]:
    """Entries of a growing output from its count file: (count, problem)."""
    _, filename, dtype = size
    path = os.path.join(results, filename)
    try:
        counted = np.fromfile(path, dtype=np.dtype(dtype))
    except (OSError, ValueError) as exc:
        return None, f"{filename}: {exc}"
    if counted.size != 1 or counted[0] < 0:
        return None, f"{filename} has {os.stat(path).st_size} bytes, expected {np.dtype(dtype).itemsize}"
    return int(counted[0]), None


def _expected_bytes(results: str, size: list, dtype: str, columns: int) -> tuple[int | None, str | None]:
    if size[0] == "fixed":
        return size[1], None
    count, problem = _count(results, size)
    return (None, problem) if problem else (count * np.dtype(dtype).itemsize * max(columns, 1), None)


def read_outputs(results: Path, spec: dict, names=None) -> dict[str, np.ndarray]:
    """A run's output arrays, by output name, each checked against the size
    the run must have written; raises :class:`NoSpaceError` (full disk) or
    :class:`TransientError` for missing or short files, never a result."""
    arrays, problems, missing_bytes = {}, [], 0
    folder = str(results)  # plain strings: ~40 files per run
    for name, (filename, dtype, columns) in spec["outputs"].items():
        if names is not None and name not in names:
            continue
        path = os.path.join(folder, filename)
        expected, problem = _expected_bytes(folder, spec["sizes"][name], dtype, columns)
        try:
            actual = os.stat(path).st_size
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


def remove_outputs(results: Path, spec: dict) -> None:
    """Delete the output files of an earlier run in ``results``: a file the
    next run fails to write is then missing, never stale."""
    folder = str(results)
    for name, (filename, _, _) in spec["outputs"].items():
        size = spec["sizes"][name]
        for file in (filename, size[1]) if size[0] == "count" else (filename,):
            try:
                os.unlink(os.path.join(folder, file))
            except FileNotFoundError:
                pass



def link_build(results: Path, directory: Path, spec: dict) -> None:
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


def run_folder_intact(results: Path, spec: dict) -> bool:
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


def write_static_array(folder: Path, parts: list, values) -> None:
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
