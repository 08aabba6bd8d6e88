"""Teaching lab: one Tsodyks–Markram synapse, and single Izhikevich neurons.

Synapse lab — a synapse driven by a regular or Poisson train at f Hz with a
recovery test spike after a chosen gap.  :func:`synapse_lab` gives the states
at every spike, the normalised amplitudes A_n/A_1 (= r_n/r_1: the
postsynaptic response is proportional to the released fraction), and the
steady state r*(f) with the transmitted rate f·r*(f) against frequency.  The
per-spike states come from the exact recursion by default; ``engine='brian2'``
runs the model's own synapse code in Brian2 instead (used by the tests to put
the simulated points on the closed-form curves).

Neuron gallery — the firing patterns of Izhikevich (2003), Fig. 2, as
``NEURON_TYPES`` (a, b, c, d and a stimulus protocol each) simulated by
:func:`simulate_neuron` with the same equation and forward-Euler step as the
network (:mod:`stpexplorer.model`).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from . import stp
from .model import V_PEAK_MV


def _check(name, value, lo, hi):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)) \
            or not np.isfinite(value) or not lo <= value <= hi:
        raise ValueError(f"{name}={value!r} is invalid; allowed: [{lo:g}, {hi:g}]")
    return float(value)


# ----------------------------------------------------------------------
# Synapse lab
# ----------------------------------------------------------------------
@dataclass(frozen=True)
class SynapsePreset:
    U_0: float
    Omega_f: float
    Omega_d: float
    look_for: str


SYNAPSE_PRESETS = MappingProxyType({
    "depressing": SynapsePreset(0.5, 50.0, 2.0,
                                "Each spike releases less than the one before: A_n/A_1 falls, "
                                "and r*(f) drops steeply with frequency."),
    "facilitating": SynapsePreset(0.05, 1.0, 50.0,
                                  "Release grows over the train: A_n/A_1 rises above 1 at moderate "
                                  "rates, and f·r*(f) keeps growing with frequency."),
    "mixed": SynapsePreset(0.2, 5.0, 5.0,
                           "Facilitation first, then depression: A_n/A_1 rises for a few spikes "
                           "and falls back, and f·r*(f) saturates."),
})


@dataclass(frozen=True)
class SynapseLabResult:
    spike_t_ms: np.ndarray  # train spikes, then the recovery test spike
    states: stp.SpikeStates
    amplitude_ratio: np.ndarray  # A_n / A_1 = r_n / r_1
    recovery_gap_ms: float
    curve_t_ms: np.ndarray  # continuous u(t), x(t) from the closed forms
    curve_u: np.ndarray
    curve_x: np.ndarray
    freqs_hz: np.ndarray  # closed-form steady state against frequency
    r_star: np.ndarray
    point_freqs_hz: np.ndarray  # simulated steady states (last spike of a long regular train)
    point_r: np.ndarray
    U_0: float
    Omega_f: float
    Omega_d: float
    rate_hz: float


def train(rate_hz: float, n_spikes: int, kind: str = "regular", recovery_gap_ms: float = 500.0,
          seed: int = 0, dt_ms: float = 0.1) -> np.ndarray:
    """Spike times (ms, on the dt grid): the train, then one test spike after the gap."""
    rate_hz = _check("rate_hz", rate_hz, 0.1, 200.0)
    n_spikes = int(_check("n_spikes", n_spikes, 1, 500))
    recovery_gap_ms = _check("recovery_gap_ms", recovery_gap_ms, 1.0, 20000.0)
    if kind == "regular":
        intervals = np.full(n_spikes - 1, 1000.0 / rate_hz)
    elif kind == "poisson":
        rng = np.random.default_rng(seed)
        intervals = np.maximum(rng.exponential(1000.0 / rate_hz, n_spikes - 1), 2 * dt_ms)
    else:
        raise ValueError(f"kind={kind!r} is invalid; allowed: 'regular', 'poisson'")
    times = 10.0 + np.concatenate([[0.0], np.cumsum(intervals)])
    times = np.append(times, times[-1] + recovery_gap_ms)
    return np.unique(np.round(times / dt_ms) * dt_ms)


def brian_synapse_states(trains_ms, U_0: float, Omega_f: float, Omega_d: float,
                         dt_ms: float = 0.1) -> list[stp.SpikeStates]:
    """States at each spike of each train from the model's per-synapse Brian2 code.

    All trains run in one Brian2 network (numpy target), one synapse each;
    spike times must lie on the ``dt_ms`` grid.
    """
    import brian2 as b2

    from . import model
    from .engine import BRIAN_LOCK, runtime_device
    from .params import Params

    trains = [np.asarray(times, dtype=float) for times in trains_ms]
    params = Params(U_0=U_0, Omega_f=Omega_f, Omega_d=Omega_d)
    indices = np.concatenate([np.full(len(times), k) for k, times in enumerate(trains)])
    all_times = np.concatenate(trains)
    with BRIAN_LOCK, runtime_device("numpy"):
        b2.defaultclock.dt = dt_ms * b2.ms
        source = b2.SpikeGeneratorGroup(len(trains), indices, all_times * b2.ms, name="lab_source")
        target = b2.NeuronGroup(1, "dge/dt = -ge/(5*ms) : siemens\ndgi/dt = -gi/(10*ms) : siemens\nv : volt",
                                name="lab_target")
        eqs, on_pre = model.synapse_model(params, "e", "synaptic")
        syn = b2.Synapses(source, target, eqs, on_pre=on_pre, namespace={}, name="lab_synapse")
        syn.connect(i=np.arange(len(trains)), j=0)
        syn.x_S, syn.zeta, syn.jitter, syn.w = 1, 0, 0, 1 * b2.nS
        syn.U_0, syn.Omega_f, syn.Omega_d = U_0, Omega_f / b2.second, Omega_d / b2.second
        mon = b2.StateMonitor(syn, ["u_S", "x_S", "r_S"], record=True, when="after_synapses",
                              dt=dt_ms * b2.ms, name="lab_monitor")
        b2.Network(source, target, syn, mon).run((all_times.max() + dt_ms) * b2.ms, namespace={})
        states = []
        for k, times in enumerate(trains):
            rows = np.rint(times / dt_ms).astype(int)
            u, x_after, r = (np.asarray(getattr(mon, name)[k])[rows] for name in ("u_S", "x_S", "r_S"))
            states.append(stp.SpikeStates(u, x_after + r, r))
    return states


def _spikes_to_converge(U_0, Omega_f, Omega_d, rate_hz, tolerance=1e-12) -> int:
    """Train length after which the regular-train recursion is within ``tolerance`` of r*."""
    period = 1.0 / rate_hz
    u_star = stp.steady_state(U_0, Omega_f, Omega_d, rate_hz)[0]
    factor = max((1 - U_0) * np.exp(-Omega_f * period), (1 - u_star) * np.exp(-Omega_d * period), 1e-3)
    return int(np.clip(np.ceil(np.log(tolerance) / np.log(factor)) + 2, 3, 300))


def steady_state_points(U_0, Omega_f, Omega_d, freqs_hz, engine: str = "recursion", dt_ms: float = 0.5):
    """r at the last spike of a regular train long enough to converge, per frequency."""
    trains = [dt_ms * np.round((10.0 + np.arange(_spikes_to_converge(U_0, Omega_f, Omega_d, f))
                                * 1000.0 / f) / dt_ms) for f in freqs_hz]
    if engine == "brian2":
        states = brian_synapse_states(trains, U_0, Omega_f, Omega_d, dt_ms)
    else:
        states = [stp.recursion(times, U_0, Omega_f, Omega_d) for times in trains]
    return np.array([s.r[-1] for s in states])


def synapse_lab(U_0: float = 0.5, Omega_f: float = 50.0, Omega_d: float = 2.0, rate_hz: float = 20.0,
                n_spikes: int = 10, kind: str = "regular", recovery_gap_ms: float = 500.0,
                seed: int = 0, engine: str = "recursion") -> SynapseLabResult:
    """Everything the synapse lab shows, for one setting (rates in 1/s, times in ms)."""
    U_0 = _check("U_0", U_0, 0.001, 1.0)
    Omega_f = _check("Omega_f", Omega_f, 0.0, 1000.0)
    Omega_d = _check("Omega_d", Omega_d, 0.0, 1000.0)
    if engine not in ("recursion", "brian2"):
        raise ValueError(f"engine={engine!r} is invalid; allowed: 'recursion', 'brian2'")
    times = train(rate_hz, n_spikes, kind, recovery_gap_ms, seed)
    states = (brian_synapse_states([times], U_0, Omega_f, Omega_d)[0] if engine == "brian2"
              else stp.recursion(times, U_0, Omega_f, Omega_d))
    curve_t = np.union1d(np.linspace(0.0, times[-1] + 100.0, 1500), times)
    curve_u, curve_x = stp.continuous(times, curve_t, U_0, Omega_f, Omega_d)
    freqs = np.geomspace(0.5, 100.0, 200)
    point_freqs = np.array([1.0, 2.0, 5.0, 10.0, 20.0, 40.0, 80.0])  # on the 0.5 ms grid
    return SynapseLabResult(
        spike_t_ms=times, states=states, amplitude_ratio=states.r / states.r[0],
        recovery_gap_ms=recovery_gap_ms, curve_t_ms=curve_t, curve_u=curve_u, curve_x=curve_x,
        freqs_hz=freqs, r_star=stp.steady_state(U_0, Omega_f, Omega_d, freqs)[2],
        point_freqs_hz=point_freqs,
        point_r=steady_state_points(U_0, Omega_f, Omega_d, point_freqs, engine=engine),
        U_0=U_0, Omega_f=Omega_f, Omega_d=Omega_d, rate_hz=float(rate_hz))


# ----------------------------------------------------------------------
# Neuron gallery
# ----------------------------------------------------------------------
@dataclass(frozen=True)
class NeuronType:
    """a (1/ms), b (1/ms), c (mV), d (mV/ms) and a step-current protocol.

    The input is ``I_before`` until ``step_ms``, then ``I_after`` (mV/ms).
    """

    a: float
    b: float
    c: float
    d: float
    I_before: float
    I_after: float
    look_for: str
    step_ms: float = 50.0


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
                                 "Damped subthreshold oscillations after the brief pulse at 100 ms: "
                                 "v rings around rest instead of relaxing smoothly."),
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
    a, b = _check("a", a, 0.0, 1.0), _check("b", b, -1.0, 1.0)
    c, d = _check("c", c, -100.0, -30.0), _check("d", d, -20.0, 50.0)
    I_before, I_after = _check("I_before", I_before, -50.0, 100.0), _check("I_after", I_after, -50.0, 100.0)
    duration_ms = _check("duration_ms", duration_ms, 10.0, 5000.0)
    dt_ms = _check("dt_ms", dt_ms, 0.01, 0.5)
    steps = int(round(duration_ms / dt_ms))
    t = np.arange(steps) * dt_ms
    current = np.where(t < step_ms, I_before, I_after)
    if pulse_at_ms is not None:
        current = current + np.where((t >= pulse_at_ms) & (t < pulse_at_ms + PULSE_MS), PULSE_AMPLITUDE, 0.0)
    v = resting_potential(b, I_before)
    u = b * v
    vs, us, spikes = np.empty(steps), np.empty(steps), []
    for k in range(steps):
        vs[k], us[k] = v, u
        dv = 0.04 * v * v + 5.0 * v + 140.0 - u + current[k]
        du = a * (b * v - u)
        v, u = v + dt_ms * dv, u + dt_ms * du
        if v >= V_PEAK_MV:
            vs[k] = V_PEAK_MV  # draw the spike peak
            spikes.append(t[k] + dt_ms)
            v, u = c, u + d
    return NeuronTrace(t, vs, us, current, np.array(spikes), a, b, c, d)


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
    settings = dict(a=kind.a, b=kind.b, c=kind.c, d=kind.d, I_before=kind.I_before,
                    I_after=kind.I_after, step_ms=kind.step_ms)
    settings.update(overrides)
    if name.endswith("(RZ)") and "pulse_at_ms" not in settings:
        settings["pulse_at_ms"] = 100.0
    return simulate_neuron(**settings)
