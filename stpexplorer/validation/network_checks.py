"""Networks in NEST built from the same realisation: spike-for-spike identity
up to the delivery step, then statistics over seeds.

Here a spike acts on its targets in the step it is fired (as in the paper's
code); NEST delivers at the earliest one step (its minimum delay) later.
:func:`stpexplorer.validation.euler.simulate_euler` runs the same
realisation with either convention: if the same-step run reproduces
:func:`stpexplorer.simulate` and the next-step run reproduces NEST, spike for
spike, the delivery step is the only difference between the two simulators.
The two then agree spike for spike only until the first synaptic effect, so
they are compared by statistics over several seeds: the rate of each
population and the band powers of the population rate (alpha and gamma).
"""

from __future__ import annotations

import numpy as np

from .. import model, presets
from . import figures, stats
from .euler import simulate_euler
from .rows import FAIL, NOT_INSTALLED, PASS, Context, Row, judged

#: Spike-for-spike identity: no spike may differ.
IDENTITY_TOLERANCE = 0

#: maass2002-like STP per pathway in current mode: Tsodyks, Uziel & Markram (2000) values
#: (E→E, I→E depressing; E→I, I→I facilitating), pulses twice the paper's (release r < 1).
TSODYKS_PATHWAYS = {f"{name}_{pw}": getattr(presets.TSODYKS_2000, f"{name}_{pw}")
                    for name in ("U_0", "Omega_f", "Omega_d") for pw in ("ee", "ei", "ie", "ii")}


def networks(quick: bool) -> dict:
    """The two networks compared: the izhikevich2003 preset and a current-mode network with STP."""
    size = dict(N_e=160, N_i=40) if quick else {}
    paper = presets.IZHIKEVICH_2003.replace(**size)
    with_stp = paper.replace(stp=True, J_e=1.0, J_i=2.0, U_0=0.5, Omega_f=1000.0, Omega_d=1.25,
                             **TSODYKS_PATHWAYS)
    return {"izhikevich2003": paper, "current + STP (Tsodyks 2000 pathways)": with_stp}


def seeds(quick: bool) -> range:
    return range(3) if quick else range(8)


def network_engine(ctx: Context, for_statistics: bool = False):
    """Brian2's engine: the numpy runtime in quick mode and for the many
    statistics runs, the default engine (compiled) for the full identity run."""
    from ..engine import RuntimeEngine, default_engine

    if ctx.engine is not None:
        return ctx.engine
    return RuntimeEngine("numpy") if ctx.quick or for_statistics else default_engine()


def sorted_spikes(i, t_ms):
    i, t_ms = np.asarray(i), np.asarray(t_ms, dtype=float)
    order = np.lexsort((i, np.rint(t_ms * 1e6)))
    return i[order], t_ms[order]


def mismatch(a, b) -> tuple[int, float | None]:
    """(number of spikes not in both, time of the first difference in ms or None)."""
    (ai, at), (bi, bt) = sorted_spikes(*a), sorted_spikes(*b)
    key_a = set(zip(ai.tolist(), np.rint(at * 1e4).astype(np.int64).tolist()))
    key_b = set(zip(bi.tolist(), np.rint(bt * 1e4).astype(np.int64).tolist()))
    differing = key_a ^ key_b
    first = min((t for _, t in differing), default=None)
    return len(differing), (None if first is None else first * 1e-4)


def _ours(ctx: Context, params, seed: int, for_statistics: bool = False):
    from ..engine import simulate

    result = simulate(params, seed=seed, engine=network_engine(ctx, for_statistics))
    return result.spike_i, result.spike_t_ms


def _nest(ctx: Context, params, real):
    from . import nest_backend

    return nest_backend.izhikevich_network(ctx.nest, params, real)


# ----------------------------------------------------------------------
def check_network_identity(ctx: Context) -> list[Row]:
    """Per network: simulate() = numpy same-step; NEST = numpy next-step; spike for spike."""
    rows = []
    for label, params in networks(ctx.quick).items():
        real = model.draw_realisation(params, 0)
        size = f"{params.N_e}+{params.N_i} neurons, {params.duration:g} ms, seed 0"
        ours = _ours(ctx, params, 0)
        same_step = simulate_euler(params, real, "same_step")
        n_ours, first_ours = mismatch(ours, (same_step.i, same_step.t_ms))
        rows.append(Row(
            "network-euler", f"{label}: every spike of stpexplorer.simulate ({size})",
            "a numpy forward Euler of the same realisation, a spike acting on its targets in its own step",
            float(n_ours), IDENTITY_TOLERANCE, "spikes", judged(n_ours, IDENTITY_TOLERANCE),
            details=f"{len(ours[0])} spikes, {n_ours} differ"
                    + ("" if first_ours is None else f" (first at {first_ours:g} ms)"),
            data={"spikes": len(ours[0]), "differing": n_ours}))
        rows.append(_nest_identity_row(ctx, label, params, real, size, ours))
    return rows


def _nest_identity_row(ctx: Context, label: str, params, real, size: str, ours) -> Row:
    compared = (f"{label}: every spike of NEST (izhikevich, {'tsodyks2' if params.stp else 'static'} synapses "
                f"with delay dt, step_current_generator noise; {size})")
    against = "the same numpy forward Euler with the spike acting on its targets one step later"
    if ctx.nest is None:
        return Row("network-nest", compared, against, None, IDENTITY_TOLERANCE, "spikes", NOT_INSTALLED)
    theirs = _nest(ctx, params, real)
    next_step = simulate_euler(params, real, "next_step")
    n_nest, _ = mismatch(theirs, (next_step.i, next_step.t_ms))
    n_between, first = mismatch(ours, theirs)
    figure = _plot_identity(ctx, label, ours, theirs, first)
    return Row("network-nest", compared, against, float(n_nest), IDENTITY_TOLERANCE, "spikes",
               judged(n_nest, IDENTITY_TOLERANCE), figure,
               f"{len(theirs[0])} spikes in NEST, {n_nest} differ from the next-step Euler; stpexplorer and NEST "
               f"agree spike for spike until {'the end' if first is None else f'{first:g} ms'}, where the first "
               "spike moved by a pulse that arrives one step later in NEST",
               {"spikes": len(theirs[0]), "differing": n_nest, "first_difference_from_stpexplorer_ms": first,
                "differing_from_stpexplorer": n_between})


def _plot_identity(ctx: Context, label: str, ours, theirs, first) -> str:
    fig, axes = figures.new_figure(1, 1, width=8.0, height=3.0)
    ax = axes[0, 0]
    stop = 60.0 if first is None else max(30.0, 3 * first)
    for (i, t), marker, color, name in ((ours, "|", "C0", "stpexplorer (same step)"),
                                        (theirs, "_", "C3", "NEST (next step)")):
        keep = t < stop
        ax.plot(t[keep], i[keep], marker, color=color, ms=5, label=name)
    if first is not None:
        ax.axvline(first, color="k", lw=0.8, ls=":", label=f"first difference {first:g} ms")
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("neuron")
    ax.set_title(label, fontsize=9)
    ax.legend(fontsize=7, loc="upper right")
    name = "network_identity_" + label.split()[0].replace("+", "").lower() + ".png"
    return figures.save(fig, ctx.figure_path(name))


# ----------------------------------------------------------------------
def check_network_statistics(ctx: Context) -> list[Row]:
    rows = []
    for label, params in networks(ctx.quick).items():
        run = (f"stpexplorer.simulate over seeds {seeds(ctx.quick).start}..{seeds(ctx.quick).stop - 1} "
               f"({params.N_e}+{params.N_i} neurons, {params.duration:g} ms)")
        compared = {"network-rates": f"{label}: E and I rates (Hz per neuron) of {run}",
                    "network-bands": f"{label}: alpha (7-14 Hz) and gamma (25-45 Hz) fractions of the power "
                                     f"(1-100 Hz) of the population rate of {run}"}
        against = "NEST with the same seeds' realisations"
        if ctx.nest is None:
            rows += [Row("network-rates", compared["network-rates"], against, None, None, "relative", NOT_INSTALLED),
                     Row("network-bands", compared["network-bands"], against, None, None, "fraction of power",
                         NOT_INSTALLED)]
            continue
        ours, theirs = [], []
        for seed in seeds(ctx.quick):
            real = model.draw_realisation(params, seed)
            ours.append(stats.measures(params, *_ours(ctx, params, seed, for_statistics=True)))
            theirs.append(stats.measures(params, *_nest(ctx, params, real)))
        figure = _plot_statistics(ctx, label, params, ours, theirs)
        for key, names in (("network-rates", stats.RATE_MEASURES), ("network-bands", stats.BAND_MEASURES)):
            table = stats.compare(ours, theirs, names)
            worst = max(table.values(), key=lambda c: c["ratio"])
            rates = key == "network-rates"
            rows.append(Row(key, compared[key], against, worst["difference"], worst["tolerance"],
                            "relative" if rates else "fraction of power",
                            PASS if all(c["ratio"] <= 1 for c in table.values()) else FAIL,
                            figure, stats.describe(table), table))
    return rows


def _plot_statistics(ctx: Context, label: str, params, ours, theirs) -> str:
    fig, axes = figures.new_figure(1, 2, width=10.0, height=3.2)
    for ax, group in zip(axes[0], (stats.RATE_MEASURES, stats.BAND_MEASURES)):
        x = np.arange(len(group))
        for offset, runs, color, name in ((-0.15, ours, "C0", "stpexplorer"), (0.15, theirs, "C3", "NEST")):
            values = np.array([[run[m] for m in group] for run in runs])
            ax.plot(np.repeat(x[None, :] + offset, len(runs), 0), values, "o", color=color, ms=3, alpha=0.5)
            ax.errorbar(x + offset, values.mean(0), yerr=values.std(0, ddof=1) / np.sqrt(len(runs)), fmt="s",
                        color=color, ms=6, capsize=3, label=name)
        ax.set_xticks(x, [stats.LABELS[m] for m in group], fontsize=8)
        ax.legend(fontsize=7)
    axes[0, 0].set_ylabel("rate (Hz)")
    axes[0, 1].set_ylabel("fraction of power 1-100 Hz")
    fig.suptitle(f"{label}: dots seeds, squares means ± SE", fontsize=9)
    name = "network_statistics_" + label.split()[0].replace("+", "").lower() + ".png"
    return figures.save(fig, ctx.figure_path(name))
