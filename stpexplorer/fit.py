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
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, Sequence

import numpy as np

from . import params as params_mod

#: The fitted Params fields, in table order.
FITTED = ("U_0", "Omega_f", "Omega_d")
#: Pathways of the per-pathway STP fields ``U_0_<pw>`` etc. (first letter: presynaptic population).
PATHWAYS = ("ee", "ei", "ie", "ii")
#: Largest accepted CSV file.
MAX_BYTES = 1_000_000
#: Most spikes accepted in one fit (the recursion runs spike by spike).
MAX_SPIKES = 2000
#: Fewest spikes in one train, and fewest measured responses in one fit (4 parameters).
MIN_SPIKES_PER_TRAIN = 2
MIN_RESPONSES = 6
#: Shipped synthetic recordings (``scripts/make_fit_examples.py``).
EXAMPLES = ("depressing", "facilitating")

_RATE_OFFSET = 0.01  # 1/s: rates are fitted as log(Ω + offset), so Ω = 0 is reachable
_R_FLOOR = 1e-12     # keeps a fully depleted synapse (r = 0) from dividing by zero
_COMPLEX_STEP = 1e-20


# ----------------------------------------------------------------------
# the model
def release(spike_times_ms: Sequence[np.ndarray], U_0, Omega_f, Omega_d) -> np.ndarray | list:
    """Released fraction r_n at every spike of every train (the exact recursion).

    ``spike_times_ms`` is one train (1-D array) or a list of trains.  The
    parameters may be scalars or 1-D arrays of P parameter sets; the result
    has shape (P, n_spikes) per train (P dropped for scalars).
    """
    single = len(spike_times_ms) == 0 or np.ndim(spike_times_ms[0]) == 0
    trains = [np.asarray(spike_times_ms, float)] if single else [np.asarray(t, float) for t in spike_times_ms]
    if any(len(t) == 0 for t in trains):
        raise ValueError("a train without spikes has no release")
    gaps, lengths = _gaps(trains)
    scalar = all(np.ndim(v) == 0 for v in (U_0, Omega_f, Omega_d))
    r = _release(np.atleast_1d(U_0), np.atleast_1d(Omega_f), np.atleast_1d(Omega_d), gaps)
    out = [r[:, i, :n] for i, n in enumerate(lengths)]
    if scalar:
        out = [o[0] for o in out]
    return out[0] if single else out


def _gaps(trains: list[np.ndarray]) -> tuple[np.ndarray, list[int]]:
    """Inter-spike gaps in seconds, one row per train, padded with zeros."""
    lengths = [len(t) for t in trains]
    gaps = np.zeros((len(trains), max(lengths)))
    for i, t in enumerate(trains):
        gaps[i, 1:len(t)] = np.diff(t) * 1e-3
    return gaps, lengths


def _release(U, Of, Od, gaps_s: np.ndarray) -> np.ndarray:
    """r for P parameter sets (1-D arrays, broadcast) and T padded trains: shape (P, T, N).

    Vectorised over parameter sets and trains; the loop runs over the spike
    index only.  Works with complex parameters (complex-step derivatives).
    """
    U, Of, Od = (np.asarray(v)[:, None] for v in np.broadcast_arrays(U, Of, Od))
    n_sets, (n_trains, n_spikes) = U.shape[0], gaps_s.shape
    dtype = np.result_type(U, Of, Od, float)
    r = np.empty((n_sets, n_trains, n_spikes), dtype)
    u = np.broadcast_to(U, (n_sets, n_trains))  # u after facilitation at the first spike
    x = np.ones((n_sets, n_trains), dtype)      # x before release at the first spike
    r[:, :, 0] = u * x
    for k in range(1, n_spikes):
        gap = gaps_s[:, k]
        x_after = x * (1.0 - u)                           # release at the previous spike
        u = U + (1.0 - U) * (u * np.exp(-Of * gap))       # decay to 0, then facilitation
        x = 1.0 - (1.0 - x_after) * np.exp(-Od * gap)     # recovery towards 1
        r[:, :, k] = u * x
    return r


# ----------------------------------------------------------------------
# parameter scales
def _range(name: str) -> tuple[float, float]:
    meta = params_mod.field_info(name).metadata
    return float(meta["lo"]), float(meta["hi"])


def _offset(name: str) -> float:
    return 0.0 if _range(name)[0] > 0 else _RATE_OFFSET


def _to_scale(name: str, value):
    return np.log(value + _offset(name))


def _from_scale(name: str, psi):
    return np.exp(psi) - _offset(name)


def _scale_bounds() -> tuple[np.ndarray, np.ndarray]:
    lo = [_to_scale(n, _range(n)[0]) for n in FITTED]
    hi = [_to_scale(n, _range(n)[1]) for n in FITTED]
    return np.array(lo), np.array(hi)


def _value(name: str, psi: float) -> float:
    """A parameter from its scaled value, clipped into its Params range (exactly an end at a bound)."""
    lo, hi = _range(name)
    if abs(psi - _to_scale(name, lo)) < 1e-9:
        return lo
    if abs(psi - _to_scale(name, hi)) < 1e-9:
        return hi
    return float(np.clip(_from_scale(name, psi), lo, hi))


def _natural(psi) -> tuple[float, float, float]:
    """(U_0, Omega_f, Omega_d) from scaled values."""
    return tuple(_value(n, p) for n, p in zip(FITTED, psi))


# ----------------------------------------------------------------------
# least squares
class _Problem:
    """Relative residuals observed/(A·r) − 1 over θ = (ψ_U, ψ_f, ψ_d, log A)."""

    def __init__(self, trains: list[np.ndarray], amplitudes: list[np.ndarray]):
        self.gaps, self.lengths = _gaps(trains)
        y = np.full(self.gaps.shape, np.nan)
        for i, a in enumerate(amplitudes):
            y[i, :len(a)] = a
        self.mask = np.isfinite(y)
        self.y = y[self.mask]
        self.n = int(self.mask.sum())
        self.lo, self.hi = _scale_bounds()
        self._cache: tuple[bytes, np.ndarray, np.ndarray] | None = None
        self.evaluations = 0

    # -- residuals and Jacobian by complex-step differentiation (exact to rounding)
    def _evaluate(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        key = theta.tobytes()
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1], self._cache[2]
        self.evaluations += 1
        psi = np.tile(theta[:3].astype(complex), (3, 1))
        psi[np.arange(3), np.arange(3)] += 1j * _COMPLEX_STEP
        natural = [_from_scale(n, psi[:, j]) for j, n in enumerate(FITTED)]
        r = _release(*natural, self.gaps)[:, self.mask]          # (3, n)
        r_val = r[0].real + _R_FLOOR
        dr = r.imag / _COMPLEX_STEP                              # d r / d ψ_j
        q = self.y / (np.exp(theta[3]) * r_val)                  # observed / fitted
        jac = np.empty((self.n, 4))
        jac[:, :3] = (-q * dr / r_val).T
        jac[:, 3] = -q
        self._cache = (key, q - 1.0, jac)
        return q - 1.0, jac

    def residuals(self, theta):
        return self._evaluate(np.asarray(theta, float))[0]

    def jacobian(self, theta):
        return self._evaluate(np.asarray(theta, float))[1]

    def cost(self, theta) -> float:
        res = self.residuals(theta)
        return float(res @ res)

    # -- many parameter sets at once, with A profiled out exactly
    def profiled_costs(self, psi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cost and best log A for each row of ψ (shape (P, 3))."""
        natural = [_from_scale(n, psi[:, j]) for j, n in enumerate(FITTED)]
        r = _release(*natural, self.gaps)[:, self.mask] + _R_FLOOR
        z = self.y / r                                           # = A (1 + residual)
        s1, s2 = z.sum(axis=1), (z * z).sum(axis=1)
        c = np.where(s2 > 0, s1 / np.where(s2 > 0, s2, 1.0), 1.0)  # 1/A minimising Σ(c z − 1)²
        return self.n - s1 * c, -np.log(c)

    # -- one bounded fit, optionally with one coordinate held fixed
    def solve(self, theta0: np.ndarray, fixed: int | None = None) -> tuple[np.ndarray, float]:
        from scipy.optimize import least_squares

        theta0 = np.asarray(theta0, float).copy()
        lo = np.append(self.lo, -np.inf)
        hi = np.append(self.hi, np.inf)
        free = np.array([j for j in range(4) if j != fixed])
        full = theta0.copy()

        def expand(t):
            full[free] = t
            return full

        start = np.clip(theta0[free], lo[free] + 1e-9, hi[free] - 1e-9)
        sol = least_squares(lambda t: self.residuals(expand(t)),
                            start, jac=lambda t: self.jacobian(expand(t))[:, free],
                            bounds=(lo[free], hi[free]), method="trf",
                            xtol=1e-10, ftol=1e-10, gtol=1e-10, max_nfev=200)
        theta = expand(sol.x).copy()
        return theta, self.cost(theta)


# ----------------------------------------------------------------------
# the result
_SYMBOLS = {"U_0": "U₀", "Omega_f": "Ω_f", "Omega_d": "Ω_d", "A": "A"}


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
            rows.append({"name": name, "symbol": _SYMBOLS[name], "value": getattr(self, name),
                         "lo": lo, "hi": hi, "unit": unit, "note": self.notes.get(name, "")})
        return rows

    def format_table(self) -> str:
        """The table as text: value, 95 % interval, unit, note; then the warnings."""
        lines = [f"{'parameter':<10} {'value':>10}   {'95 % interval':<22} {'unit':<10} note"]
        for row in self.table_rows():
            interval = f"[{_fmt(row['lo'])}, {_fmt(row['hi'])}]"
            lines.append(f"{row['name']:<10} {_fmt(row['value']):>10}   {interval:<22} "
                         f"{row['unit']:<10} {row['note']}".rstrip())
        lines.append(f"{self.n_responses} responses in {len(self.train_names)} train(s); "
                     f"rmse {_fmt(self.rmse)} (data unit), noise {100 * self.noise_cv:.1f} % (relative)")
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


def _fmt(value: float) -> str:
    return f"{value:.4g}"


# ----------------------------------------------------------------------
# fitting
N_CANDIDATES = 256  # random parameter sets scored (A profiled out) to choose the starts
N_STARTS = 4        # least-squares fits from the best, mutually distinct candidates
_PROFILE_XTOL = 0.005  # interval ends to 0.5 % (on the log scales)
_A_SPAN = 15.0         # how far the profile of log A is followed each way


def fit_stp(trains, *, seed: int = 0) -> StpFit:
    """Fit U_0, Omega_f, Omega_d and a scale A to response amplitudes.

    ``trains``: a list of ``(spike_times_ms, amplitudes)`` pairs (or
    :class:`Train` from :func:`load_csv`), one per protocol of one synapse;
    an amplitude may be NaN (missed response: the spike still acts on the
    synapse).  Model: amplitude_n = A·r_n with r_n from the exact recursion
    (:func:`release`), each train starting from rest.

    Least squares on relative residuals (observed/fitted − 1; multiplicative
    noise), with ``scipy.optimize.least_squares`` (bounded trust region) from
    several starts: ``N_CANDIDATES`` random parameter sets drawn with ``seed``
    are scored with A profiled out, and the best ``N_STARTS`` distinct ones
    are refined.  Bounds are the ranges of the ``Params`` fields.

    Intervals: **profile likelihood**.  For each parameter the others are
    re-fitted at fixed values of it; the 95 % interval is where the profiled
    sum of squares stays below S_min·(1 + F₀.₉₅(1, n − 4)/(n − 4)), n the
    number of responses.  An interval that reaches the end of the allowed
    range means the data do not bound the parameter on that side.

    Raises ``ValueError`` for unusable input (naming the train and spike).
    """
    names, times, amps = _check_trains(trains)
    problem = _Problem(times, amps)
    rng = np.random.default_rng(seed)
    theta, cost = _best_fit(problem, rng)
    for attempt in range(4):  # a profile that meets a better optimum restarts from it (3 times at most)
        intervals, better = _profile_intervals(problem, theta, cost, restart=attempt < 3)
        if better is None:
            break
        theta, cost = problem.solve(better)
    values = dict(zip(FITTED, _natural(theta[:3])))
    A = float(np.exp(theta[3]))
    ci = {name: (_value(name, lo), _value(name, hi)) for name, (lo, hi) in zip(FITTED, intervals[:3])}
    ci["A"] = tuple(float(np.exp(v)) for v in intervals[3])
    fitted = tuple(A * r for r in release(times, values["U_0"], values["Omega_f"], values["Omega_d"]))
    residuals = tuple(a - f for a, f in zip(amps, fitted))
    flat = np.concatenate(residuals)
    flat = flat[np.isfinite(flat)]
    warnings, notes = _identifiability(problem, theta, intervals, times)
    return StpFit(**values, A=A, ci=ci, fitted=fitted, residuals=residuals,
                  rmse=float(np.sqrt(np.mean(flat ** 2))),
                  noise_cv=float(np.sqrt(cost / max(problem.n - 4, 1))),
                  warnings=tuple(warnings), notes=notes, train_names=tuple(names),
                  n_responses=problem.n, seed=seed)


def _best_fit(problem: _Problem, rng: np.random.Generator) -> tuple[np.ndarray, float]:
    psi = rng.uniform(problem.lo, problem.hi, size=(N_CANDIDATES, 3))
    costs, log_a = problem.profiled_costs(psi)
    order = np.argsort(costs)
    starts: list[int] = []
    for k in order:  # the best candidates at least 0.5 apart on the log scales
        if all(np.max(np.abs(psi[k] - psi[s])) > 0.5 for s in starts):
            starts.append(k)
        if len(starts) == N_STARTS:
            break
    best = None
    for k in starts:
        theta, cost = problem.solve(np.append(psi[k], log_a[k]))
        if best is None or cost < best[1]:
            best = (theta, cost)
    return best


def _threshold(cost: float, dof: int) -> float:
    from scipy.special import stdtrit

    t = float(stdtrit(max(dof, 1), 0.975))  # F(0.95; 1, dof) = t(0.975; dof)²
    return cost * (1.0 + t * t / max(dof, 1))


def _profile_intervals(problem: _Problem, theta: np.ndarray, cost: float, restart: bool = True):
    """Profile-likelihood interval ends (scaled coordinates) for the 4 coordinates.

    Returns (intervals, better): ``better`` is a parameter vector with a lower
    cost met on the way (then the fit is redone from it; only if ``restart``),
    else None.
    """
    target = max(math.sqrt(_threshold(cost, problem.n - 4) - cost), 1e-12)
    jac = problem.jacobian(theta)
    sigma2 = cost / max(problem.n - 4, 1)
    try:
        se = np.sqrt(np.clip(np.diag(np.linalg.pinv(jac.T @ jac)) * sigma2, 0, None))
    except np.linalg.LinAlgError:
        se = np.full(4, np.inf)
    lo = np.append(problem.lo, theta[3] - _A_SPAN)
    hi = np.append(problem.hi, theta[3] + _A_SPAN)
    intervals = []
    for j in range(4):
        ends = []
        for side, bound in ((-1, lo[j]), (1, hi[j])):
            end, better = _profile_end(problem, theta, cost, j, side, bound, target, se[j], restart)
            if better is not None:
                return None, better
            ends.append(end)
        intervals.append(tuple(ends))
    return intervals, None


def _profile_end(problem, theta, cost, j, side, bound, target, se, restart=True):
    """Where the signed root deviation √(S(v) − S_min) reaches ``target`` on one side."""
    v_hat = theta[j]
    if abs(bound - v_hat) < 1e-9:
        return bound, None

    def at(v, start):
        start = start.copy()
        start[j] = v
        th, c = problem.solve(start, fixed=j)
        if restart and c < cost * (1 - 1e-7) - 1e-15:
            return th, c, True
        return th, math.sqrt(max(c - cost, 0.0)) - target, False

    step = 2.0 * se if np.isfinite(se) and se > 1e-6 else abs(bound - v_hat) / 4
    inner_v, inner_g, inner_theta = v_hat, -target, theta
    v = v_hat + side * min(step, abs(bound - v_hat))
    for _ in range(12):
        th, g, better = at(v, inner_theta)
        if better:
            return None, th
        if g >= 0:
            break
        if abs(v - bound) < 1e-12:
            return bound, None  # the data do not bound this side
        slope = (g - inner_g) / (v - inner_v) if v != inner_v else 0.0
        inner_v, inner_g, inner_theta = v, g, th
        if side * slope < -1e-9:  # still descending towards the end: extrapolate, with margin
            jump = min(abs(-g / slope) * 1.3 + 0.01, 4 * abs(v - v_hat) + 0.1)
        else:
            jump = 2 * abs(v - v_hat) + 0.1
        v = v + side * min(jump, abs(bound - v))
    else:
        return bound, None
    outer_v, outer_g = v, g
    # Illinois false position between the inner (g < 0) and outer (g ≥ 0) points
    keep = 0
    for _ in range(20):
        if (abs(outer_v - inner_v) < _PROFILE_XTOL or abs(outer_g) < 0.01 * target
                or outer_g == inner_g):
            break
        v = outer_v - outer_g * (outer_v - inner_v) / (outer_g - inner_g)
        th, g, better = at(v, inner_theta)
        if better:
            return None, th
        if g >= 0:
            outer_v, outer_g = v, g
            if keep == -1:
                inner_g /= 2
            keep = -1
        else:
            inner_v, inner_g, inner_theta = v, g, th
            if keep == 1:
                outer_g /= 2
            keep = 1
    return outer_v, None


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


def _identifiability(problem: _Problem, theta, intervals, trains) -> tuple[list[str], dict]:
    """Warnings (which parameter, why, what protocol fixes it) and short per-parameter notes."""
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
        sym = _SYMBOLS[name]
        if at_lo and at_hi:
            notes[name] = "not determined"
            what = (f"{name} ({sym}, {_ROLE[name]}) is not determined by these data: its 95 % interval "
                    "spans the whole allowed range")
        elif at_lo or at_hi:
            end = _from_scale(name, hi if at_lo else lo)
            if name == "Omega_f" and at_hi:
                notes[name] = f"≥ {_fmt(end)}: no lasting facilitation"
                warnings.append(f"Omega_f (Ω_f) is bounded from below only (≥ {_fmt(end)} 1/s): the data show "
                                f"no facilitation lasting beyond ~{_fmt(1000 / max(end, 1e-9))} ms, and any faster "
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
            why.append(f"all spikes come at one interval ({_fmt(regular)} ms), so facilitation decay and "
                       f"recovery act over the same gap and trade off against each other")
        if abs(corr[j, partner]) > 0.9:
            why.append(f"at the fit its effect is nearly the same as a change of {FITTED[partner]} "
                       f"(correlation {corr[j, partner]:+.2f})")
        reason = ("; ".join(why) + "") if why else "the responses change little over its range"
        warnings.append(f"{what} — {reason}. To fix: {_FIXES[name]}.")
    if regular is not None and not warnings:
        warnings.append(f"all spikes come at one interval ({_fmt(regular)} ms): the values hold for this "
                        f"rate; to separate facilitation decay from recovery reliably, add recovery probes "
                        f"at several gaps or a train at a second rate.")
    return warnings, notes


def _one_interval(trains: list[np.ndarray]) -> float | None:
    """The common inter-spike interval (ms) if every gap of every train is the same, else None."""
    gaps = np.concatenate([np.diff(t) for t in trains])
    if len(gaps) and np.ptp(gaps) <= 0.02 * np.median(gaps) + 0.5:
        return float(np.median(gaps))
    return None


# ----------------------------------------------------------------------
# input
class Train(NamedTuple):
    """One protocol: spike times (ms, increasing) and response amplitudes (NaN: missed)."""

    spike_times_ms: np.ndarray
    amplitudes: np.ndarray
    name: str = ""
    first_line: int = 0  # line of its first row in the CSV file (0: not from a file)


def _check_trains(trains) -> tuple[list[str], list[np.ndarray], list[np.ndarray]]:
    """Validate trains given to :func:`fit_stp`; errors name the train and the spike."""
    if isinstance(trains, (str, bytes, Path)) or not hasattr(trains, "__len__") or len(trains) == 0:
        raise ValueError("trains must be a non-empty list of (spike_times_ms, amplitudes) pairs")
    names, times, amps = [], [], []
    for i, train in enumerate(trains):
        label = getattr(train, "name", "") or f"train {i + 1}"
        try:
            t = np.asarray(train[0], dtype=float)
            a = np.asarray(train[1], dtype=float)
        except (TypeError, ValueError, IndexError) as exc:
            raise ValueError(f"{label}: expected (spike_times_ms, amplitudes) as numbers ({exc})") from None
        if t.ndim != 1 or a.shape != t.shape:
            raise ValueError(f"{label}: spike times and amplitudes must be 1-D and of equal length "
                             f"(got shapes {t.shape} and {a.shape})")
        if len(t) < MIN_SPIKES_PER_TRAIN:
            raise ValueError(f"{label}: too few spikes ({len(t)}); a train needs at least {MIN_SPIKES_PER_TRAIN}")
        if not np.all(np.isfinite(t)):
            raise ValueError(f"{label}: spike {int(np.argmin(np.isfinite(t))) + 1}: spike time is not finite")
        steps = np.diff(t)
        if np.any(steps <= 0):
            k = int(np.argmax(steps <= 0)) + 1
            raise ValueError(f"{label}: spike {k + 1}: spike times not increasing ({t[k]:g} ms after {t[k - 1]:g} ms)")
        if np.any(np.isinf(a)):
            raise ValueError(f"{label}: spike {int(np.argmax(np.isinf(a))) + 1}: amplitude is not finite")
        if np.any(a < 0):
            k = int(np.argmax(a < 0))
            raise ValueError(f"{label}: spike {k + 1}: negative amplitude {a[k]:g} (give response sizes, ≥ 0)")
        measured = a[np.isfinite(a)]
        if len(measured) == 0:
            raise ValueError(f"{label}: no measured amplitude (all missing)")
        if not np.any(measured > 0):
            raise ValueError(f"{label}: all amplitudes are zero")
        names.append(label)
        times.append(t)
        amps.append(a)
    total = sum(len(t) for t in times)
    if total > MAX_SPIKES:
        raise ValueError(f"too many spikes ({total}); at most {MAX_SPIKES}")
    responses = sum(int(np.isfinite(a).sum()) for a in amps)
    if responses < MIN_RESPONSES:
        raise ValueError(f"too few responses ({responses} measured amplitudes); the fit of 4 values "
                         f"needs at least {MIN_RESPONSES}")
    return names, times, amps


class FitDataError(ValueError):
    """A bad data file: the message names the line and the column."""

    def __init__(self, message: str, line: int | None = None, column: str | None = None):
        super().__init__(message)
        self.line, self.column = line, column


def load_csv(source, *, name: str | None = None) -> list[Train]:
    """Read response amplitudes from CSV: a path, or the file's bytes (an upload).

    Format: a header line with the columns ``spike_time_ms`` and
    ``amplitude`` and optionally ``train`` (the protocol's name; rows of one
    train in time order, every train starting from rest); lines starting
    with ``#`` are comments; other columns are ignored.  An empty amplitude
    or ``nan`` marks a missed response.  UTF-8, at most 1 MB.

    Any problem raises :class:`FitDataError` (a ``ValueError``) with one line
    naming the line and the column.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        label = name or "data"
    else:
        path = Path(source)
        label = name or str(path)
        if path.is_file() and path.stat().st_size > MAX_BYTES:  # before reading it
            raise FitDataError(f"{label}: file is larger than 1 MB ({path.stat().st_size} bytes); "
                               f"at most {MAX_BYTES} bytes")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise FitDataError(f"{label}: cannot read the file ({exc.strerror or exc})") from None
    if len(data) > MAX_BYTES:
        raise FitDataError(f"{label}: file is larger than 1 MB ({len(data)} bytes); at most {MAX_BYTES} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise FitDataError(f"{label}: line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); "
                           f"save the file as UTF-8 CSV", line=line) from None
    return _parse(text, label)


def _parse(text: str, label: str) -> list[Train]:
    def fail(message, line=None, column=None):
        where = "".join([f" line {line}," if line else "", f" column {column}:" if column else ""])
        where = where.rstrip(",")
        if where and not where.endswith(":"):
            where += ":"
        raise FitDataError(f"{label}:{where} {message}", line=line, column=column)

    reader = csv.reader(io.StringIO(text, newline=""))
    header, columns = None, {}
    rows: dict[str, list] = {}
    data_lines: list[int] = []  # line of every data row, in file order
    try:
        for record in reader:
            line = reader.line_num
            if not record or all(not cell.strip() for cell in record):
                continue
            if record[0].lstrip().startswith("#"):
                continue
            if header is None:
                header = [cell.strip().lower() for cell in record]
                for col in ("spike_time_ms", "amplitude"):
                    if col not in header:
                        fail(f"missing column '{col}' (the header has: {', '.join(header) or 'nothing'}); "
                             f"needed: spike_time_ms, amplitude and optionally train", line, col)
                columns = {col: header.index(col) for col in ("spike_time_ms", "amplitude", "train")
                           if col in header}
                header_line = line
                continue
            if len(record) < len(header):
                missing = header[len(record)]
                fail(f"missing value ({len(record)} of {len(header)} columns)", line, missing)
            t = _number(record[columns["spike_time_ms"]], line, "spike_time_ms", fail, allow_missing=False)
            a = _number(record[columns["amplitude"]], line, "amplitude", fail, allow_missing=True)
            if a < 0:
                fail(f"negative amplitude {record[columns['amplitude']].strip()}; give response sizes ≥ 0 "
                     f"(inhibitory responses as positive sizes)", line, "amplitude")
            train = record[columns["train"]].strip() if "train" in columns else ""
            entries = rows.setdefault(train, [])
            if entries and t <= entries[-1][0]:
                shown = repr(train) if train else "(unnamed)"
                fail(f"spike times not increasing within train {shown}: {t:g} ms after "
                     f"{entries[-1][0]:g} ms (line {entries[-1][2]})", line, "spike_time_ms")
            entries.append((t, a, line))
            data_lines.append(line)
    except csv.Error as exc:
        fail(f"not readable as CSV ({exc})", reader.line_num)
    if header is None:
        fail("no header line; expected columns spike_time_ms, amplitude (and optionally train)", 1)
    if not rows:
        fail("no data rows after the header", header_line)
    trains = []
    for train_name, entries in rows.items():
        first = entries[0][2]
        shown = repr(train_name) if train_name else "(unnamed)"
        if len(entries) < MIN_SPIKES_PER_TRAIN:
            fail(f"too few spikes in train {shown}: {len(entries)}; a train needs at least "
                 f"{MIN_SPIKES_PER_TRAIN}", first, "spike_time_ms")
        amps = np.array([e[1] for e in entries])
        measured = amps[np.isfinite(amps)]
        if len(measured) == 0:
            fail(f"train {shown} has no measured amplitude (lines {first}–{entries[-1][2]})", first, "amplitude")
        if not np.any(measured > 0):
            fail(f"all amplitudes of train {shown} are zero (lines {first}–{entries[-1][2]})", first, "amplitude")
        trains.append(Train(np.array([e[0] for e in entries]), amps, train_name or "train", first))
    if len(data_lines) > MAX_SPIKES:  # named at the first spike over the limit
        fail(f"too many spikes ({len(data_lines)}); at most {MAX_SPIKES}", data_lines[MAX_SPIKES], "spike_time_ms")
    responses = sum(int(np.isfinite(t.amplitudes).sum()) for t in trains)
    if responses < MIN_RESPONSES:
        fail(f"too few responses: {responses} measured amplitudes; the fit of 4 values needs at least "
             f"{MIN_RESPONSES}", header_line + 1, "amplitude")
    return trains


def _number(cell: str, line: int, column: str, fail, *, allow_missing: bool) -> float:
    text = cell.strip()
    if text == "" or text.lower() == "nan":
        if allow_missing:
            return math.nan
        fail("missing value" if text == "" else "nan is not a spike time", line, column)
    try:
        value = float(text)
    except ValueError:
        fail(f"{text[:40]!r} is not a number", line, column)
    if not math.isfinite(value):
        fail(f"{text[:40]!r} is not a finite number", line, column)
    return value


def example_path(kind: str = "depressing") -> Path:
    """Path of a shipped synthetic recording: ``"depressing"`` or ``"facilitating"``."""
    if kind not in EXAMPLES:
        raise ValueError(f"unknown example {kind!r}; choose one of: {', '.join(EXAMPLES)}")
    return Path(__file__).parent / "data" / f"fit_{kind}.csv"


def example_bytes(kind: str = "depressing") -> bytes:
    """The shipped example's file content (what an upload would deliver)."""
    return example_path(kind).read_bytes()


# ----------------------------------------------------------------------
# picture
_COLORS = ("#c0392b", "#2471a3", "#16a085", "#8e44ad", "#d35400", "#34495e")


def plot_fit(fit: StpFit, trains, axes=None):
    """Data (dots) and fitted amplitudes (line) per train, and relative residuals below.

    Trains are drawn side by side against the spike number; a gap longer
    than twice the train's typical interval (a recovery probe) is labelled
    with its length.  ``axes``: two Axes (amplitudes, residuals) or None (a
    new figure).  Returns the two Axes.
    """
    if axes is None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(8, 4.8), layout="constrained")
        axes = fig.subplots(2, 1, sharex=True, height_ratios=(3, 1.3))
    ax, ax_res = axes
    _, times, amps = _check_trains(trains)
    offset, top, ticks, labels = 0.0, max(np.nanmax(a) for a in amps), [], []
    top = max(top, max(float(np.max(f)) for f in fit.fitted))
    for i, (t, a, fitted) in enumerate(zip(times, amps, fit.fitted)):
        color = _COLORS[i % len(_COLORS)]
        x = offset + np.arange(1, len(t) + 1)
        name = fit.train_names[i] if i < len(fit.train_names) else f"train {i + 1}"
        ax.plot(x, fitted, "-", color=color, lw=1.2, alpha=0.8, label=f"{name}: fit")
        ax.plot(x, a, "o", color=color, ms=4.5, label=f"{name}: data")
        rel = 100 * (a / fitted - 1)
        ax_res.axhline(0, color="0.6", lw=0.8)
        ax_res.plot(x, rel, "o", color=color, ms=3.5)
        ax_res.vlines(x, 0, rel, color=color, lw=0.8)
        gaps = np.diff(t)
        typical = np.median(gaps)
        for k in np.flatnonzero(gaps > 2 * typical):
            ax.annotate(f"+{gaps[k]:g} ms", (x[k + 1], a[k + 1] if np.isfinite(a[k + 1]) else fitted[k + 1]),
                        textcoords="offset points", xytext=(0, 7), ha="center", fontsize=7, color=color)
        ax.text(x[0], 1.12 * top, name, color=color, fontsize=9, va="bottom")
        if i:
            for a_ in (ax, ax_res):
                a_.axvline(offset, color="0.85", lw=0.8)
        shown = [k for k in range(len(t)) if k == 0 or (k + 1) % 5 == 0]
        ticks += [x[k] for k in shown]
        labels += [str(k + 1) for k in shown]
        offset = x[-1] + 1.0
    ax_res.set_xticks(ticks, labels)
    ax.set_ylim(0, 1.3 * top)
    ax.set_ylabel("amplitude (data unit)")
    ax_res.set_ylabel("residual (%)")
    ax_res.set_xlabel("spike number in its train (trains side by side)")
    ax.set_title(f"U₀ = {_fmt(fit.U_0)}, Ω_f = {_fmt(fit.Omega_f)} /s, Ω_d = {_fmt(fit.Omega_d)} /s, "
                 f"A = {_fmt(fit.A)}  (dots: data, lines: fit)", loc="left", fontsize=10)
    return ax, ax_res
