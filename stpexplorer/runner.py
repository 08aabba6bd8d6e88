"""Moved to :mod:`stpexplorer.dashboard.threads`; importable from here for one release."""

from .dashboard.threads import LatestRunner, on_kernel_thread

__all__ = ["LatestRunner", "on_kernel_thread"]
