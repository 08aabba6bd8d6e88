"""stpexplorer: an Izhikevich E/I network with Tsodyks–Markram short-term plasticity.

>>> from stpexplorer import Params, simulate, presets
>>> result = simulate(presets.PRESETS["forum"], seed=0)
"""

from .engine import RuntimeEngine, StandaloneEngine, engine_note, simulate
from .errors import BudgetError, DivergenceError
from .params import Params
from .results import Result

__all__ = ["Params", "Result", "simulate", "DivergenceError", "BudgetError", "RuntimeEngine",
           "StandaloneEngine", "engine_note"]
__version__ = "0.1.0"
