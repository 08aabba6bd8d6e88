"""Brian2's runtime mode: the reference engine, no compiler needed."""

from __future__ import annotations

import contextlib
import threading
import time

from .. import model
from ..errors import TimeLimitError
from ..params import Params
from ..results import Result
from .collect import collect
from .limits import time_limit_message, time_limit_s

BRIAN_LOCK = threading.RLock()  # Brian2's device and preferences are process-global


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
        with BRIAN_LOCK, runtime_device(self.target):
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
                raise TimeLimitError(time_limit_message(limit))
            elapsed = time.perf_counter() - start
            return collect(model.monitor_arrays(built), params, real, seed, self.name, elapsed)


@contextlib.contextmanager


def runtime_device(target: str):
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
