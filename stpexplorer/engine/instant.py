"""A network structure that is not compiled yet answers at once.

:class:`InstantEngine` runs a structure the standalone engine would first
have to compile (new sizes, duration, dt, synapse model, STP on or off) on
Brian2's runtime target in a subprocess (:func:`run_runtime_isolated`: no
compiler, and this process still never imports Brian2) and compiles the
structure in the background at low priority; once the build is there, the
compiled network answers.  Both give the same network for the same
parameters and seed: everything random is drawn with numpy
(:func:`stpexplorer.model.draw_realisation`).

The dashboard uses it; :func:`stpexplorer.simulate` keeps the standalone
engine, which waits for its compile.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from ..params import Params
from ..results import Result
from .compile import stop_process_group
from .limits import time_limit_message, time_limit_s

#: What :meth:`InstantEngine.preparation` says while the runtime target answers.
RUNTIME_STEP = "runtime"


class InstantEngine:
    """The standalone engine, answering a structure it has not compiled from
    Brian2's runtime target while it compiles that structure in the background."""

    def __init__(self, standalone):
        self.standalone = standalone
        self._compiling: dict[str, threading.Thread] = {}
        self._lock = threading.Lock()
        #: why the last background compile failed ('' if none did)
        self.compile_error = ""

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
            return any(thread.is_alive() for thread in self._compiling.values())

    def run(self, params: Params, seed: int = 0, progress=None) -> Result:
        if self.standalone.preparation(params, seed) != "compile":
            return self.standalone.run(params, seed, progress)
        self._compile_in_background(params, seed)
        return run_runtime_isolated(params, seed)

    def _compile_in_background(self, params: Params, seed: int) -> None:
        key, _ = self.standalone._key(params, seed)
        with self._lock:
            if key in self._compiling and self._compiling[key].is_alive():
                return
            thread = threading.Thread(target=self._compile, args=(params, seed), daemon=True,
                                      name=f"stpexplorer-compile-{key[:8]}")
            self._compiling[key] = thread
        thread.start()

    def _compile(self, params: Params, seed: int) -> None:
        try:
            self.standalone._prepare(params, seed)
            self.compile_error = ""
        except Exception as exc:  # noqa: BLE001  the runtime target keeps answering; the page is told
            self.compile_error = f"{type(exc).__name__}: {exc}"

    def wait_compiled(self, timeout: float | None = None) -> bool:
        """Block until every background compile ended (scripts and tests)."""
        with self._lock:
            threads = list(self._compiling.values())
        for thread in threads:
            thread.join(timeout)
        return not any(thread.is_alive() for thread in threads)


def run_runtime_isolated(params: Params, seed: int = 0) -> Result:
    """:func:`stpexplorer.simulate` on Brian2's runtime (numpy) target in a new
    Python process: its result, or its exception raised here.  The process
    is stopped (with its whole group) at the time limit or when this call is
    interrupted."""
    with tempfile.TemporaryDirectory(prefix="stpexplorer-runtime-") as folder:
        result_file, error_file = Path(folder, "result.npz"), Path(folder, "error.pickle")
        argv = [sys.executable, "-m", __name__, params.to_json(), str(seed), str(result_file), str(error_file)]
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, start_new_session=True)
        limit = time_limit_s()
        try:
            _, stderr = process.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            from ..errors import TimeLimitError

            raise TimeLimitError(time_limit_message(limit)) from None
        finally:
            stop_process_group(process.pid)
            process.wait()
        if error_file.exists():
            raise pickle.loads(error_file.read_bytes())
        if process.returncode != 0 or not result_file.exists():
            words = stderr.decode(errors="replace").strip().splitlines()[-1:] or ["(no output)"]
            raise RuntimeError(f"Brian2's runtime target failed (exit status {process.returncode}): {words[0]}")
        return Result.from_npz(result_file)


def _child(argv) -> int:
    """In the subprocess: run, write the result (or the pickled exception)."""
    from . import RuntimeEngine, simulate

    params_json, seed, result_file, error_file = argv
    try:
        result = simulate(Params.from_json(params_json), seed=int(seed), engine=RuntimeEngine("numpy"))
    except (ValueError, RuntimeError, OSError) as exc:
        Path(error_file).write_bytes(pickle.dumps(exc))
        return 0
    result.to_npz(result_file)
    return 0


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1:]))
