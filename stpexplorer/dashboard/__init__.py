"""The dashboard: four tabs (network, synapse lab, neuron types, sweep), each
with a few sentences of teaching text, and a shareable link of the network
setting.

>>> from stpexplorer.dashboard import Dashboard, page_query
>>> dashboard = Dashboard()       # display in a notebook or Voila
>>> dashboard.apply_query(page_query())

Modules, one per tab and one per shared concern:

* ``network_tab`` (:class:`Explorer`, with ``network_panels`` and ``keep``),
  ``synapse_tab`` (with ``fit_panel``), ``neuron_tab``, ``sweep_tab``;
* ``controls`` (widgets from the parameter definition, the error line, the
  style sheet ``style.css``), ``figures`` (ipympl panels, fast redraw),
  ``threads`` (latest-wins runner, hand-off to the kernel's thread),
  ``pathways`` (which synapses the STP sliders act on), ``link`` (query
  strings), ``teaching`` (the tabs' texts);
* ``serve`` (``stpexplorer dashboard``: Voila on ``explorer.ipynb`` with the
  page template in ``share/``).

The lab tabs are built when first shown (:class:`LazyTab`).  The names below
are imported when first used, so ``stpexplorer.dashboard.serve`` (the
launcher) does not load ipywidgets or matplotlib.
"""

from __future__ import annotations

import importlib

#: public name -> module of this package that defines it
_HOMES = {
    "Dashboard": "shell", "LazyTab": "shell",
    "page_query": "link", "parse_query": "link", "link_query": "link", "TABS": "link",
    "Explorer": "network_tab", "SynapseLab": "synapse_tab", "FitToData": "fit_panel", "FIT_TARGETS": "fit_panel",
    "NeuronGallery": "neuron_tab", "SweepTab": "sweep_tab", "TEACHING": "teaching",
}
__all__ = list(_HOMES)


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted({*globals(), *_HOMES})
