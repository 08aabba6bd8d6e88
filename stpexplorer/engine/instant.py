"""A network structure that is not compiled yet answers at once.

:class:`InstantEngine` runs a structure the standalone engine would first
have to compile (new sizes, duration, dt, synapse model, STP on or off) on
Brian2's runtime target in a subprocess (:func:`run_runtime_isolated`: no
compiler, and this process still never imports Brian2) and compiles the
structure in the background at low priority; once the build is there, the
compiled network answers.  Both give the same network for the same
parameters and seed: everything random is drawn with numpy
(:func:`stpexplorer.model.draw_realisation`).

After its first runtime answer (or when :meth:`InstantEngine.warm_up` is
called: the dashboard does so when its "Advanced" section, where the sizes
are, is opened), the engine keeps one runtime process waiting (Brian2
already imported, about 140 MB; a second or more saved on each structure
change); that process exits when this one closes its end of the
pipe, so it never outlives the kernel.

The dashboard uses it; :func:`stpexplorer.simulate` keeps the standalone
engine, which waits for its compile.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from ..params import Params
from ..results import Result
from .compile import stop_process
from .limits import time_limit_message, time_limit_s

#: What :meth:`InstantEngine.preparation` says while the runtime target answers.
RUNTIME_STEP = "runtime"


class InstantEngine:
    """The standalone engine, answering a structure it has not compiled from
    Brian2's runtime target while it compiles that structure in the background.

    One background compile runs at a time: a structure asked for meanwhile
    waits, and only the newest one waiting is compiled next (a user trying
    sizes one after another gets the last one compiled, and the runtime
    answers are not slowed by a pile of compiles)."""

    def __init__(self, standalone):
        self.standalone = standalone
        self._compiler: threading.Thread | None = None
        self._compiler_taking = False  # the compiler thread will still take self._next
        self._next: tuple[Params, int] | None = None  # the newest structure waiting for the compiler
        self._lock = threading.Lock()
        #: why the last background compile failed ('' if none did)
        self.compile_error = ""
        #: a runtime process that imported Brian2 and waits for its job (see the module)
        self.standby: subprocess.Popen | None = None

    name = "cpp_standalone"
    imports_brian2 = False

    def preparation(self, params: Params, seed: int = 0) -> str | None:
        """``"runtime"`` for a structure not compiled yet (see the class), else
        what the standalone engine must do first (``"load"`` or None)."""
        step = self.standalone.preparation(params, seed)
        return RUNTIME_STEP if step == "compile" else step

    def compiling(self) -> bool:
        """Whether a background compile is under way."""
        with self._lock:
            return self._compiler is not None and self._compiler.is_alive()

    def run(self, params: Params, seed: int = 0, progress=None) -> Result:
        if self.standalone.preparation(params, seed) != "compile":
            return self.standalone.run(params, seed, progress)
        self._compile_in_background(params, seed)
        try:
            return run_runtime_isolated(params, seed, self._take_standby())
        finally:
            self.warm_up()

    def warm_up(self) -> None:
        """Start the waiting runtime process now (a structure change is likely soon)."""
        with self._lock:
            if self.standby is None or self.standby.poll() is not None:
                self.standby = start_runtime_process()

    def _take_standby(self) -> subprocess.Popen | None:
        with self._lock:
            process, self.standby = self.standby, None
        return process if process is not None and process.poll() is None else None

    def close(self) -> None:
        """Stop the waiting runtime process (it also stops when this process exits)."""
        process = self._take_standby()
        if process is not None:
            stop_process(process)

    def _compile_in_background(self, params: Params, seed: int) -> None:
        with self._lock:
            self._next = (params, seed)
            if self._compiler_taking:
                return  # the running compiler takes it next
            self._compiler_taking = True
            self._compiler = threading.Thread(target=self._compile_waiting, daemon=True,
                                              name="stpexplorer-compile")
            self._compiler.start()

    def _compile_waiting(self) -> None:
        try:
            while (job := self._take_next()) is not None:
                params, seed = job
                try:
                    if self.standalone.preparation(params, seed) != "compile":
                        continue  # compiled meanwhile (by another kernel, or asked for twice)
                    self.standalone._prepare(params, seed)
                    self.compile_error = ""
                except Exception as exc:  # noqa: BLE001  the runtime target keeps answering; the page is told
                    self.compile_error = f"{type(exc).__name__}: {exc}"
        except BaseException:  # the thread dies: a later request starts another
            with self._lock:
                if self._compiler is threading.current_thread():
                    self._compiler_taking = False
            raise

    def _take_next(self) -> tuple[Params, int] | None:
        """The structure waiting for the compiler (None: the compiler stops taking)."""
        with self._lock:
            job, self._next = self._next, None
            if job is None:
                self._compiler_taking = False
            return job

    def wait_compiled(self, timeout: float | None = None) -> bool:
        """Block until the background compiles ended (scripts and tests)."""
        with self._lock:
            compiler = self._compiler
        if compiler is not None:
            compiler.join(timeout)
        return not self.compiling()


def start_runtime_process() -> subprocess.Popen:
    """A Python process (its own process group) that imports Brian2, then
    waits for one job on its standard input (see :func:`run_runtime_isolated`)."""
    return subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)


def run_runtime_isolated(params: Params, seed: int = 0, process: subprocess.Popen | None = None) -> Result:
    """:func:`stpexplorer.simulate` on Brian2's runtime (numpy) target in
    another Python process (``process`` from :func:`start_runtime_process`,
    else a new one): its result, or its exception raised here.  The process
    is stopped (with its whole group) at the time limit or when this call is
    interrupted."""
    process = process if process is not None else start_runtime_process()
    with tempfile.TemporaryDirectory(prefix="stpexplorer-runtime-") as folder:
        result_file, error_file = Path(folder, "result.npz"), Path(folder, "error.pickle")
        job = json.dumps({"params": params.to_json(), "seed": seed, "result": str(result_file),
                          "error": str(error_file)})
        limit = time_limit_s()
        try:
            _, stderr = process.communicate((job + "\n").encode(), timeout=limit)
        except subprocess.TimeoutExpired:
            from ..errors import TimeLimitError

            raise TimeLimitError(time_limit_message(limit)) from None
        finally:
            stop_process(process)
        if error_file.exists():
            raise pickle.loads(error_file.read_bytes())
        if process.returncode != 0 or not result_file.exists():
            words = stderr.decode(errors="replace").strip().splitlines()[-1:] or ["(no output)"]
            raise RuntimeError(f"Brian2's runtime target failed (exit status {process.returncode}): {words[0]}")
        return Result.from_npz(result_file)


def _child() -> int:
    """In the subprocess: import Brian2, read one job (nothing: exit), run it,
    write the result (or the pickled exception)."""
    import brian2  # noqa: F401  imported before the job arrives: the time a standby process saves

    from . import RuntimeEngine, simulate

    line = sys.stdin.readline()
    if not line.strip():
        return 0
    job = json.loads(line)
    try:
        result = simulate(Params.from_json(job["params"]), seed=int(job["seed"]), engine=RuntimeEngine("numpy"))
    except (ValueError, RuntimeError, OSError) as exc:
        Path(job["error"]).write_bytes(pickle.dumps(exc))
        return 0
    result.to_npz(job["result"])
    return 0


if __name__ == "__main__":
    sys.exit(_child())
