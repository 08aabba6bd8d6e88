"""Everything random about one network, drawn with numpy from a seed (no Brian2).

Heterogeneity, connectivity and per-synapse weight-spread draws ``zeta`` come
from :func:`draw_realisation`, so the same seed gives the same network on
every code-generation target and in the exported script.  A compiled network
holds a fixed capacity of synapses per presynaptic population (:func:`capacities`);
:func:`padded` fills it with inert synapses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..params import Params
from .equations import NOISE_DT_MS


@dataclass(frozen=True)
class Projection:
    """The synapses from one presynaptic population (excitatory or inhibitory)
    onto the whole network: network indices, sorted by pre."""

    pre: np.ndarray  # int32, network index of the presynaptic neuron
    post: np.ndarray  # int32, network index of the postsynaptic neuron
    zeta: np.ndarray  # float32 in [0, 1): per-synapse weight spread draw

    def __len__(self):
        return len(self.pre)


#: The former name of :class:`Projection` ("pathway" elsewhere means ee/ei/ie/ii);
#: kept importable because the name is part of the package's interface.
Pathway = Projection


@dataclass(frozen=True)
class Realisation:
    """Everything random about one network, drawn from a seed."""

    re: np.ndarray  # excitatory heterogeneity draws, U[0,1)
    ri: np.ndarray  # inhibitory heterogeneity draws, U[0,1)
    exc: Projection  # views into conn_pre, conn_post
    inh: Projection
    conn_pre: np.ndarray  # all synapses, excitatory first; shared by every result
    conn_post: np.ndarray
    noise: np.ndarray | None  # (noise steps, N) standard normal; None once compiled in

    def projection(self, key: str) -> Projection:
        """The synapses from the excitatory (``key='e'``) or inhibitory ('i') population."""
        return self.exc if key == "e" else self.inh


#: geometric gaps drawn per step: bounds the temporary memory of large networks
GAP_CHUNK = 1 << 20


def bernoulli_pairs(rng: np.random.Generator, n_pre: int, n_post: int, p: float,
                    offset: int = 0):
    """All (pre, post) pairs kept independently with probability ``p``, minus
    autapses; pre numbered from ``offset``, post from 0.

    Draws geometric gaps between kept pairs instead of ``n_pre·n_post`` coin
    flips, so 10 000 neurons at 10 % take ~0.1 s, in chunks of
    :data:`GAP_CHUNK` so that only int32 pairs are ever held whole.  Result is
    sorted by pre.
    """
    total = n_pre * n_post
    pre_parts, post_parts = [], []

    def keep(flat: np.ndarray) -> None:
        pre = (flat // n_post + offset).astype(np.int32)
        post = (flat % n_post).astype(np.int32)
        no_autapse = pre != post
        pre_parts.append(pre[no_autapse])
        post_parts.append(post[no_autapse])

    if p >= 1:
        for start in range(0, total, GAP_CHUNK):
            keep(np.arange(start, min(start + GAP_CHUNK, total), dtype=np.int64))
    elif p > 0 and total > 0:
        last = -1
        expected = total * p
        while last < total:
            remaining = int(expected + 6 * math.sqrt(expected) + 64)
            while remaining > 0:  # same stream as one draw of the whole block
                size = min(remaining, GAP_CHUNK)
                remaining -= size
                positions = last + np.cumsum(rng.geometric(p, size=size))
                last = int(positions[-1])
                keep(positions[positions < total])
    if not pre_parts:
        return np.empty(0, np.int32), np.empty(0, np.int32)
    return np.concatenate(pre_parts), np.concatenate(post_parts)


def noise_steps(params: Params) -> int:
    """Rows of the noise array: one per :data:`NOISE_DT_MS` of the run, and one more."""
    return int(math.ceil(params.duration / NOISE_DT_MS)) + 1


def draw_realisation(params: Params, seed: int, noise: bool = True) -> Realisation:
    """Draw heterogeneity, connectivity and noise for ``params`` from ``seed``.

    The order: ``re``, ``ri``, the excitatory pairs, their ``zeta``, the
    inhibitory pairs, their ``zeta``, the noise.  The noise is drawn last, so
    ``noise=False`` (a compiled network has it built in) gives the same
    heterogeneity and connectivity without the neurons × ms array.
    """
    rng = np.random.default_rng(seed)
    ne, ni = params.N_e, params.N_i
    n = ne + ni
    re = rng.random(ne)
    ri = rng.random(ni)
    exc_pre, exc_post = bernoulli_pairs(rng, ne, n, params.p_e)
    split = len(exc_pre)
    exc_zeta = rng.random(split, dtype=np.float32)
    inh_pre, inh_post = bernoulli_pairs(rng, ni, n, params.p_i, offset=ne)
    zeta = np.concatenate([exc_zeta, rng.random(len(inh_pre), dtype=np.float32)])
    del exc_zeta
    conn_pre = np.concatenate([exc_pre, inh_pre])
    del exc_pre, inh_pre
    conn_post = np.concatenate([exc_post, inh_post])
    del exc_post, inh_post
    noise = rng.standard_normal((noise_steps(params), n)) if noise else None
    for array in (conn_pre, conn_post, zeta):
        array.flags.writeable = False
    exc = Projection(conn_pre[:split], conn_post[:split], zeta[:split])
    inh = Projection(conn_pre[split:], conn_post[split:], zeta[split:])
    return Realisation(re, ri, exc, inh, conn_pre, conn_post, noise)


# ----------------------------------------------------------------------
# Connectivity as run-time data: a compiled network of fixed capacity
# ----------------------------------------------------------------------
#: ``zeta`` of a padding synapse: no real synapse has zeta >= 1 (draws are in [0, 1)),
#: and a padded network multiplies each release by ``int(zeta < 1)``
#: (:data:`stpexplorer.model.REAL_SYNAPSE`)
PAD_ZETA = 2.0
#: Padding beyond the expected synapse count, in standard deviations of the count
CAPACITY_SIGMAS = 6.0


def pathway_capacity(n_pre: int, n_post: int, p: float) -> int:
    """How many synapses a compiled projection holds: the expected count of
    :func:`bernoulli_pairs` plus :data:`CAPACITY_SIGMAS` standard deviations
    (and 64), so that a new seed almost never needs another build; at most
    every pair."""
    pairs = n_pre * n_post
    expected = pairs * p
    return int(min(pairs, math.ceil(expected + CAPACITY_SIGMAS * math.sqrt(expected * (1 - p)) + 64)))


def capacities(params: Params) -> dict[str, int]:
    """Synapse capacity of the excitatory and the inhibitory projection."""
    n = params.N_e + params.N_i
    return {"e": pathway_capacity(params.N_e, n, params.p_e), "i": pathway_capacity(params.N_i, n, params.p_i)}


def fits(real: Realisation, capacity: dict[str, int]) -> bool:
    """Whether both projections of ``real`` fit in a build of ``capacity``."""
    return len(real.exc) <= capacity["e"] and len(real.inh) <= capacity["i"]


def build_capacity(params: Params, real: Realisation) -> dict[str, int]:
    """The synapse capacity of the compiled network that runs ``real``:
    :func:`capacities` of the structure, or, for the rare seed whose synapses
    exceed it, that seed's own counts (a build of its own)."""
    standard = capacities(params)
    return standard if fits(real, standard) else {"e": len(real.exc), "i": len(real.inh)}


def _pad_projection(proj: Projection, capacity: int, first: int, count: int) -> Projection:
    """``proj`` followed by inert synapses up to ``capacity``: zeta = :data:`PAD_ZETA`,
    spread over the ``count`` presynaptic neurons from ``first`` (each onto itself)."""
    extra = capacity - len(proj)
    if extra < 0:
        raise ValueError(f"{len(proj)} synapses do not fit in a capacity of {capacity}")
    if count == 0:
        return proj
    pad = (first + np.arange(extra) % count).astype(np.int32)
    return Projection(np.concatenate([proj.pre, pad]), np.concatenate([proj.post, pad]),
                      np.concatenate([proj.zeta, np.full(extra, PAD_ZETA, dtype=np.float32)]))


def padded(params: Params, real: Realisation, capacity: dict[str, int]) -> Realisation:
    """``real`` with each projection padded to ``capacity`` by inert synapses (see
    :func:`stpexplorer.model.synapse_model`): what a compiled network of that capacity runs."""
    exc = _pad_projection(real.exc, capacity["e"], 0, params.N_e)
    inh = _pad_projection(real.inh, capacity["i"], params.N_e, params.N_i)
    return Realisation(real.re, real.ri, exc, inh, np.concatenate([exc.pre, inh.pre]),
                       np.concatenate([exc.post, inh.post]), real.noise)
