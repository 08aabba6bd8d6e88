"""The fit itself: bounded least squares on relative residuals from several
starts, and 95 % profile-likelihood intervals (:func:`fit_stp`)."""

from __future__ import annotations

import math

import numpy as np

from .amplitudes import FITTED, clipped_value, from_scale, gaps_s, natural, release, release_padded, scale_bounds
from .data import check_trains
from .report import StpFit, identifiability

_R_FLOOR = 1e-12     # keeps a fully depleted synapse (r = 0) from dividing by zero
_COMPLEX_STEP = 1e-20


# ----------------------------------------------------------------------
# least squares
class Problem:
    """Relative residuals observed/(A·r) − 1 over θ = (ψ_U, ψ_f, ψ_d, log A)."""

    def __init__(self, trains: list[np.ndarray], amplitudes: list[np.ndarray]):
        self.gaps, self.lengths = gaps_s(trains)
        y = np.full(self.gaps.shape, np.nan)
        for i, a in enumerate(amplitudes):
            y[i, :len(a)] = a
        self.mask = np.isfinite(y)
        self.y = y[self.mask]
        self.n = int(self.mask.sum())
        self.lo, self.hi = scale_bounds()
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
        values = [from_scale(n, psi[:, j]) for j, n in enumerate(FITTED)]
        r = release_padded(*values, self.gaps)[:, self.mask]     # (3, n)
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
        values = [from_scale(n, psi[:, j]) for j, n in enumerate(FITTED)]
        r = release_padded(*values, self.gaps)[:, self.mask] + _R_FLOOR
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
    names, times, amps = check_trains(trains)
    problem = Problem(times, amps)
    rng = np.random.default_rng(seed)
    theta, cost = _best_fit(problem, rng)
    for attempt in range(4):  # a profile that meets a better optimum restarts from it (3 times at most)
        intervals, better = _profile_intervals(problem, theta, cost, restart=attempt < 3)
        if better is None:
            break
        theta, cost = problem.solve(better)
    values = dict(zip(FITTED, natural(theta[:3])))
    A = float(np.exp(theta[3]))
    ci = {name: (clipped_value(name, lo), clipped_value(name, hi)) for name, (lo, hi) in zip(FITTED, intervals[:3])}
    ci["A"] = tuple(float(np.exp(v)) for v in intervals[3])
    fitted = tuple(A * r for r in release(times, values["U_0"], values["Omega_f"], values["Omega_d"]))
    residuals = tuple(a - f for a, f in zip(amps, fitted))
    flat = np.concatenate(residuals)
    flat = flat[np.isfinite(flat)]
    warnings, notes = identifiability(problem, theta, intervals, times)
    return StpFit(**values, A=A, ci=ci, fitted=fitted, residuals=residuals,
                  rmse=float(np.sqrt(np.mean(flat ** 2))),
                  noise_cv=float(np.sqrt(cost / max(problem.n - 4, 1))),
                  warnings=tuple(warnings), notes=notes, train_names=tuple(names),
                  n_responses=problem.n, seed=seed)


def _best_fit(problem: Problem, rng: np.random.Generator) -> tuple[np.ndarray, float]:
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


def _profile_intervals(problem: Problem, theta: np.ndarray, cost: float, restart: bool = True):
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
