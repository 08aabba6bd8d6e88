"""Named parameter sets: ``PRESETS[name] -> Params`` and a one-line description each."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from .params import Params

DEFAULT = Params()

#: The network of the Brian forum question this project answers: 40 + 10
#: neurons with the Stimberg et al. (2019) synapse values, units made right.
FORUM = Params(N_e=40, N_i=10, p_e=0.8, p_i=0.4, U_0=0.6, Omega_f=3.33, Omega_d=2.0,
               w_e=0.05, w_i=1.0, tau_e=5.0, tau_i=10.0, E_e=0.0, E_i=-80.0)

#: Izhikevich (2003): 800 + 200 neurons all-to-all, instantaneous current
#: pulses with weights 0.5·rand (exc) and −rand (inh), no plasticity.
IZHIKEVICH_2003 = Params(p_e=1.0, p_i=1.0, synapse_model="current", stp=False,
                         J_e=0.5, J_i=1.0, weight_jitter=1.0)

#: High release probability, fast loss of facilitation, slow recovery.
DEPRESSING = DEFAULT.replace(U_0=0.5, Omega_f=50.0, Omega_d=2.0, w_e=0.15)

#: Low release probability, slow loss of facilitation, fast recovery.
FACILITATING = DEFAULT.replace(U_0=0.05, Omega_f=1.0, Omega_d=50.0, w_e=0.08, w_i=0.5)


def _per_pathway(values: dict) -> dict:
    """Params changes from ``{pathway: (U, tau_rec_s, tau_facil_s or None)}``, with
    Ω_d = 1/τ_rec and Ω_f = 1/τ_facil (Markram, Wang & Tsodyks 1998, whose
    recursion the Stimberg et al. update reproduces exactly; a test derives it).
    No facilitation (τ_facil → 0) is Ω_f at its maximum, 1000/s: u has decayed
    to e^-10 of its value 10 ms after a spike."""
    changes = {}
    for pathway, (U, tau_rec, tau_facil) in values.items():
        changes.update({f"U_0_{pathway}": U, f"Omega_d_{pathway}": round(1.0 / tau_rec, 6),
                        f"Omega_f_{pathway}": 1000.0 if tau_facil is None else round(1.0 / tau_facil, 6)})
    return changes


#: Tsodyks, Uziel & Markram (2000), "Synchrony generation in recurrent networks
#: with frequency-dependent synapses", J Neurosci 20:RC50: E→E and I→E
#: depressing (U 0.5, τ_rec 800 ms, no facilitation), E→I and I→I facilitating
#: (U 0.04, τ_rec 100 ms, τ_facil 1000 ms); 400 E + 100 I neurons, p 0.1, as in
#: the paper.  Our choices (the paper's neurons are integrate-and-fire):
#: Izhikevich neurons with the default thalamic noise, conductance synapses
#: with w_e 0.2 nS (half the inputs of ``default``, twice the weight) and
#: w_i 1 nS, and dt 0.05 ms: in a population burst the conductance reaches
#: ~15 nS, and forward Euler with dt·g/C_m above 1 would make v ring.  With
#: seed 0 the network fires at ~13 Hz (E) and ~17 Hz (I) in population bursts
#: (CV of the 5 ms population rate ~2.4).
#: What to look for: E→E releases fall from 0.5 (to ~0.15 on average) while
#: E→I releases grow from 0.04 (to ~0.15), so inhibition builds up as
#: excitation lasts.  The
#: shared U_0, Ω_f, Ω_d are the E→E values.
TSODYKS_2000 = Params(N_e=400, N_i=100, p_e=0.1, p_i=0.1, w_e=0.2, w_i=1.0, dt=0.05,
                      U_0=0.5, Omega_f=1000.0, Omega_d=1.25,
                      **_per_pathway({"ee": (0.5, 0.8, None), "ie": (0.5, 0.8, None),
                                      "ei": (0.04, 0.1, 1.0), "ii": (0.04, 0.1, 1.0)}))

#: Maass, Natschläger & Markram (2002), "Real-time computing without stable
#: states", Neural Comput 14:2531, U / τ_rec / τ_facil: E→E 0.5 / 1.1 s /
#: 0.05 s, E→I 0.05 / 0.125 s / 1.2 s, I→E 0.25 / 0.7 s / 0.02 s, I→I 0.32 /
#: 0.144 s / 0.06 s.  Our choices: the paper's column size, 135 neurons (108 E +
#: 27 I); uniform connection probabilities p_e 0.2, p_i 0.3 instead of its
#: distance-dependent ones; Izhikevich neurons with the default noise,
#: w_e 0.3 nS, w_i 2 nS.  With seed 0: ~9 Hz in both populations.
#: What to look for: each pathway releases differently from the same spike
#: trains (mean r ≈ 0.26 E→E, 0.16 E→I, 0.13 I→E, 0.22 I→I); E→I synapses
#: start at 0.05 and facilitate.  The shared U_0, Ω_f, Ω_d are the E→E values.
MAASS_2002 = Params(N_e=108, N_i=27, p_e=0.2, p_i=0.3, w_e=0.3, w_i=2.0,
                    U_0=0.5, Omega_f=20.0, Omega_d=round(1 / 1.1, 6),
                    **_per_pathway({"ee": (0.5, 1.1, 0.05), "ei": (0.05, 0.125, 1.2),
                                    "ie": (0.25, 0.7, 0.02), "ii": (0.32, 0.144, 0.06)}))

PRESETS = MappingProxyType({
    "default": DEFAULT,
    "forum": FORUM,
    "izhikevich2003": IZHIKEVICH_2003,
    "depressing": DEPRESSING,
    "facilitating": FACILITATING,
    "tsodyks2000": TSODYKS_2000,
    "maass2002": MAASS_2002,
})

DESCRIPTIONS = MappingProxyType({
    "default": "800 exc + 200 inh, 10 % connectivity, conductance synapses with STP (U_0 0.6), 1 s",
    "forum": "40 exc + 10 inh, p 0.8/0.4, Stimberg et al. (2019) STP and weights, units made right",
    "izhikevich2003": "the paper's 1000-neuron all-to-all network with current pulses, no STP (alpha/gamma rhythm)",
    "depressing": "default network with depressing synapses: U_0 0.5, Omega_f 50/s, Omega_d 2/s",
    "facilitating": "default network with facilitating synapses: U_0 0.05, Omega_f 1/s, Omega_d 50/s",
    "tsodyks2000": "Tsodyks, Uziel & Markram 2000: E->E, I->E depressing, E->I, I->I facilitating; "
                   "400 + 100 neurons, p 0.1",
    "maass2002": "Maass, Natschlaeger & Markram 2002: U, tau_rec, tau_facil per pathway; "
                 "108 + 27 neurons, p 0.2/0.3",
})

#: The published source of a preset's values.
SOURCES = MappingProxyType({
    "forum": "Stimberg et al. (2019), Brian2 example frompapers/Stimberg_et_al_2018",
    "izhikevich2003": "Izhikevich (2003) IEEE TNN 14:1569",
    "tsodyks2000": "Tsodyks, Uziel & Markram (2000) J Neurosci 20:RC50",
    "maass2002": "Maass, Natschläger & Markram (2002) Neural Comput 14:2531",
})

#: One line on what to look for in a preset with per-pathway values.
LOOK_FOR = MappingProxyType({
    "tsodyks2000": "Population bursts; within a burst E→E releases fall from 0.5 while E→I "
                   "releases grow from 0.04, so inhibition builds up as excitation lasts.",
    "maass2002": "The same spike trains release differently per pathway (mean r ≈ 0.26 E→E, "
                 "0.16 E→I, 0.13 I→E, 0.22 I→I); E→I synapses start at 0.05 and facilitate.",
})


#: One Tsodyks–Markram synapse for the synapse lab (U_0, Omega_f and Omega_d
#: in 1 and 1/s, as the network's fields), with what to look for.
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



def get(name: str) -> Params:
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown preset {name!r}; choose one of: {', '.join(PRESETS)}") from None
