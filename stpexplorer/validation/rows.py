"""One row of the conformance report and the context every check receives."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

#: Row outcomes; only FAIL and ERROR make ``stpexplorer validate`` exit non-zero.
PASS, FAIL, ERROR, NOT_INSTALLED = "pass", "fail", "error", "not installed"


@dataclass
class Row:
    """What is compared, against what, the worst difference, the tolerance, the outcome, a figure."""

    check: str  # short key of the check, e.g. "stp-nest"
    compared: str  # what of this package is compared
    against: str  # the reference it is compared with
    worst: float | None  # the worst difference found (None: not run)
    tolerance: float | None
    unit: str  # unit of worst and tolerance
    status: str  # PASS, FAIL, ERROR or NOT_INSTALLED
    figure: str | None = None  # PNG file name in the report directory
    details: str = ""  # one or two sentences: what was run, what was found
    data: dict = field(default_factory=dict)  # per-case numbers for the JSON summary

    @property
    def failed(self) -> bool:
        return self.status in (FAIL, ERROR)

    def to_dict(self) -> dict:
        out = asdict(self)
        for key in ("worst", "tolerance"):
            if isinstance(out[key], float) and not math.isfinite(out[key]):
                out[key] = str(out[key])
        return out


def judged(worst: float, tolerance: float) -> str:
    """PASS when ``worst`` is a number within ``tolerance`` (NaN fails)."""
    return PASS if math.isfinite(worst) and worst <= tolerance else FAIL


@dataclass
class Context:
    """What every check gets: the report directory, the mode, NEST (or None)."""

    out: Path
    quick: bool
    nest: object | None
    engine: object | None = None  # the stpexplorer engine of network runs (None: chosen by mode)

    def figure_path(self, name: str) -> Path:
        return self.out / name
