"""Serve the packaged dashboard notebook (``explorer.ipynb`` beside this module)
with Voila (``stpexplorer dashboard``).

A class on one machine needs three things Voila does not do by itself:

* **Kernels freed when pages go.**  Voila's page asks the server to shut its
  kernel down when it unloads, but sends the ``_xsrf`` value of a cookie that
  Voila never sets, so the server refuses (403, voila-dashboards/voila#1458).
  The packaged page template sets that cookie (a random value: the
  double-submit check compares cookie and form value), so a closed or reloaded
  page frees its kernel at once.  A page that cannot say goodbye (browser
  killed, network lost) is caught by jupyter_server's culling: a kernel with
  no open connection and no activity for ``kernel_timeout`` seconds is shut
  down.  An open page keeps its websocket, hence its kernel, however long it
  is idle; preheated kernels waiting for a visitor are never culled (Voila's
  pool protects them).  Lost connections are noticed by websocket pings.
* **A clean stop.**  SIGTERM or SIGINT to ``stpexplorer dashboard`` stops
  Voila (which shuts its kernels down), then kills whatever is left of it, so
  the port is free within seconds.
* **An offline page.**  The stock template links Font Awesome from a CDN; the
  packaged template leaves that out (Voila's own bundle already carries it).
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

from ..engine.build_cache import process_alive, writable
from ..engine.prebuild import command as prebuild_command

#: Seconds after which a kernel whose page is gone (no connection, no activity) is shut down.
DEFAULT_KERNEL_TIMEOUT_S = 120
#: Websocket ping interval (ms): a page whose network vanished is disconnected after 3 pings.
WS_PING_INTERVAL_MS = 10_000
#: Seconds Voila waits for a cell's output before dropping it (nbclient's default: 4).
IOPUB_TIMEOUT_S = 60
#: How long Voila gets to shut its kernels down after SIGTERM before they are killed.
STOP_GRACE_S = 4.0
TEMPLATE = "stpexplorer"
#: The JupyterLab extensions the page loads: Voila's widget manager (for ipywidgets 8, or 7), the
#: widgets and ipympl's canvas.
PAGE_EXTENSIONS = ("@voila-dashboards/widgets-manager8", "@voila-dashboards/widgets-manager7",
                   "@jupyter-widgets/jupyterlab-manager", "jupyter-matplotlib")


def notebook_path() -> Path:
    """The explorer notebook inside the installed package."""
    return Path(str(resources.files(__package__) / "explorer.ipynb"))


def jupyter_data_dir() -> Path:
    """The package's Jupyter data folder (holds the Voila template ``stpexplorer``)."""
    return Path(str(resources.files(__package__) / "share"))


def cull_interval(kernel_timeout: int) -> int:
    """How often (s) to look for kernels to cull: a kernel is gone at most
    ``kernel_timeout + cull_interval`` seconds after its page."""
    return max(1, min(30, kernel_timeout // 5))


def _check(port: int, pool_size: int, ip: str, kernel_timeout: int) -> None:
    if not 1 <= port <= 65535:
        raise ValueError(f"port={port} is invalid; allowed 1..65535")
    if not 0 <= pool_size <= 32:
        raise ValueError(f"pool_size={pool_size} is invalid; allowed 0..32")
    if not 5 <= kernel_timeout <= 86_400:
        raise ValueError(f"kernel_timeout={kernel_timeout} is invalid; allowed 5..86400 seconds")
    try:
        ipaddress.ip_address(ip)
    except ValueError:
        raise ValueError(f"ip={ip!r} is invalid; allowed: an IP address such as 127.0.0.1 "
                         "(this machine only) or 0.0.0.0 (every interface)") from None


def voila_command(port: int, open_browser: bool, pool_size: int = 1, ip: str = "127.0.0.1",
                  kernel_timeout: int = DEFAULT_KERNEL_TIMEOUT_S) -> list[str]:
    """The Voila command line: preheated kernels, culling, no tracebacks, no sources."""
    _check(port, pool_size, ip, kernel_timeout)
    notebook = notebook_path()
    manager = "--MappingKernelManager"
    return [
        sys.executable, "-m", "voila", str(notebook),
        f"--port={port}",
        f"--Voila.ip={ip}",
        "--no-browser" if not open_browser else "--Voila.open_browser=True",
        "--show_tracebacks=False",
        "--strip_sources=True",
        "--preheat_kernel=True",
        f"--pool_size={pool_size}",
        f"--template={TEMPLATE}",
        f"{manager}.cull_idle_timeout={kernel_timeout}",
        f"{manager}.cull_interval={cull_interval(kernel_timeout)}",
        f"{manager}.cull_connected=False",
        f"--Voila.tornado_settings={{'ws_ping_interval': {WS_PING_INTERVAL_MS}}}",
        # on a busy machine (a class arriving at once) a kernel's output can take
        # longer than nbclient's 4 s: it would drop the dashboard's display
        f"--VoilaExecutor.iopub_timeout={IOPUB_TIMEOUT_S}",
        # only the extensions the page needs: another installed one (e.g. Notebook 7's
        # @jupyter-notebook/lab-extension) can stop Voila's page from loading at all
        f"--VoilaConfiguration.extension_allowlist={list(PAGE_EXTENSIONS)!r}",
        # the dashboard notebook is the only page served (Voila serves no other file of
        # its folder but images, and this package folder has none)
        f"--Voila.root_dir={notebook.parent}",
    ]


#: Folders Voila, its kernels and matplotlib write to, as (environment variable, default under HOME).
WRITABLE_FOLDERS = (
    ("JUPYTER_DATA_DIR", ".local/share/jupyter"),
    ("JUPYTER_RUNTIME_DIR", ".local/share/jupyter/runtime"),
    ("IPYTHONDIR", ".ipython"),
    ("MPLCONFIGDIR", ".config/matplotlib"),
)


def unwritable_folders(env: dict[str, str]) -> dict[str, Path]:
    """The folders of :data:`WRITABLE_FOLDERS` that cannot be written (e.g. a read-only HOME)."""
    home = Path(env.get("HOME") or Path.home())
    folders = {name: Path(env[name]) if env.get(name) else home / default for name, default in WRITABLE_FOLDERS}
    return {name: path for name, path in folders.items() if not writable(path)}


def redirect_unwritable_folders(env: dict[str, str], scratch: Path) -> dict[str, Path]:
    """Point every unwritable folder of ``env`` to a sub-folder of ``scratch``
    (Jupyter would answer every page with HTTP 500, saying nothing). Returns what moved."""
    moved = unwritable_folders(env)
    for name in moved:
        env[name] = str(scratch / name.lower())
    return moved


def voila_environment() -> dict[str, str]:
    """The environment for Voila and its kernels: the package's template on
    the Jupyter path, fewer malloc arenas."""
    env = os.environ.copy()
    env["JUPYTER_PATH"] = os.pathsep.join(
        [str(jupyter_data_dir()), *filter(None, [env.get("JUPYTER_PATH")])])
    # glibc gives every thread of a kernel (widget comms, IO, the runner) its own
    # malloc arena; two arenas keep a kernel's resident memory tens of MB lower
    env.setdefault("MALLOC_ARENA_MAX", "2")
    return env


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (Linux /proc), children first."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = [], [pid]
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def stop_server(process: subprocess.Popen, grace_s: float = STOP_GRACE_S) -> None:
    """Stop Voila and everything it started: SIGTERM (Voila shuts its kernels
    down), SIGKILL for Voila after ``grace_s``, then SIGKILL for whatever it
    started that still runs (a kernel that did not stop, a compile a kernel
    had started).  The process tree is read while Voila lives: once it is
    gone, its children belong to init and cannot be found from it."""
    if process.poll() is not None:
        return
    tree = set(descendants(process.pid))
    process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while process.poll() is None and time.monotonic() < deadline:
        tree |= set(descendants(process.pid))
        time.sleep(0.1)
    if process.poll() is None:
        process.kill()
    process.wait()
    for pid in tree:
        if process_alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def _die_with_parent() -> None:
    """In the Voila child: get SIGTERM if ``stpexplorer dashboard`` dies, however it dies."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def start_prebuild(env: dict[str, str]) -> subprocess.Popen:
    """Compile every preset's structure in the background at low priority
    (:mod:`stpexplorer.engine.prebuild`); it dies with this process."""
    return subprocess.Popen(prebuild_command(), env=env, stdin=subprocess.DEVNULL, start_new_session=True,
                            preexec_fn=_die_with_parent)


def stop_prebuild(process: subprocess.Popen | None) -> None:
    """Stop the background compiles (their compile subprocess stops with its parent)."""
    if process is None or process.poll() is not None:
        return
    process.kill()
    process.wait()


def serve(port: int = 8866, open_browser: bool = True, pool_size: int = 1,
          ip: str = "127.0.0.1", kernel_timeout: int = DEFAULT_KERNEL_TIMEOUT_S, prebuild: bool = True) -> int:
    """Run Voila on the packaged notebook until SIGINT (Ctrl-C) or SIGTERM.

    ``ip`` 0.0.0.0 serves every network interface (a class network; Voila has
    no login); ``kernel_timeout`` is how long a kernel whose page is gone is
    kept (seconds); ``prebuild`` compiles the presets' structures in the
    background meanwhile.
    """
    command = voila_command(port, open_browser, pool_size, ip, kernel_timeout)
    env = voila_environment()
    scratch = Path(tempfile.mkdtemp(prefix="stpexplorer-jupyter-"))
    for name, path in redirect_unwritable_folders(env, scratch).items():
        print(f"stpexplorer: {path} is not writable; {name} is {env[name]} while the server runs", flush=True)
    host = "127.0.0.1" if ip == "0.0.0.0" else ip
    print(f"stpexplorer: serving the explorer on http://{host}:{port}/ (Ctrl-C stops; kernels of "
          f"closed pages are freed after {kernel_timeout} s)", flush=True)
    # its own session: Ctrl-C in the terminal reaches this process only, which stops Voila in order
    try:
        process = subprocess.Popen(command, env=env, start_new_session=True, preexec_fn=_die_with_parent)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    background = start_prebuild(env) if prebuild else None
    stopping = []

    def on_signal(signum, frame):
        stopping.append(signum)
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        for sig in previous:
            signal.signal(sig, signal.SIG_IGN)  # a second Ctrl-C must not interrupt the stop
        stop_prebuild(background)
        stop_server(process)
        shutil.rmtree(scratch, ignore_errors=True)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if stopping:
            print("stpexplorer: server stopped", flush=True)
