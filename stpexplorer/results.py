"""The result of one simulation: plain numpy arrays, no Brian2 objects.

Public attribute names (a stable contract, also the keys of ``result.npz``):

========================  =====================================================
``spike_i``               neuron index of every spike (excitatory first)
``spike_t_ms``            spike times (ms)
``Ne``, ``Ni``            population sizes
``rec_neuron``            network index of the recorded neuron
``t_ms``                  sample times of the traces (ms)
``v_mV``                  membrane potential of ``rec_neuron`` (mV)
``ge_nS``, ``gi_nS``      its excitatory / inhibitory conductance (nS; zero in
                          current mode)
``syn_pre``, ``syn_post`` network indices of the recorded synapse
``syn_pathway``           its pathway: ``"ee"``, ``"ei"``, ``"ie"`` or ``"ii"``
                          (first letter: presynaptic population)
``syn_spike_t_ms``        presynaptic spike times of that synapse (ms)
``u_at_spikes``           u after the facilitation step, one per presynaptic spike
``x_at_spikes``           x before release
``r_at_spikes``           released fraction r = u·x
========================  =====================================================

Also: ``recorded_neurons`` with ``v_rec_mV``, ``ge_rec_nS``, ``gi_rec_nS``
(one row each) so another recorded neuron can be shown without a re-run
(:meth:`Result.with_neuron`), ``conn_pre``/``conn_post`` (all synapses), and
``params``, ``seed``, ``engine``, ``run_time_s``.
"""

from __future__ import annotations

import dataclasses
import io
import json
from dataclasses import dataclass

import numpy as np

from . import stp
from .params import Params

CONTRACT = ("spike_i", "spike_t_ms", "Ne", "Ni", "rec_neuron", "t_ms", "v_mV", "ge_nS",
            "gi_nS", "syn_pre", "syn_post", "syn_pathway", "syn_spike_t_ms", "u_at_spikes",
            "x_at_spikes", "r_at_spikes")
EXTRA_ARRAYS = ("recorded_neurons", "v_rec_mV", "ge_rec_nS", "gi_rec_nS", "conn_pre",
                "conn_post", "seed", "run_time_s")


@dataclass(frozen=True)
class Result:
    params: Params
    seed: int
    engine: str
    run_time_s: float
    Ne: int
    Ni: int
    spike_i: np.ndarray
    spike_t_ms: np.ndarray
    t_ms: np.ndarray
    recorded_neurons: np.ndarray
    v_rec_mV: np.ndarray
    ge_rec_nS: np.ndarray
    gi_rec_nS: np.ndarray
    rec_neuron: int
    syn_pre: int
    syn_post: int
    syn_spike_t_ms: np.ndarray
    u_at_spikes: np.ndarray
    x_at_spikes: np.ndarray
    r_at_spikes: np.ndarray
    conn_pre: np.ndarray
    conn_post: np.ndarray

    # -- the recorded neuron ------------------------------------------------
    def _row(self) -> int:
        return int(np.flatnonzero(self.recorded_neurons == self.rec_neuron)[0])

    @property
    def v_mV(self) -> np.ndarray:
        return self.v_rec_mV[self._row()]

    @property
    def ge_nS(self) -> np.ndarray:
        return self.ge_rec_nS[self._row()]

    @property
    def gi_nS(self) -> np.ndarray:
        return self.gi_rec_nS[self._row()]

    def with_neuron(self, neuron: int) -> "Result":
        """The same run showing another recorded neuron (no re-simulation)."""
        if neuron not in set(self.recorded_neurons.tolist()):
            raise ValueError(f"neuron {neuron} was not recorded; recorded neurons: "
                             f"{self.recorded_neurons.tolist()}")
        return dataclasses.replace(self, rec_neuron=int(neuron))

    # -- synapses -----------------------------------------------------------
    @property
    def syn_pathway(self) -> str:
        """Pathway of the recorded synapse: ``"ee"``, ``"ei"``, ``"ie"`` or ``"ii"``."""
        return self.params.pathway_of(self.syn_pre, self.syn_post)

    @property
    def syn_stp_values(self) -> tuple[float, float, float]:
        """(U_0, Omega_f, Omega_d) of the recorded synapse (its pathway's values)."""
        return self.params.pathway_values(self.syn_pathway)

    @property
    def n_synapses(self) -> int:
        return len(self.conn_pre)

    def has_synapse(self, pre: int, post: int) -> bool:
        return bool(np.any((self.conn_pre == pre) & (self.conn_post == post)))

    def with_synapse(self, pre: int, post: int) -> "Result":
        """The same run showing another synapse, from the closed-form recursion.

        With pathway-wide U_0, Ω_f, Ω_d the state of a synapse depends only on
        its presynaptic spike train and its pathway, so any synapse can be
        shown exactly.
        """
        if not self.has_synapse(pre, post):
            raise ValueError(f"there is no synapse {pre} -> {post} in this network")
        times = self.spike_t_ms[self.spike_i == pre]
        states = self.synapse_states(times, self.params.pathway_of(pre, post))
        return dataclasses.replace(self, syn_pre=int(pre), syn_post=int(post),
                                   syn_spike_t_ms=times, u_at_spikes=states.u,
                                   x_at_spikes=states.x, r_at_spikes=states.r)

    def synapse_states(self, spike_times_ms, pathway: str | None = None) -> stp.SpikeStates:
        """STP states at ``spike_times_ms`` of a synapse of ``pathway`` (default:
        the recorded synapse's)."""
        p = self.params
        if not p.stp:
            ones = np.ones(len(spike_times_ms))
            return stp.SpikeStates(ones, ones, ones)
        return stp.recursion(spike_times_ms, *p.pathway_values(pathway or self.syn_pathway))

    # -- summaries ----------------------------------------------------------
    @property
    def duration_ms(self) -> float:
        return self.params.duration

    def _population(self, population: str) -> tuple[int, int]:
        """Network index range [lo, hi) of 'e', 'i' or 'all' (any case)."""
        ranges = {"e": (0, self.Ne), "i": (self.Ne, self.Ne + self.Ni), "all": (0, self.Ne + self.Ni)}
        key = population.lower() if isinstance(population, str) else population
        if key not in ranges:
            raise ValueError(f"population={population!r} is invalid; allowed: 'e' (excitatory), "
                             f"'i' (inhibitory) or 'all' (any case)")
        return ranges[key]

    def mean_rate_hz(self, population: str) -> float:
        """Mean firing rate of 'e', 'i' or 'all' (spikes per neuron per second)."""
        lo, hi = self._population(population)
        count = np.count_nonzero((self.spike_i >= lo) & (self.spike_i < hi))
        return count / max(hi - lo, 1) / (self.duration_ms * 1e-3)

    def population_rate(self, bin_ms: float = 1.0, population: str = "all"):
        """(bin centres in ms, rate in Hz per neuron) of a population.

        ``bin_ms`` must be a positive number of at most the duration.
        """
        lo, hi = self._population(population)
        if isinstance(bin_ms, bool) or not isinstance(bin_ms, (int, float, np.integer, np.floating)) \
                or not 0 < bin_ms <= self.duration_ms:
            raise ValueError(f"bin_ms={bin_ms!r} is invalid; allowed: a bin width in ms, "
                             f"0 < bin_ms <= {self.duration_ms:g} (the duration)")
        edges = np.arange(0.0, self.duration_ms + bin_ms, bin_ms)
        sel = (self.spike_i >= lo) & (self.spike_i < hi)
        counts, _ = np.histogram(self.spike_t_ms[sel], edges)
        return edges[:-1] + bin_ms / 2, counts / max(hi - lo, 1) / (bin_ms * 1e-3)

    def summary(self) -> str:
        return (f"{self.run_time_s:.2f} s run ({self.engine}); rates E {self.mean_rate_hz('e'):.1f} Hz, "
                f"I {self.mean_rate_hz('i'):.1f} Hz; {len(self.spike_i)} spikes, "
                f"{self.n_synapses} synapses")

    # -- files --------------------------------------------------------------
    def to_npz(self, file) -> None:
        """Write the contract arrays (and the extras) to an ``.npz`` file or buffer."""
        arrays = {name: np.asarray(getattr(self, name)) for name in CONTRACT + EXTRA_ARRAYS}
        arrays["params_json"] = np.array(self.params.to_json())
        arrays["engine"] = np.array(self.engine)
        np.savez_compressed(file, **arrays)

    def to_npz_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.to_npz(buffer)
        return buffer.getvalue()

    @classmethod
    def from_npz(cls, file) -> "Result":
        with np.load(file, allow_pickle=False) as data:
            kwargs = {f.name: data[f.name] for f in dataclasses.fields(cls)
                      if f.name in data.files and f.name not in ("params", "engine")}
            params = Params.from_dict(json.loads(str(data["params_json"])))
            engine = str(data["engine"])
        for scalar in ("Ne", "Ni", "rec_neuron", "syn_pre", "syn_post", "seed"):
            kwargs[scalar] = int(kwargs[scalar])
        kwargs["run_time_s"] = float(kwargs["run_time_s"])
        return cls(params=params, engine=engine, **kwargs)
