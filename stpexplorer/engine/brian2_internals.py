"""Every part of Brian2 that the engine uses beyond its documented API, in one place.

Compiling a ``cpp_standalone`` network once and re-running its binary with new
values relies on the device's internals: its in-memory caches
(``array_cache``, ``static_arrays``), ``reinit``/``activate``/``reset_device``
to start a new network in one process, the file names of its arrays, the
``make`` preferences, the environment its binary needs, the run-argument
syntax (``object.variable=value`` or ``=file`` of raw values of the variable's
C type) and the complaints its binary prints.  Brian2 may change any of them
in a release; :func:`missing_internals` lists what is gone, and the engine's
tests fail on it with the name of the part.

Only :func:`run_argument` and :data:`BINARY_COMPLAINTS` are used without
Brian2 being imported (re-runs need numpy alone).
"""

from __future__ import annotations

import gc
import os
import shlex
from pathlib import Path

import numpy as np

#: What Brian2's standalone binary (``objects.cpp``) prints, on stdout or
#: stderr, when it cannot read a static array or a run-argument file or cannot
#: write a result; it still exits with status 0.
BINARY_COMPLAINTS = ("Error opening static array", "Error reading '", "Could not read '",
                     "Error writing output file", "Error writing last run info",
                     "Cannot set unknown variable")

#: Attributes of Brian2's ``CPPStandaloneDevice`` the engine uses.
DEVICE_ATTRIBUTES = ("array_cache", "static_arrays", "arrays", "dynamic_arrays", "dynamic_arrays_2d",
                     "run_environment_variables", "reinit", "activate", "build", "compile_source",
                     "get_array_filename")

#: Brian2 preferences the engine reads or sets.
PREFERENCES = ("devices.cpp_standalone.extra_make_args_unix", "codegen.cpp.extra_compile_args_gcc",
               "devices.cpp_standalone.run_environment_variables")


def missing_internals() -> list[str]:
    """The Brian2 internals of this module that the installed Brian2 lacks
    (empty when all are there)."""
    import brian2 as b2
    import brian2.devices.cpp_standalone as standalone_package
    from brian2.devices import device as device_module
    from brian2.devices.cpp_standalone.device import CPPStandaloneDevice

    device = CPPStandaloneDevice()
    missing = [f"CPPStandaloneDevice.{name}" for name in DEVICE_ATTRIBUTES if not hasattr(device, name)]
    if not callable(getattr(device_module, "reset_device", None)):
        missing.append("brian2.devices.device.reset_device")
    for name in PREFERENCES:
        try:
            b2.prefs[name]
        except KeyError:
            missing.append(f"prefs[{name!r}]")
    template = Path(standalone_package.__file__).parent / "templates" / "objects.cpp"
    text = template.read_text() if template.is_file() else ""
    for complaint in BINARY_COMPLAINTS:
        if complaint.rstrip("'") not in text:
            missing.append(f"the binary's complaint {complaint!r} in templates/objects.cpp")
    if "set_variable_from_file" not in text:
        missing.append("run arguments from files (set_variable_from_file in templates/objects.cpp)")
    return missing


# -- compiling: needs Brian2 ----------------------------------------------


def fresh_standalone_device(directory: Path):
    """Brian2's ``cpp_standalone`` device, emptied of any earlier network and
    aimed at ``directory`` (one process may compile several structures)."""
    import brian2 as b2

    b2.set_device("cpp_standalone", build_on_run=False, directory=str(directory))
    device = b2.get_device()
    device.reinit()
    device.activate(build_on_run=False, directory=str(directory))
    gc.collect()  # free the old objects' names only now that the device forgot them
    return device


def release_standalone_device(device) -> None:
    """Forget ``device``'s network (its static arrays hold every synapse) and
    return to the previous device."""
    from brian2.devices.device import reset_device

    device.static_arrays.clear()
    reset_device()
    gc.collect()


def compile_device(device, directory: Path, jobs: int, log: Path) -> bool:
    """Generate the C++ code of ``device``'s network in ``directory``, make it
    able to stay resident (:func:`~stpexplorer.engine.resident.make_resident`)
    and compile it with at most ``jobs`` parallel compiler processes; ``make``'s
    output is appended to ``log``.  Returns whether the binary can stay
    resident.  Raises Brian2's ``RuntimeError`` on failure."""
    import brian2 as b2
    from brian2.codegen.cpp_prefs import get_compiler_and_args

    from . import speedups
    from .resident import make_resident

    make_args, compile_args = "devices.cpp_standalone.extra_make_args_unix", "codegen.cpp.extra_compile_args_gcc"
    previous = {name: b2.prefs[name] for name in (make_args, compile_args)}
    # Brian2 runs ``make <args>`` through the shell (os.system); the makefile's ``$(CXX)`` compiles
    b2.prefs[make_args] = [f"-j{int(jobs)}", ">>", shlex.quote(str(log)), "2>&1"]
    b2.prefs[compile_args] = [*previous[compile_args],
                              *speedups.extra_compile_args(os.environ.get("CXX", "g++"))]
    try:
        device.build(directory=str(directory), compile=False, run=False, with_output=False)
        speedups.read_clock_once(directory)
        speedups.reuse_monitor_rows(directory)
        resident = make_resident(directory)
        device.compile_source(str(directory), get_compiler_and_args()[0], debug=False, clean=False)
    finally:
        for name, value in previous.items():
            b2.prefs[name] = value
    return resident


def run_environment(device) -> dict[str, str]:
    """Environment variables the compiled binary needs (library paths)."""
    import brian2 as b2

    environment = {**b2.prefs["devices.cpp_standalone.run_environment_variables"],
                   **device.run_environment_variables}
    return {str(k): str(v) for k, v in environment.items()}


def array_filename(device, variable) -> str:
    """The file (in a results folder) into which the binary writes ``variable``."""
    return device.get_array_filename(variable)


def output_sizes(device, filenames: dict[str, str]) -> dict[str, list]:
    """How many bytes the binary must write into each output file, by output
    name: ``["fixed", bytes]`` for an array of fixed size, or
    ``["count", count file, count dtype]`` for a growing (dynamic) array whose
    number of entries (rows of a recorded array) the binary writes into the
    count file: its owner's ``N``, a monitor's recorded steps or spikes, a
    ``Synapses``' synapses.  A run's output without these sizes is incomplete
    (a full disk) and must not become a result."""
    by_filename = {}
    for table in (device.arrays, device.dynamic_arrays, device.dynamic_arrays_2d):
        for variable in table:
            by_filename.setdefault(array_filename(device, variable), variable)
    sizes = {}
    for name, filename in filenames.items():
        variable = by_filename[filename]
        if variable in device.dynamic_arrays or variable in device.dynamic_arrays_2d:
            count = variable.owner.variables["N"]
            sizes[name] = ["count", array_filename(device, count), np.dtype(count.dtype).str]
        else:
            sizes[name] = ["fixed", int(variable.size * np.dtype(variable.dtype).itemsize)]
    return sizes


#: The static arrays (files the binary reads when it starts) whose content
#: depends on the seed and the recording: a run replaces them with its own
#: (same size).  Logical name -> Brian2's name of the first one; ``connect``
#: in chunks adds ``_1``, ``_2``, ... for later chunks.
RUN_TIME_STATIC_ARRAYS = {
    "e_sources": "_static_array__array_syn_exc_sources", "e_targets": "_static_array__array_syn_exc_targets",
    "e_zeta": "_static_array__dynamic_array_syn_exc_zeta",
    "i_sources": "_static_array__array_syn_inh_sources", "i_targets": "_static_array__array_syn_inh_targets",
    "i_zeta": "_static_array__dynamic_array_syn_inh_zeta",
    "recorded": "_static_array__array_trace__indices", "syn_recorded": "_static_array__array_syn_trace__indices",
    "noise": "noise_ta_values",
}
#: The folder (relative to the binary's working directory) it reads static arrays from.
STATIC_ARRAY_FOLDER = "static_arrays"


def run_time_static_arrays(device) -> dict[str, list[list]]:
    """For each of :data:`RUN_TIME_STATIC_ARRAYS`: its files in order, each
    ``[file name, dtype, entries]`` (empty where the network has no such
    array, e.g. no inhibitory synapses)."""
    found = {}
    for logical, base in RUN_TIME_STATIC_ARRAYS.items():
        parts, name = [], base
        while name in device.static_arrays:
            array = device.static_arrays[name]
            parts.append([name, np.dtype(array.dtype).str, int(array.size)])
            name = f"{base}_{len(parts)}"
        found[logical] = parts
    return found


def forget_cached_arrays(owner_name: str, keep_synapse_indices: bool = False) -> None:
    """Drop the standalone device's in-memory copies of the large arrays of the
    object named ``owner_name`` (nothing on the runtime device).

    The values stay in the build (static arrays, written at build time); a
    dropped entry means "not known in Python", which Brian2 handles by reading
    the results of a run.  ``keep_synapse_indices`` leaves the running cache
    of synapse indices that the next ``connect`` call appends to, emptied.
    """
    import brian2 as b2

    cache = getattr(b2.get_device(), "array_cache", None)
    if cache is None:
        return  # runtime device: no such cache
    for var in list(cache):
        owner = getattr(var, "owner", None)  # a weak proxy: compare names
        if getattr(owner, "name", None) != owner_name or cache[var] is None or np.size(cache[var]) <= 1:
            continue
        if keep_synapse_indices and var.name in ("_synaptic_pre", "_synaptic_post"):
            del cache[var]  # the next connect call starts a new (partial) list
        else:
            cache[var] = None


def variable_dtype(obj, variable: str) -> str:
    """The numpy dtype (``str``) in which the binary reads a run-argument file
    of ``obj.variable``."""
    return np.dtype(obj.variables[variable].dtype).str


# -- running: numpy only --------------------------------------------------


def run_argument(obj_name: str, variable: str, value, dtype: str, args_dir: Path) -> str:
    """One run argument of the compiled binary: ``object.variable=value`` for
    a single value, else ``object.variable=<file>`` of the raw values in the
    variable's ``dtype`` (an absolute path: a path starting with a digit or
    ``-`` would be read as a number).  Raises ``OSError`` when the file cannot
    be written in full."""
    array = np.asarray(value, dtype=np.dtype(dtype))
    if not np.array_equal(array, np.asarray(value, dtype=np.float64), equal_nan=True):
        raise ValueError(f"{obj_name}.{variable}: {value!r} is not exactly representable as {dtype}")
    if array.size == 1:
        return f"{obj_name}.{variable}={array.item()!r}"
    path = Path(os.path.abspath(args_dir / f"{obj_name}.{variable}.dat"))
    array.tofile(path)
    return f"{obj_name}.{variable}={path}"


def binary_command(run_command: list[str], results: Path, run_args: list[str]) -> list[str]:
    """The command line of a compiled run writing into ``results``."""
    return [*run_command, "--results_dir", f"{os.path.abspath(results)}/", *run_args]
