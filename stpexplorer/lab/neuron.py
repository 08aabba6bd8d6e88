"""The neuron gallery: single Izhikevich (2003) neurons and the firing
patterns of its Fig. 2 (see :mod:`stpexplorer.lab`)."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from ..model import V_PEAK_MV, izhikevich_step
from .definitions import GALLERY

__all__ = ["NEURON_TYPES", "PULSE_AMPLITUDE", "PULSE_MS", "NeuronTrace", "NeuronType", "neuron_type",
           "nullclines", "resting_potential", "simulate_neuron"]


@dataclass(frozen=True)
class NeuronType:
    """a (1/ms), b (1/ms), c (mV), d (mV/ms) and a step-current protocol.

    The input is ``I_before`` until ``step_ms``, then ``I_after`` (mV/ms),
    plus a brief pulse (:data:`PULSE_AMPLITUDE` for :data:`PULSE_MS`) at
    ``pulse_at_ms`` if that is not None.
    """

    a: float
    b: float
    c: float
    d: float
    I_before: float
    I_after: float
    look_for: str
    step_ms: float = 50.0
    pulse_at_ms: float | None = None

    def protocol(self) -> dict:
        """The type's stimulus as keyword arguments of :func:`simulate_neuron`."""
        return dict(I_before=self.I_before, I_after=self.I_after, step_ms=self.step_ms,
                    pulse_at_ms=self.pulse_at_ms)


#: When the resonator's probing pulse comes (ms).
RESONATOR_PULSE_AT_MS = 100.0


#: Izhikevich (2003) Fig. 2 parameters; inputs chosen to show each pattern.
NEURON_TYPES = MappingProxyType({
    "regular spiking (RS)": NeuronType(0.02, 0.2, -65.0, 8.0, 0.0, 10.0,
                                       "Spike-frequency adaptation: the intervals lengthen."),
    "intrinsically bursting (IB)": NeuronType(0.02, 0.2, -55.0, 4.0, 0.0, 10.0,
                                              "An initial burst, then regular single spikes."),
    "chattering (CH)": NeuronType(0.02, 0.2, -50.0, 2.0, 0.0, 10.0,
                                  "Repeated bursts of closely spaced spikes."),
    "fast spiking (FS)": NeuronType(0.1, 0.2, -65.0, 2.0, 0.0, 10.0,
                                    "High-frequency firing with (almost) no adaptation."),
    "low-threshold spiking (LTS)": NeuronType(0.02, 0.25, -65.0, 2.0, 0.0, 10.0,
                                              "High-frequency firing with adaptation."),
    "thalamo-cortical (TC)": NeuronType(0.02, 0.25, -65.0, 0.05, -10.0, 0.0,
                                        "Silent while hyperpolarised; a rebound burst on release.",
                                        step_ms=100.0),
    "resonator (RZ)": NeuronType(0.1, 0.26, -65.0, 2.0, 0.0, 0.0,
                                 "Damped subthreshold oscillations after the brief pulse at "
                                 f"{RESONATOR_PULSE_AT_MS:g} ms: v rings around rest instead of relaxing smoothly.",
                                 pulse_at_ms=RESONATOR_PULSE_AT_MS),
})

#: A brief depolarising pulse (mV/ms for PULSE_MS) used to probe resonance.
PULSE_AMPLITUDE = 2.0
PULSE_MS = 1.0


@dataclass(frozen=True)
class NeuronTrace:
    t_ms: np.ndarray
    v_mV: np.ndarray
    u: np.ndarray  # mV/ms
    I: np.ndarray  # mV/ms
    spike_t_ms: np.ndarray
    a: float
    b: float
    c: float
    d: float


def simulate_neuron(a: float, b: float, c: float, d: float, I_before: float = 0.0,
                    I_after: float = 10.0, step_ms: float = 50.0, duration_ms: float = 400.0,
                    dt_ms: float = 0.1, pulse_at_ms: float | None = None) -> NeuronTrace:
    """One Izhikevich (2003) neuron under a step current (forward Euler, as the network).

    dv/dt = 0.04 v² + 5 v + 140 − u + I,  du/dt = a (b v − u),  v ≥ 30 mV: v ← c, u ← u + d.
    The neuron starts at rest for ``I_before`` (v from the lower fixed point, or
    −65 mV if there is none).
    """
    a, b, c, d, I_before, I_after, duration_ms, dt_ms = (
        GALLERY[name].check(value) for name, value in
        (("a", a), ("b", b), ("c", c), ("d", d), ("I_before", I_before), ("I_after", I_after),
         ("duration_ms", duration_ms), ("dt_ms", dt_ms)))
    steps = int(round(duration_ms / dt_ms))
    t = np.arange(steps) * dt_ms
    current = np.where(t < step_ms, I_before, I_after)
    if pulse_at_ms is not None:
        current = current + np.where((t >= pulse_at_ms) & (t < pulse_at_ms + PULSE_MS), PULSE_AMPLITUDE, 0.0)
    vs, us, spike_steps = _euler(a, b, c, d, float(resting_potential(b, I_before)), current.tolist(), dt_ms)
    vs, us = np.array(vs), np.array(us)
    vs[spike_steps] = V_PEAK_MV  # draw the spike peaks
    spikes = t[spike_steps] + dt_ms
    return NeuronTrace(t, vs, us, current, np.array(spikes), a, b, c, d)


def _euler(a: float, b: float, c: float, d: float, v: float, current: list, dt_ms: float):
    """Forward Euler from rest (v in mV, u = b v) under ``current`` (mV/ms per
    step): v and u before each step, and the steps that ended in a spike.
    Plain Python floats: a tenth of the time of numpy scalars; the step is the
    network's (:func:`stpexplorer.model.izhikevich_step`)."""
    u = b * v
    vs, us, spike_steps = [], [], []
    step = izhikevich_step
    for k, i_k in enumerate(current):
        vs.append(v)
        us.append(u)
        v, u = step(v, u, i_k, a, b, dt_ms)
        if v >= V_PEAK_MV:
            spike_steps.append(k)
            v, u = c, u + d
    return vs, us, spike_steps


def resting_potential(b: float, current: float) -> float:
    """Lower fixed point of the Izhikevich equations for a constant input (mV)."""
    # 0.04 v² + (5 − b) v + 140 + I = 0
    disc = (5.0 - b) ** 2 - 4 * 0.04 * (140.0 + current)
    if disc < 0:
        return -65.0
    return (-(5.0 - b) - np.sqrt(disc)) / (2 * 0.04)


def nullclines(b: float, current: float, v_mV: np.ndarray):
    """(v-nullcline u, u-nullcline u) over ``v_mV`` for a constant input."""
    v = np.asarray(v_mV, dtype=float)
    return 0.04 * v ** 2 + 5.0 * v + 140.0 + current, b * v


def neuron_type(name: str, **overrides) -> NeuronTrace:
    try:
        kind = NEURON_TYPES[name]
    except KeyError:
        raise ValueError(f"unknown neuron type {name!r}; choose one of: {', '.join(NEURON_TYPES)}") from None
    settings = dict(a=kind.a, b=kind.b, c=kind.c, d=kind.d, **kind.protocol())
    settings.update(overrides)
    return simulate_neuron(**settings)
