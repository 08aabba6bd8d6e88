"""Teaching lab: one Tsodyks–Markram synapse, and single Izhikevich neurons.

Synapse lab — a synapse driven by a regular or Poisson train at f Hz with a
recovery test spike after a chosen gap.  :func:`synapse_lab` gives the states
at every spike, the normalised amplitudes A_n/A_1 (= r_n/r_1: the
postsynaptic response is proportional to the released fraction), and the
steady state r*(f) with the transmitted rate f·r*(f) against frequency.  The
per-spike states come from the exact recursion by default; ``engine='brian2'``
runs the model's own synapse code in Brian2 instead (used by the tests to put
the simulated points on the closed-form curves).

Neuron gallery — the firing patterns of Izhikevich (2003), Fig. 2, as
``NEURON_TYPES`` (a, b, c, d and a stimulus protocol each) simulated by
:func:`simulate_neuron` with the same equation and forward-Euler step as the
network (:mod:`stpexplorer.model`).
"""

from .neuron import *  # noqa: F401,F403
from .neuron import __all__ as _neuron_names
from .synapse import *  # noqa: F401,F403
from .synapse import __all__ as _synapse_names

__all__ = [*_synapse_names, *_neuron_names]
