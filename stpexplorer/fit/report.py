"""What a fit reports: :class:`StpFit` (values, 95 % intervals, tables, JSON,
Params) and the warnings about parameters the data do not determine."""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass

import numpy as np

from .. import params as params_mod
from .amplitudes import FITTED, from_scale, release

#: Pathways of the per-pathway STP fields ``U_0_<pw>`` etc. (first letter: presynaptic population).
PATHWAYS = params_mod.PATHWAYS

SYMBOLS = {"U_0": "U₀", "Omega_f": "Ω_f", "Omega_d": "Ω_d", "A": "A"}


@dataclass(frozen=True)
class StpFit:
    """Fitted Tsodyks–Markram parameters of one synapse.

    ``ci`` holds 95 % profile-likelihood intervals (see :func:`fit_stp`) for
    ``U_0``, ``Omega_f``, ``Omega_d`` and ``A``.  ``fitted`` and
    ``residuals`` (observed − fitted, in the data's unit; NaN where a response
    is missing) have one array per train; ``rmse`` is their root mean square,
    ``noise_cv`` the root mean square of the relative residuals (the noise
    estimate the intervals use).  ``warnings`` are sentences about parameters
    the data do not determine (which one, why, and which protocol would fix
    it); ``notes`` has a short flag per parameter for tables.
    """

    U_0: float
    Omega_f: float
    Omega_d: float
    A: float
    ci: dict
    fitted: tuple
    residuals: tuple
    rmse: float
    noise_cv: float
    warnings: tuple
    notes: dict
    train_names: tuple
    n_responses: int
    seed: int = 0

    def values(self) -> dict[str, float]:
        return {"U_0": self.U_0, "Omega_f": self.Omega_f, "Omega_d": self.Omega_d, "A": self.A}

    def predict(self, spike_times_ms) -> np.ndarray:
        """Fitted amplitudes A·r_n for any train (times in ms)."""
        return self.A * release(np.asarray(spike_times_ms, float), self.U_0, self.Omega_f, self.Omega_d)

    def to_params(self, base: "params_mod.Params | None" = None, pathway: str | None = None):
        """``base`` (default: the default Params) with the fitted STP values.

        ``pathway=None`` sets the shared ``U_0``, ``Omega_f``, ``Omega_d``;
        ``"ee"``, ``"ei"``, ``"ie"`` or ``"ii"`` sets ``U_0_<pathway>`` etc.
        only (``ValueError`` if ``base`` has no per-pathway fields).
        """
        base = params_mod.Params() if base is None else base
        values = {name: getattr(self, name) for name in FITTED}
        if pathway is None:
            return dataclasses.replace(base, **values)
        if pathway not in PATHWAYS:
            raise ValueError(f"pathway={pathway!r} is invalid; allowed: {', '.join(PATHWAYS)} or None (shared)")
        changes = {f"{name}_{pathway}": value for name, value in values.items()}
        have = {f.name for f in dataclasses.fields(base)}
        missing = [name for name in changes if name not in have]
        if missing:
            raise ValueError(f"per-pathway values are not available: these parameters have no field "
                             f"{', '.join(missing)}; use pathway=None for the shared values")
        return dataclasses.replace(base, **changes)

    def params_json(self) -> str:
        """The fitted values as a Params JSON object (``stpexplorer run --params`` applies it over a preset)."""
        return json.dumps({name: getattr(self, name) for name in FITTED}, indent=1)

    def table_rows(self) -> list[dict]:
        """One row per parameter: name, symbol, value, lo, hi (95 %), unit, note."""
        rows = []
        for name in (*FITTED, "A"):
            unit = params_mod.field_info(name).metadata["unit"] if name != "A" else "data unit"
            lo, hi = self.ci[name]
            rows.append({"name": name, "symbol": SYMBOLS[name], "value": getattr(self, name),
                         "lo": lo, "hi": hi, "unit": unit, "note": self.notes.get(name, "")})
        return rows

    def format_table(self) -> str:
        """The table as text: value, 95 % interval, unit, note; then the warnings."""
        lines = [f"{'parameter':<10} {'value':>10}   {'95 % interval':<22} {'unit':<10} note"]
        for row in self.table_rows():
            interval = f"[{fmt(row['lo'])}, {fmt(row['hi'])}]"
            lines.append(f"{row['name']:<10} {fmt(row['value']):>10}   {interval:<22} "
                         f"{row['unit']:<10} {row['note']}".rstrip())
        lines.append(f"{self.n_responses} responses in {len(self.train_names)} train(s); "
                     f"rmse {fmt(self.rmse)} (data unit), noise {100 * self.noise_cv:.1f} % (relative)")
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """Everything as JSON-ready values."""
        return {"values": self.values(), "ci": {k: list(v) for k, v in self.ci.items()},
                "units": {row["name"]: row["unit"] for row in self.table_rows()},
                "rmse": self.rmse, "noise_cv": self.noise_cv, "warnings": list(self.warnings),
                "notes": dict(self.notes), "trains": list(self.train_names),
                "n_responses": self.n_responses, "seed": self.seed,
                "interval_method": "profile likelihood, 95 %"}


def fmt(value: float) -> str:
    """A value as the report shows it (4 significant digits)."""
    return f"{value:.4g}"


# ----------------------------------------------------------------------
# what the data cannot tell
_WIDE = math.log(10.0)  # an interval spanning more than a factor of 10 is poorly determined

_FIXES = {
    "U_0": "the first response fixes only A·U_0; U_0 itself shows in how much the following "
           "responses change: add a paired pulse at a short gap (10–20 ms) or a train at a higher rate",
    "Omega_f": "facilitation decay shows where gaps are comparable to 1/Ω_f: add a train at a second "
               "rate (e.g. 10 Hz besides 50 Hz) or recovery probes at short gaps (20–200 ms)",
    "Omega_d": "recovery of resources shows in probes after a train: add recovery probes at several "
               "gaps after the train (e.g. 100 ms, 300 ms, 1 s, 3 s)",
}
_ROLE = {"U_0": "release probability", "Omega_f": "the decay of facilitation",
         "Omega_d": "the recovery from depression"}


def identifiability(problem, theta, intervals, trains) -> tuple[list[str], dict]:
    """Warnings (which parameter, why, what protocol fixes it) and short per-parameter notes.

    ``problem`` is the fit's least-squares problem (its ``jacobian`` and the
    bounds ``lo``, ``hi`` on the fitted scales), ``intervals`` the interval
    ends on those scales, ``trains`` the spike times (ms).
    """
    jac = problem.jacobian(theta)[:, :3]
    cov = np.linalg.pinv(jac.T @ jac)
    sd = np.sqrt(np.clip(np.diag(cov), 1e-300, None))
    corr = cov / np.outer(sd, sd)
    regular = _one_interval(trains)
    warnings, notes = [], {}
    for j, name in enumerate(FITTED):
        lo, hi = intervals[j]
        at_lo = abs(lo - problem.lo[j]) < 1e-6
        at_hi = abs(hi - problem.hi[j]) < 1e-6
        sym = SYMBOLS[name]
        if at_lo and at_hi:
            notes[name] = "not determined"
            what = (f"{name} ({sym}, {_ROLE[name]}) is not determined by these data: its 95 % interval "
                    "spans the whole allowed range")
        elif at_lo or at_hi:
            end = from_scale(name, hi if at_lo else lo)
            if name == "Omega_f" and at_hi:
                notes[name] = f"≥ {fmt(end)}: no lasting facilitation"
                warnings.append(f"Omega_f (Ω_f) is bounded from below only (≥ {fmt(end)} 1/s): the data show "
                                f"no facilitation lasting beyond ~{fmt(1000 / max(end, 1e-9))} ms, and any faster "
                                f"decay fits as well. If facilitation matters, "
                                + _FIXES[name] + ".")
                continue
            notes[name] = ("upper end open" if at_hi else "lower end open")
            side = "above" if at_hi else "below"
            what = (f"{name} ({sym}, {_ROLE[name]}) is not bounded from {side} by these data "
                    f"(95 % interval reaches the end of the allowed range)")
        elif hi - lo > _WIDE:
            notes[name] = "poorly determined"
            what = (f"{name} ({sym}, {_ROLE[name]}) is poorly determined: its 95 % interval spans a factor of "
                    f"{math.exp(hi - lo):.0f}")
        else:
            continue
        others = [k for k in range(3) if k != j]
        partner = max(others, key=lambda k: abs(corr[j, k]))
        why = []
        if regular is not None:
            why.append(f"all spikes come at one interval ({fmt(regular)} ms), so facilitation decay and "
                       f"recovery act over the same gap and trade off against each other")
        if abs(corr[j, partner]) > 0.9:
            why.append(f"at the fit its effect is nearly the same as a change of {FITTED[partner]} "
                       f"(correlation {corr[j, partner]:+.2f})")
        reason = ("; ".join(why) + "") if why else "the responses change little over its range"
        warnings.append(f"{what} — {reason}. To fix: {_FIXES[name]}.")
    if regular is not None and not warnings:
        warnings.append(f"all spikes come at one interval ({fmt(regular)} ms): the values hold for this "
                        f"rate; to separate facilitation decay from recovery reliably, add recovery probes "
                        f"at several gaps or a train at a second rate.")
    return warnings, notes


def _one_interval(trains: list[np.ndarray]) -> float | None:
    """The common inter-spike interval (ms) if every gap of every train is the same, else None."""
    gaps = np.concatenate([np.diff(t) for t in trains])
    if len(gaps) and np.ptp(gaps) <= 0.02 * np.median(gaps) + 0.5:
        return float(np.median(gaps))
    return None
