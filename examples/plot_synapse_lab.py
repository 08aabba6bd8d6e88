"""
One synapse: depression and facilitation
========================================

The synapse lab of the dashboard, from Python: a Tsodyks–Markram synapse driven
by a 20 Hz train with a recovery test spike 500 ms after it. Top: u and x
between and at the spikes; r per spike with A_n/A_1. Bottom: the steady-state
release r*(f) and the transmitted rate f·r*(f) against the train's frequency
(closed-form curves, simulated points).
"""

import matplotlib.pyplot as plt

from stpexplorer import lab
from stpexplorer.plotting import draw_synapse_lab

res = lab.synapse_lab(U_0=0.1, Omega_f=2.0, Omega_d=5.0, rate_hz=20.0, n_spikes=10, recovery_gap_ms=500.0)
fig, axes = plt.subplots(2, 2, figsize=(9, 6), layout="constrained")
draw_synapse_lab(res, axes)
plt.show()

# %%
# The release of each spike (A_n/A_1 = r_n/r_1): this setting facilitates
# (small U_0, slow decay of u), then recovers during the gap.
print(" ".join(f"{a:.2f}" for a in res.amplitude_ratio))
