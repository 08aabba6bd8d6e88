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

All randomness (heterogeneity, connectivity, per-synapse weight spread, noise)
is drawn with numpy from the seed in :func:`draw_realisation`, so the same
seed gives the same network on every code-generation target.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .params import PATHWAYS, Params

#: Spike cut-off of the Izhikevich model (mV).
V_PEAK_MV = 30.0
#: |v| beyond this (mV) counts as a runaway: the integration has diverged.
V_RUNAWAY_MV = 1000.0
#: Runaway is checked every DIVERGENCE_CHECK_MS; "never" is stored as a large time.
DIVERGENCE_CHECK_MS = 1.0
DIVERGENCE_NEVER_S = 1e9
#: The thalamic noise is redrawn every NOISE_DT_MS (Izhikevich 2003, 1 ms).
NOISE_DT_MS = 1.0
#: Neurons recorded besides the chosen one, so another can be inspected without a re-run.
EXTRA_RECORDED_E = 5
EXTRA_RECORDED_I = 3

NEURON_NAME = "neurons"
SYNAPSE_NAMES = {"e": "syn_exc", "i": "syn_inh"}


# ----------------------------------------------------------------------
# Random realisation (numpy only)
# ----------------------------------------------------------------------
@dataclass(frozen=True)
class Pathway:
    """Connections of one presynaptic population: network indices, sorted by pre."""

    pre: np.ndarray  # int32, network index of the presynaptic neuron
    post: np.ndarray  # int32, network index of the postsynaptic neuron
    xi: np.ndarray  # float32 in [0, 1): per-synapse weight spread draw

    def __len__(self):
        return len(self.pre)


@dataclass(frozen=True)
class Realisation:
    """Everything random about one network, drawn from a seed."""

    re: np.ndarray  # excitatory heterogeneity draws, U[0,1)
    ri: np.ndarray  # inhibitory heterogeneity draws, U[0,1)
    exc: Pathway  # views into conn_pre, conn_post
    inh: Pathway
    conn_pre: np.ndarray  # all synapses, excitatory first; shared by every result
    conn_post: np.ndarray
    noise: np.ndarray | None  # (noise steps, N) standard normal; None once compiled in


#: geometric gaps drawn per step: bounds the temporary memory of large networks
GAP_CHUNK = 1 << 20


def bernoulli_pairs(rng: np.random.Generator, n_pre: int, n_post: int, p: float,
                    offset: int = 0):
    """All (pre, post) pairs kept independently with probability ``p``, minus
    autapses; pre numbered from ``offset``, post from 0.

    Draws geometric gaps between kept pairs instead of ``n_pre·n_post`` coin
    flips, so 10 000 neurons at 10 % take ~0.1 s, in chunks of
    :data:`GAP_CHUNK` so that only int32 pairs are ever held whole.  Result is
    sorted by pre.
    """
    total = n_pre * n_post
    pre_parts, post_parts = [], []

    def keep(flat: np.ndarray) -> None:
        pre = (flat // n_post + offset).astype(np.int32)
        post = (flat % n_post).astype(np.int32)
        no_autapse = pre != post
        pre_parts.append(pre[no_autapse])
        post_parts.append(post[no_autapse])

    if p >= 1:
        for start in range(0, total, GAP_CHUNK):
            keep(np.arange(start, min(start + GAP_CHUNK, total), dtype=np.int64))
    elif p > 0 and total > 0:
        last = -1
        expected = total * p
        while last < total:
            remaining = int(expected + 6 * math.sqrt(expected) + 64)
            while remaining > 0:  # same stream as one draw of the whole block
                size = min(remaining, GAP_CHUNK)
                remaining -= size
                positions = last + np.cumsum(rng.geometric(p, size=size))
                last = int(positions[-1])
                keep(positions[positions < total])
    if not pre_parts:
        return np.empty(0, np.int32), np.empty(0, np.int32)
    return np.concatenate(pre_parts), np.concatenate(post_parts)


def noise_steps(params: Params) -> int:
    return int(math.ceil(params.duration / NOISE_DT_MS)) + 1


def draw_realisation(params: Params, seed: int, noise: bool = True) -> Realisation:
    """Draw heterogeneity, connectivity and noise for ``params`` from ``seed``.

    The noise is drawn last, so ``noise=False`` (a compiled network has it
    built in) gives the same heterogeneity and connectivity without the
    neurons × ms array.
    """
    rng = np.random.default_rng(seed)
    ne, ni = params.N_e, params.N_i
    n = ne + ni
    re = rng.random(ne)
    ri = rng.random(ni)
    exc_pre, exc_post = bernoulli_pairs(rng, ne, n, params.p_e)
    split = len(exc_pre)
    exc_xi = rng.random(split, dtype=np.float32)
    inh_pre, inh_post = bernoulli_pairs(rng, ni, n, params.p_i, offset=ne)
    xi = np.concatenate([exc_xi, rng.random(len(inh_pre), dtype=np.float32)])
    del exc_xi
    conn_pre = np.concatenate([exc_pre, inh_pre])
    del exc_pre, inh_pre
    conn_post = np.concatenate([exc_post, inh_post])
    del exc_post, inh_post
    noise = rng.standard_normal((noise_steps(params), n)) if noise else None
    for array in (conn_pre, conn_post, xi):
        array.flags.writeable = False
    exc = Pathway(conn_pre[:split], conn_post[:split], xi[:split])
    inh = Pathway(conn_pre[split:], conn_post[split:], xi[split:])
    return Realisation(re, ri, exc, inh, conn_pre, conn_post, noise)


def recorded_neurons(params: Params) -> np.ndarray:
    """The chosen neuron plus a few spread over both populations, sorted.

    Always the same number of neurons for one network size (the chosen one
    replaces nothing: a spread neuron it coincides with gives its place to the
    next free index), so a compiled network records any choice of neuron
    with the same monitor (the indices are run-time data)."""
    ne, ni = params.N_e, params.N_i
    n = ne + ni
    extra_e = np.linspace(0, ne - 1, min(ne, EXTRA_RECORDED_E)).round().astype(int)
    extra_i = ne + np.linspace(0, ni - 1, min(ni, EXTRA_RECORDED_I)).round().astype(int)
    spread = np.unique(np.concatenate([extra_e, extra_i]))
    count = min(n, len(spread) + 1)
    chosen = {int(params.rec_neuron)}
    for index in spread:
        if len(chosen) == count:
            break
        candidate = int(index)
        while candidate in chosen:
            candidate = (candidate + 1) % n
        chosen.add(candidate)
    return np.array(sorted(chosen), dtype=np.int64)


# ----------------------------------------------------------------------
# Connectivity as run-time data: a compiled network of fixed capacity
# ----------------------------------------------------------------------
#: ``zeta`` of a padding synapse: no real synapse has zeta >= 1 (draws are in [0, 1)),
#: and a padded network multiplies each release by ``int(zeta < 1)`` (see :func:`synapse_model`)
PAD_ZETA = 2.0
#: Padding beyond the expected synapse count, in standard deviations of the count
CAPACITY_SIGMAS = 6.0


def pathway_capacity(n_pre: int, n_post: int, p: float) -> int:
    """How many synapses a compiled pathway holds: the expected count of
    :func:`bernoulli_pairs` plus :data:`CAPACITY_SIGMAS` standard deviations
    (and 64), so that a new seed almost never needs another build; at most
    every pair."""
    pairs = n_pre * n_post
    expected = pairs * p
    return int(min(pairs, math.ceil(expected + CAPACITY_SIGMAS * math.sqrt(expected * (1 - p)) + 64)))


def capacities(params: Params) -> dict[str, int]:
    """Synapse capacity of the excitatory and the inhibitory pathway."""
    n = params.N_e + params.N_i
    return {"e": pathway_capacity(params.N_e, n, params.p_e), "i": pathway_capacity(params.N_i, n, params.p_i)}


def fits(real: Realisation, capacity: dict[str, int]) -> bool:
    """Whether both pathways of ``real`` fit in a build of ``capacity``."""
    return len(real.exc) <= capacity["e"] and len(real.inh) <= capacity["i"]


def _pad_pathway(path: Pathway, capacity: int, first: int, count: int) -> Pathway:
    """``path`` followed by inert synapses up to ``capacity``: zeta = :data:`PAD_ZETA`,
    spread over the ``count`` presynaptic neurons from ``first`` (each onto itself)."""
    extra = capacity - len(path)
    if extra < 0:
        raise ValueError(f"{len(path)} synapses do not fit in a capacity of {capacity}")
    if count == 0:
        return path
    pad = (first + np.arange(extra) % count).astype(np.int32)
    return Pathway(np.concatenate([path.pre, pad]), np.concatenate([path.post, pad]),
                   np.concatenate([path.xi, np.full(extra, PAD_ZETA, dtype=np.float32)]))


def padded(params: Params, real: Realisation, capacity: dict[str, int]) -> Realisation:
    """``real`` with each pathway padded to ``capacity`` by inert synapses (see
    :func:`synapse_model`): what a compiled network of that capacity runs."""
    exc = _pad_pathway(real.exc, capacity["e"], 0, params.N_e)
    inh = _pad_pathway(real.inh, capacity["i"], params.N_e, params.N_i)
    return Realisation(real.re, real.ri, exc, inh, np.concatenate([exc.pre, inh.pre]),
                       np.concatenate([exc.post, inh.post]), real.noise)


def _pathway(real: Realisation, key: str) -> Pathway:
    return real.exc if key == "e" else real.inh


def find_recorded_synapse(params: Params, real: Realisation) -> tuple[str, int]:
    """(pathway key, synapse index in that pathway) for ``rec_pre``/``rec_post``.

    Raises ``ValueError`` if the neuron has no outgoing synapse or the chosen
    pair is not connected, instead of recording nothing.
    """
    key = "e" if params.rec_pre < params.N_e else "i"
    path = _pathway(real, key)
    candidates = np.flatnonzero(path.pre == params.rec_pre)
    if len(candidates) == 0:
        raise ValueError(f"rec_pre={params.rec_pre}: this neuron has no outgoing synapse "
                         f"in this network (seed-dependent); choose another presynaptic neuron")
    if params.rec_post < 0:
        return key, int(candidates[0])
    match = candidates[path.post[candidates] == params.rec_post]
    if len(match) == 0:
        targets = path.post[candidates][:10].tolist()
        raise ValueError(f"rec_post={params.rec_post}: there is no synapse {params.rec_pre} -> "
                         f"{params.rec_post} in this network; targets of {params.rec_pre} "
                         f"include {targets}")
    return key, int(match[0])


# ----------------------------------------------------------------------
# Values that may change between runs of one build
# ----------------------------------------------------------------------
def build_capacity(params: Params, real: Realisation) -> dict[str, int]:
    """The synapse capacity of the compiled network that runs ``real``:
    :func:`capacities` of the structure, or, for the rare seed whose synapses
    exceed it, that seed's own counts (a build of its own)."""
    standard = capacities(params)
    return standard if fits(real, standard) else {"e": len(real.exc), "i": len(real.inh)}


def run_time_arrays(params: Params, real: Realisation, capacity: dict[str, int],
                    stp_storage: str = "presynaptic") -> dict[str, np.ndarray]:
    """What a compiled network of ``capacity`` reads as run-time data for
    ``real`` (drawn with its noise) and the recording of ``params``: the
    padded connectivity and spread draws of each pathway (sources counted
    within the presynaptic population), the recorded neurons, the recorded
    synapse's index in its monitor, and the noise (time steps × neurons)."""
    full = padded(params, real, capacity)
    arrays = {}
    for key, path, first in (("e", full.exc, 0), ("i", full.inh, params.N_e)):
        arrays[f"{key}_sources"] = path.pre - first
        arrays[f"{key}_targets"] = path.post
        arrays[f"{key}_zeta"] = path.xi
    arrays["recorded"] = recorded_neurons(params)
    if params.stp:
        rec_key, rec_index = find_recorded_synapse(params, real)
        presynaptic = stp_storage == "presynaptic"
        index = _pathway(real, rec_key).pre[rec_index] if presynaptic else rec_index
        arrays["syn_recorded"] = np.full(SYN_TRACE_ROWS, index)
    arrays["noise"] = real.noise
    return arrays


def neuron_values(params: Params, real: Realisation) -> dict[str, np.ndarray]:
    """Per-neuron Izhikevich parameters and inputs, plain floats in model units.

    Heterogeneity follows Izhikevich (2003): c = c_e + 15 re², d = 8 − 6 re² for
    excitatory and a = 0.02 + 0.08 ri, b = 0.25 − 0.05 ri for inhibitory cells
    (base and spread are parameters).
    """
    re2 = real.re ** 2
    ri = real.ri
    ne, ni = params.N_e, params.N_i
    a = np.concatenate([np.full(ne, params.a_e), params.a_i + params.a_i_spread * ri])
    b = np.concatenate([np.full(ne, params.b_e), params.b_i + params.b_i_spread * ri])
    c = np.concatenate([params.c_e + params.c_e_spread * re2, np.full(ni, params.c_i)])
    d = np.concatenate([params.d_e + params.d_e_spread * re2, np.full(ni, params.d_i)])
    sigma = np.concatenate([np.full(ne, params.noise_e), np.full(ni, params.noise_i)])
    drive = np.concatenate([np.full(ne, params.I_e), np.full(ni, params.I_i)])
    v0 = np.full(ne + ni, -65.0)
    return {"a": a, "b": b, "c": c, "d": d, "sigma": sigma, "I_const": drive,
            "v": v0, "u": b * v0}


#: SI value of one unit of each model quantity (mV, ms, nS, ...): run
#: arguments of a compiled network are plain numbers in SI base units.
SI = {"1": 1.0, "mV": 1e-3, "ms": 1e-3, "1/ms": 1e3, "1/s": 1.0, "mV/ms": 1.0,
      "nS": 1e-9, "pF": 1e-12}
#: Unit of each per-neuron value of :func:`neuron_values`.
NEURON_VALUE_UNITS = {"a": "1/ms", "b": "1/ms", "c": "mV", "d": "mV/ms", "sigma": "mV/ms",
                      "I_const": "mV/ms", "v": "mV", "u": "mV/ms"}


def run_values(params: Params, real: Realisation,
               stp_storage: str = "presynaptic") -> list[tuple[str, str, object]]:
    """(object name, variable, value in SI base units) for every run-time value.

    The same list initialises the network (reference path, where
    :func:`build` gives each value the dimension of its Brian2 variable) and
    becomes the ``run_args`` of a compiled standalone build (fast path), so
    both paths see identical numbers.
    """
    values = [(NEURON_NAME, name, np.asarray(arr) * SI[NEURON_VALUE_UNITS[name]])
              for name, arr in neuron_values(params, real).items()]
    if params.synapse_model == "conductance":
        values += [(NEURON_NAME, "tau_e", params.tau_e * SI["ms"]),
                   (NEURON_NAME, "tau_i", params.tau_i * SI["ms"]),
                   (NEURON_NAME, "E_e", params.E_e * SI["mV"]),
                   (NEURON_NAME, "E_i", params.E_i * SI["mV"]),
                   (NEURON_NAME, "C_m", params.C_m * SI["pF"])]
        weights = {"e": params.w_e * SI["nS"], "i": params.w_i * SI["nS"]}
    else:
        weights = {"e": params.J_e * SI["mV"], "i": params.J_i * SI["mV"]}
    # (U_0, Omega_f, Omega_d) of each pathway in SI units (rates are already 1/s)
    stp_values = {pw: params.pathway_values(pw) for pw in PATHWAYS}
    for key, name in SYNAPSE_NAMES.items():
        path = _pathway(real, key)
        if len(path) == 0:
            continue  # an empty pathway has no Synapses object
        values += [(name, "w", weights[key]), (name, "jitter", params.weight_jitter)]
        if params.stp and stp_storage == "synaptic":  # one value per synapse, by its pathway
            onto_e = path.post < params.N_e
            for k, var in enumerate(STP_VARIABLES):
                values.append((name, var, np.where(onto_e, stp_values[key + "e"][k],
                                                   stp_values[key + "i"][k])))
    if params.stp and stp_storage == "presynaptic":  # one value per neuron and target population
        exc = np.arange(params.N_e + params.N_i) < params.N_e
        for target in "ei":
            for k, var in enumerate(STP_VARIABLES):
                values.append((NEURON_NAME, f"{var}_to_{target}",
                               np.where(exc, stp_values["e" + target][k], stp_values["i" + target][k])))
    return values


# ----------------------------------------------------------------------
# Brian2 objects
# ----------------------------------------------------------------------
NEURON_EQS = """
dv/dt = (0.04/mV*v**2 + 5*v + 140*mV)/ms - u + I_in : volt
du/dt = a*(b*v - u) : volt/second
I_in = I_const + sigma*noise_ta(t, i) + I_syn : volt/second
a : 1/second (constant)
b : 1/second (constant)
c : volt (constant)
d : volt/second (constant)
sigma : volt/second (constant)
I_const : volt/second (constant)
t_diverged : second
"""

CONDUCTANCE_EQS = """
I_syn = (ge*(E_e - v) + gi*(E_i - v))/C_m : volt/second
dge/dt = -ge/tau_e : siemens
dgi/dt = -gi/tau_i : siemens
tau_e : second (shared, constant)
tau_i : second (shared, constant)
E_e : volt (shared, constant)
E_i : volt (shared, constant)
C_m : farad (shared, constant)
"""

CURRENT_EQS = """
I_syn = 0*volt/second : volt/second
"""

MARK_DIVERGED = "t_diverged = t_diverged + (t - t_diverged)*int(t < t_diverged and {condition})"

RESET = MARK_DIVERGED.format(condition="v > v_runaway") + """
v = c
u += d
"""

#: The run-time STP values of a synapse (per synapse: the values of its pathway).
STP_VARIABLES = ("U_0", "Omega_f", "Omega_d")

STP_EQS = """
du_S/dt = -Omega_f*u_S : 1 (event-driven)
dx_S/dt = Omega_d*(1 - x_S) : 1 (event-driven)
r_S : 1
U_0 : 1 (constant)
Omega_f : 1/second (constant)
Omega_d : 1/second (constant)
"""

STP_ON_PRE = """
u_S += U_0*(1 - u_S)
r_S = u_S*x_S
x_S -= r_S
"""

#: The same Tsodyks–Markram state kept once per presynaptic neuron and target
#: population.  Every synapse of a neuron onto the same population belongs to
#: one pathway (E→E, E→I, I→E or I→I), so it has the same U_0, Ω_f, Ω_d and
#: sees the same spikes: the per-synapse equations above give all of them the
#: same u_S, x_S.  A neuron therefore keeps two state sets, ``_to_e`` for its
#: synapses onto excitatory neurons and ``_to_i`` onto inhibitory ones, each
#: with its pathway's values (per-neuron run-time values, so every pathway
#: setting runs on one build); storing them per neuron saves four arrays per
#: synapse and two exp() per synaptic event.  The decay since the previous
#: spike is the exact solution of the event-driven equations (what Brian2
#: computes for them, too).
PRESYNAPTIC_STP_EQS = "t_S : second\n" + "".join(f"""
u_S_to_{target} : 1
x_S_to_{target} : 1
r_S_to_{target} : 1
U_0_to_{target} : 1 (constant)
Omega_f_to_{target} : 1/second (constant)
Omega_d_to_{target} : 1/second (constant)
""" for target in "ei")

PRESYNAPTIC_STP_ON_SPIKE = "".join(f"""
u_S_to_{target} = u_S_to_{target}*exp(-Omega_f_to_{target}*(t - t_S))
x_S_to_{target} = 1 - (1 - x_S_to_{target})*exp(-Omega_d_to_{target}*(t - t_S))
u_S_to_{target} += U_0_to_{target}*(1 - u_S_to_{target})
r_S_to_{target} = u_S_to_{target}*x_S_to_{target}
x_S_to_{target} -= r_S_to_{target}
""" for target in "ei") + "t_S = t\n"

#: Release of a synapse with presynaptic storage: the presynaptic neuron's
#: r_S of the target's population.  Multiplying by 1 and adding 0 is exact, so
#: this is bit for bit the r_S of that set.
PRESYNAPTIC_RELEASE = "(r_S_to_e_pre*int(j < n_exc) + r_S_to_i_pre*int(j >= n_exc))"

STP_STORAGES = ("presynaptic", "synaptic")


#: Factor of every release in a padded network: 1 for a real synapse, 0 for padding
#: (multiplying by 1 is exact, so a padded network gives the unpadded one's numbers bit for bit).
REAL_SYNAPSE = "int(zeta < 1)"


def synapse_model(params: Params, key: str, stp_storage: str = "synaptic",
                  padded: bool = False) -> tuple[str, str]:
    """Equations and on_pre code of the pathway ``key`` ('e' or 'i').

    With ``stp_storage='synaptic'`` each synapse carries u_S, x_S (Stimberg et
    al. 2019 verbatim); with 'presynaptic' it reads r_S of its source neuron.
    ``padded``: the network holds inert padding synapses (:func:`padded`),
    whose release is multiplied by 0.
    """
    weight_unit = "siemens" if params.synapse_model == "conductance" else "volt"
    eqs = f"zeta : 1 (constant)\nw : {weight_unit} (shared, constant)\njitter : 1 (shared, constant)\n"
    per_synapse = params.stp and stp_storage == "synaptic"
    release = "1" if not params.stp else ("r_S" if per_synapse else PRESYNAPTIC_RELEASE)
    if padded:
        release = f"{REAL_SYNAPSE}*{release}"
    if per_synapse:
        eqs += STP_EQS
    on_pre = STP_ON_PRE if per_synapse else ""
    if params.synapse_model == "conductance":
        target = "ge_post" if key == "e" else "gi_post"
        on_pre += f"{target} += w*(1 - jitter*zeta)*{release}\n"
    else:
        sign = "+" if key == "e" else "-"
        on_pre += f"v_post {sign}= w*(1 - jitter*zeta)*{release}\n"
    return eqs, on_pre


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
        if name == NEURON_NAME:
            return self.neurons
        monitors = {"spikes": self.spikes, "trace": self.trace, "syn_trace": self.syn_trace}
        if name in monitors:
            return monitors[name]
        return next(s for s in self.synapses.values() if s.name == name)


#: Rows of the recorded synapse's monitor (the same index each; see :func:`build`).
SYN_TRACE_ROWS = 2
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
           "t_diverged": (NEURON_NAME, "t_diverged")}
#: The connectivity Brian2 built (checked by tests against the drawn one).
CONNECTIVITY_OUTPUTS = {f"{key}_{end}": (name, var)
                        for key, name in SYNAPSE_NAMES.items()
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
    from .engine.brian2_internals import array_filename

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
    from .engine.brian2_internals import forget_cached_arrays

    forget_cached_arrays(syn.name, keep_synapse_indices)


def build(params: Params, real: Realisation, stp_storage: str = "presynaptic",
          padded: Realisation | None = None) -> Built:
    """Create the Brian2 network for the active device (runtime or standalone).

    Objects get explicit names so rebuilding the same structure reuses code.
    ``stp_storage`` chooses where the STP state lives (see
    :data:`PRESYNAPTIC_STP_EQS`); both give the same numbers.  ``padded``
    (``real`` padded to a capacity, :func:`padded`) builds the network with
    inert padding synapses, so that a compiled network can run the
    connectivity of other seeds: the recorded neurons and synapse are then
    only placeholders, replaced at run time.
    """
    import brian2 as b2

    if stp_storage not in STP_STORAGES:
        raise ValueError(f"stp_storage={stp_storage!r}; allowed: {STP_STORAGES}")
    presynaptic = params.stp and stp_storage == "presynaptic"
    b2.defaultclock.dt = params.dt * b2.ms
    n = params.N_e + params.N_i
    noise_ta = b2.TimedArray(real.noise, dt=NOISE_DT_MS * b2.ms, name="noise_ta")
    eqs = NEURON_EQS + (CONDUCTANCE_EQS if params.synapse_model == "conductance" else CURRENT_EQS)
    events = {}
    if presynaptic:
        eqs += PRESYNAPTIC_STP_EQS
        # same condition as the spike, but its code runs before synaptic propagation
        events["release"] = "v >= v_peak"
    namespace = {"noise_ta": noise_ta, "v_peak": V_PEAK_MV * b2.mV,
                 "v_runaway": V_RUNAWAY_MV * b2.mV}
    neurons = b2.NeuronGroup(
        n, eqs, threshold="v >= v_peak", reset=RESET, method="euler",
        events=events, namespace=namespace, name=NEURON_NAME)
    # Runaway detection without a per-step check of every neuron: an upward
    # runaway crosses the spike threshold, so the reset sees it; a downward
    # runaway or NaN never resets and stays non-finite, so a check every 1 ms
    # finds it (a NaN fails every comparison, so "|v| < limit" is false).  Written
    # as int(...) == 0: Brian2's simplifier turns "not (|v| < limit)" into
    # "|v| >= limit", which is false for NaN as well and let NaN through.
    neurons.t_diverged = DIVERGENCE_NEVER_S * b2.second
    neurons.run_regularly(MARK_DIVERGED.format(condition="int(abs(v) < v_runaway) == 0"),
                          dt=DIVERGENCE_CHECK_MS * b2.ms, when="end", name="divergence_check")
    if presynaptic:
        neurons.run_on_event("release", PRESYNAPTIC_STP_ON_SPIKE, when="before_synapses")
        neurons.x_S_to_e = 1
        neurons.x_S_to_i = 1
    rec_key, rec_index = find_recorded_synapse(params, real)
    connected = padded if padded is not None else real

    synapses = {}
    for key, path in (("e", connected.exc), ("i", connected.inh)):
        if len(path) == 0:
            continue
        start, stop = (0, params.N_e) if key == "e" else (params.N_e, n)
        syn_eqs, on_pre = synapse_model(params, key, stp_storage, padded=padded is not None)
        # a scalar delay avoids a per-synapse delay array (memory, load and write time)
        # float32 spread draws halve the largest per-synapse array
        syn = b2.Synapses(neurons[start:stop], neurons, syn_eqs, on_pre=on_pre, delay=0 * b2.ms,
                          dtype={"zeta": np.float32}, namespace={"n_exc": params.N_e},
                          name=SYNAPSE_NAMES[key])
        connect_in_chunks(syn, path.pre, path.post, offset=start)
        syn.zeta = path.xi
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
        rec_path = _pathway(real, rec_key)
        if presynaptic:  # the recorded synapse's neuron, both sets (the target's is chosen when read)
            source, index = neurons, int(rec_path.pre[rec_index])
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
