"""Changes to Brian2's generated C++ project that make a run faster: spikes
as before, traces to the last bit of rounding (a vectorised loop may round an
operation differently).

- **One CPU-clock read per run, not per time step.**  Brian2's
  ``Network::run`` reads ``std::clock()`` after every step to keep its
  "elapsed time" (``last_run_info.txt``); on Linux that is a system call
  (the process's CPU time is not in the vDSO), about a seventh of the default
  network's loop.  :func:`read_clock_once` moves the read after the loop: the
  elapsed time is then exact, and nothing else used the per-step value (the
  progress report, which this engine does not use, reads its own clock; a
  project with a maximum run time, which does, is left as it is).
- **Vectorised loops.**  Brian2 marks its array pointers ``__restrict``, but
  GCC honours that only for function parameters; to vectorise the neurons'
  update (nine arrays) it must check at run time that the arrays do not
  overlap, and its default limit of 10 such checks is too low.
  :data:`VECTORISE_FLAGS` raises it (GCC only, see :func:`extra_compile_args`).

``tests/test_speedups.py`` checks both against Brian2's unchanged project.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
from pathlib import Path

#: Raises GCC's limit of run-time alias checks that a vectorised loop may carry.
VECTORISE_FLAGS = ("--param=vect-max-version-for-alias-checks=64",)

_STEP_CLOCK = """        current = std::clock();
        elapsed_realtime = (double)(current - start)/(1 * CLOCKS_PER_SEC);
"""
_AFTER_LOOP = "    Network::_globally_running = false;\n"
_CLOCK_ONCE = _AFTER_LOOP + """    current = std::clock();
    elapsed_realtime = (double)(current - start)/(1 * CLOCKS_PER_SEC);
"""


def read_clock_once(directory: Path) -> bool:
    """Move ``network.cpp``'s per-step ``std::clock()`` read after the loop;
    False (nothing changed) if the file is not of the shape this knows."""
    path = directory / "network.cpp"
    try:
        source = path.read_text()
    except OSError:
        return False
    if source.count(_STEP_CLOCK) != 1 or source.count(_AFTER_LOOP) != 1 or "did_break_early = true" in source:
        return False  # another shape, or a maximum run time that needs the clock at every step
    path.write_text(source.replace(_STEP_CLOCK, "").replace(_AFTER_LOOP, _CLOCK_ONCE))
    return True


@functools.lru_cache(maxsize=4)
def extra_compile_args(compiler: str) -> tuple[str, ...]:
    """:data:`VECTORISE_FLAGS` if ``compiler`` is GCC and takes them, else none
    (clang does not know GCC's parameters)."""
    path = shutil.which(compiler)
    if path is None:
        return ()
    try:
        version = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30).stdout
        if "Free Software Foundation" not in version:
            return ()
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp, "probe.cpp")
            source.write_text("int main() { return 0; }\n")
            probe = subprocess.run([path, *VECTORISE_FLAGS, "-c", str(source), "-o", str(Path(tmp, "probe.o"))],
                                   capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return ()
    return VECTORISE_FLAGS if probe.returncode == 0 else ()
