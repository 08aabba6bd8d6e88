"""
Short-term plasticity per pathway
=================================

The ``maass2002`` preset gives each pathway the values Maass, Natschläger &
Markram (2002) used: E→E synapses depress (U 0.5), E→I synapses start at 0.05
and facilitate. One synapse of each pathway, from the same network run: the
released fraction r at each of its presynaptic spikes. The states of any
synapse follow from its presynaptic spikes and its pathway's values
(``Result.with_synapse``), so one run shows them all.
"""

import matplotlib.pyplot as plt
import numpy as np

from stpexplorer import presets, simulate
from stpexplorer.params import PATHWAY_LABELS

params = presets.PRESETS["maass2002"].replace(duration=1000.0)
result = simulate(params, seed=0)
print(result.summary())

pre, post = np.asarray(result.conn_pre), np.asarray(result.conn_post)
Ne = result.Ne
fig, axes = plt.subplots(2, 2, figsize=(8, 5), sharex=True, sharey=True, layout="constrained")
for ax, pathway in zip(axes.flat, ("ee", "ei", "ie", "ii")):
    from_e, onto_e = pathway[0] == "e", pathway[1] == "e"
    chosen = ((pre < Ne) == from_e) & ((post < Ne) == onto_e)
    # the synapse of this pathway whose presynaptic neuron fired most
    counts = np.bincount(result.spike_i, minlength=Ne + result.Ni)[pre[chosen]]
    k = int(np.argmax(counts))
    synapse = result.with_synapse(int(pre[chosen][k]), int(post[chosen][k]))
    U, Of, Od = params.pathway_values(pathway)
    ax.stem(synapse.syn_spike_t_ms, synapse.r_at_spikes, basefmt=" ")
    ax.set_title(f"{PATHWAY_LABELS[pathway]}: U {U:g}, τ_rec {1000 / Od:.0f} ms, τ_F {1000 / Of:.0f} ms",
                 fontsize=9)
    ax.set_ylim(0, 1)
for ax in axes[1]:
    ax.set_xlabel("time (ms)")
for ax in axes[:, 0]:
    ax.set_ylabel("released fraction r")
plt.show()
