"""Plots of the synapse lab and the neuron gallery (:mod:`stpexplorer.lab`).

Both draw into Axes they are given.  The first call clears them and makes the
artists, with the one twin Axes each figure needs (:class:`SynapseLabPlot`,
:class:`NeuronPlot`); later calls into the same Axes give those artists new
data and set limits that depend on the result alone, rounded to round steps.
So a figure redrawn any number of times holds the same Axes and looks exactly
like a fresh one, and a slider move seldom changes its axes (the dashboard then
draws only the data over a kept image of them: ``dashboard.lab_tab.LabBlitter``).
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.ticker import MultipleLocator

from .. import lab
from .style import (
    E_COLOR,
    I_COLOR,
    R_COLOR,
    RATIO_COLOR,
    TRANSMITTED_COLOR,
    U_COLOR,
    X_COLOR,
    round_up,
    rounded_range,
    title,
)

#: the round values (× 10^k) an axis of the synapse lab ends at: few, so a slider move seldom
#: changes them, yet the data fills more than half of the axis
TOP_LADDER = (1, 1.5, 2, 3, 5, 7.5)
#: the same for A_n/A_1 (1.2: a depressing synapse, whose largest ratio is the first, 1)
RATIO_LADDER = (1, 1.2, 1.5, 2, 3, 5, 7.5)
#: y axis of the fractions u, x, r and r*: all of 0–1 (one scale for every synapse, and no slider moves it)
FRACTION_LIMITS = (-0.02, 1.05)
#: frequency axis (Hz) of the steady-state panels: the lab's 0.5–100 Hz with a margin
FREQUENCY_LIMITS_HZ = (0.4, 125.0)
#: v (mV) shown at least: below the deepest reset (c ≥ −80 mV) to above the spike peak (30 mV)
V_LIMITS_MV = (-90.0, 40.0)
#: spacing (mV) of the v ticks (the default spacing leaves two on the v axis)
V_TICK_MV = 25.0
#: v range (mV) of the phase plane at least
PHASE_V_LIMITS_MV = (-85.0, 35.0)
#: about how many round steps the u axes of the gallery span (few: a slider move seldom changes them)
U_INTERVALS = 3
#: points of the nullcline curves across the phase plane
NULLCLINE_POINTS = 300


def _kept_plot(kind, host_axes, make):
    """The plot of class ``kind`` that an earlier call left in ``host_axes``
    if every artist of it is still there; else a new one from ``make()``."""
    host = host_axes[0]
    plot = getattr(host, "_stpx_plot", None)
    if isinstance(plot, kind) and plot.host_axes == tuple(host_axes) and plot.intact():
        return plot
    if plot is not None:
        plot.remove_twin()
    plot = make()
    host._stpx_plot = plot
    return plot


def _from_zero(values, ladder=TOP_LADDER, pad: float = 0.03) -> tuple[float, float]:
    """Limits for non-negative data: 0 (a hair below, so nothing sits on the
    axis line) to the round value of ``ladder`` above the largest of
    ``values`` (+ ``pad`` of it)."""
    high = max(float(np.nanmax(v)) if np.size(v) else 0.0 for v in values)
    top = round_up((high if high > 0 else 1.0) * (1 + pad), ladder)
    return (-0.02 * top, top)


class _KeptPlot:
    """Artists made once in some Axes and a twin Axes, updated in place.

    ``static`` lists the artists that no update changes (legends, fixed titles,
    reference lines): a blitter can keep them in its image of the axes."""

    def __init__(self, host_axes, twin_host):
        self.host_axes = tuple(host_axes)
        for ax in self.host_axes:
            ax.clear()
        self.twin = twin_host.twinx()
        self.static = []

    def _artists(self):
        return [value for value in vars(self).values() if isinstance(value, Artist) and not isinstance(value, Axes)]

    def intact(self) -> bool:
        """Every kept artist is still in its Axes and the twin in the figure."""
        figure = self.host_axes[0].figure
        return self.twin in figure.axes and all(a.axes is not None for a in self._artists())

    def remove_twin(self) -> None:
        if self.twin in self.host_axes[0].figure.axes:
            self.twin.remove()


class SynapseLabPlot(_KeptPlot):
    """u and x; r per spike with A_n/A_1 (on a twin axis); r*(f); f·r*(f), in
    a 2 × 2 array of Axes."""

    def __init__(self, axes):
        axes = np.asarray(axes)
        (ax_ux, ax_ss), (ax_r, ax_rate) = axes
        super().__init__(axes.flat, ax_r)
        self.u_curve, = ax_ux.plot([], [], color=U_COLOR, label="u")
        self.x_curve, = ax_ux.plot([], [], color=X_COLOR, label="x")
        self.u_dots, = ax_ux.plot([], [], "o", color=U_COLOR, ms=4)
        self.x_dots, = ax_ux.plot([], [], "o", color=X_COLOR, ms=4)
        ax_ux.set(ylim=FRACTION_LIMITS, xlabel="time (ms)", ylabel="u, x")
        self.static += [title(ax_ux, "u and x (lines: closed form; dots: at spikes)"),
                        ax_ux.legend(loc="upper right", fontsize=8, frameon=False)]
        self.r_bars = ax_r.add_collection(LineCollection([], colors=R_COLOR, linewidths=2, label="r per spike"),
                                          autolim=False)
        ax_r.set(ylim=FRACTION_LIMITS, xlabel="time (ms)", ylabel="r = u·x")
        self.ratio_points, = self.twin.plot([], [], "s--", color=RATIO_COLOR, ms=4, label="A_n/A_1")
        self.static.append(self.twin.axhline(1.0, color="0.6", lw=0.8, ls=":"))
        self.twin.set_ylabel("A_n / A_1", color=RATIO_COLOR)
        self.r_star_curve, = ax_ss.semilogx([], [], color=R_COLOR, label="r*(f) closed form")
        self.r_star_points, = ax_ss.semilogx([], [], "o", color=R_COLOR, label="simulated trains")
        self.ss_rate_line = ax_ss.axvline(1.0, color="0.6", lw=0.8, ls=":")
        ax_ss.set(xlim=FREQUENCY_LIMITS_HZ, ylim=FRACTION_LIMITS, xlabel="frequency (Hz)",
                  ylabel="steady state r*")
        self.static += [title(ax_ss, "steady-state release against frequency"),
                        ax_ss.legend(fontsize=8, frameon=False, loc="upper right")]
        self.transmitted_curve, = ax_rate.semilogx([], [], color=TRANSMITTED_COLOR)
        self.transmitted_points, = ax_rate.semilogx([], [], "o", color=TRANSMITTED_COLOR)
        self.transmitted_rate_line = ax_rate.axvline(1.0, color="0.6", lw=0.8, ls=":")
        ax_rate.set(xlim=FREQUENCY_LIMITS_HZ, xlabel="frequency (Hz)", ylabel="f·r* (Hz)")
        self.static.append(title(ax_rate, "transmitted rate f·r*(f)"))
        self.ax_ux, self.ax_r, self.ax_ss, self.ax_rate = ax_ux, ax_r, ax_ss, ax_rate

    def update(self, res: lab.SynapseLabResult) -> None:
        """Show ``res``: new data in the kept artists, limits from ``res`` alone."""
        t = res.spike_t_ms
        self.u_curve.set_data(res.curve_t_ms, res.curve_u)
        self.x_curve.set_data(res.curve_t_ms, res.curve_x)
        self.u_dots.set_data(t, res.states.u)
        self.x_dots.set_data(t, res.states.x)
        self.r_bars.set_segments(np.stack([np.column_stack([t, np.zeros_like(t)]),
                                           np.column_stack([t, res.states.r])], axis=1))
        self.ratio_points.set_data(t, res.amplitude_ratio)
        title(self.ax_r, f"release per spike; test spike after {res.recovery_gap_ms:g} ms")
        self.r_star_curve.set_data(res.freqs_hz, res.r_star)
        self.r_star_points.set_data(res.point_freqs_hz, res.point_r)
        transmitted = res.freqs_hz * res.r_star
        self.transmitted_curve.set_data(res.freqs_hz, transmitted)
        self.transmitted_points.set_data(res.point_freqs_hz, res.point_freqs_hz * res.point_r)
        for line in (self.ss_rate_line, self.transmitted_rate_line):
            line.set_xdata([res.rate_hz, res.rate_hz])
        time_limits = _from_zero([res.curve_t_ms], TOP_LADDER, pad=0.0)
        self.ax_ux.set_xlim(time_limits)
        self.ax_r.set_xlim(time_limits)
        self.twin.set_ylim(_from_zero([res.amplitude_ratio, [1.0]], RATIO_LADDER))
        self.ax_rate.set_ylim(_from_zero([transmitted, res.point_freqs_hz * res.point_r]))


class NeuronPlot(_KeptPlot):
    """v and u (with the input current on a twin axis) against time, and the
    v–u phase plane with the nullclines."""

    def __init__(self, ax_v, ax_u, ax_phase):
        super().__init__((ax_v, ax_u, ax_phase), ax_u)
        self.v_line, = ax_v.plot([], [], color="k", lw=0.9)
        ax_v.set_ylabel("v (mV)")
        ax_v.yaxis.set_major_locator(MultipleLocator(V_TICK_MV))
        ax_v.tick_params(labelbottom=False)
        self.u_line, = ax_u.plot([], [], color=TRANSMITTED_COLOR, lw=0.9, label="u")
        self.current_line, = self.twin.plot([], [], color="0.5", lw=0.8)
        self.twin.set_ylabel("I (mV/ms)", color="0.5")
        ax_u.set(xlabel="time (ms)", ylabel="u (mV/ms)")
        self.trajectory, = ax_phase.plot([], [], color="k", lw=0.6, alpha=0.8, label="trajectory")
        self.v_nullcline, = ax_phase.plot([], [], color=E_COLOR, lw=1.0, label="v-nullcline")
        self.u_nullcline, = ax_phase.plot([], [], color=I_COLOR, lw=1.0, label="u-nullcline")
        ax_phase.set(xlabel="v (mV)", ylabel="u (mV/ms)")
        self.static += [title(ax_phase, "phase plane"),
                        ax_phase.legend(fontsize=7, frameon=False, loc="upper left")]
        self.ax_v, self.ax_u, self.ax_phase = ax_v, ax_u, ax_phase

    def update(self, trace: lab.NeuronTrace, current_after: float) -> None:
        """Show ``trace``, with the nullclines for the input ``current_after`` (mV/ms)."""
        self.v_line.set_data(trace.t_ms, trace.v_mV)
        title(self.ax_v, f"a={trace.a:g}, b={trace.b:g}, c={trace.c:g}, d={trace.d:g}: "
                         f"{len(trace.spike_t_ms)} spikes")
        self.u_line.set_data(trace.t_ms, trace.u)
        self.current_line.set_data(trace.t_ms, trace.I)
        deepest = 10.0 * math.floor((float(np.min(trace.v_mV)) - 2.0) / 10.0)  # mV, a round value below v
        v_low = min(V_LIMITS_MV[0], deepest)
        phase_v = (min(PHASE_V_LIMITS_MV[0], deepest), PHASE_V_LIMITS_MV[1])
        v = np.linspace(*phase_v, NULLCLINE_POINTS)
        v_null, u_null = lab.nullclines(trace.b, current_after, v)
        self.trajectory.set_data(trace.v_mV, trace.u)
        self.v_nullcline.set_data(v, v_null)
        self.u_nullcline.set_data(v, u_null)
        dt = trace.t_ms[1] - trace.t_ms[0] if len(trace.t_ms) > 1 else 0.0
        end = float(trace.t_ms[-1] + dt)  # ms
        for ax in (self.ax_v, self.ax_u):
            ax.set_xlim(-0.02 * end, end)
        self.ax_v.set_ylim(v_low, V_LIMITS_MV[1])
        # u against time and in the phase plane on one scale, in coarse round steps
        u_limits = rounded_range(float(np.min(trace.u)), float(np.max(trace.u)), intervals=U_INTERVALS, pad=0.15)
        self.ax_u.set_ylim(u_limits)
        self.ax_phase.set(xlim=phase_v, ylim=u_limits)
        self.twin.set_ylim(_current_limits(trace.I))


def _current_limits(current) -> tuple[float, float]:
    """y limits (mV/ms) of an input current: from 0, or from −top when it goes
    negative, to the round value ``top`` of :data:`TOP_LADDER` above its size."""
    low, high = float(np.min(current)), float(np.max(current))
    top = round_up(max(abs(low), abs(high), 1e-3) * 1.1, TOP_LADDER)
    return (-top if low < 0 else -0.1 * top, top if high > 0 else 0.1 * top)


def draw_synapse_lab(res: lab.SynapseLabResult, axes) -> SynapseLabPlot:
    """u, x; r per spike with A_n/A_1; r*(f); f·r*(f) into a 2 × 2 array of Axes.

    The first call clears the Axes and makes the artists; a later call into the
    same Axes updates them.  Returns the :class:`SynapseLabPlot`."""
    axes = np.asarray(axes)
    plot = _kept_plot(SynapseLabPlot, tuple(axes.flat), lambda: SynapseLabPlot(axes))
    plot.update(res)
    return plot


def draw_neuron(trace: lab.NeuronTrace, ax_v, ax_u, ax_phase, current_after: float) -> NeuronPlot:
    """v, u (with the input current) against time and the v–u phase plane with
    the nullclines for the input ``current_after`` (mV/ms).

    The first call clears the Axes and makes the artists; a later call into the
    same Axes updates them.  Returns the :class:`NeuronPlot`."""
    plot = _kept_plot(NeuronPlot, (ax_v, ax_u, ax_phase), lambda: NeuronPlot(ax_v, ax_u, ax_phase))
    plot.update(trace, current_after)
    return plot
