"""The parameters' field definitions and the checks of one field's value.

Each field of :class:`stpexplorer.params.Params` is made by :func:`param`: its
default, allowed range, unit, symbol, group, slider range and a one-line doc
in ``dataclasses.field(metadata=...)``; :func:`check_field` checks a value
against them.  :mod:`stpexplorer.params` holds the dataclass and everything
generated from these definitions.
"""

from __future__ import annotations

import dataclasses
import math
import reprlib
from typing import Any

import numpy as np

#: Largest sizes of the two populations (``N_e``, ``N_i``); network indices
#: (``rec_neuron``, ``rec_pre``, ``rec_post``) go up to their sum minus one.
MAX_N_E = 20000
MAX_N_I = 5000
MAX_NEURON_INDEX = MAX_N_E + MAX_N_I - 1

SYNAPSE_MODELS = ("conductance", "current")

# Groups order the dashboard sections and the README table.
GROUP_STP = "Short-term plasticity"
GROUP_STP_PATHWAY = "Short-term plasticity per pathway"
GROUP_NEURON_E = "Excitatory neurons (Izhikevich)"
GROUP_NEURON_I = "Inhibitory neurons (Izhikevich)"
GROUP_SYNAPSES = "Synapses"
GROUP_NETWORK = "Network"
GROUP_INPUT = "Background input"
GROUP_RUN = "Simulation"
GROUP_RECORD = "Recording"


def param(default, lo, hi, unit, doc, *, symbol=None, group, step=None,
          structural=False, choices=None, slider_hi=None, shared=None, pathway=None):
    """A dataclass field with its metadata.

    ``structural`` marks fields that change the compiled network (sizes,
    connection probabilities, synapse model, STP on/off, run length); all
    others (the seed and the recording too) change between runs of the same
    build.  ``slider_hi`` caps the dashboard slider where the valid range is
    much wider than the useful one (typed values may go up to ``hi``).
    ``shared`` and ``pathway`` mark a per-pathway field (see :func:`per_pathway`).
    """
    meta = dict(lo=lo, hi=hi, unit=unit, doc=doc, symbol=symbol, group=group,
                step=step, structural=structural, choices=choices,
                slider_hi=hi if slider_hi is None else slider_hi,
                shared=shared, pathway=pathway, optional=shared is not None)
    return dataclasses.field(default=default, metadata=meta)


#: Synaptic pathways, first letter the presynaptic population: ``"ei"`` is
#: excitatory → inhibitory.
PATHWAYS = ("ee", "ei", "ie", "ii")
PATHWAY_LABELS = {"ee": "E→E", "ei": "E→I", "ie": "I→E", "ii": "I→I"}
#: The shared STP fields; each has a per-pathway field ``<name>_<pathway>``.
STP_FIELDS = ("U_0", "Omega_f", "Omega_d")


def per_pathway(shared: dataclasses.Field, name: str, pathway: str):
    """The field ``<name>_<pathway>``: the shared field's range, unit and doc,
    default ``None`` (use the shared value)."""
    m = shared.metadata
    label = PATHWAY_LABELS[pathway]
    return param(None, m["lo"], m["hi"], m["unit"],
                  f"{m['doc']}, {label} synapses only (none: the shared {name})",
                  symbol=f"{m['symbol']} {label}", group=GROUP_STP_PATHWAY, step=m["step"],
                  slider_hi=m["slider_hi"], shared=name, pathway=pathway)



def field_kind(f: dataclasses.Field) -> str:
    """'bool', 'str', 'int' or 'float' (a per-pathway ``float | None`` is 'float')."""
    kind = f.type if isinstance(f.type, str) else f.type.__name__
    return kind.replace(" | None", "")


def describe_range(f: dataclasses.Field) -> str:
    m = f.metadata
    if m["choices"]:
        return "one of " + ", ".join(repr(c) for c in m["choices"])
    if f.type in ("bool", bool):
        return "true or false"
    unit = f" {m['unit']}" if m["unit"] not in ("", "1") else ""
    if m.get("optional"):
        return f"[{m['lo']:g}, {m['hi']:g}]{unit} or none (the shared {m['shared']})"
    return f"[{m['lo']:g}, {m['hi']:g}]{unit}"


def plain_value(value: Any) -> Any:
    """numpy scalars (np.int64 from a grid, np.float32, np.bool_) as Python values."""
    return value.item() if isinstance(value, np.generic) else value


_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = 60


def short_repr(value: Any) -> str:
    try:
        return _SHORT.repr(value)
    except ValueError:  # an int of more than 4300 digits: Python refuses to print it
        digits = int(value.bit_length() * math.log10(2)) + 1
        digits -= abs(value) < 10 ** (digits - 1)  # the estimate is one too high at most
        return f"{'-' if value < 0 else ''}<integer of {digits} digits>"


def check_field(f: dataclasses.Field, value: Any) -> None:
    m = f.metadata
    kind = field_kind(f)
    if value is None and m.get("optional"):
        return

    def fail(reason: str):
        # reprlib: a huge or deeply nested value gives a short message, not a RecursionError
        raise ValueError(f"{f.name}={short_repr(value)} is invalid ({reason}); "
                         f"allowed: {describe_range(f)}")

    if kind == "bool":
        if not isinstance(value, bool):
            fail("not a boolean")
        return
    if kind == "str":
        if not isinstance(value, str) or value not in m["choices"]:
            fail("not an allowed choice")
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        fail(f"not a number but {type(value).__name__}")
    try:
        as_float = float(value)
    except OverflowError:  # an int beyond any float
        fail("out of range")
    if not math.isfinite(as_float):
        fail("not finite")
    if kind == "int" and not (isinstance(value, int) or as_float.is_integer()):
        fail("not an integer")
    if not m["lo"] <= value <= m["hi"]:
        fail("out of range")
