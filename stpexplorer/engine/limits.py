"""Work and time limits of one run, from the environment or the defaults,
and the seed's range: checked before any work starts."""

from __future__ import annotations

import math
import os

import numpy as np

from .. import model
from ..errors import BudgetError
from ..params import SEED_LIMIT, Params

#: Wall-clock limit of one simulation in seconds (STPEXPLORER_MAX_SECONDS overrides).
MAX_SECONDS = 120.0


def time_limit_s() -> float:
    return env_limit("STPEXPLORER_MAX_SECONDS", MAX_SECONDS)


def time_limit_message(limit: float) -> str:
    return (f"the simulation was stopped at the wall-clock limit of {limit:g} s; shorten duration, "
            f"shrink the network, or raise STPEXPLORER_MAX_SECONDS")


#: Largest neurons × time steps accepted (STPEXPLORER_MAX_NEURON_STEPS overrides).
MAX_NEURON_STEPS = 2e8


#: Largest expected number of synapses (STPEXPLORER_MAX_SYNAPSES overrides).
MAX_SYNAPSES = 2e7


def env_limit(name: str, default: float) -> float:
    """A positive limit from the environment variable ``name`` (unset or empty: ``default``)."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not (math.isfinite(number) and number > 0):
        raise ValueError(f"{name}={value!r} is invalid; allowed: a positive number "
                         f"(unset for the default {default:g})")
    return number


def check_budget(params: Params) -> None:
    """Refuse oversized requests before any work starts."""
    n = params.N_e + params.N_i
    steps = params.duration / params.dt
    neuron_steps = n * steps
    limit = env_limit("STPEXPLORER_MAX_NEURON_STEPS", MAX_NEURON_STEPS)
    if neuron_steps > limit:
        raise BudgetError(f"N_e+N_i={n} neurons x {steps:.0f} steps = {neuron_steps:.3g} exceeds the "
                          f"work limit {limit:.3g}; shorten duration, raise dt, shrink the network, "
                          f"or raise STPEXPLORER_MAX_NEURON_STEPS")
    synapses = params.N_e * n * params.p_e + params.N_i * n * params.p_i
    limit = env_limit("STPEXPLORER_MAX_SYNAPSES", MAX_SYNAPSES)
    if synapses > limit:
        raise BudgetError(f"about {synapses:.3g} synapses (N_e={params.N_e}, N_i={params.N_i}, "
                          f"p_e={params.p_e}, p_i={params.p_i}) exceed the limit {limit:.3g}; "
                          f"lower the connection probabilities or raise STPEXPLORER_MAX_SYNAPSES")
    noise_values = model.noise_steps(params) * n
    if noise_values > limit * 5:
        raise BudgetError(f"the noise input needs {noise_values:.3g} values (neurons x ms), over the "
                          f"limit {limit * 5:.3g}; shorten duration or shrink the network, or raise "
                          f"STPEXPLORER_MAX_SYNAPSES")


def check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < SEED_LIMIT:
        raise ValueError(f"seed={seed!r} is invalid; allowed: an integer in [0, {SEED_LIMIT})")
    return int(seed)
