"""
Fit a synapse to recorded amplitudes
====================================

The package ships a synthetic recording of a facilitating synapse (the E→I
values of Maass, Natschläger & Markram 2002, 5 % multiplicative noise).
:func:`stpexplorer.fit.fit_stp` finds U_0, Ω_f, Ω_d and the amplitude scale A
with 95 % profile-likelihood intervals; the result can set one pathway of the
network.
"""

import matplotlib.pyplot as plt

from stpexplorer import fit, presets

trains = fit.load_csv(fit.example_path("facilitating"))
result = fit.fit_stp(trains, seed=0)
print(result.format_table())

fig, axes = plt.subplots(2, 1, sharex=True, height_ratios=(3, 1.3), figsize=(8, 4.8), layout="constrained")
fit.plot_fit(result, trains, axes=axes)  # data (dots), fit (lines), relative residuals below
plt.show()

# %%
# The fitted values as the E→I pathway of a network:
params = result.to_params(presets.FORUM, pathway="ei")
print(params.pathway_values("ei"))
