"""Checks of the lab functions' arguments."""

from __future__ import annotations

import numpy as np


def check_value(name, value, lo, hi):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)) \
            or not np.isfinite(value) or not lo <= value <= hi:
        raise ValueError(f"{name}={value!r} is invalid; allowed: [{lo:g}, {hi:g}]")
    return float(value)
