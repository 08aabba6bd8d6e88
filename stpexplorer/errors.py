"""The errors a simulation raises besides ``ValueError`` (invalid input)."""

from __future__ import annotations


class DivergenceError(RuntimeError):
    """The numerical integration ran away (``|v|`` too large or not finite).

    ``t_ms`` (when it was found), ``population`` ('excitatory' or
    'inhibitory') and ``neuron`` (network index) say where, when known.
    """

    def __init__(self, message: str, t_ms: float | None = None, population: str | None = None,
                 neuron: int | None = None):
        super().__init__(message)
        self.t_ms, self.population, self.neuron = t_ms, population, neuron

    def __reduce__(self):  # keep the attributes through pickling (Dask workers)
        return type(self), (str(self), self.t_ms, self.population, self.neuron)


class BudgetError(ValueError):
    """The requested run is larger than the configured work limit."""


class TransientError(RuntimeError):
    """A failure that a later run of the same parameters and seed may not
    repeat: a killed binary or compile, the wall-clock limit, a full disk.
    Never a result: a sweep retries such a point instead of storing it."""


class TimeLimitError(TransientError):
    """The run was stopped at the wall-clock limit."""


class NoSpaceError(TransientError):
    """A file could not be written in full: no space left on its file system
    (the message names the directory)."""


class DamagedBuildError(TransientError):
    """A compiled build differs from what was written when it completed (a
    deleted, truncated or changed file) and is still damaged after a rebuild."""


class CompileError(RuntimeError):
    """Generating or compiling the C++ network failed; the message names the
    cause and the log file.  A killed compile or a full disk raise the
    :class:`TransientError` subclasses instead."""


class CompileKilledError(CompileError, TransientError):
    """The compile was stopped by a signal (the message names it)."""
