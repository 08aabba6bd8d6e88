"""The model as a standalone Brian2 script: ``brian2_script(params, seed) -> str``.

The script uses only Brian2, numpy and matplotlib (no import of this package)
and reads like Brian2's examples: parameters with units and a comment each,
the equations (the model's own strings, :mod:`stpexplorer.model.equations`,
with the Stimberg et al. 2019 STP kept per synapse), the connectivity,
heterogeneity and noise drawn from the seed by the model's own
:func:`~stpexplorer.model.bernoulli_pairs` in the order of
:func:`stpexplorer.model.draw_realisation`, monitors on the recorded synapse,
the run, and three panels.  ``python script.py`` runs it on Brian2's numpy
target and gives the same spikes as :func:`stpexplorer.simulate` for the same
parameters and seed (``--save-spikes FILE`` writes them to an ``.npz``;
``--no-plot`` skips the figure).  The lines that switch to ``cpp_standalone``
are there, commented.

Every number is written so that the script computes it with the same
floating-point operations as the library (values in the paper's units are
multiplied by their unit, e.g. ``a*(1/ms)``), which is what makes the spikes
identical, not merely similar.  Each section of the script comes from one
builder of :mod:`.sections`.
"""

from __future__ import annotations

from ..params import Params
from . import sections

__all__ = ["brian2_script"]


def brian2_script(params: Params, seed: int = 0, preset: str | None = None) -> str:
    """A runnable Brian2 script of the network of ``params`` and ``seed``.

    ``preset`` only names the starting preset in the script's header.  Raises
    ``ValueError`` for an invalid seed or a recorded synapse that does not
    exist (as :func:`stpexplorer.simulate` would).
    """
    from ..engine import check_request

    seed = check_request(params, seed)
    script = sections.Script.of(params, seed, preset)
    parts = (sections.header, sections.parameters, sections.realisation, sections.neurons,
             sections.synapses, sections.monitors, sections.run, sections.plots)
    return "\n".join(line for part in parts for line in part(script)) + "\n"
