"""Moved to :mod:`stpexplorer.dashboard.network_tab` (and, for the panels'
plumbing, :mod:`~stpexplorer.dashboard.figures`,
:mod:`~stpexplorer.dashboard.threads`, :mod:`~stpexplorer.dashboard.controls`).
These names stay importable from here for one release."""

from .dashboard.controls import FRONT_FIELDS, make_control
from .dashboard.figures import new_panel, pin_axis_labels, render
from .dashboard.keep import MAX_UPLOAD_BYTES
from .dashboard.network_panels import PANEL_HEIGHTS, PANELS, TIME_PANELS
from .dashboard.network_tab import BUSY_TEXT, Explorer, median_timings
from .dashboard.threads import on_kernel_thread

__all__ = ["Explorer", "BUSY_TEXT", "FRONT_FIELDS", "MAX_UPLOAD_BYTES", "PANELS", "TIME_PANELS",
           "PANEL_HEIGHTS", "make_control", "new_panel", "pin_axis_labels", "render", "on_kernel_thread",
           "median_timings"]
