"""Values that may change between runs of one build: per-neuron Izhikevich
parameters and inputs, synaptic constants and STP values, in SI base units."""

from __future__ import annotations

import numpy as np

from ..params import PATHWAYS, Params
from .equations import NEURON_NAME, STP_VARIABLES, SYNAPSE_NAMES
from .realisation import Realisation

#: SI value of one unit of each model quantity (mV, ms, nS, ...): run
#: arguments of a compiled network are plain numbers in SI base units.
SI = {"1": 1.0, "mV": 1e-3, "ms": 1e-3, "1/ms": 1e3, "1/s": 1.0, "mV/ms": 1.0,
      "nS": 1e-9, "pF": 1e-12}
#: Unit of each per-neuron value of :func:`neuron_values`.
NEURON_VALUE_UNITS = {"a": "1/ms", "b": "1/ms", "c": "mV", "d": "mV/ms", "sigma": "mV/ms",
                      "I_const": "mV/ms", "v": "mV", "u": "mV/ms"}
#: Membrane potential (mV) every neuron starts from, with u = b·v.
V_START_MV = -65.0


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
    v0 = np.full(ne + ni, V_START_MV)
    return {"a": a, "b": b, "c": c, "d": d, "sigma": sigma, "I_const": drive,
            "v": v0, "u": b * v0}


def run_values(params: Params, real: Realisation,
               stp_storage: str = "presynaptic") -> list[tuple[str, str, object]]:
    """(object name, variable, value in SI base units) for every run-time value.

    The same list initialises the network (reference path, where
    :func:`stpexplorer.model.build` gives each value the dimension of its
    Brian2 variable) and becomes the ``run_args`` of a compiled standalone
    build (fast path), so both paths see identical numbers.
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
        proj = real.projection(key)
        if len(proj) == 0:
            continue  # an empty projection has no Synapses object
        values += [(name, "w", weights[key]), (name, "jitter", params.weight_jitter)]
        if params.stp and stp_storage == "synaptic":  # one value per synapse, by its pathway
            onto_e = proj.post < params.N_e
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
