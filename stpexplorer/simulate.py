"""The old home of ``simulate()`` and the engines, now :mod:`stpexplorer.engine`
(kept for one release: ``from stpexplorer.simulate import simulate`` works)."""

from .engine import *  # noqa: F401,F403
from .engine import __all__  # noqa: F401
