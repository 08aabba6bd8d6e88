"""The exported Brian2 script against simulate(), and the fit recovering
known parameters from synthetic trains."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from .. import presets, stp
from . import figures
from .network_checks import mismatch
from .rows import Context, Row, judged

EXPORT_PRESET, EXPORT_SEED = "forum", 1
SCRIPT_TIMEOUT_S = 600


def _run_exported(text: str, folder: Path) -> tuple[np.ndarray, np.ndarray]:
    script = folder / "network.py"
    script.write_text(text)
    env = {**os.environ, "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, str(script), "--save-spikes", "spikes.npz", "--no-plot"],
                          capture_output=True, text=True, env=env, cwd=folder, timeout=SCRIPT_TIMEOUT_S)
    if done.returncode != 0:
        raise RuntimeError(f"the exported script failed: {done.stderr.strip()[-500:]}")
    with np.load(folder / "spikes.npz") as data:
        return np.asarray(data["i"]), np.asarray(data["t_ms"])


def check_export(ctx: Context) -> list[Row]:
    from ..engine import RuntimeEngine, simulate
    from ..export import brian2_script

    params = presets.get(EXPORT_PRESET).replace(duration=200.0 if ctx.quick else 1000.0)
    text = brian2_script(params, EXPORT_SEED, preset=EXPORT_PRESET)
    (ctx.out / "exported_network.py").write_text(text)
    with tempfile.TemporaryDirectory(prefix="stpexplorer-export-") as folder:
        script_spikes = _run_exported(text, Path(folder))
    result = simulate(params, seed=EXPORT_SEED, engine=RuntimeEngine("numpy"))
    differing, first = mismatch(script_spikes, (result.spike_i, result.spike_t_ms))
    fig, axes = figures.new_figure(1, 1, width=8.0, height=2.8)
    ax = axes[0, 0]
    ax.plot(result.spike_t_ms, result.spike_i, "|", color="C0", ms=6, label="simulate()")
    ax.plot(script_spikes[1], script_spikes[0], "_", color="C3", ms=6, label="exported script")
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("neuron")
    ax.legend(fontsize=7, loc="upper right")
    figure = figures.save(fig, ctx.figure_path("export.png"))
    return [Row("export", f"every spike of the exported Brian2 script (export-script --preset {EXPORT_PRESET} "
                          f"--seed {EXPORT_SEED}, {params.duration:g} ms, run as its own process)",
                "stpexplorer.simulate with the same parameters and seed (Brian2 numpy target)",
                float(differing), 0, "spikes", judged(differing, 0), figure,
                f"{len(result.spike_i)} spikes in simulate(), {len(script_spikes[0])} from the script"
                + ("" if first is None else f"; first difference at {first:g} ms") + "; the script is "
                "exported_network.py in this folder")]


# ----------------------------------------------------------------------
#: True values: Maass, Natschläger & Markram (2002) E→E (depressing) and E→I
#: (facilitating) with Ω = 1/τ, and a synapse that facilitates, then depresses.
FIT_SYNAPSES = {
    "depressing": dict(U_0=0.5, Omega_f=1 / 0.05, Omega_d=1 / 1.1, A=120.0),
    "facilitating": dict(U_0=0.05, Omega_f=1 / 1.2, Omega_d=1 / 0.125, A=400.0),
    "mixed": dict(U_0=0.15, Omega_f=5.0, Omega_d=3.0, A=50.0),
}
FIT_NOISE = 0.05  # relative standard deviation of the multiplicative noise
FIT_SEED = 2019


def fit_protocols() -> list[np.ndarray]:
    """8 spikes at 20 Hz with recovery probes 125, 500, 1500 ms after the spike before; 10 spikes at 50 Hz."""
    train = np.arange(8) * 50.0
    return [np.concatenate([train, train[-1] + np.cumsum([125.0, 500.0, 1500.0])]), np.arange(10) * 20.0]


def synthetic_trains(rng, U_0, Omega_f, Omega_d, A):
    """Amplitudes A·r_n(1 + 0.05 ξ) from the closed-form recursion, ξ ~ N(0, 1)."""
    out = []
    for times in fit_protocols():
        r = stp.recursion(times, U_0, Omega_f, Omega_d).r
        out.append((times, A * r * (1 + FIT_NOISE * rng.standard_normal(len(r)))))
    return out


def check_fit(ctx: Context) -> list[Row]:
    from .. import fit

    draws = 6 if ctx.quick else 40
    tolerance = 0.2 if ctx.quick else 0.15  # nominal miss rate 0.05; few draws scatter
    rng = np.random.default_rng(FIT_SEED)
    missed, estimates = {}, {}
    for kind, true in FIT_SYNAPSES.items():
        misses, values = 0, []
        for _ in range(draws):
            result = fit.fit_stp(synthetic_trains(rng, **true))
            misses += sum(not (result.ci[name][0] <= value <= result.ci[name][1]) for name, value in true.items())
            values.append([getattr(result, name) / value for name, value in true.items()])
        missed[kind] = misses / (draws * len(true))
        estimates[kind] = np.array(values)
    worst = max(missed.values())
    fig, axes = figures.new_figure(1, 1, width=8.0, height=2.8)
    ax = axes[0, 0]
    for k, (kind, values) in enumerate(estimates.items()):
        for j in range(values.shape[1]):
            ax.plot(np.full(len(values), 4 * j + k), values[:, j], "o", color=f"C{k}", ms=3, alpha=0.6,
                    label=kind if j == 0 else None)
    ax.axhline(1.0, color="k", lw=0.8)
    ax.set_xticks([4 * j + 1 for j in range(4)], ["U_0", "Ω_f", "Ω_d", "A"])
    ax.set_yscale("log")
    ax.set_ylabel("estimate / true value")
    ax.legend(fontsize=7)
    figure = figures.save(fig, ctx.figure_path("fit.png"))
    return [Row("fit", f"95 % profile intervals of stpexplorer.fit for U_0, Ω_f, Ω_d, A: {draws} synthetic "
                       f"recordings per synapse ({', '.join(FIT_SYNAPSES)}; 2 protocols, {FIT_NOISE:.0%} noise)",
                "the known true values: share of intervals that miss them", worst, tolerance, "share",
                judged(worst, tolerance), figure,
                "intervals missing the true value: " + ", ".join(f"{k} {v:.0%}" for k, v in missed.items()),
                missed)]
