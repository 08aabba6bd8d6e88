"""The Brian2 network of the model: its objects, built from the equations of
:mod:`.equations`, the realisation of :mod:`.realisation` and the values of
:mod:`.values`, and the table of what a run produces (:data:`OUTPUTS`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..params import Params
from . import equations as eq
from .realisation import Realisation
from .recording import SYN_TRACE_ROWS, find_recorded_synapse, recorded_neurons
from .values import run_values


@dataclass
class Built:
    """Brian2 objects of one network, ready to run."""

    net: object
    neurons: object
    synapses: dict
    spikes: object
    trace: object
    syn_trace: object | None
    recorded: np.ndarray
    rec_key: str
    rec_index: int
    #: recorded STP variable of the network for each of u_S, x_S, r_S
    stp_recorded: dict = None

    def obj(self, name: str):
        if name == eq.NEURON_NAME:
            return self.neurons
        monitors = {"spikes": self.spikes, "trace": self.trace, "syn_trace": self.syn_trace}
        if name in monitors:
            return monitors[name]
        return next(s for s in self.synapses.values() if s.name == name)


#: The recorded STP state of a synapse.
STP_STATE = ("u_S", "x_S", "r_S")
#: What a run produces, all in SI base units: result name -> (object, variable).
#: Traces are (recorded index, time step) arrays, as Brian2's monitors give them.
#: With the state kept per presynaptic neuron, u_S, x_S, r_S are its set onto
#: excitatory targets and ``*_onto_i`` its set onto inhibitory ones.
OUTPUTS = {"spike_i": ("spikes", "i"), "spike_t": ("spikes", "t"),
           "trace_t": ("trace", "t"), "v": ("trace", "v"), "ge": ("trace", "ge"), "gi": ("trace", "gi"),
           "stp_t": ("syn_trace", "t"), **{var: ("syn_trace", var) for var in STP_STATE},
           **{f"{var}_onto_i": ("syn_trace", f"{var}_onto_i") for var in STP_STATE},
           "t_diverged": (eq.NEURON_NAME, "t_diverged")}
#: The connectivity Brian2 built (checked by tests against the drawn one).
CONNECTIVITY_OUTPUTS = {f"{key}_{end}": (name, var)
                        for key, name in eq.SYNAPSE_NAMES.items()
                        for end, var in (("pre", "_synaptic_pre"), ("post", "_synaptic_post"))}


def _present(built: Built, outputs: dict) -> dict:
    found = {}
    for name, (obj_name, var) in outputs.items():
        try:
            obj = built.obj(obj_name)
        except StopIteration:
            continue
        if obj_name == "syn_trace" and built.stp_recorded:
            var = built.stp_recorded.get(var, var)
        if obj is not None and var in obj.variables:
            found[name] = (obj, var)
    return found


def monitor_arrays(built: Built) -> dict[str, np.ndarray]:
    """Every :data:`OUTPUTS` array of a network run in this process (runtime device)."""
    return {name: np.asarray(getattr(obj, var)[:]) for name, (obj, var) in _present(built, OUTPUTS).items()}


def output_files(built: Built, device) -> dict[str, list]:
    """Where a compiled run writes each :data:`OUTPUTS` (and connectivity)
    array: name -> [file name in the results folder, dtype, columns or 0].

    Brian2's standalone binary writes every array into its results folder;
    with this table a later process reads a run's results with numpy alone.
    """
    from ..engine.brian2_internals import array_filename

    table = {}
    for name, (obj, var) in _present(built, {**OUTPUTS, **CONNECTIVITY_OUTPUTS}).items():
        variable = obj.variables[var]
        columns = len(obj.record) if getattr(variable, "ndim", 1) == 2 else 0
        table[name] = [array_filename(device, variable), np.dtype(variable.dtype).str, columns]
    return table


#: synapses created per ``connect`` call: bounds Brian2's temporary copies
CONNECT_CHUNK = 2_000_000


def connect_in_chunks(syn, pre: np.ndarray, post: np.ndarray, offset: int) -> None:
    """``syn.connect(i=pre - offset, j=post)`` in chunks.

    Brian2 copies the index arrays several times while it creates synapses
    (and keeps int64 copies in the standalone device's value cache); in
    chunks, with that cache emptied after each, 10 000 neurons fit in a few
    hundred MB less memory.  One chunk for networks up to 2 M synapses.
    """
    for start in range(0, len(pre), CONNECT_CHUNK):
        chunk = slice(start, start + CONNECT_CHUNK)
        syn.connect(i=pre[chunk] - offset, j=post[chunk])
        _forget_cached_arrays(syn, keep_synapse_indices=True)
    _forget_cached_arrays(syn)


def _forget_cached_arrays(syn, keep_synapse_indices: bool = False) -> None:
    """Drop the standalone device's in-memory copies of ``syn``'s large arrays
    (see :func:`stpexplorer.engine.brian2_internals.forget_cached_arrays`)."""
    from ..engine.brian2_internals import forget_cached_arrays

    forget_cached_arrays(syn.name, keep_synapse_indices)


def build(params: Params, real: Realisation, stp_storage: str = "presynaptic",
          padded: Realisation | None = None) -> Built:
    """Create the Brian2 network for the active device (runtime or standalone).

    Objects get explicit names so rebuilding the same structure reuses code.
    ``stp_storage`` chooses where the STP state lives (see
    :data:`stpexplorer.model.PRESYNAPTIC_STP_EQS`); both give the same numbers.  ``padded``
    (``real`` padded to a capacity, :func:`padded`) builds the network with
    inert padding synapses, so that a compiled network can run the
    connectivity of other seeds: the recorded neurons and synapse are then
    only placeholders, replaced at run time.
    """
    import brian2 as b2

    if stp_storage not in eq.STP_STORAGES:
        raise ValueError(f"stp_storage={stp_storage!r}; allowed: {eq.STP_STORAGES}")
    presynaptic = params.stp and stp_storage == "presynaptic"
    b2.defaultclock.dt = params.dt * b2.ms
    n = params.N_e + params.N_i
    noise_ta = b2.TimedArray(real.noise, dt=eq.NOISE_DT_MS * b2.ms, name="noise_ta")
    eqs = eq.NEURON_EQS + (eq.CONDUCTANCE_EQS if params.synapse_model == "conductance" else eq.CURRENT_EQS)
    events = {}
    if presynaptic:
        eqs += eq.PRESYNAPTIC_STP_EQS
        # same condition as the spike, but its code runs before synaptic propagation
        events["release"] = eq.THRESHOLD
    namespace = {"noise_ta": noise_ta, "v_peak": eq.V_PEAK_MV * b2.mV,
                 "v_runaway": eq.V_RUNAWAY_MV * b2.mV}
    neurons = b2.NeuronGroup(
        n, eqs, threshold=eq.THRESHOLD, reset=eq.RESET, method="euler",
        events=events, namespace=namespace, name=eq.NEURON_NAME)
    draw_ms = eq.noise_draw_ms(params.dt)
    neurons.run_regularly(eq.NOISE_DRAW, dt=None if draw_ms is None else draw_ms * b2.ms, when="start",
                          name="noise_draw")
    # Runaway detection without a per-step check of every neuron: an upward
    # runaway crosses the spike threshold, so the reset sees it; a downward
    # runaway or NaN never resets and stays non-finite, so a check every 1 ms
    # finds it (a NaN fails every comparison, so "|v| < limit" is false).  Written
    # as int(...) == 0: Brian2's simplifier turns "not (|v| < limit)" into
    # "|v| >= limit", which is false for NaN as well and let NaN through.
    neurons.t_diverged = eq.DIVERGENCE_NEVER_S * b2.second
    neurons.run_regularly(eq.MARK_DIVERGED.format(condition="int(abs(v) < v_runaway) == 0"),
                          dt=eq.DIVERGENCE_CHECK_MS * b2.ms, when="end", name="divergence_check")
    if presynaptic:
        neurons.run_on_event("release", eq.PRESYNAPTIC_STP_ON_SPIKE, when="before_synapses")
        neurons.x_S_to_e = 1
        neurons.x_S_to_i = 1
    rec_key, rec_index = find_recorded_synapse(params, real)
    connected = padded if padded is not None else real

    synapses = {}
    for key, proj in (("e", connected.exc), ("i", connected.inh)):
        if len(proj) == 0:
            continue
        start, stop = (0, params.N_e) if key == "e" else (params.N_e, n)
        syn_eqs, on_pre = eq.synapse_model(params, key, stp_storage, padded=padded is not None)
        # a scalar delay avoids a per-synapse delay array (memory, load and write time)
        # float32 spread draws halve the largest per-synapse array
        syn = b2.Synapses(neurons[start:stop], neurons, syn_eqs, on_pre=on_pre, delay=0 * b2.ms,
                          dtype={"zeta": np.float32}, namespace={"n_exc": params.N_e},
                          name=eq.SYNAPSE_NAMES[key])
        connect_in_chunks(syn, proj.pre, proj.post, offset=start)
        syn.zeta = proj.zeta
        _forget_cached_arrays(syn)
        if params.stp and not presynaptic:
            syn.x_S = 1  # full resources, no facilitation (u_S = 0) at t = 0
        synapses[key] = syn

    recorded = recorded_neurons(params)
    variables = ["v", "ge", "gi"] if params.synapse_model == "conductance" else ["v"]
    trace = b2.StateMonitor(neurons, variables, record=recorded, name="trace")
    spikes = b2.SpikeMonitor(neurons, name="spikes")
    syn_trace = None
    stp_recorded = {}
    objects = [neurons, *synapses.values(), trace, spikes]
    if params.stp:
        rec_proj = real.projection(rec_key)
        if presynaptic:  # the recorded synapse's neuron, both sets (the target's is chosen when read)
            source, index = neurons, int(rec_proj.pre[rec_index])
            stp_recorded = {**{var: f"{var}_to_e" for var in STP_STATE},
                            **{f"{var}_onto_i": f"{var}_to_i" for var in STP_STATE}}
        else:
            source, index = synapses[rec_key], rec_index
        # recorded twice: Brian2 bakes a single index into the code, two come from a
        # static array, which a compiled network replaces at run time (row 0 is read)
        syn_trace = b2.StateMonitor(source, list(stp_recorded.values()) or list(STP_STATE),
                                    record=[index] * SYN_TRACE_ROWS, when="after_synapses", name="syn_trace")
        objects.append(syn_trace)
    net = b2.Network(*objects, name="network")
    built = Built(net, neurons, synapses, spikes, trace, syn_trace, recorded, rec_key, rec_index,
                  stp_recorded)
    for obj_name, var, value in run_values(params, connected, stp_storage):
        obj = built.obj(obj_name)
        setattr(obj, var, b2.Quantity(value, dim=obj.variables[var].dim))
    return built
