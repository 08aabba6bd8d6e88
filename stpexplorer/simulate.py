"""``simulate(params, seed) -> Result`` and the engines behind it.

Two engines run the same Brian2 model (:mod:`stpexplorer.model`):

* :class:`RuntimeEngine` — Brian2's runtime mode (numpy target by default):
  builds and runs the network in this process on every call.  The reference
  path; needs no compiler.
* :class:`StandaloneEngine` — Brian2's ``cpp_standalone`` device, compiled once
  per *structure* (sizes, connectivity, synapse model, STP on/off, seed, run
  length, recording) into a build directory shared by all processes.  Every
  other parameter (U_0, Ω_f, Ω_d, a, b, c, d, weights, time constants, input)
  is a group variable handed to the compiled binary as a run argument, so a
  parameter change re-runs the binary without code generation or compilation.

:func:`simulate` picks the standalone engine when a C++ compiler works and
falls back to the runtime engine otherwise (:func:`engine_note` says which).
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import fcntl
import functools
import gc
import hashlib
import io
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from . import model
from .params import Params
from .results import Result

class DivergenceError(RuntimeError):
    """The numerical integration ran away (|v| too large or not finite).

    ``t_ms`` (when it was found), ``population`` ('excitatory' or
    'inhibitory') and ``neuron`` (network index) say where, when known.
    """

    def __init__(self, message: str, t_ms: float | None = None, population: str | None = None,
                 neuron: int | None = None):
        super().__init__(message)
        self.t_ms, self.population, self.neuron = t_ms, population, neuron

    def __reduce__(self):  # keep the attributes through pickling (Dask workers)
        return type(self), (str(self), self.t_ms, self.population, self.neuron)

class BudgetError(ValueError):
    """The requested run is larger than the configured work limit."""

class TimeLimitError(RuntimeError):
    """The run was stopped at the wall-clock limit."""

#: Wall-clock limit of one simulation in seconds (STPEXPLORER_MAX_SECONDS overrides).
MAX_SECONDS = 120.0

def time_limit_s() -> float:
    return _limit("STPEXPLORER_MAX_SECONDS", MAX_SECONDS)

def _time_limit_message(limit: float) -> str:
    return (f"the simulation was stopped at the wall-clock limit of {limit:g} s; shorten duration, "
            f"shrink the network, or raise STPEXPLORER_MAX_SECONDS")

# ----------------------------------------------------------------------
# Work budget
# ----------------------------------------------------------------------
#: Largest neurons × time steps accepted (STPEXPLORER_MAX_NEURON_STEPS overrides).
MAX_NEURON_STEPS = 2e8
#: Largest expected number of synapses (STPEXPLORER_MAX_SYNAPSES overrides).
MAX_SYNAPSES = 2e7

def _limit(name: str, default: float) -> float:
    """A positive limit from the environment variable ``name`` (unset or empty: ``default``)."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not (math.isfinite(number) and number > 0):
        raise ValueError(f"{name}={value!r} is invalid; allowed: a positive number "
                         f"(unset for the default {default:g})")
    return number

def check_budget(params: Params) -> None:
    """Refuse oversized requests before any work starts."""
    n = params.N_e + params.N_i
    steps = params.duration / params.dt
    neuron_steps = n * steps
    limit = _limit("STPEXPLORER_MAX_NEURON_STEPS", MAX_NEURON_STEPS)
    if neuron_steps > limit:
        raise BudgetError(f"N_e+N_i={n} neurons x {steps:.0f} steps = {neuron_steps:.3g} exceeds the "
                          f"work limit {limit:.3g}; shorten duration, raise dt, shrink the network, "
                          f"or raise STPEXPLORER_MAX_NEURON_STEPS")
    synapses = params.N_e * n * params.p_e + params.N_i * n * params.p_i
    limit = _limit("STPEXPLORER_MAX_SYNAPSES", MAX_SYNAPSES)
    if synapses > limit:
        raise BudgetError(f"about {synapses:.3g} synapses (N_e={params.N_e}, N_i={params.N_i}, "
                          f"p_e={params.p_e}, p_i={params.p_i}) exceed the limit {limit:.3g}; "
                          f"lower the connection probabilities or raise STPEXPLORER_MAX_SYNAPSES")
    noise_values = model.noise_steps(params) * n
    if noise_values > limit * 5:
        raise BudgetError(f"the noise input needs {noise_values:.3g} values (neurons x ms), over the "
                          f"limit {limit * 5:.3g}; shorten duration or shrink the network, or raise "
                          f"STPEXPLORER_MAX_SYNAPSES")

# ----------------------------------------------------------------------
# Turning Brian2 monitors into a Result
# ----------------------------------------------------------------------
def _check_divergence(t_diverged_s: np.ndarray, params: Params) -> None:
    first_s = np.asarray(t_diverged_s)
    neuron = int(np.argmin(first_s))
    if first_s[neuron] >= model.DIVERGENCE_NEVER_S:
        return
    population = "excitatory" if neuron < params.N_e else "inhibitory"
    t_ms = float(first_s[neuron]) * 1e3
    raise DivergenceError(
        f"simulation diverged at t = {t_ms:.0f} ms in the {population} population "
        f"(neuron {neuron}: |v| exceeded {model.V_RUNAWAY_MV:g} mV or became NaN). Likely cause: "
        f"dt = {params.dt} ms too large for the input, or synaptic weights too strong "
        f"(w_e = {params.w_e} nS, w_i = {params.w_i} nS, J_e = {params.J_e} mV, "
        f"J_i = {params.J_i} mV). Reduce dt or the weights.",
        t_ms=t_ms, population=population, neuron=neuron)

def _check_traces_finite(params: Params, recorded: np.ndarray, t_ms: np.ndarray, traces) -> None:
    """A last guard behind the divergence detection in the network: name the
    first time and neuron at which a recorded trace is not finite."""
    bad = np.zeros((len(recorded), len(t_ms)), dtype=bool)
    for trace in traces:
        bad |= ~np.isfinite(trace)
    if not bad.any():
        return
    row, step = min(zip(*np.nonzero(bad)), key=lambda rs: rs[1])
    neuron = int(recorded[row])
    population = "excitatory" if neuron < params.N_e else "inhibitory"
    raise DivergenceError(
        f"simulation diverged at t = {t_ms[step]:.1f} ms in the {population} population "
        f"(neuron {neuron}: a recorded trace became non-finite). Likely cause: dt = {params.dt} ms "
        f"too large, or synaptic weights too strong (w_e = {params.w_e} nS, w_i = {params.w_i} nS). "
        f"Reduce dt or the weights.", t_ms=float(t_ms[step]), population=population, neuron=neuron)

def _synapse_record(arrays: dict, params: Params, real: model.Realisation,
                    spike_i: np.ndarray, spike_t: np.ndarray):
    rec_key, rec_index = model.find_recorded_synapse(params, real)
    path = real.exc if rec_key == "e" else real.inh
    pre, post = int(path.pre[rec_index]), int(path.post[rec_index])
    pre_times = spike_t[spike_i == pre]
    if not params.stp:
        ones = np.ones(len(pre_times))
        return pre, post, pre_times, ones, ones, ones
    steps = np.rint(pre_times / params.dt).astype(np.int64)
    rec_steps = np.rint(arrays["stp_t"] / 1e-3 / params.dt).astype(np.int64)
    rows = np.searchsorted(rec_steps, steps)
    u = arrays["u_S"][0][rows]
    x_after = arrays["x_S"][0][rows]
    r = arrays["r_S"][0][rows]
    return pre, post, pre_times, u, x_after + r, r

def collect(arrays: dict[str, np.ndarray], params: Params, real: model.Realisation, seed: int,
            engine: str, run_time_s: float) -> Result:
    """Turn a run's :data:`model.OUTPUTS` arrays (SI units) into a
    :class:`Result` (ms, mV, nS); raise on divergence."""
    _check_divergence(arrays["t_diverged"], params)
    spike_i = np.asarray(arrays["spike_i"], dtype=np.int32)
    spike_t = np.asarray(arrays["spike_t"]) / 1e-3
    order = np.lexsort((spike_i, spike_t))
    spike_i, spike_t = spike_i[order], spike_t[order]
    t_ms = np.asarray(arrays["trace_t"]) / 1e-3
    v = np.asarray(arrays["v"]) / 1e-3
    if params.synapse_model == "conductance":
        ge, gi = np.asarray(arrays["ge"]) / 1e-9, np.asarray(arrays["gi"]) / 1e-9
    else:
        ge = gi = np.zeros_like(v)
    pre, post, pre_times, u, x, r = _synapse_record(arrays, params, real, spike_i, spike_t)
    recorded = model.recorded_neurons(params)
    _check_traces_finite(params, recorded, t_ms, (v, ge, gi))
    if not all(np.all(np.isfinite(a)) for a in (u, x, r)):
        raise DivergenceError(f"the STP state of synapse {pre} → {post} became non-finite; "
                              f"check U_0, Omega_f and Omega_d")
    return Result(
        params=params, seed=seed, engine=engine, run_time_s=run_time_s,
        Ne=params.N_e, Ni=params.N_i, spike_i=spike_i, spike_t_ms=spike_t, t_ms=t_ms,
        recorded_neurons=recorded.astype(np.int64), v_rec_mV=v, ge_rec_nS=ge,
        gi_rec_nS=gi, rec_neuron=params.rec_neuron, syn_pre=pre, syn_post=post,
        syn_spike_t_ms=pre_times, u_at_spikes=u, x_at_spikes=x, r_at_spikes=r,
        conn_pre=real.conn_pre, conn_post=real.conn_post)

def _check_seed(seed) -> int:
    from .params import SEED_LIMIT

    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < SEED_LIMIT:
        raise ValueError(f"seed={seed!r} is invalid; allowed: an integer in [0, {SEED_LIMIT})")
    return int(seed)

# ----------------------------------------------------------------------
# Runtime engine (reference path)
# ----------------------------------------------------------------------
_BRIAN_LOCK = threading.RLock()  # Brian2's device and preferences are process-global

class RuntimeEngine:
    """Brian2 runtime mode; ``target`` is 'numpy' (default) or 'cython'."""

    #: runs import Brian2 in this process (see :func:`import_brian2_if_needed`)
    imports_brian2 = True

    def __init__(self, target: str = "numpy", stp_storage: str = "presynaptic"):
        self.target = target
        self.stp_storage = stp_storage
        self.name = f"runtime-{target}"

    def run(self, params: Params, seed: int = 0) -> Result:
        import brian2 as b2

        real = model.draw_realisation(params, seed)
        with _BRIAN_LOCK, _runtime_device(self.target):
            built = model.build(params, real, self.stp_storage)
            limit = time_limit_s()
            start = time.perf_counter()
            stopped = []

            def stop_at_limit(elapsed, completed, t_start, duration):
                if float(elapsed) > limit and completed < 1:  # elapsed is a Brian quantity (s)
                    stopped.append(elapsed)
                    built.net.stop()

            built.net.run(params.duration * b2.ms, namespace={}, report=stop_at_limit,
                          report_period=min(1.0, limit) * b2.second)
            if stopped:
                raise TimeLimitError(_time_limit_message(limit))
            elapsed = time.perf_counter() - start
            return collect(model.monitor_arrays(built), params, real, seed, self.name, elapsed)

@contextlib.contextmanager
def _runtime_device(target: str):
    import brian2 as b2

    previous_device = b2.get_device()
    previous_target = b2.prefs.codegen.target
    b2.set_device("runtime")
    b2.prefs.codegen.target = target
    try:
        yield
    finally:
        b2.prefs.codegen.target = previous_target
        b2.set_device(previous_device)

# ----------------------------------------------------------------------
# Standalone engine (compile once, re-run with run arguments)
# ----------------------------------------------------------------------
def cache_root() -> Path:
    root = os.environ.get("STPEXPLORER_CACHE")
    if root:
        return Path(root)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "stpexplorer"

@functools.lru_cache(maxsize=None)
def _code_fingerprint() -> str:
    from importlib.metadata import version  # not ``import brian2``: re-runs need no Brian2

    source = Path(model.__file__).read_bytes() + Path(__file__).read_bytes()
    return hashlib.sha256(source + version("brian2").encode()).hexdigest()[:12]

#: Written into a build directory once its binary compiled successfully.
COMPLETE_MARKER = "COMPLETE"

def build_key(params: Params, seed: int, stp_storage: str) -> str:
    text = repr((params.structure_key(), seed, stp_storage, _code_fingerprint()))
    return hashlib.sha256(text.encode()).hexdigest()[:20]

@contextlib.contextmanager
def _file_lock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)

RESULTS_PREFIX = "results-"

def _results_dir_name() -> str:
    """Each process and thread runs the binary into its own results folder."""
    return f"{RESULTS_PREFIX}{os.getpid()}-{threading.get_ident()}"

def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True

def remove_results(build_dir: Path, only_this_process: bool = False) -> None:
    """Delete the results folders of processes that have ended (killed kernels
    leave theirs behind), or with ``only_this_process`` this process's own."""
    for path in build_dir.glob(RESULTS_PREFIX + "*-*"):
        try:
            pid = int(path.name[len(RESULTS_PREFIX):].split("-")[0])
        except ValueError:
            continue
        if (pid == os.getpid()) if only_this_process else not _process_alive(pid):
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

def compile_build(params: Params, seed: int, directory: Path, stp_storage: str) -> None:
    """Generate and compile the network of ``params``/``seed`` into ``directory``
    (under its file lock; nothing to do if another process completed it).

    This is the only step that needs Brian2.  It writes the binary, the
    completion marker with a manifest of the build, and :data:`RUN_SPEC`.
    """
    import brian2 as b2
    from brian2.devices.device import reset_device

    real = model.draw_realisation(params, seed)
    with _BRIAN_LOCK, _file_lock(directory.with_name(directory.name + ".lock")):
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
            "from stpexplorer.simulate import compile_build; "
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
        results = directory / _results_dir_name()
        results.mkdir(parents=True, exist_ok=True)
        run_args = self._run_args(params, real, results / "args")
        limit = time_limit_s()
        env = {**os.environ, **spec.get("environment", {})}
        start = time.perf_counter()
        try:
            done = subprocess.run([*self.run_command, "--results_dir", f"{results}/", *run_args],
                                  cwd=directory, env=env, capture_output=True, timeout=limit)
        except subprocess.TimeoutExpired:
            raise TimeLimitError(_time_limit_message(limit)) from None
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
        return _read_outputs(directory / _results_dir_name(), spec, names)

    def _discard_build(self, directory: Path) -> None:
        with self._lock:
            self._loaded = {k: v for k, v in self._loaded.items() if v[1] != directory}
            with _file_lock(directory.with_name(directory.name + ".lock")):
                shutil.rmtree(directory, ignore_errors=True)

# ----------------------------------------------------------------------
_DEFAULT_ENGINE = None
_ENGINE_NOTE = ""

def default_engine():
    """The standalone engine where a C++ compiler works, else the runtime one."""
    global _DEFAULT_ENGINE, _ENGINE_NOTE
    if _DEFAULT_ENGINE is None:
        choice = os.environ.get("STPEXPLORER_ENGINE", "auto")
        if choice == "runtime" or (choice == "auto" and not compiler_available()):
            _DEFAULT_ENGINE = RuntimeEngine("numpy")
            _ENGINE_NOTE = ("no working C++ compiler: using Brian2's numpy target "
                            "(about 10-40x slower per run)") if choice == "auto" else ""
        else:
            _DEFAULT_ENGINE = StandaloneEngine(isolate_build=True)
    return _DEFAULT_ENGINE

def import_brian2_if_needed(engine=None) -> None:
    """Import Brian2 now if ``engine`` (default: :func:`default_engine`) may
    import it later: its import installs a SIGINT handler, which only the main
    thread may do, and runs happen in worker threads."""
    if (engine if engine is not None else default_engine()).imports_brian2:
        import brian2  # noqa: F401


def engine_note() -> str:
    """A user-facing note when the fast engine is unavailable (else empty)."""
    default_engine()
    return _ENGINE_NOTE

def preparation(params: Params, seed: int = 0, engine=None) -> str | None:
    """What a run must do before it starts: ``"compile"``, ``"load"`` or None
    (see :meth:`StandaloneEngine.preparation`; the runtime engine builds every
    time and says nothing)."""
    engine = engine if engine is not None else default_engine()
    ask = getattr(engine, "preparation", None)
    return ask(params, seed) if ask else None

def check_request(params: Params, seed: int = 0) -> int:
    """Every check :func:`simulate` makes before it works, without the work:
    the parameters, the seed, the budget (and the environment limits) and the
    recorded synapse (which needs the connectivity of ``seed``, drawn here
    without the noise).  Returns the seed as an ``int``; raises ``ValueError``
    (or :class:`BudgetError`)."""
    if not isinstance(params, Params):
        raise ValueError(f"params must be a stpexplorer.Params, got {type(params).__name__}")
    seed = _check_seed(seed)
    check_budget(params)
    time_limit_s()
    model.find_recorded_synapse(params, model.draw_realisation(params, seed, noise=False))
    return seed


def simulate(params: Params, seed: int = 0, engine=None) -> Result:
    """Simulate the network and return a :class:`Result` of plain arrays.

    Raises ``ValueError`` for invalid input (including a recorded synapse that
    does not exist), :class:`BudgetError` for oversized requests and
    :class:`DivergenceError` (a ``RuntimeError``) when the integration runs
    away.  The same ``params`` and ``seed`` give the same result.
    """
    if not isinstance(params, Params):
        raise ValueError(f"params must be a stpexplorer.Params, got {type(params).__name__}")
    seed = _check_seed(seed)
    check_budget(params)
    engine = engine or default_engine()
    return engine.run(params, seed)
