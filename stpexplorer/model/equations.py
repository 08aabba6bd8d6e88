"""The model's mathematics, written once.

The Brian2 strings below are what the network (:func:`stpexplorer.model.build`),
the exported script (:mod:`stpexplorer.export`) and the synapse lab simulate;
the plain functions are the same equations for numpy and Python floats, used
by the neuron gallery (:mod:`stpexplorer.lab.neuron`), the closed forms of
:mod:`stpexplorer.stp` and the numpy reference network of
:mod:`stpexplorer.validation.euler`.  ``tests/test_one_source.py`` evaluates the
strings numerically and compares them with the functions.

Units: in the strings every term carries its unit (v in mV, u and inputs in
mV/ms, rates in 1/s); the functions take plain numbers in the paper's units
(v in mV, t in ms, u and currents in mV/ms, STP rates in 1/s, gaps in s).
"""

from __future__ import annotations

import numpy as np

from ..params import Params

#: Spike cut-off of the Izhikevich model (mV).
V_PEAK_MV = 30.0
#: ``abs(v)`` beyond this (mV) counts as a runaway: the integration has diverged.
V_RUNAWAY_MV = 1000.0
#: Runaway is checked every DIVERGENCE_CHECK_MS; "never" is stored as a large time.
DIVERGENCE_CHECK_MS = 1.0
DIVERGENCE_NEVER_S = 1e9
#: The thalamic noise is redrawn every NOISE_DT_MS (Izhikevich 2003, 1 ms).
NOISE_DT_MS = 1.0

#: Names of the Brian2 objects (explicit, so a rebuild of one structure reuses its code).
NEURON_NAME = "neurons"
SYNAPSE_NAMES = {"e": "syn_exc", "i": "syn_inh"}

# ----------------------------------------------------------------------
# Izhikevich (2003) neurons
# ----------------------------------------------------------------------
#: The Izhikevich equations with units (``I_noise`` is the thalamic noise, set by
#: :data:`NOISE_DRAW`; ``I_syn`` the synaptic input of :data:`CONDUCTANCE_EQS` or
#: :data:`CURRENT_EQS`).
IZHIKEVICH_EQS = """
dv/dt = (0.04/mV*v**2 + 5*v + 140*mV)/ms - u + I_in : volt
du/dt = a*(b*v - u) : volt/second
I_in = I_const + I_noise + I_syn : volt/second
I_noise : volt/second  # thalamic noise sigma*xi, redrawn every 1 ms
a : 1/second (constant)
b : 1/second (constant)
c : volt (constant)
d : volt/second (constant)
sigma : volt/second (constant)
I_const : volt/second (constant)
"""

#: The thalamic noise: ``noise_ta`` (a TimedArray of N(0, 1) values, one row per
#: :data:`NOISE_DT_MS`) read into the neuron variable ``I_noise`` at the start
#: of a time step (:func:`noise_draw_ms`).  Kept out of the equations, the
#: per-step update is a plain loop over arrays (the compiler vectorises it).
NOISE_DRAW = "I_noise = sigma*noise_ta(t, i)"


def noise_draw_ms(dt_ms: float) -> float | None:
    """How often :data:`NOISE_DRAW` runs: every :data:`NOISE_DT_MS` when that is
    a whole number of steps of ``dt_ms`` (its clock then meets the neurons'
    exactly at the step where ``noise_ta`` turns to its next row), else None:
    at every step, where ``noise_ta`` itself decides (a step that starts just
    before a row's time, within Brian2's rounding of TimedArray times, takes
    that row).  Either way each step sees the value it saw with ``noise_ta``
    in the equations."""
    steps = round(NOISE_DT_MS / dt_ms)
    return NOISE_DT_MS if steps >= 1 and abs(steps * dt_ms - NOISE_DT_MS) <= 1e-9 * NOISE_DT_MS else None

#: The network's neurons: the Izhikevich equations and the time of a runaway.
NEURON_EQS = IZHIKEVICH_EQS + "t_diverged : second\n"

#: A spike: ``v`` crosses the cut-off ``v_peak`` (:data:`V_PEAK_MV`).
THRESHOLD = "v >= v_peak"

#: The Izhikevich reset after a spike.
IZHIKEVICH_RESET = """
v = c
u += d
"""

CONDUCTANCE_EQS = """
I_syn = (ge*(E_e - v) + gi*(E_i - v))/C_m : volt/second  # nS * mV / pF = mV/ms
dge/dt = -ge/tau_e : siemens  # excitatory conductance
dgi/dt = -gi/tau_i : siemens  # inhibitory conductance
tau_e : second (shared, constant)
tau_i : second (shared, constant)
E_e : volt (shared, constant)
E_i : volt (shared, constant)
C_m : farad (shared, constant)
"""

CURRENT_EQS = """
I_syn = 0*volt/second : volt/second  # current pulses act on v directly
"""

MARK_DIVERGED = "t_diverged = t_diverged + (t - t_diverged)*int(t < t_diverged and {condition})"

#: The network's reset: the Izhikevich reset, and a runaway's time marked.
RESET = MARK_DIVERGED.format(condition="v > v_runaway") + IZHIKEVICH_RESET


def izhikevich_step(v, u, current, a, b, dt_ms):
    """One forward-Euler step of :data:`IZHIKEVICH_EQS` in the paper's units:
    (v, u) after ``dt_ms`` (ms) from v (mV), u (mV/ms) under ``current``
    (mV/ms); a, b in 1/ms.  Python floats or numpy arrays.

    The operations are those of Brian2's ``euler`` for the equations
    (``u + a*dt*(b*v - u)``), in the paper's units instead of SI."""
    return v + dt_ms * (0.04 * v * v + 5.0 * v + 140.0 - u + current), u + dt_ms * a * (b * v - u)


# ----------------------------------------------------------------------
# Tsodyks–Markram short-term plasticity (Stimberg et al. 2019)
# ----------------------------------------------------------------------
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


def stp_between_spikes(u, x, gap_s, Omega_f, Omega_d):
    """(u, x) after ``gap_s`` seconds without a spike: the exact solution of the
    event-driven :data:`STP_EQS` (u decays to 0, x recovers to 1; rates in 1/s)."""
    return u * np.exp(-Omega_f * gap_s), 1.0 - (1.0 - x) * np.exp(-Omega_d * gap_s)


def stp_at_spike(u, x, U_0):
    """:data:`STP_ON_PRE` at a presynaptic spike: (u after facilitation, released
    fraction r = u·x, x after release) from u, x just before the spike."""
    u = u + U_0 * (1.0 - u)
    r = u * x
    return u, r, x - r


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
""" + STP_ON_PRE.replace("_S", f"_S_to_{target}").replace("U_0", f"U_0_to_{target}").lstrip("\n")
    for target in "ei") + "t_S = t\n"

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
    """Equations and on_pre code of the synapses from population ``key`` ('e' or 'i').

    With ``stp_storage='synaptic'`` each synapse carries u_S, x_S (Stimberg et
    al. 2019 verbatim); with 'presynaptic' it reads r_S of its source neuron.
    ``padded``: the network holds inert padding synapses
    (:func:`stpexplorer.model.padded`), whose release is multiplied by 0.
    """
    weight_unit = "siemens" if params.synapse_model == "conductance" else "volt"
    eqs = f"zeta : 1 (constant)\nw : {weight_unit} (shared, constant)\njitter : 1 (shared, constant)\n"
    per_synapse = params.stp and stp_storage == "synaptic"
    factors = [REAL_SYNAPSE] if padded else []
    if params.stp:
        factors.append("r_S" if per_synapse else PRESYNAPTIC_RELEASE)
    release = "".join(f"*{factor}" for factor in factors)
    if per_synapse:
        eqs += STP_EQS
    on_pre = STP_ON_PRE if per_synapse else ""
    if params.synapse_model == "conductance":
        target = "ge_post" if key == "e" else "gi_post"
        on_pre += f"{target} += w*(1 - jitter*zeta){release}\n"
    else:
        sign = "+" if key == "e" else "-"
        on_pre += f"v_post {sign}= w*(1 - jitter*zeta){release}\n"
    return eqs, on_pre
