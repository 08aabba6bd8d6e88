"""Fit Tsodyks–Markram parameters to recorded response amplitudes.

An experimenter records the response amplitudes (PSC or PSP peaks) of one
synapse to one or more presynaptic trains.  :func:`fit_stp` finds ``U_0``,
``Omega_f``, ``Omega_d`` and a scale ``A`` such that amplitude_n = A·r_n,
where r_n is the released fraction of the model's own STP formulation
(Stimberg et al. 2019, see :mod:`stpexplorer.stp`): between spikes u decays to
0 at rate Ω_f and x recovers to 1 at rate Ω_d; at a spike
``u ← u + U_0 (1 − u)``, ``r = u·x``, ``x ← x − r``; every train starts from
u = 0, x = 1 (the synapse has rested before each protocol).

Noise model: multiplicative, amplitude = A·r_n·(1 + ε_n) with ε_n independent
and of equal spread, so the fit minimises the sum of squared *relative*
residuals (observed/fitted − 1).  Rates are fitted on the scale
log(Ω + 0.01/s), U_0 on log U_0, A on log A, within the ranges of the
:class:`~stpexplorer.params.Params` fields (read from their metadata).

Use::

    from stpexplorer import fit
    trains = fit.load_csv(path_or_bytes)      # or fit.example_path("depressing"), fit.example_bytes(...)
    result = fit.fit_stp(trains, seed=0)      # StpFit: values, ci, warnings, table_rows(), format_table()
    params = result.to_params(base)           # shared values; pathway="ei" for one pathway
    ax_amplitudes, ax_residuals = fit.plot_fit(result, trains)

Bad input raises :class:`FitDataError` (files: line and column) or
``ValueError`` (trains given directly: train and spike).

The package by concern: :mod:`~stpexplorer.fit.amplitudes` (the model A·r_n
and the fitted scales), :mod:`~stpexplorer.fit.solver` (least squares and
profile intervals), :mod:`~stpexplorer.fit.report` (:class:`StpFit`, its
tables, JSON and warnings), :mod:`~stpexplorer.fit.data` (the CSV reader and
the one validator of trains), :mod:`~stpexplorer.fit.examples` (the shipped
recordings); the picture is :func:`stpexplorer.plotting.fit.plot_fit`
(imported on first use: importing this package does not import matplotlib).
"""

from .amplitudes import FITTED, release
from .data import (
    MAX_BYTES,
    MAX_SIZE_TEXT,
    MAX_SPIKES,
    MIN_RESPONSES,
    MIN_SPIKES_PER_TRAIN,
    FitDataError,
    Train,
    check_size,
    check_trains,
    load_csv,
)
from .examples import EXAMPLES, example_bytes, example_path
from .report import PATHWAYS, StpFit
from .solver import N_CANDIDATES, N_STARTS, fit_stp

__all__ = [
    "fit_stp", "StpFit", "load_csv", "Train", "FitDataError", "check_trains", "check_size", "example_path",
    "example_bytes", "release", "plot_fit", "FITTED", "PATHWAYS", "EXAMPLES", "MAX_BYTES", "MAX_SIZE_TEXT",
    "MAX_SPIKES", "MIN_SPIKES_PER_TRAIN", "MIN_RESPONSES", "N_CANDIDATES", "N_STARTS",
]


def __getattr__(name: str):
    if name == "plot_fit":  # matplotlib only when the picture is asked for
        from ..plotting.fit import plot_fit

        return plot_fit
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
