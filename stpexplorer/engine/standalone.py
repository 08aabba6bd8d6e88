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
import json
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import numpy as np

from .. import model
from ..errors import (
    CompileError,
    DamagedBuildError,
    NoSpaceError,
    TimeLimitError,
)
from ..params import Params
from ..results import Result
from . import brian2_internals as internals
from . import cache_admin
from . import resident as resident_mod
from .build_cache import (
    build_damage,
    build_key,
    build_lock,
    cache_root,
    compile_log,
    first_run_output_bytes,
    load_run_spec,
    output_dir,
    remove_results,
    results_dir,
    writable,
    writable_root,
)
from .collect import collect
from .compile import compile_build, compile_in_subprocess, write_failure
from .limits import time_limit_message, time_limit_s
from .resident import ResidentBinary
from .run_folder import (
    BinaryFailure,
    binary_failure,
    link_build,
    read_outputs,
    remove_outputs,
    run_folder_intact,
    write_static_array,
)

_RESULTS_TO_REMOVE_AT_EXIT: set[Path] = set()
#: A run folder's record of the seed and recording its static arrays hold.
RUN_DATA = "run_data.json"
#: How the compiled binary is started in its run folder (anything else runs one process per run).
DEFAULT_RUN_COMMAND = ["./main"]


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
        self.run_command = list(DEFAULT_RUN_COMMAND)
        #: resident binaries (see :mod:`.resident`) by run folder: ((folder, binary) identity, process)
        self._residents: dict[Path, tuple[tuple, ResidentBinary]] = {}
        self._loaded: dict[str, tuple[dict, Path]] = {}
        #: realisations (without noise) of the last seeds, by (structure, seed)
        self._realisations: dict[tuple, model.Realisation] = {}
        #: damaged builds in read-only places: built again in writable_root()
        self._unusable: set[Path] = set()
        self._lock = threading.RLock()
        self._dir = None
        self._real = None
        self.last_build_s = 0.0
        #: compiles done by this engine (in this process or its subprocess)
        self.compiles = 0
        #: bytes a run of a build wrote (measured at its first run here), by build directory
        self._output_bytes: dict[Path, int] = {}
        #: run folders whose output goes to disk (the memory file system filled up once)
        self._on_disk: set[Path] = set()
        #: where the last run of each run folder wrote its output
        self._outputs: dict[Path, Path] = {}

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
            if key in self._loaded:  # the most recently used go last: the oldest are dropped first
                self._loaded[key] = self._loaded.pop(key)
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

    def _prepare_run_folder(self, results: Path, directory: Path, spec: dict, params: Params, seed: int,
                            real: model.Realisation) -> None:
        """Make ``results`` the binary's working directory for this run: the
        binary and the build's static arrays linked, the seed's connectivity,
        spread draws and noise and the recording written as the static arrays
        that hold them (only those that changed since this folder's last run,
        as its own record :data:`RUN_DATA` says: another engine in this thread
        may have run another seed in it).  Each process and thread has its own
        folder: runs of one build by several kernels never share these files."""
        folder = results / internals.STATIC_ARRAY_FOLDER
        marker = results / RUN_DATA
        try:
            held = json.loads(marker.read_text())
        except (OSError, ValueError):
            held = {}
        if held.get("build") != str(directory) or not run_folder_intact(results, spec):
            link_build(results, directory, spec)
            held = {"build": str(directory)}
        wanted = {"build": str(directory), "seed": repr((params.structure_key(), seed)),
                  "recording": [params.rec_neuron, params.rec_pre, params.rec_post]}
        names = [] if held.get("seed") == wanted["seed"] else ["e_sources", "e_targets", "e_zeta", "i_sources",
                                                                "i_targets", "i_zeta", "noise"]
        names += [] if not names and held.get("recording") == wanted["recording"] else ["recorded", "syn_recorded"]
        if names:
            marker.unlink(missing_ok=True)  # half-written: never trusted if this fails
            if "noise" in names:  # the noise comes last from the seed's stream: drawn with the rest
                real = model.draw_realisation(params, seed)
            arrays = model.run_time_arrays(params, real, spec["capacity"], self.stp_storage)
            for name in names:
                write_static_array(folder, spec["static_arrays"].get(name, []), arrays.get(name))
            marker.write_text(json.dumps(wanted))

    def _run_binary(self, params: Params, spec: dict, directory: Path,
                    real: model.Realisation, seed: int) -> tuple[dict[str, np.ndarray], float]:
        """Run the compiled network with ``params`` as run arguments and the
        data of ``seed``: (its checked output arrays, seconds taken).  Raises
        :class:`BinaryFailure` when the binary fails (the build may be damaged).
        The output goes to memory when there is room (:func:`output_dir`); a run
        that fills the memory file system is run again, writing on disk."""
        results = results_dir(directory)
        with self._lock:
            on_disk = results in self._on_disk
            output_bytes = self._output_bytes.get(directory) or first_run_output_bytes(spec)
        outputs = results if on_disk else output_dir(results, output_bytes)
        try:
            return self._run_into(outputs, params, spec, directory, results, real, seed)
        except NoSpaceError:
            if outputs == results:
                raise
        with self._lock:
            self._on_disk.add(results)
        shutil.rmtree(outputs, ignore_errors=True)
        return self._run_into(results, params, spec, directory, results, real, seed)

    def _run_into(self, outputs: Path, params: Params, spec: dict, directory: Path, results: Path,
                  real: model.Realisation, seed: int) -> tuple[dict[str, np.ndarray], float]:
        """One run of the binary in the run folder ``results``, writing its output into ``outputs``."""
        try:
            results.mkdir(parents=True, exist_ok=True)
            remove_outputs(outputs, spec)
            self._prepare_run_folder(results, directory, spec, params, seed, real)
        except OSError as exc:
            raise write_failure(f"writing the run's data into {results} failed", results, exc) from None
        try:
            run_args = self._run_args(params, spec, real, outputs / "args")
        except OSError as exc:
            raise write_failure(f"writing the run arguments into {outputs} failed", outputs, exc) from None
        limit = time_limit_s()
        env = {**os.environ, **spec["environment"]}
        start = time.perf_counter()
        if not self._run_resident(spec, directory, results, outputs, run_args, env, limit):
            try:
                done = subprocess.run(internals.binary_command(self.run_command, outputs, run_args),
                                      cwd=results, env=env, capture_output=True, timeout=limit)
            except subprocess.TimeoutExpired:
                raise TimeLimitError(time_limit_message(limit)) from None
            except OSError as exc:
                raise BinaryFailure(RuntimeError(f"the compiled network in {directory} could not be started: "
                                                 f"{exc}")) from None
            failure = binary_failure(done, directory, outputs)
            if failure:
                raise failure
        elapsed = time.perf_counter() - start
        arrays = read_outputs(outputs, spec)
        with self._lock:
            self._outputs[results] = outputs
            if directory not in self._output_bytes:
                self._output_bytes[directory] = cache_admin.directory_bytes(outputs)
        return arrays, elapsed

    def _run_resident(self, spec: dict, directory: Path, results: Path, outputs: Path, run_args: list[str],
                      env: dict, limit: float) -> bool:
        """Run on the resident binary of this run folder (started if needed),
        writing into ``outputs``; False if the build cannot stay resident, or
        the resident binary failed (it is stopped and the run is left to a new
        process, whose failures are reported as always)."""
        if not (spec.get("resident") and resident_mod.enabled() and self.run_command == DEFAULT_RUN_COMMAND):
            return False
        try:  # a new folder, output folder or binary (a rebuild) needs a new resident binary
            identity = (os.stat(results).st_ino, os.stat(results / "main").st_ino, str(outputs))
        except OSError:
            return False
        with self._lock:
            held = self._residents.pop(results, None)
        if held is not None and (held[0] != identity or not held[1].alive()):
            held[1].close()
            held = None
        if held is None:
            with self._lock:  # the oldest go: one per run folder used lately
                old = [self._residents.pop(folder)[1] for folder in list(self._residents)[:max(
                    0, len(self._residents) - self.KEEP_STRUCTURES + 1)]]
            for binary in old:
                binary.close()
            try:
                held = (identity, ResidentBinary(internals.binary_command(self.run_command, outputs, []),
                                                 results, env))
            except OSError:
                return False
        try:
            done = held[1].run(run_args, limit)  # TimeLimitError: stopped, raised as for a new process
        except BaseException:  # interrupted: stopped, as a new process would be
            held[1].close()
            raise
        if done is None or binary_failure(done, directory, outputs) is not None:
            held[1].close()
            remove_outputs(outputs, spec)
            return False
        with self._lock:
            self._residents[results] = held
        return True

    def close_residents(self) -> None:
        """Stop this engine's resident binaries (they also stop when this process ends)."""
        with self._lock:
            held, self._residents = list(self._residents.values()), {}
        for _, binary in held:
            binary.close()

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
        results = results_dir(directory)
        arrays = read_outputs(self._outputs.get(results, results), spec, names)
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
            if not writable(directory):
                self._unusable.add(directory)
                return
            with build_lock(directory):
                if load_run_spec(directory) is not None and build_damage(directory) is None:
                    return  # rebuilt by another process since this one saw the damage: keep it
                shutil.rmtree(directory, ignore_errors=True)
