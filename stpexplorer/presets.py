"""Named parameter sets: ``PRESETS[name] -> Params`` and a one-line description each."""

from __future__ import annotations

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

PRESETS = MappingProxyType({
    "default": DEFAULT,
    "forum": FORUM,
    "izhikevich2003": IZHIKEVICH_2003,
    "depressing": DEPRESSING,
    "facilitating": FACILITATING,
})

DESCRIPTIONS = MappingProxyType({
    "default": "800 exc + 200 inh, 10 % connectivity, conductance synapses with STP (U_0 0.6), 1 s",
    "forum": "40 exc + 10 inh, p 0.8/0.4, Stimberg et al. (2019) STP and weights, units made right",
    "izhikevich2003": "the paper's 1000-neuron all-to-all network with current pulses, no STP (alpha/gamma rhythm)",
    "depressing": "default network with depressing synapses: U_0 0.5, Omega_f 50/s, Omega_d 2/s",
    "facilitating": "default network with facilitating synapses: U_0 0.05, Omega_f 1/s, Omega_d 50/s",
})


def get(name: str) -> Params:
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown preset {name!r}; choose one of: {', '.join(PRESETS)}") from None
