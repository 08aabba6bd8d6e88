"""The errors a simulation raises besides ``ValueError`` (invalid input)."""

from __future__ import annotations


class DivergenceError(RuntimeError):
    """The numerical integration ran away (|v| too large or not finite).

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


class TimeLimitError(RuntimeError):
    """The run was stopped at the wall-clock limit."""
