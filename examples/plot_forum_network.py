"""
A small network with short-term plasticity
==========================================

The ``forum`` preset (40 excitatory + 10 inhibitory neurons, the synapse values
of Stimberg et al. 2019) simulated for one second, drawn as the dashboard's
panels: raster and population rate, v and the conductances of one neuron, u and
x of one synapse (curves from the closed forms, dots at its presynaptic spikes,
stems for the released fraction r = u·x), and the connectivity.
"""

import matplotlib.pyplot as plt

from stpexplorer import presets, simulate
from stpexplorer.plotting import plot_panels

params = presets.PRESETS["forum"].replace(U_0=0.3)  # a weaker first release than the preset's 0.6
result = simulate(params, seed=0)
print(result.summary())

# plot_panels draws into a figure of its own, or into the one given (here pyplot's, to show it)
fig, axes = plot_panels(result, fig=plt.figure(figsize=(12, 8), layout="constrained"))
plt.show()

# %%
# The recorded synapse, spike by spike: u after the facilitation step, x before
# the release, and the released fraction r = u·x.
for t, u, x, r in list(zip(result.syn_spike_t_ms, result.u_at_spikes, result.x_at_spikes,
                           result.r_at_spikes))[:5]:
    print(f"t = {t:6.1f} ms   u = {u:.3f}   x = {x:.3f}   r = {r:.3f}")
