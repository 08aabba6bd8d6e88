"""Conformance checks: ``stpexplorer validate``.

Each check compares part of this package with an independent reference and
returns report rows (:class:`~stpexplorer.validation.rows.Row`):

* :mod:`.stp_checks` — the Tsodyks–Markram update of every pathway of a
  simulated network against the closed-form recursion, and the recursion
  against NEST's ``tsodyks2_synapse`` spike by spike;
* :mod:`.neuron_checks` — the neuron gallery against NEST's ``izhikevich``;
* :mod:`.network_checks` — networks built in NEST from the same realisation:
  ``simulate()`` and NEST each identical, spike for spike, to a numpy Euler
  of the realisation with its own delivery step (:mod:`.euler`), then
  statistics over seeds (:mod:`.stats`);
* :mod:`.tool_checks` — the exported Brian2 script against ``simulate()``,
  and the fit recovering known parameters.

NEST (``pip install 'stpexplorer[validate]'``) is optional: without it the
NEST rows say "not installed" and do not fail.  :func:`run_validation` writes
``report.md`` with PNG figures and ``summary.json`` (:mod:`.report`).
"""

from __future__ import annotations

import time
import traceback
from pathlib import Path

from . import report
from .rows import ERROR, Context, Row

#: key -> "module:function"; run in this order.
CHECKS = {
    "stp-nest": "stp_checks:check_stp_nest",
    "stp-pathways": "stp_checks:check_stp_pathways",
    "neurons-nest": "neuron_checks:check_neurons_nest",
    "network-identity": "network_checks:check_network_identity",
    "network-statistics": "network_checks:check_network_statistics",
    "export": "tool_checks:check_export",
    "fit": "tool_checks:check_fit",
}

__all__ = ["CHECKS", "run_validation"]


def _check_function(spec: str):
    import importlib

    module, name = spec.split(":")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


def _run_check(key: str, ctx: Context) -> list[Row]:
    """The rows of one check; an exception becomes an ERROR row naming it."""
    try:
        return _check_function(CHECKS[key])(ctx)
    except Exception as exc:  # a broken check must show in the report, not hide the others
        last = traceback.extract_tb(exc.__traceback__)[-1]
        return [Row(key, f"check {key}", "–", None, None, "", ERROR,
                    details=f"{type(exc).__name__}: {exc} ({Path(last.filename).name}:{last.lineno})")]


def run_validation(out, quick: bool = False, checks=None, progress=print, engine=None) -> dict:
    """Run the checks (all of :data:`CHECKS`, or the keys in ``checks``) and
    write ``report.md``, the figures and ``summary.json`` into ``out``.

    Returns the summary (``summary["passed"]`` is False if a check that ran
    failed or raised).  ``engine`` overrides the stpexplorer engine of the
    network runs (default: Brian2's numpy runtime in quick mode, the default
    engine for the full identity runs).
    """
    import matplotlib

    matplotlib.use("Agg")
    from .nest_backend import load_nest, nest_version

    keys = list(CHECKS) if checks is None else list(checks)
    unknown = [key for key in keys if key not in CHECKS]
    if unknown:
        raise ValueError(f"unknown check(s) {', '.join(unknown)}; allowed: {', '.join(CHECKS)}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    nest = load_nest()
    ctx = Context(out=out, quick=quick, nest=nest, engine=engine)
    start = time.perf_counter()
    rows: list[Row] = []
    for key in keys:
        if progress:
            progress(f"validate: {key} ...")
        rows += _run_check(key, ctx)
    info = report.summary(rows, quick, nest_version(nest) if nest else None, time.perf_counter() - start)
    report.write(out, rows, info)
    if progress:
        progress(report.console_table(rows))
    return info
