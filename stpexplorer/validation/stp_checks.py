"""Tsodyks–Markram short-term plasticity: the network's update of every
pathway against the closed-form recursion, and the recursion against NEST's
``tsodyks2_synapse`` spike by spike.

Mapping to NEST: U = U_0, tau_fac = 1000/Ω_f ms, tau_rec = 1000/Ω_d ms.
NEST starts a synapse at u = U, x = 1 and at the first spike delivers u·x
from that state without a jump; this model starts at u = 0 and jumps to
u = 0 + U_0 (1 − 0) = U_0 at the first spike, so the first spike agrees
(u = U, x = 1, r = U) and every later one follows the same recursion
(NEST stores u after the jump and x before the release, which are the
values compared here).
"""

from __future__ import annotations

import numpy as np

from .. import presets, stp
from ..lab import synapse as lab_synapse
from . import figures
from .rows import NOT_INSTALLED, Context, Row, judged

#: Per-spike agreement expected from two double-precision evaluations of one recursion.
STP_TOLERANCE = 1e-12
#: Trains of the NEST comparison: a regular train with a recovery spike, a Poisson train.
TRAINS = {"regular 20 Hz + recovery 500 ms": dict(rate_hz=20.0, n_spikes=12, kind="regular"),
          "Poisson 40 Hz + recovery 500 ms": dict(rate_hz=40.0, n_spikes=30, kind="poisson", seed=7)}


def synapse_cases() -> dict[str, tuple[float, float, float]]:
    """(U_0, Ω_f, Ω_d) of the synapse lab's presets and of each maass2002 pathway."""
    cases = {name: (p.U_0, p.Omega_f, p.Omega_d) for name, p in presets.SYNAPSE_PRESETS.items()}
    for pathway in ("ee", "ei", "ie", "ii"):
        cases[f"maass2002 {pathway[0].upper()}→{pathway[1].upper()}"] = presets.MAASS_2002.pathway_values(pathway)
    return cases


def _worst(states: stp.SpikeStates, u, x, r) -> float:
    return float(max(np.max(np.abs(states.u - u)), np.max(np.abs(states.x - x)), np.max(np.abs(states.r - r))))


# ----------------------------------------------------------------------
def check_stp_nest(ctx: Context) -> list[Row]:
    compared = ("u, x and r = u·x at every spike: stp.recursion (the model's update) for the synapse lab's "
                "depressing, facilitating, mixed synapses and the 4 maass2002 pathways; "
                + " and ".join(TRAINS))
    against = "NEST tsodyks2_synapse: u, x read from the connection after each spike, u·x from a weight_recorder"
    if ctx.nest is None:
        return [Row("stp-nest", compared, against, None, STP_TOLERANCE, "1", NOT_INSTALLED)]
    from . import nest_backend

    results, worst = {}, 0.0
    cases = synapse_cases()
    for name, (U_0, Omega_f, Omega_d) in cases.items():
        for train_name, spec in TRAINS.items():
            times = lab_synapse.train(recovery_gap_ms=500.0, **spec)
            ours = stp.recursion(times, U_0, Omega_f, Omega_d)
            theirs = nest_backend.tsodyks2_per_spike(ctx.nest, times, U_0, 1000.0 / Omega_f, 1000.0 / Omega_d)
            difference = _worst(ours, theirs["u"], theirs["x"], theirs["r"])
            worst = max(worst, difference)
            results[(name, train_name)] = (times, ours, theirs, difference)
    figure = _plot_stp_nest(ctx, results)
    first_as_documented = sum(v[2]["u"][0] == cases[name][0] and v[2]["x"][0] == 1.0
                              for (name, _), v in results.items())
    details = (f"{len(results)} trains, {sum(len(v[0]) for v in results.values())} spikes. At the first spike NEST "
               f"has u = U, x = 1 in {first_as_documented} of {len(results)} trains (its initial state, no jump); "
               f"the recursion from u = 0 jumps to the same u = U_0. NEST {nest_backend.nest_version(ctx.nest)}.")
    data = {f"{name} | {train}": value[3] for (name, train), value in results.items()}
    return [Row("stp-nest", compared, against, worst, STP_TOLERANCE, "1", judged(worst, STP_TOLERANCE),
                figure, details, data)]


def _plot_stp_nest(ctx: Context, results: dict) -> str:
    names = list(dict.fromkeys(name for name, _ in results))
    fig, axes = figures.new_figure(1, len(TRAINS), width=10.0, height=3.6)
    for col, train_name in enumerate(TRAINS):
        ax = axes[0, col]
        for k, name in enumerate(names):
            times, ours, theirs, _ = results[(name, train_name)]
            color = f"C{k}"
            ax.plot(np.arange(len(times)), ours.r, "-", color=color, lw=1, label=name)
            ax.plot(np.arange(len(times)), theirs["r"], "o", color=color, ms=3, mfc="none")
        ax.set_title(f"{train_name}: lines recursion, circles NEST", fontsize=9)
        ax.set_xlabel("spike number")
        ax.set_ylabel("released fraction r = u·x")
    axes[0, 0].legend(fontsize=7, ncol=2)
    return figures.save(fig, ctx.figure_path("stp_nest.png"))


# ----------------------------------------------------------------------
def pathway_network(quick: bool):
    """The maass2002 network (per-pathway U_0, Ω_f, Ω_d), shortened."""
    return presets.MAASS_2002.replace(duration=500.0 if quick else 1000.0)


def _recorded_synapse(params, real, pathway: str, spike_counts: np.ndarray) -> tuple[int, int]:
    """A synapse of ``pathway`` whose presynaptic neuron fired most (pre, post network indices)."""
    path = real.exc if pathway[0] == "e" else real.inh
    onto_e = path.post < params.N_e
    candidates = np.flatnonzero(onto_e if pathway[1] == "e" else ~onto_e)
    index = int(candidates[np.argmax(spike_counts[path.pre[candidates]])])
    return int(path.pre[index]), int(path.post[index])


def check_stp_pathways(ctx: Context) -> list[Row]:
    """u, x, r recorded from the Brian2 network at a synapse of each pathway vs the recursion."""
    from .. import model
    from ..engine import RuntimeEngine, simulate

    params = pathway_network(ctx.quick)
    real = model.draw_realisation(params, 0, noise=False)
    engine = RuntimeEngine("numpy")  # one recorded synapse per run: four short runs, no compile
    first = simulate(params, seed=0, engine=engine)  # which neurons fire most
    counts = np.bincount(first.spike_i, minlength=params.N_e + params.N_i)
    results, worst = {}, 0.0
    for pathway in ("ee", "ei", "ie", "ii"):
        pre, post = _recorded_synapse(params, real, pathway, counts)
        result = simulate(params.replace(rec_pre=pre, rec_post=post), seed=0, engine=engine)
        ours = stp.recursion(result.syn_spike_t_ms, *params.pathway_values(pathway))
        difference = _worst(ours, result.u_at_spikes, result.x_at_spikes, result.r_at_spikes)
        worst = max(worst, difference)
        results[pathway] = (result, ours, difference)
    figure = _plot_pathways(ctx, results)
    spikes = {pw: len(v[0].syn_spike_t_ms) for pw, v in results.items()}
    return [Row("stp-pathways",
                "u, x, r at every presynaptic spike of one recorded synapse per pathway (E→E, E→I, I→E, I→I) of the "
                f"maass2002 network simulated by Brian2 ({params.duration:g} ms, seed 0)",
                "the closed-form recursion (stp.recursion) with the pathway's U_0, Ω_f, Ω_d",
                worst, STP_TOLERANCE, "1", judged(worst, STP_TOLERANCE), figure,
                "presynaptic spikes per pathway: " + ", ".join(f"{pw} {n}" for pw, n in spikes.items()),
                {pw: v[2] for pw, v in results.items()})]


def _plot_pathways(ctx: Context, results: dict) -> str:
    fig, axes = figures.new_figure(1, 1, width=8.0, height=3.2)
    ax = axes[0, 0]
    for k, (pathway, (result, ours, _)) in enumerate(results.items()):
        ax.plot(result.syn_spike_t_ms, ours.r, "-", color=f"C{k}", lw=1,
                label=f"{pathway[0].upper()}→{pathway[1].upper()}")
        ax.plot(result.syn_spike_t_ms, result.r_at_spikes, "o", color=f"C{k}", ms=3, mfc="none")
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("released fraction r")
    ax.set_title("maass2002 network: circles Brian2, lines recursion", fontsize=9)
    ax.legend(fontsize=8)
    return figures.save(fig, ctx.figure_path("stp_pathways.png"))
