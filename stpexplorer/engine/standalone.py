"""Brian2's ``cpp_standalone`` device: compile once per structure, re-run the
binary with run arguments (no Brian2 needed for that)."""

from __future__ import annotations

import atexit
import gc
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

from .. import model
from ..errors import TimeLimitError
from ..params import Params
from ..results import Result
from .build_cache import (
    COMPLETE_MARKER,
    RUN_SPEC,
    build_intact,
    build_key,
    build_lock,
    build_manifest,
    cache_root,
    load_run_spec,
    remove_results,
    results_dir_name,
)
from .collect import collect
from .limits import time_limit_message, time_limit_s
from .runtime import BRIAN_LOCK


def compile_build(params: Params, seed: int, directory: Path, stp_storage: str) -> None:
    """Generate and compile the network of ``params``/``seed`` into ``directory``
    (under its file lock; nothing to do if another process completed it).

    This is the only step that needs Brian2.  It writes the binary, the
    completion marker with a manifest of the build, and :data:`RUN_SPEC`.
    """
    import brian2 as b2
    from brian2.devices.device import reset_device

    real = model.draw_realisation(params, seed)
    with BRIAN_LOCK, build_lock(directory):
        if load_run_spec(directory) is not None:
            return  # compiled before, by this or another process: never rewritten (it may be running)
        b2.set_device("cpp_standalone", build_on_run=False, directory=str(directory))
        device = b2.get_device()
        device.reinit()
        device.activate(build_on_run=False, directory=str(directory))
        gc.collect()  # free the old objects' names only now that the device forgot them
        try:
            built = model.build(params, real, stp_storage)
            built.net.run(params.duration * b2.ms, namespace={})
            device.build(directory=str(directory), compile=True, run=False, with_output=False)
            environment = {**b2.prefs["devices.cpp_standalone.run_environment_variables"],
                           **device.run_environment_variables}
            spec = {"outputs": model.output_files(built, device),
                    "environment": {k: str(v) for k, v in environment.items()}}
            (directory / RUN_SPEC).write_text(json.dumps(spec))
            (directory / COMPLETE_MARKER).write_text(json.dumps(build_manifest(directory)))
        finally:
            device.static_arrays.clear()
            reset_device()
            gc.collect()


#: Niceness of a compile in a subprocess (inherited by make and the compiler).
COMPILE_NICENESS = 15


def compile_in_subprocess(params: Params, seed: int, directory: Path, stp_storage: str) -> None:
    """:func:`compile_build` in a new Python process, so that this process
    never imports Brian2 (a dashboard kernel stays small and responsive)."""
    code = ("import sys; from pathlib import Path; from stpexplorer.params import Params; "
            "from stpexplorer.engine import compile_build; "
            "compile_build(Params.from_json(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]), sys.argv[4])")
    # At low priority: the compiler (make -j, several g++) would otherwise take
    # every core from the dashboard's kernels and their users for ~20 s.
    done = subprocess.run([sys.executable, "-c", code, params.to_json(), str(seed), str(directory),
                           stp_storage], capture_output=True, text=True,
                          preexec_fn=lambda: os.nice(COMPILE_NICENESS))
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or ["(no output)"]
        raise RuntimeError(f"compiling the network failed: {lines[-1]}")


def _read_outputs(results: Path, spec: dict, names=None) -> dict[str, np.ndarray]:
    arrays = {}
    for name, (filename, dtype, columns) in spec["outputs"].items():
        if names is not None and name not in names:
            continue
        data = np.fromfile(results / filename, dtype=np.dtype(dtype))
        arrays[name] = data.reshape(-1, columns).T if columns else data
    return arrays


_RESULTS_TO_REMOVE_AT_EXIT: set[Path] = set()


class StandaloneEngine:
    """Brian2 ``cpp_standalone``: one compiled build per structure, run arguments per call.

    Builds live in :func:`cache_root` (``$STPEXPLORER_CACHE`` or
    ``~/.cache/stpexplorer``), keyed by the structural parameters, the seed and
    the model code; a file lock makes concurrent processes wait for one build
    instead of racing.  A build whose binary fails is rebuilt from scratch once.

    Only compiling needs Brian2: a compiled network is run with its run
    arguments and its result files read with numpy, so a process that re-runs
    compiled networks never imports Brian2.  ``isolate_build=True`` compiles
    in a subprocess, so this process never imports it at all.  One engine may
    be shared by threads: each runs the binary into its own results folder.
    """

    name = "cpp_standalone"
    #: compiled structures whose run spec and realisation are kept in memory
    KEEP_STRUCTURES = 4

    def __init__(self, cache: Path | None = None, stp_storage: str = "presynaptic",
                 isolate_build: bool = False):
        self.cache = Path(cache) if cache else cache_root()
        self.stp_storage = stp_storage
        self.isolate_build = isolate_build
        #: how the compiled binary is started, inside the build directory
        self.run_command = ["./main"]
        self._loaded: dict[str, tuple[dict, Path, model.Realisation]] = {}
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
        return self.cache / f"build-{key}"

    # -- build ----------------------------------------------------------
    def _prepare(self, params: Params, seed: int, progress=None) -> tuple[dict, Path, model.Realisation]:
        key = build_key(params, seed, self.stp_storage)
        with self._lock:
            if key in self._loaded:
                return self._loaded[key]
            directory = self._directory(key)
            start = time.perf_counter()
            spec = load_run_spec(directory)
            if spec is None:
                if progress:
                    progress("generating and compiling the C++ network (first time for this structure)")
                compile_step = compile_in_subprocess if self.isolate_build else compile_build
                compile_step(params, seed, directory, self.stp_storage)
                self.compiles += 1
                spec = load_run_spec(directory)
                if spec is None:
                    raise RuntimeError(f"the build in {directory} did not complete")
            remove_results(directory)
            if directory not in _RESULTS_TO_REMOVE_AT_EXIT:
                _RESULTS_TO_REMOVE_AT_EXIT.add(directory)
                atexit.register(remove_results, directory, only_this_process=True)
            loaded = (spec, directory, model.draw_realisation(params, seed, noise=False))
            while len(self._loaded) >= self.KEEP_STRUCTURES:
                self._loaded.pop(next(iter(self._loaded)))
            self._loaded[key] = loaded
            self._dir, self._real = directory, loaded[2]
            self.last_build_s = time.perf_counter() - start
            return loaded

    def preparation(self, params: Params, seed: int = 0) -> str | None:
        """What a run of ``params`` must do first: ``"compile"`` (a structure
        never built here), ``"load"`` (built, not the one loaded now) or None."""
        key = build_key(params, seed, self.stp_storage)
        if key in self._loaded:
            return None
        return "load" if load_run_spec(self._directory(key)) is not None else "compile"

    # -- run ------------------------------------------------------------
    def _run_args(self, params: Params, real: model.Realisation, args_dir: Path) -> list[str]:
        args_dir.mkdir(parents=True, exist_ok=True)
        run_args = []
        for obj_name, var, value in model.run_values(params, real, self.stp_storage):
            array = np.asarray(value, dtype=np.float64)
            if array.size == 1:
                run_args.append(f"{obj_name}.{var}={float(array.item())!r}")
            else:
                path = args_dir / f"{obj_name}.{var}.dat"
                array.tofile(path)
                run_args.append(f"{obj_name}.{var}={path}")
        return run_args

    def _run_binary(self, params: Params, spec: dict, directory: Path,
                    real: model.Realisation) -> tuple[Path, float]:
        """Run the compiled network with ``params`` as run arguments:
        (results folder, seconds taken)."""
        results = directory / results_dir_name()
        results.mkdir(parents=True, exist_ok=True)
        run_args = self._run_args(params, real, results / "args")
        limit = time_limit_s()
        env = {**os.environ, **spec.get("environment", {})}
        start = time.perf_counter()
        try:
            done = subprocess.run([*self.run_command, "--results_dir", f"{results}/", *run_args],
                                  cwd=directory, env=env, capture_output=True, timeout=limit)
        except subprocess.TimeoutExpired:
            raise TimeLimitError(time_limit_message(limit)) from None
        except OSError as exc:
            raise RuntimeError(f"the compiled network in {directory} could not be started: {exc}") from None
        if done.returncode != 0:
            raise RuntimeError(f"the compiled network in {directory} failed (exit status "
                               f"{done.returncode})")
        return results, time.perf_counter() - start

    def run(self, params: Params, seed: int = 0, progress=None) -> Result:
        spec, directory, real = self._prepare(params, seed, progress)
        try:
            results, elapsed = self._run_binary(params, spec, directory, real)
        except TimeLimitError:
            raise
        except RuntimeError:
            if build_intact(directory):
                raise  # the build is fine: a real failure of this run, not a cache problem
            # a damaged build (deleted, truncated or changed files): rebuild from scratch once
            self._discard_build(directory)
            spec, directory, real = self._prepare(params, seed, progress)
            results, elapsed = self._run_binary(params, spec, directory, real)
        return collect(_read_outputs(results, spec), params, real, seed, self.name, elapsed)

    def read_results(self, names) -> dict[str, np.ndarray]:
        """Arrays of this thread's last run of the last loaded build, by
        :data:`model.OUTPUTS` or :data:`model.CONNECTIVITY_OUTPUTS` name (SI units)."""
        spec, directory, _ = next(v for v in self._loaded.values() if v[1] == self._dir)
        return _read_outputs(directory / results_dir_name(), spec, names)

    def _discard_build(self, directory: Path) -> None:
        with self._lock:
            self._loaded = {k: v for k, v in self._loaded.items() if v[1] != directory}
            with build_lock(directory):
                shutil.rmtree(directory, ignore_errors=True)
