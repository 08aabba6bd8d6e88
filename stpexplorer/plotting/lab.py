"""Plots of the synapse lab and the neuron gallery (:mod:`stpexplorer.lab`).

Both draw into Axes they are given (cleared first), so the dashboard keeps
its figures and a script can pass its own.
"""

from __future__ import annotations

import numpy as np

from .. import lab
from .style import E_COLOR, I_COLOR, R_COLOR, RATIO_COLOR, TRANSMITTED_COLOR, U_COLOR, X_COLOR


def draw_synapse_lab(res: lab.SynapseLabResult, axes) -> None:
    """u, x; r per spike with A_n/A_1; r*(f); f·r*(f) into a 2 × 2 array of Axes."""
    (ax_ux, ax_ss), (ax_r, ax_rate) = axes
    for ax in axes.flat:
        ax.clear()
    t = res.spike_t_ms
    ax_ux.plot(res.curve_t_ms, res.curve_u, color=U_COLOR, label="u")
    ax_ux.plot(res.curve_t_ms, res.curve_x, color=X_COLOR, label="x")
    ax_ux.plot(t, res.states.u, "o", color=U_COLOR, ms=4)
    ax_ux.plot(t, res.states.x, "o", color=X_COLOR, ms=4)
    ax_ux.set(ylim=(-0.02, 1.05), xlabel="time (ms)", ylabel="u, x")
    ax_ux.set_title("u and x (lines: closed form; dots: at spikes)", loc="left", fontsize=10)
    ax_ux.legend(loc="upper right", fontsize=8, frameon=False)
    ax_r.vlines(t, 0, res.states.r, color=R_COLOR, lw=2, label="r per spike")
    ax_r.set(xlabel="time (ms)", ylabel="r = u·x")
    ratio_ax = ax_r.twinx()
    ratio_ax.plot(t, res.amplitude_ratio, "s--", color=RATIO_COLOR, ms=4, label="A_n/A_1")
    ratio_ax.axhline(1.0, color="0.6", lw=0.8, ls=":")
    ratio_ax.set_ylabel("A_n / A_1", color=RATIO_COLOR)
    ax_r.set_title(f"release per spike; test spike after {res.recovery_gap_ms:g} ms", loc="left", fontsize=10)
    ax_ss.semilogx(res.freqs_hz, res.r_star, color=R_COLOR, label="r*(f) closed form")
    ax_ss.semilogx(res.point_freqs_hz, res.point_r, "o", color=R_COLOR, label="simulated trains")
    ax_ss.axvline(res.rate_hz, color="0.6", lw=0.8, ls=":")
    ax_ss.set(xlabel="frequency (Hz)", ylabel="steady state r*")
    ax_ss.set_title("steady-state release against frequency", loc="left", fontsize=10)
    ax_ss.legend(fontsize=8, frameon=False)
    ax_rate.semilogx(res.freqs_hz, res.freqs_hz * res.r_star, color=TRANSMITTED_COLOR)
    ax_rate.semilogx(res.point_freqs_hz, res.point_freqs_hz * res.point_r, "o", color=TRANSMITTED_COLOR)
    ax_rate.axvline(res.rate_hz, color="0.6", lw=0.8, ls=":")
    ax_rate.set(xlabel="frequency (Hz)", ylabel="f·r* (Hz)")
    ax_rate.set_title("transmitted rate f·r*(f)", loc="left", fontsize=10)


def draw_neuron(trace: lab.NeuronTrace, ax_v, ax_u, ax_phase, current_after: float) -> None:
    """v, u (with the input current) against time and the v–u phase plane with
    the nullclines for the input ``current_after``."""
    for ax in (ax_v, ax_u, ax_phase):
        ax.clear()
    ax_v.plot(trace.t_ms, trace.v_mV, color="k", lw=0.9)
    ax_v.set_ylabel("v (mV)")
    rate = f"{len(trace.spike_t_ms)} spikes"
    ax_v.set_title(f"a={trace.a:g}, b={trace.b:g}, c={trace.c:g}, d={trace.d:g}: {rate}",
                   loc="left", fontsize=10)
    ax_v.tick_params(labelbottom=False)
    ax_u.plot(trace.t_ms, trace.u, color=TRANSMITTED_COLOR, lw=0.9, label="u")
    current_ax = ax_u.twinx()
    current_ax.plot(trace.t_ms, trace.I, color="0.5", lw=0.8)
    current_ax.set_ylabel("I (mV/ms)", color="0.5")
    ax_u.set(xlabel="time (ms)", ylabel="u (mV/ms)")
    v = np.linspace(-85, 35, 300)
    v_null, u_null = lab.nullclines(trace.b, current_after, v)
    ax_phase.plot(trace.v_mV, trace.u, color="k", lw=0.6, alpha=0.8, label="trajectory")
    ax_phase.plot(v, v_null, color=E_COLOR, lw=1.0, label="v-nullcline")
    ax_phase.plot(v, u_null, color=I_COLOR, lw=1.0, label="u-nullcline")
    lo, hi = np.nanmin(trace.u), np.nanmax(trace.u)
    margin = max(2.0, 0.3 * (hi - lo))
    ax_phase.set(xlim=(-85, 35), ylim=(lo - margin, hi + margin), xlabel="v (mV)", ylabel="u (mV/ms)")
    ax_phase.set_title("phase plane", loc="left", fontsize=10)
    ax_phase.legend(fontsize=7, frameon=False, loc="upper left")
