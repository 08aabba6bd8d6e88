"""Moved to :mod:`stpexplorer.dashboard` (the tabbed shell and one module per
tab) and :mod:`stpexplorer.plotting.lab` (the lab tabs' drawing).  These
names stay importable from here for one release."""

from .dashboard import Dashboard, LazyTab
from .dashboard.fit_panel import FIT_TARGETS, MAX_SHOWN_NAME, FitToData, fit_table_html
from .dashboard.link import COPY_LINK_JS, MAX_QUERY_LENGTH, TABS, link_query, page_query, parse_query
from .dashboard.network_tab import Explorer
from .dashboard.neuron_tab import NeuronGallery
from .dashboard.sweep_tab import SweepTab
from .dashboard.synapse_tab import SynapseLab
from .dashboard.teaching import TEACHING
from .plotting.lab import draw_neuron, draw_synapse_lab

__all__ = ["Dashboard", "LazyTab", "FIT_TARGETS", "MAX_SHOWN_NAME", "FitToData", "fit_table_html",
           "COPY_LINK_JS", "MAX_QUERY_LENGTH", "TABS", "link_query", "page_query", "parse_query", "Explorer",
           "NeuronGallery", "SweepTab", "SynapseLab", "TEACHING", "draw_neuron", "draw_synapse_lab"]
