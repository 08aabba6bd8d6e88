"""Moved to :mod:`stpexplorer.dashboard.serve`; importable from here for one release."""

from .dashboard.serve import (
    DEFAULT_KERNEL_TIMEOUT_S,
    STOP_GRACE_S,
    TEMPLATE,
    WS_PING_INTERVAL_MS,
    cull_interval,
    descendants,
    jupyter_data_dir,
    notebook_path,
    serve,
    stop_server,
    voila_command,
    voila_environment,
)

__all__ = ["DEFAULT_KERNEL_TIMEOUT_S", "STOP_GRACE_S", "TEMPLATE", "WS_PING_INTERVAL_MS", "cull_interval",
           "descendants", "jupyter_data_dir", "notebook_path", "serve", "stop_server", "voila_command",
           "voila_environment"]
