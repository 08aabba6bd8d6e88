"""The Brian2 model: Izhikevich (2003) E/I network with Tsodyks–Markram STP.

Neurons — Izhikevich (2003), "Simple model of spiking neurons", IEEE TNN
14:1569, with every term carrying units (v in mV, t in ms, u and inputs in
mV/ms)::

    dv/dt = (0.04/mV v² + 5 v + 140 mV)/ms − u + I_in
    du/dt = a (b v − u)
    v ≥ 30 mV:  v ← c,  u ← u + d

Input ``I_in`` (mV/ms) = constant drive + thalamic noise (σ·ξ, ξ ~ N(0,1)
redrawn every 1 ms per neuron, as in the paper) + synaptic input.

Synapses — conductance mode: ``I_syn = (ge (E_e − v) + gi (E_i − v)) / C_m``.
A conductance (nS) times a driving force (mV) is a current (pA); dividing by
the capacitance scale ``C_m`` (pF) turns it into mV/ms, the unit of the
Izhikevich equation (1 pA / 1 pF = 1 mV/ms, i.e. one Izhikevich current unit is
1 pA injected into 1 pF, equivalently 1 pA through 1 GΩ with a 1 ms time
constant).  Without this explicit scale, nS·mV would be added to mV/ms and the
equation is either rejected by Brian2 or, with units stripped, overflows.
Current mode: the paper's instantaneous pulses, ``v ← v ± J·r``.

Short-term plasticity — Tsodyks & Markram (1997) in the form of Stimberg et
al. (2019), "Modeling neuron–glia interactions with the Brian 2 simulator"
(Computational Glioscience, Springer; Brian2 example
``frompapers/Stimberg_et_al_2018``):
between spikes ``u_S`` decays to 0 at rate Ω_f and ``x_S`` recovers to 1 at
rate Ω_d; at a presynaptic spike ``u_S += U_0 (1 − u_S); r_S = u_S x_S;
x_S −= r_S`` and the postsynaptic conductance jumps by ``w r_S``.  Each
pathway (E→E, E→I, I→E, I→I) has its own U_0, Ω_f, Ω_d
(:meth:`Params.pathway_values`; the shared values unless set).

All randomness (heterogeneity, connectivity, per-synapse weight spread
``zeta``, noise) is drawn with numpy from the seed in :func:`draw_realisation`,
so the same seed gives the same network on every code-generation target.

The package's modules: :mod:`.equations` (the mathematics, once: Brian2
strings and the same steps as plain functions), :mod:`.realisation` (the
numpy draws, capacity and padding), :mod:`.values` (per-run values in SI
units), :mod:`.recording` (what a run records) and :mod:`.brian2_build` (the
Brian2 objects and the outputs table).
"""

from .brian2_build import (
    CONNECT_CHUNK,
    CONNECTIVITY_OUTPUTS,
    OUTPUTS,
    STP_STATE,
    Built,
    build,
    connect_in_chunks,
    monitor_arrays,
    output_files,
)
from .equations import (
    CONDUCTANCE_EQS,
    CURRENT_EQS,
    DIVERGENCE_CHECK_MS,
    DIVERGENCE_NEVER_S,
    IZHIKEVICH_EQS,
    IZHIKEVICH_RESET,
    MARK_DIVERGED,
    NEURON_EQS,
    NEURON_NAME,
    NOISE_DRAW,
    NOISE_DT_MS,
    PRESYNAPTIC_RELEASE,
    PRESYNAPTIC_STP_EQS,
    PRESYNAPTIC_STP_ON_SPIKE,
    REAL_SYNAPSE,
    RESET,
    STP_EQS,
    STP_ON_PRE,
    STP_STORAGES,
    STP_VARIABLES,
    SYNAPSE_NAMES,
    THRESHOLD,
    V_PEAK_MV,
    V_RUNAWAY_MV,
    izhikevich_step,
    noise_draw_ms,
    stp_at_spike,
    stp_between_spikes,
    synapse_model,
)
from .realisation import (
    CAPACITY_SIGMAS,
    GAP_CHUNK,
    PAD_ZETA,
    Pathway,  # the former name of Projection, kept importable (names are contracts)
    Projection,
    Realisation,
    bernoulli_pairs,
    build_capacity,
    capacities,
    draw_realisation,
    fits,
    noise_steps,
    padded,
    pathway_capacity,
)
from .recording import (
    EXTRA_RECORDED_E,
    EXTRA_RECORDED_I,
    SYN_TRACE_ROWS,
    find_recorded_synapse,
    recorded_neurons,
    run_time_arrays,
)
from .values import NEURON_VALUE_UNITS, SI, V_START_MV, neuron_values, run_values

__all__ = [
    "CAPACITY_SIGMAS", "CONDUCTANCE_EQS", "CONNECTIVITY_OUTPUTS", "CONNECT_CHUNK", "CURRENT_EQS",
    "DIVERGENCE_CHECK_MS", "DIVERGENCE_NEVER_S", "EXTRA_RECORDED_E", "EXTRA_RECORDED_I", "GAP_CHUNK",
    "IZHIKEVICH_EQS", "IZHIKEVICH_RESET", "MARK_DIVERGED", "NEURON_EQS", "NEURON_NAME", "NEURON_VALUE_UNITS",
    "NOISE_DRAW", "NOISE_DT_MS", "OUTPUTS", "PAD_ZETA", "PRESYNAPTIC_RELEASE", "PRESYNAPTIC_STP_EQS",
    "PRESYNAPTIC_STP_ON_SPIKE", "REAL_SYNAPSE", "RESET", "SI", "STP_EQS", "STP_ON_PRE", "STP_STATE", "STP_STORAGES",
    "STP_VARIABLES", "SYNAPSE_NAMES", "SYN_TRACE_ROWS", "THRESHOLD", "V_PEAK_MV", "V_RUNAWAY_MV", "V_START_MV",
    "Built", "Pathway", "Projection", "Realisation", "bernoulli_pairs", "build", "build_capacity", "capacities",
    "connect_in_chunks", "draw_realisation", "find_recorded_synapse", "fits", "izhikevich_step", "monitor_arrays",
    "neuron_values", "noise_draw_ms", "noise_steps", "output_files", "padded", "pathway_capacity", "recorded_neurons",
    "run_time_arrays", "run_values", "stp_at_spike", "stp_between_spikes", "synapse_model",
]
