"""Model parameters: one frozen dataclass, the single source of truth.

Every field carries its unit, allowed range, symbol, group and a one-line doc
in ``dataclasses.field(metadata=...)``.  Validation, the JSON format, the CLI
``--set`` parser, the dashboard controls and the README parameter table are all
generated from these definitions.

Values are plain Python numbers in the unit named by the field (rates such as
``Omega_f`` in 1/s, times in ms, conductances in nS); :mod:`stpexplorer.model`
attaches the Brian2 units.  The field factory and the check of one value are
in :mod:`stpexplorer.param_fields`; their names are found here too.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from typing import Any, Iterator

from .param_fields import (  # noqa: F401  (names of this module)
    GROUP_INPUT,
    GROUP_NETWORK,
    GROUP_NEURON_E,
    GROUP_NEURON_I,
    GROUP_RECORD,
    GROUP_RUN,
    GROUP_STP,
    GROUP_STP_PATHWAY,
    GROUP_SYNAPSES,
    MAX_N_E,
    MAX_N_I,
    MAX_NEURON_INDEX,
    PATHWAY_LABELS,
    PATHWAYS,
    STP_FIELDS,
    SYNAPSE_MODELS,
    check_field,
    describe_range,
    field_kind,
    param,
    per_pathway,
    plain_value,
    short_repr,
)
from .param_json import MAX_JSON_BYTES, load_json, read_regular_file

#: The field factory under its earlier name.
_param = param


@dataclass(frozen=True)
class Params:
    """All parameters of the E/I Izhikevich network with Tsodyks–Markram STP.

    Construction validates every field (:meth:`validate`), so
    ``dataclasses.replace(params, U_0=0.3)`` returns a checked object or raises
    ``ValueError`` naming the field, the value and the allowed range.
    """

    # --- short-term plasticity (Stimberg et al. 2019, Tsodyks & Markram 1997)
    stp: bool = param(True, None, None, "", "Tsodyks–Markram short-term plasticity on all synapses (off: static synapses, release r = 1)",
                       symbol="STP", group=GROUP_STP, structural=True)
    U_0: float = param(0.6, 0.001, 1.0, "1", "Baseline utilisation of synaptic release (facilitation increment)",
                        symbol="U₀", group=GROUP_STP, step=0.01)
    Omega_f: float = param(3.33, 0.0, 1000.0, "1/s", "Rate at which facilitation u decays to 0 between spikes",
                            symbol="Ω_f", group=GROUP_STP, step=0.01, slider_hi=100)
    Omega_d: float = param(2.0, 0.0, 1000.0, "1/s", "Rate at which resources x recover to 1 between spikes",
                            symbol="Ω_d", group=GROUP_STP, step=0.01, slider_hi=100)

    # --- the same per pathway (first letter: presynaptic population); None: the shared value
    U_0_ee: float | None = per_pathway(U_0, "U_0", "ee")
    Omega_f_ee: float | None = per_pathway(Omega_f, "Omega_f", "ee")
    Omega_d_ee: float | None = per_pathway(Omega_d, "Omega_d", "ee")
    U_0_ei: float | None = per_pathway(U_0, "U_0", "ei")
    Omega_f_ei: float | None = per_pathway(Omega_f, "Omega_f", "ei")
    Omega_d_ei: float | None = per_pathway(Omega_d, "Omega_d", "ei")
    U_0_ie: float | None = per_pathway(U_0, "U_0", "ie")
    Omega_f_ie: float | None = per_pathway(Omega_f, "Omega_f", "ie")
    Omega_d_ie: float | None = per_pathway(Omega_d, "Omega_d", "ie")
    U_0_ii: float | None = per_pathway(U_0, "U_0", "ii")
    Omega_f_ii: float | None = per_pathway(Omega_f, "Omega_f", "ii")
    Omega_d_ii: float | None = per_pathway(Omega_d, "Omega_d", "ii")

    # --- synaptic weights
    w_e: float = param(0.1, 0.0, 100.0, "nS", "Excitatory synaptic weight (conductance mode): ge jumps by w_e·r per spike",
                        symbol="w_e", group=GROUP_SYNAPSES, step=0.005, slider_hi=2)
    w_i: float = param(1.0, 0.0, 100.0, "nS", "Inhibitory synaptic weight (conductance mode): gi jumps by w_i·r per spike",
                        symbol="w_i", group=GROUP_SYNAPSES, step=0.05, slider_hi=10)
    J_e: float = param(0.5, 0.0, 100.0, "mV", "Excitatory pulse size (current mode): v jumps by J_e·r per spike",
                        symbol="J_e", group=GROUP_SYNAPSES, step=0.05, slider_hi=5)
    J_i: float = param(1.0, 0.0, 100.0, "mV", "Inhibitory pulse size (current mode): v drops by J_i·r per spike",
                        symbol="J_i", group=GROUP_SYNAPSES, step=0.05, slider_hi=5)
    weight_jitter: float = param(0.0, 0.0, 1.0, "1", "Per-synapse weight spread: weight·(1 − jitter·ξ), ξ ~ U[0,1) (1 gives the paper's w·rand)",
                                  symbol="jitter", group=GROUP_SYNAPSES, step=0.05)
    synapse_model: str = param("conductance", None, None, "", "Conductance-based synapses, or the paper's instantaneous current pulses",
                                symbol="synapses", group=GROUP_SYNAPSES, structural=True,
                                choices=SYNAPSE_MODELS)
    tau_e: float = param(5.0, 0.1, 1000.0, "ms", "Decay time constant of the excitatory conductance",
                          symbol="τ_e", group=GROUP_SYNAPSES, step=0.1, slider_hi=50)
    tau_i: float = param(10.0, 0.1, 1000.0, "ms", "Decay time constant of the inhibitory conductance",
                          symbol="τ_i", group=GROUP_SYNAPSES, step=0.1, slider_hi=50)
    E_e: float = param(0.0, -100.0, 100.0, "mV", "Excitatory reversal potential",
                        symbol="E_e", group=GROUP_SYNAPSES, step=1.0)
    E_i: float = param(-80.0, -150.0, 0.0, "mV", "Inhibitory reversal potential",
                        symbol="E_i", group=GROUP_SYNAPSES, step=1.0)
    C_m: float = param(1.0, 0.01, 1000.0, "pF", "Capacitance scale: synaptic current I (pA) enters dv/dt as I/C_m (1 pA/pF = 1 mV/ms, one Izhikevich current unit)",
                        symbol="C_m", group=GROUP_SYNAPSES, step=0.1, slider_hi=10)

    # --- Izhikevich (2003) neurons; heterogeneity as in the paper
    a_e: float = param(0.02, 0.0, 1.0, "1/ms", "Recovery rate a of excitatory neurons",
                        symbol="a_e", group=GROUP_NEURON_E, step=0.001)
    b_e: float = param(0.2, -1.0, 1.0, "1/ms", "Sensitivity b of recovery to v (excitatory)",
                        symbol="b_e", group=GROUP_NEURON_E, step=0.005)
    c_e: float = param(-65.0, -100.0, -30.0, "mV", "Reset potential c (excitatory, base)",
                        symbol="c_e", group=GROUP_NEURON_E, step=0.5)
    d_e: float = param(8.0, -20.0, 50.0, "mV/ms", "Recovery jump d after a spike (excitatory, base)",
                        symbol="d_e", group=GROUP_NEURON_E, step=0.1, slider_hi=20)
    c_e_spread: float = param(15.0, -50.0, 50.0, "mV", "Heterogeneity: c = c_e + c_e_spread·re², re ~ U[0,1)",
                               symbol="Δc_e", group=GROUP_NEURON_E, step=0.5)
    d_e_spread: float = param(-6.0, -50.0, 50.0, "mV/ms", "Heterogeneity: d = d_e + d_e_spread·re²",
                               symbol="Δd_e", group=GROUP_NEURON_E, step=0.1)
    a_i: float = param(0.02, 0.0, 1.0, "1/ms", "Recovery rate a of inhibitory neurons (base)",
                        symbol="a_i", group=GROUP_NEURON_I, step=0.001)
    b_i: float = param(0.25, -1.0, 1.0, "1/ms", "Sensitivity b of recovery to v (inhibitory, base)",
                        symbol="b_i", group=GROUP_NEURON_I, step=0.005)
    c_i: float = param(-65.0, -100.0, -30.0, "mV", "Reset potential c (inhibitory)",
                        symbol="c_i", group=GROUP_NEURON_I, step=0.5)
    d_i: float = param(2.0, -20.0, 50.0, "mV/ms", "Recovery jump d after a spike (inhibitory)",
                        symbol="d_i", group=GROUP_NEURON_I, step=0.1, slider_hi=20)
    a_i_spread: float = param(0.08, -1.0, 1.0, "1/ms", "Heterogeneity: a = a_i + a_i_spread·ri, ri ~ U[0,1)",
                               symbol="Δa_i", group=GROUP_NEURON_I, step=0.005)
    b_i_spread: float = param(-0.05, -1.0, 1.0, "1/ms", "Heterogeneity: b = b_i + b_i_spread·ri",
                               symbol="Δb_i", group=GROUP_NEURON_I, step=0.005)

    # --- network structure
    N_e: int = param(800, 1, MAX_N_E, "", "Number of excitatory neurons (numbered first)",
                      symbol="N_e", group=GROUP_NETWORK, structural=True, slider_hi=4000)
    N_i: int = param(200, 1, MAX_N_I, "", "Number of inhibitory neurons",
                      symbol="N_i", group=GROUP_NETWORK, structural=True, slider_hi=1000)
    p_e: float = param(0.1, 0.0, 1.0, "1", "Connection probability from each excitatory neuron to each neuron",
                        symbol="p_e", group=GROUP_NETWORK, step=0.01, structural=True)
    p_i: float = param(0.1, 0.0, 1.0, "1", "Connection probability from each inhibitory neuron to each neuron",
                        symbol="p_i", group=GROUP_NETWORK, step=0.01, structural=True)

    # --- background input (thalamic noise, redrawn every 1 ms as in the paper)
    noise_e: float = param(5.0, 0.0, 100.0, "mV/ms", "Standard deviation of the thalamic noise input to excitatory neurons",
                            symbol="σ_e", group=GROUP_INPUT, step=0.1, slider_hi=20)
    noise_i: float = param(2.0, 0.0, 100.0, "mV/ms", "Standard deviation of the thalamic noise input to inhibitory neurons",
                            symbol="σ_i", group=GROUP_INPUT, step=0.1, slider_hi=20)
    I_e: float = param(0.0, -50.0, 100.0, "mV/ms", "Constant drive to excitatory neurons",
                        symbol="I_e", group=GROUP_INPUT, step=0.1, slider_hi=30)
    I_i: float = param(0.0, -50.0, 100.0, "mV/ms", "Constant drive to inhibitory neurons",
                        symbol="I_i", group=GROUP_INPUT, step=0.1, slider_hi=30)

    # --- simulation
    duration: float = param(1000.0, 10.0, 60000.0, "ms", "Simulated time",
                             symbol="T", group=GROUP_RUN, step=10.0, structural=True, slider_hi=5000)
    dt: float = param(0.1, 0.005, 1.0, "ms", "Integration time step (forward Euler)",
                       symbol="dt", group=GROUP_RUN, step=0.005, structural=True)

    # --- recording
    rec_neuron: int = param(0, 0, MAX_NEURON_INDEX, "", "Neuron whose v, ge, gi are recorded (network index; excitatory first)",
                             symbol="neuron", group=GROUP_RECORD, slider_hi=999)
    rec_pre: int = param(0, 0, MAX_NEURON_INDEX, "", "Presynaptic neuron of the synapse whose u, x, r are recorded",
                          symbol="syn. pre", group=GROUP_RECORD, slider_hi=999)
    rec_post: int = param(-1, -1, MAX_NEURON_INDEX, "", "Postsynaptic neuron of the recorded synapse (−1: the first target of the presynaptic neuron)",
                           symbol="syn. post", group=GROUP_RECORD, slider_hi=999)

    def __post_init__(self):
        self.validate()

    # ------------------------------------------------------------------
    def validate(self) -> None:
        """Raise ``ValueError`` naming the field, value and range if invalid."""
        for f in dataclasses.fields(self):
            value = plain_value(getattr(self, f.name))
            check_field(f, value)
            if f.type == "int" and not isinstance(value, int):
                value = int(value)  # 800.0 from JSON -> 800
            object.__setattr__(self, f.name, value)
        self._check_consistency()

    def _check_consistency(self) -> None:
        n = self.N_e + self.N_i
        for name in ("rec_neuron", "rec_pre"):
            if getattr(self, name) >= n:
                raise ValueError(f"{name}={getattr(self, name)} is out of range: the network has "
                                 f"{n} neurons, allowed 0..{n - 1}")
        if self.rec_post >= n:
            raise ValueError(f"rec_post={self.rec_post} is out of range: allowed -1..{n - 1}")
        shortest = min(self.tau_e, self.tau_i)
        if self.synapse_model == "conductance" and self.dt > shortest / 2:
            raise ValueError(f"dt={self.dt} ms is too large for the synaptic time constants "
                             f"(tau_e={self.tau_e} ms, tau_i={self.tau_i} ms): "
                             f"allowed dt <= min(tau_e, tau_i)/2 = {shortest / 2:g} ms")

    # ------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1, sort_keys=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any], base: "Params | None" = None) -> "Params":
        """Build validated parameters from a mapping; unknown keys are errors.

        Missing keys take their values from ``base`` (default: the defaults).
        """
        if not isinstance(data, dict):
            raise ValueError(f"parameters must be a JSON object, got {type(data).__name__}")
        known = field_names()
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ValueError(f"unknown parameter(s): {', '.join(map(str, unknown))}")
        base = base if base is not None else cls()
        return dataclasses.replace(base, **data)

    @classmethod
    def from_json(cls, text: str | bytes, base: "Params | None" = None) -> "Params":
        """Parameters from JSON text (at most :data:`MAX_JSON_BYTES`, UTF-8)."""
        return cls.from_dict(load_json(text), base)

    @classmethod
    def from_file(cls, path: str | os.PathLike, base: "Params | None" = None) -> "Params":
        """Parameters from a JSON file (UTF-8, at most :data:`MAX_JSON_BYTES`)
        over ``base``.  Only a regular file is read: a FIFO, device or
        directory is refused before anything is read, so it cannot hang.
        Errors are ``ValueError`` messages that start with the path."""
        try:
            payload = read_regular_file(path, MAX_JSON_BYTES)
            return cls.from_json(payload, base)
        except OSError as exc:
            raise ValueError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from None

    def replace(self, **changes) -> "Params":
        return dataclasses.replace(self, **changes)

    # -- per-pathway short-term plasticity ---------------------------------
    def pathway_values(self, pathway: str) -> tuple[float, float, float]:
        """(U_0, Omega_f, Omega_d) with which the synapses of ``pathway``
        (``"ee"``, ``"ei"``, ``"ie"`` or ``"ii"``) release: each its own value
        where set, else the shared one."""
        return tuple(getattr(self, shared) if (own := getattr(self, name)) is None else own
                     for shared, name in zip(STP_FIELDS, pathway_fields(pathway)))

    def differing_pathways(self) -> tuple[str, ...]:
        """Pathways whose values differ from the shared U_0, Omega_f, Omega_d
        (a per-pathway value equal to the shared one does not count)."""
        shared = tuple(getattr(self, name) for name in STP_FIELDS)
        return tuple(pw for pw in PATHWAYS if self.pathway_values(pw) != shared)

    def pathway_of(self, pre: int, post: int) -> str:
        """The pathway of the synapse ``pre`` → ``post`` (network indices)."""
        n = self.N_e + self.N_i
        for name, index in (("pre", pre), ("post", post)):
            if not 0 <= index < n:
                raise ValueError(f"{name}={index} is out of range: the network has {n} neurons")
        return ("e" if pre < self.N_e else "i") + ("e" if post < self.N_e else "i")

    def structure_key(self) -> tuple:
        """The values that fix the compiled network (everything else is a run argument)."""
        return tuple((f.name, getattr(self, f.name)) for f in fields() if f.metadata["structural"])


# ----------------------------------------------------------------------
def fields() -> tuple[dataclasses.Field, ...]:
    return dataclasses.fields(Params)


def field_names() -> tuple[str, ...]:
    return tuple(f.name for f in fields())


def field_info(name: str) -> dataclasses.Field:
    for f in fields():
        if f.name == name:
            return f
    raise ValueError(f"unknown parameter: {name}")


def pathway_fields(pathway: str) -> tuple[str, str, str]:
    """The field names ``("U_0_<pathway>", "Omega_f_<pathway>", "Omega_d_<pathway>")``."""
    if pathway not in PATHWAYS:
        raise ValueError(f"pathway={pathway!r} is invalid; allowed: {', '.join(PATHWAYS)}")
    return tuple(f"{name}_{pathway}" for name in STP_FIELDS)


def groups() -> Iterator[tuple[str, list[dataclasses.Field]]]:
    """Fields grouped by their ``group`` metadata, in declaration order."""
    order: dict[str, list[dataclasses.Field]] = {}
    for f in fields():
        order.setdefault(f.metadata["group"], []).append(f)
    yield from order.items()


def coerce(name: str, text: str) -> Any:
    """Parse a command-line string for field ``name`` into its Python type.

    A per-pathway field (``U_0_ee`` ...) also takes ``none`` or ``null`` (any
    case): back to the shared value.
    """
    f = field_info(name)
    kind = field_kind(f)
    text = text.strip()
    if f.metadata.get("optional") and text.lower() in ("none", "null"):
        return None
    if kind == "bool":
        lowered = text.lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"{name}={text!r} is invalid (not a boolean); allowed: true or false")
    if kind == "str":
        return text
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"{name}={text!r} is invalid (not a number); allowed: {describe_range(f)}") from None
    if kind == "int":
        if not number.is_integer():
            raise ValueError(f"{name}={text!r} is invalid (not an integer); allowed: {describe_range(f)}")
        return int(number)
    return number


#: Seeds are integers in [0, SEED_LIMIT) (numpy's default_rng takes any; a
#: 32-bit range keeps links, widgets and the CLI in agreement).
SEED_LIMIT = 2**32


def parse_seed(text: str, limit: int = SEED_LIMIT) -> int:
    """A seed typed as text (a link, a form): ASCII digits only, in [0, limit).

    ``str.isdigit`` also accepts superscripts such as '²', which ``int`` then
    refuses with a message that names no field; this names the seed.
    """
    text = str(text).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 20 or int(text) >= limit:
        shown = short_repr(text)
        raise ValueError(f"seed={shown} is invalid; allowed: an integer in [0, {limit})")
    return int(text)


def markdown_table() -> str:
    """The README parameter table, generated from the field definitions."""
    lines = ["| field | symbol | default | unit | allowed | meaning |",
             "|---|---|---|---|---|---|"]
    defaults = Params()
    for group, group_fields in groups():
        lines.append(f"| **{group}** | | | | | |")
        for f in group_fields:
            m = f.metadata
            default = getattr(defaults, f.name)
            default = f"none ({m['shared']})" if default is None else repr(default)
            lines.append(f"| `{f.name}` | {m['symbol'] or ''} | {default} | "
                         f"{m['unit']} | {describe_range(f)} | {m['doc']} |")
    return "\n".join(lines)
