"""The engines and ``simulate(params, seed) -> Result``.

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

Modules: :mod:`.limits` (work and time limits), :mod:`.collect` (output arrays
into a Result), :mod:`.runtime`, :mod:`.standalone` with :mod:`.build_cache`.
"""

from __future__ import annotations

import os
import threading

from .. import model
from ..errors import BudgetError, DivergenceError, TimeLimitError
from ..params import Params
from ..results import Result
from .build_cache import build_key, cache_root, code_fingerprint, compiler_available
from .collect import check_traces_finite, collect
from .instant import InstantEngine, run_runtime_isolated
from .limits import MAX_NEURON_STEPS, MAX_SECONDS, MAX_SYNAPSES, check_budget, check_seed, env_limit, time_limit_s
from .runtime import BRIAN_LOCK, RuntimeEngine, runtime_device
from .standalone import StandaloneEngine, compile_build, compile_in_subprocess

__all__ = ["BRIAN_LOCK", "MAX_NEURON_STEPS", "MAX_SECONDS", "MAX_SYNAPSES", "BudgetError", "DivergenceError",
           "InstantEngine", "RuntimeEngine", "StandaloneEngine", "TimeLimitError", "build_key", "cache_root",
           "check_budget", "check_request", "check_seed", "check_traces_finite", "code_fingerprint", "collect",
           "compile_build", "compile_in_subprocess", "compiler_available", "default_engine", "engine_note",
           "env_limit", "import_brian2_if_needed", "page_engine", "preparation", "run_runtime_isolated",
           "runtime_device", "simulate", "time_limit_s"]

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


def page_engine():
    """The engine of a dashboard page: the default engine, where it is the
    standalone one answering structures it has not compiled yet from Brian2's
    runtime target while it compiles them (:class:`InstantEngine`; one per
    process, so a notebook's re-run cell shares its compiler and waiting
    runtime process)."""
    global _PAGE_ENGINE
    engine = default_engine()
    if not isinstance(engine, StandaloneEngine):
        return engine
    with _PAGE_ENGINE_LOCK:
        if _PAGE_ENGINE is None or _PAGE_ENGINE.standalone is not engine:
            _PAGE_ENGINE = InstantEngine(engine)
        return _PAGE_ENGINE


_PAGE_ENGINE: InstantEngine | None = None
_PAGE_ENGINE_LOCK = threading.Lock()


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
    seed = check_seed(seed)
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
    seed = check_seed(seed)
    check_budget(params)
    engine = engine or default_engine()
    if preparation(params, seed, engine) == "compile":
        # before minutes of compiling: the recorded synapse must exist (a built structure was checked)
        model.find_recorded_synapse(params, model.draw_realisation(params, seed, noise=False))
    return engine.run(params, seed)
