"""The shipped synthetic recordings (``stpexplorer/data/fit_*.csv``, written
by ``scripts/make_fit_examples.py``)."""

from __future__ import annotations

from pathlib import Path

#: Shipped synthetic recordings.
EXAMPLES = ("depressing", "facilitating")


def example_path(kind: str = "depressing") -> Path:
    """Path of a shipped synthetic recording: ``"depressing"`` or ``"facilitating"``."""
    if kind not in EXAMPLES:
        raise ValueError(f"unknown example {kind!r}; choose one of: {', '.join(EXAMPLES)}")
    return Path(__file__).parent.parent / "data" / f"fit_{kind}.csv"


def example_bytes(kind: str = "depressing") -> bytes:
    """The shipped example's file content (what an upload would deliver)."""
    return example_path(kind).read_bytes()
