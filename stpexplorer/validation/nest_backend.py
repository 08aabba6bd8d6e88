"""NEST 3.10 as an independent simulator: its ``tsodyks2_synapse`` and
``izhikevich`` models driven with the same inputs as this package's model.

NEST is an optional dependency (``pip install 'stpexplorer[validate]'``):
:func:`load_nest` returns the module or None, and nothing else here is called
without it.  Every function starts from a fresh kernel at the resolution it
is given; times are in ms, v in mV, currents in the Izhikevich unit mV/ms
(NEST's ``izhikevich`` uses the same unit-free equation).
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os

import numpy as np

#: The package a missing NEST is installed from.
NEST_PACKAGE = "nest-simulator"


def load_nest():
    """The ``nest`` module, imported quietly, or None when it is not installed."""
    os.environ.setdefault("PYNEST_QUIET", "1")  # no start-up banner on stdout
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            nest = importlib.import_module("nest")
    except ImportError:
        return None
    return nest


def nest_version(nest) -> str:
    return str(getattr(nest, "__version__", "unknown"))


def fresh_kernel(nest, resolution_ms: float) -> None:
    """An empty NEST kernel at ``resolution_ms``, one thread, errors only."""
    nest.ResetKernel()
    nest.verbosity = nest.VerbosityLevel.ERROR
    nest.set(resolution=resolution_ms, local_num_threads=1, print_time=False)


# ----------------------------------------------------------------------
# tsodyks2_synapse, per spike
def tsodyks2_per_spike(nest, spike_times_ms, U: float, tau_fac_ms: float, tau_rec_ms: float,
                       resolution_ms: float = 0.1) -> dict[str, np.ndarray]:
    """NEST's own u, x (read from the connection after every spike) and its
    delivered weight u·x (weight_recorder, weight 1) for one train.

    The train drives a parrot neuron whose ``tsodyks2_synapse`` connection to
    a silent neuron is read with ``get`` after each spike is delivered:
    NEST stores u just after the facilitation jump and x just before the
    release of the last spike (x·u is what that spike delivered).  The
    synapse starts in NEST's documented initial state u = U, x = 1.
    """
    times = np.asarray(spike_times_ms, dtype=float)
    fresh_kernel(nest, resolution_ms)
    generator = nest.Create("spike_generator", params={"spike_times": times})
    parrot = nest.Create("parrot_neuron")
    target = nest.Create("iaf_psc_delta", params={"V_th": 1e12})
    recorder = nest.Create("weight_recorder")
    nest.CopyModel("tsodyks2_synapse", "tsodyks2_recorded", {"weight_recorder": recorder})
    delay = resolution_ms
    nest.Connect(generator, parrot, syn_spec={"delay": delay})
    nest.Connect(parrot, target, syn_spec={"synapse_model": "tsodyks2_recorded", "U": U, "u": U, "x": 1.0,
                                          "tau_fac": tau_fac_ms, "tau_rec": tau_rec_ms, "weight": 1.0,
                                          "delay": delay})
    connection = nest.GetConnections(source=parrot, target=target)
    u, x = np.empty(len(times)), np.empty(len(times))
    for k, t in enumerate(times):
        # the parrot fires at t + delay and the synapse has updated by t + 2 delay; the next
        # spike (at least one step later) updates it one step after that at the earliest
        nest.Simulate(t + 2 * delay - nest.biological_time)
        state = connection.get(["u", "x"])
        u[k], x[k] = state["u"], state["x"]
    weights = np.asarray(recorder.get("events")["weights"], dtype=float)
    return {"u": u, "x": x, "r": weights}


# ----------------------------------------------------------------------
# izhikevich, single neurons
def izhikevich_neuron(nest, a: float, b: float, c: float, d: float, v0: float, current_steps,
                      duration_ms: float, dt_ms: float) -> dict[str, np.ndarray]:
    """Spike times and v of NEST's ``izhikevich`` (consistent_integration=True:
    forward Euler with the old v and u on both right-hand sides) under a
    piecewise-constant input.

    ``current_steps`` is a list of (start_ms, current mV/ms); the input is set
    as ``I_e`` between Simulate calls, which enters the very step it is set
    for (no delivery delay).  Returns the spike times (ms, end of the step
    that crossed V_th, as NEST stamps them) and v at the end of every step.
    """
    fresh_kernel(nest, dt_ms)
    neuron = nest.Create("izhikevich", params={"a": a, "b": b, "c": c, "d": d, "V_m": v0, "U_m": b * v0,
                                              "V_th": 30.0, "consistent_integration": True})
    spikes = nest.Create("spike_recorder")
    meter = nest.Create("multimeter", params={"record_from": ["V_m"], "interval": dt_ms})
    nest.Connect(neuron, spikes)
    nest.Connect(meter, neuron)
    edges = [start for start, _ in current_steps] + [duration_ms]
    for (start, current), stop in zip(current_steps, edges[1:]):
        neuron.set(I_e=current)
        nest.Simulate(stop - start)
    events = meter.get("events")
    order = np.argsort(events["times"])
    return {"spike_t_ms": np.asarray(spikes.get("events")["times"], dtype=float),
            "t_ms": np.asarray(events["times"], dtype=float)[order],
            "v_mV": np.asarray(events["V_m"], dtype=float)[order]}


# ----------------------------------------------------------------------
# izhikevich networks
#: Steps from setting a step_current_generator's amplitude (at time T) to the
#: first ``izhikevich`` update that uses it (the one starting at T + dt): the
#: generator's delivery delay of one step (measured: a noisy neuron without
#: synapses then fires exactly as :func:`stpexplorer.validation.euler.simulate_euler`).
CURRENT_LAG_STEPS = 1


def _noise_generators(nest, neurons, params, real, values) -> None:
    """One step_current_generator per neuron carrying I_const + σ·ξ(t).

    A value set at T acts from the update starting at T + dt
    (:data:`CURRENT_LAG_STEPS`): set at m − dt, it covers the model's noise
    interval [m, m + 1 ms).  NEST refuses a change at t = 0, so the first
    value is set at dt and ``I_e``, which acts at once, carries it before.
    """
    dt = params.dt
    interval_steps = int(round(1.0 / dt))  # steps per noise interval (NOISE_DT_MS = 1 ms)
    n_intervals = int(np.ceil(params.duration / 1.0))
    currents = values["I_const"][None, :] + values["sigma"][None, :] * real.noise[:n_intervals]
    times = (np.arange(n_intervals) * interval_steps - CURRENT_LAG_STEPS) * dt
    times[0] = dt  # NEST's earliest time: acts from step 1 + CURRENT_LAG_STEPS on; I_e covers the steps before
    generators = nest.Create("step_current_generator", len(neurons))
    for k, generator in enumerate(generators):
        generator.set(amplitude_times=np.round(times, 10).tolist(), amplitude_values=currents[:, k].tolist())
    nest.Connect(generators, neurons, "one_to_one", syn_spec={"delay": dt})
    return currents[0]


def _connect(nest, first_id: int, params, real) -> None:
    """Every synapse of the realisation with its signed pulse size (mV), delay dt;
    tsodyks2_synapse with the pathway's U, tau_fac, tau_rec when STP is on."""
    ne = params.N_e
    for path, size, sign, source in ((real.exc, params.J_e, 1.0, "e"), (real.inh, params.J_i, -1.0, "i")):
        if len(path) == 0:
            continue
        weights = sign * size * (1.0 - params.weight_jitter * path.zeta.astype(float))
        for target, onto in (("e", path.post < ne), ("i", path.post >= ne)):
            if not onto.any():
                continue
            count = int(onto.sum())
            spec = {"weight": weights[onto], "delay": np.full(count, params.dt)}
            if params.stp:
                U, Omega_f, Omega_d = params.pathway_values(source + target)
                per_synapse = {"U": U, "u": U, "x": 1.0, "tau_fac": 1000.0 / Omega_f, "tau_rec": 1000.0 / Omega_d}
                spec.update({key: np.full(count, value) for key, value in per_synapse.items()})
                spec["synapse_model"] = "tsodyks2_synapse"
            nest.Connect(first_id + path.pre[onto].astype(np.int64), first_id + path.post[onto].astype(np.int64),
                         "one_to_one", syn_spec=spec)


def izhikevich_network(nest, params, real, threads: int = 1):
    """The network of ``params``/``real`` (current mode) in NEST; returns
    (spike indices, spike times in ms as Brian2 stamps them: start of the step).

    Per neuron: a, b, c, d, v, u from :func:`stpexplorer.model.neuron_values`;
    the noise as a step_current_generator (see :func:`_noise_generators`);
    every synapse with delay dt, the shortest NEST allows.
    """
    from .. import model

    fresh_kernel(nest, params.dt)
    if threads > 1:
        nest.set(local_num_threads=threads)
    values = model.neuron_values(params, real)
    n = params.N_e + params.N_i
    neurons = nest.Create("izhikevich", n, params={"V_th": model.V_PEAK_MV, "consistent_integration": True})
    neurons.set(a=values["a"].tolist(), b=values["b"].tolist(), c=values["c"].tolist(), d=values["d"].tolist(),
                V_m=values["v"].tolist(), U_m=values["u"].tolist())
    first = _noise_generators(nest, neurons, params, real, values)
    _connect(nest, int(neurons[0].global_id), params, real)
    recorder = nest.Create("spike_recorder")
    nest.Connect(neurons, recorder)
    neurons.set(I_e=first.tolist())
    nest.Simulate((1 + CURRENT_LAG_STEPS) * params.dt)
    neurons.set(I_e=0.0)
    nest.Simulate(params.duration - (1 + CURRENT_LAG_STEPS) * params.dt)
    events = recorder.get("events")
    index = np.asarray(events["senders"], dtype=np.int64) - int(neurons[0].global_id)
    t = np.asarray(events["times"], dtype=float) - params.dt
    order = np.lexsort((index, np.round(t / params.dt)))
    return index[order].astype(np.int32), t[order]
