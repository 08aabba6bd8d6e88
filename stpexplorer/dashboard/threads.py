"""The dashboard's two thread rules, used by every tab.

* Work runs off the kernel's main thread (:class:`LatestRunner`): a slider
  release submits a job; while one job runs, newer submissions replace the
  pending one, and a job that finishes after a newer submission is dropped
  instead of drawn.  A job submitted as ``interim`` (a frame of a drag) is
  handed over even when newer ones follow, never replaces a waiting final
  job, and never makes a final job stale.  The kernel's main thread stays
  free for widget messages.
* Widgets and figures change only on the kernel's main thread
  (:func:`on_kernel_thread`): a worker hands its results over.
"""

from __future__ import annotations

import threading
import traceback
from typing import Any, Callable


class LatestRunner:
    """Runs ``work(job)`` in one thread; calls ``done(job, outcome, error)`` for the newest."""

    def __init__(self, work: Callable[[Any], Any], done: Callable[[Any, Any, BaseException | None], None],
                 name: str = "stpexplorer-runner"):
        self._work = work
        self._done = done
        self._cond = threading.Condition()
        self._pending: tuple[int, Any, bool] | None = None
        self._generation = 0
        self._final_generation = 0  # the newest job not submitted as interim
        self._busy = False
        self._stopped = False
        self.dropped = 0
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def submit(self, job, interim: bool = False) -> int:
        """Run ``job`` next (replacing a pending one); an ``interim`` job's
        outcome is handed over even if a newer job was submitted meanwhile, and
        an ``interim`` job is dropped while a final one waits."""
        with self._cond:
            if interim and self._pending is not None and not self._pending[2]:
                return self._generation
            self._generation += 1
            if not interim:
                self._final_generation = self._generation
            self._pending = (self._generation, job, interim)
            self._cond.notify_all()
            return self._generation

    @property
    def busy(self) -> bool:
        with self._cond:
            return self._busy or self._pending is not None

    @property
    def pending(self) -> bool:
        """A newer job waits (so the one finishing now is not the last)."""
        with self._cond:
            return self._pending is not None

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until no job is pending or running (for tests and scripts)."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._busy and self._pending is None, timeout)

    def stop(self) -> None:
        """Run nothing more (a pending job is dropped; a running one finishes)."""
        with self._cond:
            self._stopped = True
            self._pending = None
            self._cond.notify_all()

    def _loop(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending is not None or self._stopped)
                if self._stopped:
                    return
                generation, job, interim = self._pending
                self._pending = None
                self._busy = True
            outcome, error = None, None
            try:
                outcome = self._work(job)
            except BaseException as exc:  # reported to the page, never kills the worker
                error = exc
            with self._cond:
                stale = not interim and generation != self._final_generation
            try:
                if stale:
                    self.dropped += 1
                else:
                    self._done(job, outcome, error)
            except BaseException:  # noqa: BLE001  a failing callback must not stop the worker
                traceback.print_exc()
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()


def on_kernel_thread(function, *args) -> None:
    """Run ``function(*args)`` on the kernel's main thread, or at once outside a kernel.

    ipympl handles the page's canvas messages (resize, refresh) and draws on
    the kernel's main thread, and matplotlib is not thread-safe: a worker
    thread that drew the panels itself could draw a figure that the page was
    resizing at the same moment, fail, and take the runner with it.  So
    workers hand their results (and widget updates such as a progress bar)
    over to the kernel's IO loop instead.
    """
    try:
        from IPython import get_ipython

        loop = get_ipython().kernel.io_loop
    except (ImportError, AttributeError):  # a script or test: no kernel
        function(*args)
        return
    loop.add_callback(function, *args)
