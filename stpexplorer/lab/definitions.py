"""The lab functions' arguments, defined once: the range a value must lie in
(what the lab's functions check) and the window, step and label of its slider
(what the lab tabs show).

An argument that is a network parameter too (U₀, Ω_f, Ω_d; the neuron's a, b,
c, d and input current) takes its valid range, unit and doc from that field of
:mod:`stpexplorer.params`; only its slider window is the lab's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from .. import params as params_mod
from .validate import check_value

__all__ = ["GALLERY", "LabParam", "SYNAPSE_LAB"]


@dataclass(frozen=True)
class LabParam:
    """One argument of a lab function.

    Values must lie in [``lo``, ``hi``] (in ``unit``); the slider spans
    [``slider_lo``, ``slider_hi``] in steps of ``step`` (``integer``: whole
    numbers) and is labelled ``label``.
    """

    name: str
    label: str
    unit: str
    lo: float
    hi: float
    slider_lo: float
    slider_hi: float
    step: float
    doc: str = ""
    integer: bool = False

    def check(self, value) -> float:
        """``value`` as a float; ``ValueError`` naming the argument and range if it is not a finite number in range."""
        return check_value(self.name, value, self.lo, self.hi)


def from_field(name: str, field: str, label: str, slider_lo: float | None = None,
               slider_hi: float | None = None, step: float | None = None, doc: str | None = None) -> LabParam:
    """The lab argument ``name`` with the valid range, unit and doc of the
    parameter ``field``; its slider from the field's (lo to slider_hi) unless given."""
    m = params_mod.field_info(field).metadata
    return LabParam(name, label, m["unit"], m["lo"], m["hi"],
                    m["lo"] if slider_lo is None else slider_lo,
                    m["slider_hi"] if slider_hi is None else slider_hi,
                    (m["step"] or 0.01) if step is None else step, m["doc"] if doc is None else doc)


def _by_name(*definitions: LabParam) -> MappingProxyType:
    return MappingProxyType({d.name: d for d in definitions})


#: The synapse lab's arguments (:func:`stpexplorer.lab.synapse_lab`, :func:`stpexplorer.lab.train`).
SYNAPSE_LAB = _by_name(
    from_field("U_0", "U_0", "U₀"),
    from_field("Omega_f", "Omega_f", "Ω_f (1/s)"),
    from_field("Omega_d", "Omega_d", "Ω_d (1/s)"),
    LabParam("rate_hz", "f (Hz)", "Hz", 0.1, 200.0, 0.5, 100.0, 0.5, "Rate of the train"),
    LabParam("n_spikes", "spikes", "", 1, 500, 2, 60, 1, "Spikes in the train (before the test spike)",
             integer=True),
    LabParam("recovery_gap_ms", "test gap (ms)", "ms", 1.0, 20000.0, 10.0, 3000.0, 10.0,
             "Time from the train's last spike to the recovery test spike"),
)

#: The neuron gallery's arguments (:func:`stpexplorer.lab.simulate_neuron`): the
#: network's ranges of a, b, c, d and the input, a window for single neurons.
GALLERY = _by_name(
    from_field("a", "a_e", "a (1/ms)", 0.0, 0.2, 0.001, doc="Recovery rate a"),
    from_field("b", "b_e", "b (1/ms)", -0.2, 0.5, 0.005, doc="Sensitivity b of recovery to v"),
    from_field("c", "c_e", "c (mV)", -80.0, -40.0, 0.5, doc="Reset potential c"),
    from_field("d", "d_e", "d (mV/ms)", -5.0, 20.0, 0.05, doc="Recovery jump d after a spike"),
    from_field("I_before", "I_e", "I before step", -20.0, 40.0, 0.5, doc="Input current before the step (mV/ms)"),
    from_field("I_after", "I_e", "I after step", -20.0, 40.0, 0.5, doc="Input current after the step (mV/ms)"),
    LabParam("duration_ms", "duration (ms)", "ms", 10.0, 5000.0, 100.0, 2000.0, 10.0, "Simulated time"),
    LabParam("dt_ms", "dt (ms)", "ms", 0.01, 0.5, 0.01, 0.5, 0.01, "Forward-Euler time step"),
)
