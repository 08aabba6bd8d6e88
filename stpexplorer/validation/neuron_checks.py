"""The neuron gallery's Izhikevich types against NEST's ``izhikevich``.

NEST's model with ``consistent_integration=True`` takes a forward-Euler step
with the old v and u on both right-hand sides, tests v ≥ V_th after the step
and stamps the spike at the end of the step: the same scheme as
:func:`stpexplorer.lab.simulate_neuron` (spike time t_k + dt).  The stimulus
(step current, or the resonator's brief pulse) is NEST's ``I_e``, changed
between Simulate calls, which acts in the step it is set for.
"""

from __future__ import annotations

import numpy as np

from ..lab import neuron as gallery
from . import figures
from .rows import NOT_INSTALLED, Context, Row, judged

#: Spike times are multiples of dt: agreement to rounding (1e-13 ms) or a whole step apart.
SPIKE_TIME_TOLERANCE_MS = 1e-9
#: v of the same Euler steps, rounded differently: far below a mV (a real difference moves v by mVs).
V_TOLERANCE_MV = 1e-3
DURATION_MS = 400.0
DT_MS = 0.1


def stimulus(name: str) -> list[tuple[float, float]]:
    """(start ms, current mV/ms) steps of a gallery type, as :func:`stpexplorer.lab.neuron_type` drives it."""
    kind = gallery.NEURON_TYPES[name]
    if name.endswith("(RZ)"):
        pulse = 100.0
        return [(0.0, kind.I_before), (pulse, kind.I_before + gallery.PULSE_AMPLITUDE),
                (pulse + gallery.PULSE_MS, kind.I_after)]
    return [(0.0, kind.I_before), (kind.step_ms, kind.I_after)]


def compare_type(nest, name: str) -> dict:
    """Spike times and v of one type, from the gallery and from NEST."""
    from . import nest_backend

    kind = gallery.NEURON_TYPES[name]
    ours = gallery.neuron_type(name, duration_ms=DURATION_MS, dt_ms=DT_MS)
    v0 = gallery.resting_potential(kind.b, kind.I_before)
    theirs = nest_backend.izhikevich_neuron(nest, kind.a, kind.b, kind.c, kind.d, v0, stimulus(name),
                                            DURATION_MS, DT_MS)
    same_count = len(ours.spike_t_ms) == len(theirs["spike_t_ms"])
    spike_diff = (float(np.max(np.abs(ours.spike_t_ms - theirs["spike_t_ms"]), initial=0.0))
                  if same_count else float("inf"))
    # the gallery's v[k + 1] is the state after step k, NEST's record at (k + 1) dt; skip drawn peaks
    n = min(len(ours.v_mV) - 1, len(theirs["v_mV"]))
    v_ours, v_nest = ours.v_mV[1:n + 1], theirs["v_mV"][:n]
    kept = v_ours != gallery.V_PEAK_MV
    return {"ours": ours, "nest": theirs, "spikes": len(ours.spike_t_ms), "nest_spikes": len(theirs["spike_t_ms"]),
            "spike_diff_ms": spike_diff, "v_diff_mV": float(np.max(np.abs(v_ours[kept] - v_nest[kept])))}


def check_neurons_nest(ctx: Context, names=None) -> list[Row]:
    names = list(gallery.NEURON_TYPES) if names is None else list(names)
    compared = (f"spike times of the neuron gallery's types ({', '.join(n.split('(')[-1][:-1] for n in names)}), "
                f"forward Euler, dt {DT_MS} ms, {DURATION_MS:g} ms")
    against = "NEST izhikevich, consistent_integration=True, same a, b, c, d, start and stimulus"
    if ctx.nest is None:
        return [Row("neurons-nest", compared, against, None, SPIKE_TIME_TOLERANCE_MS, "ms", NOT_INSTALLED)]
    results = {name: compare_type(ctx.nest, name) for name in names}
    worst = max(r["spike_diff_ms"] for r in results.values())
    v_worst = max(r["v_diff_mV"] for r in results.values())
    status = judged(worst, SPIKE_TIME_TOLERANCE_MS) if v_worst <= V_TOLERANCE_MV else judged(v_worst, V_TOLERANCE_MV)
    figure = _plot(ctx, results)
    details = ("spikes (gallery/NEST): " + ", ".join(
        f"{name.split('(')[-1][:-1]} {r['spikes']}/{r['nest_spikes']}" for name, r in results.items())
        + f"; v differs by at most {v_worst:.2g} mV (tolerance {V_TOLERANCE_MV:g} mV; rounding of the same steps, "
        "largest on a spike's upstroke). Every type of the gallery compares; the resonator (RZ) does not spike, "
        "so its v is what is compared.")
    data = {name: {k: r[k] for k in ("spikes", "nest_spikes", "spike_diff_ms", "v_diff_mV")}
            for name, r in results.items()}
    return [Row("neurons-nest", compared + f" (and v, within {V_TOLERANCE_MV:g} mV)", against, worst,
                SPIKE_TIME_TOLERANCE_MS, "ms", status, figure, details, data)]


def _plot(ctx: Context, results: dict) -> str:
    rows = (len(results) + 1) // 2
    fig, axes = figures.new_figure(rows, 2, width=10.0, height=1.6, sharex=True)
    for ax, (name, r) in zip(axes.flat, results.items()):
        ax.plot(r["ours"].t_ms, r["ours"].v_mV, lw=0.8, color="C0", label="gallery")
        ax.plot(r["nest"]["t_ms"], r["nest"]["v_mV"], lw=0.8, ls="--", color="C1", label="NEST")
        ax.plot(r["nest"]["spike_t_ms"], np.full(len(r["nest"]["spike_t_ms"]), 35.0), "|", color="C1")
        ax.set_title(name, fontsize=8)
        ax.set_ylabel("v (mV)", fontsize=8)
    for ax in axes.flat[len(results):]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=7)
    for ax in axes[-1]:
        ax.set_xlabel("time (ms)")
    return figures.save(fig, ctx.figure_path("neurons_nest.png"))
