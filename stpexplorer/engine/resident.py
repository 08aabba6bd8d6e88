"""A compiled network that stays resident between runs.

A new process per run pays for its start: mapping the binary, allocating and
first touching ~20 MB of arrays (5 000 page faults for the default network)
and opening its files, about half of a warm re-run.  A resident binary reads
one run per line of its standard input (the run arguments, tab-separated),
runs it exactly as a new process would, writes its results, prints
:data:`DONE` and waits for the next line; it exits when its input closes (the
Python process that started it ended).

:func:`make_resident` adds this loop to Brian2's generated ``main.cpp``
before the compile, together with a reset that puts back, after every run,
the state a new process starts from and that Brian2's own start
(``brian_start``) does not set: the dynamic arrays (synapses, monitors),
the spike queues, the random generators and the network's time.  It refuses
(and the build runs one process per run, as before) when the generated code
holds state it does not know how to reset, or draws random numbers.
``tests/test_resident.py`` checks a resident binary against new processes,
spike for spike and value for value, over runs that change parameters, seed
and recording.
"""

from __future__ import annotations

import os
import re
import select
import subprocess
import time
from pathlib import Path

from ..errors import TimeLimitError
from .compile import stop_process
from .limits import time_limit_message

#: What the resident binary prints when a run's results are written.
DONE = "stpx-done"
DONE_LINE = (DONE + "\n").encode()
#: The command-line flag that makes the binary resident.
RESIDENT_FLAG = "--stpx-resident"
#: Off with ``STPEXPLORER_RESIDENT=0`` (one process per run).
ENVIRONMENT = "STPEXPLORER_RESIDENT"

#: glibc's malloc keeps freed arrays for the next run instead of giving them back
#: to the system (which makes the next run fault every page in again)
MALLOC_KEEPS_MEMORY = {"MALLOC_MMAP_THRESHOLD_": str(2**30), "MALLOC_TRIM_THRESHOLD_": str(2**30)}

_VECTOR = re.compile(r"^extern std::vector<\s*[\w:]+\s*> (_dynamic_array_\w+);$")
_ARRAY_2D = re.compile(r"^extern DynamicArray2D<\s*[\w:]+\s*> (_dynamic_array_\w+);$")
_PATHWAY = re.compile(r"^extern SynapticPathway (\w+);$")
#: declarations whose state brian_start sets (pointers it allocates, counts, names, clocks)
_SET_BY_START = (re.compile(r"^extern [\w:]+ ?\*\w+;$"), re.compile(r"^extern const int _num\w+;$"),
                 re.compile(r"^extern std::string results_dir;$"), re.compile(r"^extern Clock \w+;$"),
                 re.compile(r"^extern Network network;$"),
                 re.compile(r"^extern std::vector< RandomGenerator > _random_generators;$"))
_RANDOM_USE = re.compile(r"\b_(rand|randn|binomial\w*|poisson\w*)\(")
#: a static variable in generated code (kept between runs) other than functions and Brian2's
#: namespace pointers (assigned at every call)
_STATE_IN_CODE = re.compile(r"^\s*static (?!inline\b)(?!const\b)")

_LOOP_HELPERS = r"""
static bool stpx_resident = false;
static bool stpx_started = false;

// The next run's arguments: from the command line once, or (resident) one
// tab-separated line of standard input per run until it closes.
static bool stpx_next_run(std::vector<std::string> &args)
{
    if (!stpx_resident)
    {
        const bool first = !stpx_started;
        stpx_started = true;
        return first;
    }
    std::string line;
    if (!std::getline(std::cin, line))
        return false;
    args.clear();
    size_t start = 0, tab;
    while ((tab = line.find('\t', start)) != std::string::npos)
    {
        args.push_back(line.substr(start, tab - start));
        start = tab + 1;
    }
    if (start < line.size())
        args.push_back(line.substr(start));
    return true;
}

// The state a new process starts from that brian_start() does not set.
static void stpx_reset()
{
    using namespace brian;
RESETS
    _random_generators.clear();
    network.t = 0.0;
    Network::_globally_stopped = false;
    Network::_globally_running = false;
}

int main(int argc, char **argv)"""


def enabled() -> bool:
    return os.environ.get(ENVIRONMENT, "1") != "0"


def make_resident(directory: Path) -> bool:
    """Add the resident loop to the generated code in ``directory`` (before
    its compile); False, with nothing changed, if the code has state this
    module cannot reset or draws random numbers."""
    try:
        main = (directory / "main.cpp").read_text()
        header = (directory / "objects.h").read_text()
        objects = (directory / "objects.cpp").read_text()
        code = "".join(path.read_text() for path in sorted((directory / "code_objects").glob("*.cpp")))
    except OSError:
        return False
    resets = _resets(header, objects)
    if resets is None or _RANDOM_USE.search(code) or any(
            _STATE_IN_CODE.match(line) and "_namespace" not in line for line in code.splitlines()):
        return False
    patched = _patch_main(main, resets)
    if patched is None:
        return False
    (directory / "main.cpp").write_text(patched)
    return True


def _resets(header: str, objects: str) -> list[str] | None:
    """C++ lines resetting every dynamic array and spike queue declared in
    ``objects.h`` and freeing every array that ``_init_arrays`` allocates and
    ``_dealloc_arrays`` leaves (``objects.cpp``: Brian2 frees only the static
    arrays, since its process ends after one run); None if it declares state
    of another kind."""
    allocated = set(re.findall(r"^\s*(\w+) = new [\w:]+\[", _function_body(objects, "_init_arrays"), re.M))
    freed = set(re.findall(r"delete ?\[\] ?(\w+);", _function_body(objects, "_dealloc_arrays")))
    lines = [f"    delete [] {name};\n    {name} = 0;" for name in sorted(allocated - freed)]
    for declaration in (line.strip() for line in header.splitlines()):
        if not declaration.startswith("extern "):
            continue
        if match := _VECTOR.match(declaration):
            lines.append(f"    {match.group(1)}.clear();")
        elif match := _ARRAY_2D.match(declaration):
            lines.append(f"    {match.group(1)}.resize(0, 0);")
        elif match := _PATHWAY.match(declaration):
            name = match.group(1)
            lines.append(f"    for (size_t k = 0; k < {name}.queue.size(); k++) {{ CSpikeQueue *old = {name}.queue[k]; "
                         f"{name}.queue[k] = new CSpikeQueue(old->source_start, old->source_end); delete old; }}")
        elif not any(pattern.match(declaration) for pattern in _SET_BY_START):
            return None
    return lines


def _function_body(source: str, name: str) -> str:
    """The text of the C++ function ``void name()`` in ``source`` (empty if absent)."""
    start = source.find(f"void {name}()")
    if start < 0:
        return ""
    end = source.find("\n}\n", start)
    return source[start:end if end > 0 else len(source)]


def _patch_main(main: str, resets: list[str]) -> str | None:
    """``main.cpp`` with the loop around brian_start() … brian_end(); None if
    its shape is not the one this module knows."""
    anchors = ("int main(int argc, char **argv)", "\tbrian_start();", "\tbrian_end();", "\treturn 0;")
    if any(main.count(anchor) != 1 for anchor in anchors):
        return None
    main = main.replace(anchors[0], _LOOP_HELPERS.replace("RESETS", "\n".join(resets)))
    main = main.replace(anchors[1], f'\tif (args.size() >= 1 && args[0] == "{RESIDENT_FLAG}")\n'
                        "\t{\n\t\tstpx_resident = true;\n\t\targs.erase(args.begin());\n\t}\n"
                        "\twhile (stpx_next_run(args))\n\t{\n\tbrian_start();")
    main = main.replace(anchors[2], f'\tbrian_end();\n\tstpx_reset();\n\tif (stpx_resident)\n'
                        f'\t\tstd::cout << std::endl << "{DONE}" << std::endl;\n\t}}')
    return main


class ResidentBinary:
    """One resident binary of a build, working in one run folder."""

    def __init__(self, command: list[str], results: Path, env: dict):
        """Start ``command`` (the binary's command line, ``--results_dir`` included) in ``results``."""
        env = {**env, **MALLOC_KEEPS_MEMORY}
        self.process = subprocess.Popen([*command, RESIDENT_FLAG], cwd=results, env=env, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)

    def alive(self) -> bool:
        return self.process.poll() is None

    def run(self, run_args: list[str], limit: float) -> subprocess.CompletedProcess | None:
        """Run once: what the binary printed (as a finished process would give
        it), or None if it ended or broke the protocol (then it is stopped).
        Raises :class:`TimeLimitError` (the binary stopped) after ``limit`` seconds."""
        if any("\t" in arg or "\n" in arg for arg in run_args):
            return None
        try:
            self.process.stdin.write(os.fsencode("\t".join(run_args) + "\n"))
            self.process.stdin.flush()
        except (OSError, UnicodeError):
            self.close()
            return None
        output, deadline = b"", time.monotonic() + limit
        fd = self.process.stdout.fileno()
        while not output.endswith(b"\n" + DONE_LINE):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.close()
                raise TimeLimitError(time_limit_message(limit))
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:  # it ended
                self.close()
                return None
            output += chunk
        said = output[:-len(DONE_LINE) - 1]
        return subprocess.CompletedProcess(self.process.args, 0, said, b"")

    def close(self) -> None:
        stop_process(self.process)
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass
