"""
Izhikevich neuron types
=======================

The firing patterns of Izhikevich (2003), Fig. 2, with the same equation and
forward-Euler step as the network: each type is a choice of a, b, c, d and a
step of input current.
"""

import matplotlib.pyplot as plt

from stpexplorer import lab

fig, axes = plt.subplots(len(lab.NEURON_TYPES), 1, figsize=(8, 10), sharex=True, layout="constrained")
for ax, name in zip(axes, lab.NEURON_TYPES):
    trace = lab.neuron_type(name)
    ax.plot(trace.t_ms, trace.v_mV, lw=0.8)
    ax.set_ylabel("v (mV)", fontsize=8)
    ax.set_title(f"{name}: a {trace.a:g}, b {trace.b:g}, c {trace.c:g}, d {trace.d:g}", fontsize=9, loc="left")
axes[-1].set_xlabel("time (ms)")
plt.show()
