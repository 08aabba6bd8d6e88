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
- **State-monitor rows reused.**  Brian2's 2-D dynamic array (a monitor's
  recorded values) allocates a new row, twice ``malloc``, for every step and
  recorded variable, and a resident binary frees them all after each run
  (180 000 allocations and frees per run of the default network, a tenth of
  the binary's time).  :func:`reuse_monitor_rows` keeps the rows of a shrunk
  array for the next growth, cleared to zeros as a new row would be.
- **Vectorised loops.**  Brian2 marks its array pointers ``__restrict``, but
  GCC honours that only for function parameters; to vectorise the neurons'
  update (nine arrays) it must check at run time that the arrays do not
  overlap, and its default limit of 10 such checks is too low.
  :data:`VECTORISE_FLAGS` raises it (GCC only, see :func:`extra_compile_args`).

``tests/test_speedups.py`` checks each against Brian2's unchanged project.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

from .build_cache import compiler_accepts

#: Raises GCC's limit of run-time alias checks that a vectorised loop may carry.
VECTORISE_FLAGS = ("--param=vect-max-version-for-alias-checks=64",)

_STEP_CLOCK = """        current = std::clock();
        elapsed_realtime = (double)(current - start)/(1 * CLOCKS_PER_SEC);
"""
_AFTER_LOOP = "    Network::_globally_running = false;\n"
_CLOCK_ONCE = _AFTER_LOOP + """    current = std::clock();
    elapsed_realtime = (double)(current - start)/(1 * CLOCKS_PER_SEC);
"""
_CLOCK_EDITS = ((_STEP_CLOCK, ""), (_AFTER_LOOP, _CLOCK_ONCE))
#: a maximum run time reads the clock at every step
_MAXIMUM_RUN_TIME = "did_break_early = true"

_ROW_EDITS = (
    ("\tstd::vector< std::vector<T>* > data;\n",
     "\tstd::vector< std::vector<T>* > data;\n\tstd::vector< std::vector<T>* > spare;  // rows kept for reuse\n"),
    ("\t\tresize(0, 0); // handles deallocation\n",
     "\t\tresize(0, 0); // handles deallocation\n"
     "\t\tfor(size_t k=0; k<spare.size(); k++) delete spare[k];\n"),
    ("\t\t\t\t\tif(data[i]) delete data[i];\n",
     "\t\t\t\t\tif(data[i]) spare.push_back(data[i]);\n"),
    ("\t\t\t\t\tdata[i] = new std::vector<T>;\n",
     "\t\t\t\t\tif(spare.empty()) data[i] = new std::vector<T>;\n"
     "\t\t\t\t\telse { data[i] = spare.back(); spare.pop_back(); data[i]->clear(); }\n"),
)


def read_clock_once(directory: Path) -> bool:
    """Move ``network.cpp``'s per-step ``std::clock()`` read after the loop;
    False (nothing changed) if the file is not of the shape this knows."""
    return _edit(directory / "network.cpp", _CLOCK_EDITS, refuse=_MAXIMUM_RUN_TIME)


def reuse_monitor_rows(directory: Path) -> bool:
    """Make the project's ``brianlib/dynamic_array.h`` keep the rows of a shrunk
    2-D array for reuse; False (nothing changed) if the file is not of the shape
    this knows."""
    return _edit(directory / "brianlib" / "dynamic_array.h", _ROW_EDITS)


def _edit(path: Path, edits: tuple, refuse: str | None = None) -> bool:
    """Replace each (old, new) of ``edits`` in the file ``path``; nothing
    changed (False) unless every ``old`` occurs exactly once and ``refuse`` not at all."""
    try:
        source = path.read_text()
    except OSError:
        return False
    if any(source.count(old) != 1 for old, _ in edits) or (refuse is not None and refuse in source):
        return False
    for old, new in edits:
        source = source.replace(old, new)
    path.write_text(source)
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
    except (OSError, subprocess.SubprocessError):
        return ()
    gcc = "Free Software Foundation" in version
    return VECTORISE_FLAGS if gcc and compiler_accepts(path, VECTORISE_FLAGS) else ()
