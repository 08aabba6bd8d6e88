"""The synapse lab: one Tsodyks–Markram synapse driven by a regular or Poisson
train with a recovery test spike (see :mod:`stpexplorer.lab`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import stp
from ..presets import SYNAPSE_PRESETS, SynapsePreset  # noqa: F401  (re-exported by the lab)
from .definitions import SYNAPSE_LAB

__all__ = ["SYNAPSE_PRESETS", "SynapseLabResult", "SynapsePreset", "brian_synapse_states",
           "steady_state_points", "synapse_lab", "train"]


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
    rate_hz = SYNAPSE_LAB["rate_hz"].check(rate_hz)
    n_spikes = int(SYNAPSE_LAB["n_spikes"].check(n_spikes))
    recovery_gap_ms = SYNAPSE_LAB["recovery_gap_ms"].check(recovery_gap_ms)
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

    from .. import model
    from ..engine import BRIAN_LOCK, runtime_device
    from ..params import Params

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
    U_0, Omega_f, Omega_d = (SYNAPSE_LAB[name].check(value) for name, value in
                             (("U_0", U_0), ("Omega_f", Omega_f), ("Omega_d", Omega_d)))
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
