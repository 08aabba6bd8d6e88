"""The model as a standalone Brian2 script: ``brian2_script(params, seed) -> str``.

The script uses only Brian2, numpy and matplotlib (no import of this package)
and reads like Brian2's examples: parameters with units and a comment each,
the equations (Stimberg et al. 2019 STP kept per synapse, with per-pathway
values where they differ from the shared ones), the connectivity, heterogeneity
and noise drawn from the seed exactly as :func:`stpexplorer.model.draw_realisation`
draws them, monitors on the recorded synapse, the run, and three panels.
``python script.py`` runs it on Brian2's numpy target and gives the same
spikes as :func:`stpexplorer.simulate` for the same parameters and seed
(``--save-spikes FILE`` writes them to an ``.npz``; ``--no-plot`` skips the
figure).  The lines that switch to ``cpp_standalone`` are there, commented.

Every number is written so that the script computes it with the same
floating-point operations as the library (values in the paper's units are
multiplied by their unit, e.g. ``a*(1/ms)``), which is what makes the spikes
identical, not merely similar.
"""

from __future__ import annotations

from . import model
from .params import PATHWAY_LABELS, PATHWAYS, Params, field_info


def _num(value) -> str:
    """A number as Python source that reads back to the same float."""
    if isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") and "e" not in text else text


def _doc(name: str) -> str:
    return field_info(name).metadata["doc"]


def _line(code: str, comment: str, width: int = 30) -> str:
    return f"{code:<{width}}# {comment}"


def brian2_script(params: Params, seed: int = 0, preset: str | None = None) -> str:
    """A runnable Brian2 script of the network of ``params`` and ``seed``.

    ``preset`` only names the starting preset in the script's header.  Raises
    ``ValueError`` for an invalid seed or a recorded synapse that does not
    exist (as :func:`stpexplorer.simulate` would).
    """
    from .engine import check_request

    seed = check_request(params, seed)
    p = params
    real = model.draw_realisation(p, seed, noise=False)
    rec_key, rec_index = model.find_recorded_synapse(p, real)
    path = real.exc if rec_key == "e" else real.inh
    rec_pre, rec_post = int(path.pre[rec_index]), int(path.post[rec_index])
    conductance = p.synapse_model == "conductance"
    per_pathway = p.stp and bool(p.differing_pathways())
    jitter = p.weight_jitter != 0
    out: list[str] = []
    add = out.append

    origin = f"the '{preset}' preset" if preset else "these parameters"
    add(f'''#!/usr/bin/env python
"""
Izhikevich (2003) excitatory/inhibitory network with Tsodyks-Markram
short-term plasticity in the form of Stimberg et al. (2019), written out by
stpexplorer from {origin} and seed {seed}.

Needs only Brian2, numpy and matplotlib:

    python this_script.py                          # run and show the three panels
    python this_script.py --save-spikes spikes.npz --no-plot

It draws the connectivity, heterogeneity and noise from the seed as stpexplorer
does, so it gives the same spikes as stpexplorer.simulate(params, seed={seed}).

Izhikevich, E. M. (2003). Simple model of spiking neurons. IEEE TNN 14:1569.
Stimberg, M., Goodman, D. F. M., Brette, R., De Pitta, M. (2019). Modeling
neuron-glia interactions with the Brian 2 simulator. In: Computational
Glioscience, Springer.
"""
import argparse
import math

import matplotlib.pyplot as plt
import numpy as np
from brian2 import *

parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
parser.add_argument("--save-spikes", metavar="FILE", help="write spike indices and times (ms) to FILE (.npz)")
parser.add_argument("--no-plot", action="store_true", help="do not draw the panels")
args = parser.parse_args()

prefs.codegen.target = "numpy"  # Brian2's numpy target: no compiler needed
# To run as compiled C++ instead (faster for long or large runs), uncomment:
# set_device("cpp_standalone", directory="standalone_network")

################################################################################
# Parameters
################################################################################
seed = {seed}                     # drives connectivity, heterogeneity and noise
''')
    add("### Network")
    add(_line(f"N_e = {p.N_e}", "excitatory neurons (numbered first)"))
    add(_line(f"N_i = {p.N_i}", "inhibitory neurons"))
    add(_line(f"p_e = {_num(p.p_e)}", "connection probability from each excitatory neuron to each neuron"))
    add(_line(f"p_i = {_num(p.p_i)}", "connection probability from each inhibitory neuron to each neuron"))
    add(_line(f"duration = {_num(p.duration)}*ms", "simulated time"))
    add("")
    add("### Izhikevich neurons, in the paper's units: v in mV, t in ms (the units are")
    add("### attached when the values are set, below)")
    for name in ("a_e", "b_e", "c_e", "d_e", "c_e_spread", "d_e_spread",
                 "a_i", "b_i", "c_i", "d_i", "a_i_spread", "b_i_spread"):
        unit = field_info(name).metadata["unit"]
        add(_line(f"{name} = {_num(getattr(p, name))}", f"{_doc(name)} ({unit})"))
    add(_line(f"sigma_e = {_num(p.noise_e)}", f"{_doc('noise_e')} (mV/ms)"))
    add(_line(f"sigma_i = {_num(p.noise_i)}", f"{_doc('noise_i')} (mV/ms)"))
    add(_line(f"I_e = {_num(p.I_e)}", f"{_doc('I_e')} (mV/ms)"))
    add(_line(f"I_i = {_num(p.I_i)}", f"{_doc('I_i')} (mV/ms)"))
    add(_line(f"v_peak = {_num(model.V_PEAK_MV)}*mV", "spike cut-off: v >= v_peak resets v to c"))
    add("")
    add("### Synapses")
    if conductance:
        add(_line(f"w_e = {_num(p.w_e)}*nS", _doc("w_e")))
        add(_line(f"w_i = {_num(p.w_i)}*nS", _doc("w_i")))
        add(_line(f"tau_e = {_num(p.tau_e)}*ms", _doc("tau_e")))
        add(_line(f"tau_i = {_num(p.tau_i)}*ms", _doc("tau_i")))
        add(_line(f"E_e = {_num(p.E_e)}*mV", _doc("E_e")))
        add(_line(f"E_i = {_num(p.E_i)}*mV", _doc("E_i")))
        add(_line(f"C_m = {_num(p.C_m)}*pF", "capacitance scale: a synaptic current I (pA) enters dv/dt as "
                                             "I/C_m (1 pA/pF = 1 mV/ms)"))
    else:
        add(_line(f"J_e = {_num(p.J_e)}*mV", _doc("J_e")))
        add(_line(f"J_i = {_num(p.J_i)}*mV", _doc("J_i")))
    if jitter:
        add(_line(f"jitter = {_num(p.weight_jitter)}", _doc("weight_jitter")))
    if p.stp:
        add("")
        add("### Short-term plasticity (Stimberg et al. 2019); Omega = 1/tau of Markram et al. 1998")
        if per_pathway:
            add("### per pathway, first letter the presynaptic population (ei: excitatory -> inhibitory)")
            for pw in PATHWAYS:
                U_0, Omega_f, Omega_d = p.pathway_values(pw)
                own = [f"{name}_{pw}" for name in ("U_0", "Omega_f", "Omega_d")
                       if getattr(p, f"{name}_{pw}") is not None]
                where = "" if len(own) == 3 else " (unset values: the shared ones)"
                label = PATHWAY_LABELS[pw].replace("→", "->")
                add(_line(f"U_0_{pw} = {_num(U_0)}", f"{label}: release utilisation (facilitation increment){where}"))
                add(_line(f"Omega_f_{pw} = {_num(Omega_f)}/second", f"{label}: rate at which u decays to 0"))
                add(_line(f"Omega_d_{pw} = {_num(Omega_d)}/second", f"{label}: rate at which x recovers to 1"))
        else:
            add(_line(f"U_0 = {_num(p.U_0)}", _doc("U_0")))
            add(_line(f"Omega_f = {_num(p.Omega_f)}/second", _doc("Omega_f")))
            add(_line(f"Omega_d = {_num(p.Omega_d)}/second", _doc("Omega_d")))
    add("")
    add("### Recording")
    add(_line(f"rec_neuron = {p.rec_neuron}", "neuron whose v (and conductances) are recorded"))
    add(_line(f"rec_pre, rec_post = {rec_pre}, {rec_post}", "the synapse whose u, x, r are recorded "
                                                             "(it exists for this seed)"))
    add(f'''
################################################################################
# Random realisation: heterogeneity, connectivity, weight spread and noise,
# all drawn with numpy from the seed, in this order
################################################################################
N = N_e + N_i
rng = np.random.default_rng(seed)


def bernoulli_pairs(n_pre, n_post, p, offset):
    """Every (pre, post) pair kept with probability p, no self-connections;
    drawn as geometric gaps between kept pairs (one draw per pair would be slow)."""
    total = n_pre * n_post
    if p >= 1:
        flat = np.arange(total)
    elif p > 0 and total > 0:
        blocks, last = [], -1
        while last < total:
            expected = total * p
            positions = last + np.cumsum(rng.geometric(p, size=int(expected + 6 * math.sqrt(expected) + 64)))
            last = int(positions[-1])
            blocks.append(positions[positions < total])
        flat = np.concatenate(blocks)
    else:
        flat = np.arange(0)
    pre, post = flat // n_post + offset, flat % n_post
    keep = pre != post
    return pre[keep], post[keep]


re = rng.random(N_e)                                   # excitatory heterogeneity, U[0, 1)
ri = rng.random(N_i)                                   # inhibitory heterogeneity, U[0, 1)
exc_pre, exc_post = bernoulli_pairs(N_e, N, p_e, 0)    # network indices, sorted by pre
exc_zeta = rng.random(len(exc_pre), dtype=np.float32)  # per-synapse weight spread
inh_pre, inh_post = bernoulli_pairs(N_i, N, p_i, N_e)
inh_zeta = rng.random(len(inh_pre), dtype=np.float32)
noise = rng.standard_normal((int(math.ceil(duration / ms)) + 1, N))  # N(0, 1), one row per ms
noise_ta = TimedArray(noise, dt=1*ms)                  # thalamic input, redrawn every 1 ms

################################################################################
# Neurons: Izhikevich (2003), every term in mV/ms
################################################################################
defaultclock.dt = {_num(p.dt)}*ms                # integration time step (forward Euler)
''')
    add('eqs = """')
    add("dv/dt = (0.04/mV*v**2 + 5*v + 140*mV)/ms - u + I_in : volt")
    add("du/dt = a*(b*v - u) : volt/second")
    add("I_in = I_const + sigma*noise_ta(t, i) + I_syn : volt/second")
    if conductance:
        add("I_syn = (ge*(E_e - v) + gi*(E_i - v))/C_m : volt/second  # nS * mV / pF = mV/ms")
        add("dge/dt = -ge/tau_e : siemens  # excitatory conductance")
        add("dgi/dt = -gi/tau_i : siemens  # inhibitory conductance")
    else:
        add("I_syn = 0*volt/second : volt/second  # current pulses act on v directly")
    add("a : 1/second (constant)")
    add("b : 1/second (constant)")
    add("c : volt (constant)")
    add("d : volt/second (constant)")
    add("sigma : volt/second (constant)")
    add("I_const : volt/second (constant)")
    add('"""')
    add('''neurons = NeuronGroup(N, eqs, threshold="v >= v_peak", reset="v = c\\nu += d", method="euler",
                      name="neurons")
# Heterogeneity as in Izhikevich (2003); computed in the paper's units, then
# multiplied by the unit (as stpexplorer does, so the numbers are identical)
a_values = np.concatenate([np.full(N_e, a_e), a_i + a_i_spread * ri])
b_values = np.concatenate([np.full(N_e, b_e), b_i + b_i_spread * ri])
neurons.a = a_values * (1/ms)
neurons.b = b_values * (1/ms)
neurons.c = np.concatenate([c_e + c_e_spread * re**2, np.full(N_i, c_i)]) * mV
neurons.d = np.concatenate([d_e + d_e_spread * re**2, np.full(N_i, d_i)]) * (mV/ms)
neurons.sigma = np.concatenate([np.full(N_e, sigma_e), np.full(N_i, sigma_i)]) * (mV/ms)
neurons.I_const = np.concatenate([np.full(N_e, I_e), np.full(N_i, I_i)]) * (mV/ms)
neurons.v = -65*mV
neurons.u = b_values * -65.0 * (mV/ms)

################################################################################
# Synapses, with short-term plasticity kept per synapse (Stimberg et al. 2019)
################################################################################''')
    if p.stp:
        add('stp_eqs = """')
        add("du_S/dt = -Omega_f*u_S : 1 (event-driven)  # facilitation, decays to 0")
        add("dx_S/dt = Omega_d*(1 - x_S) : 1 (event-driven)  # resources, recover to 1")
        add("r_S : 1  # released fraction at the last spike (a variable, so it can be recorded)")
        if per_pathway:
            add("U_0 : 1 (constant)  # the values of the synapse's pathway, set below")
            add("Omega_f : 1/second (constant)")
            add("Omega_d : 1/second (constant)")
        add('"""')
        add('stp_on_pre = """')
        add("u_S += U_0*(1 - u_S)")
        add("r_S = u_S*x_S")
        add("x_S -= r_S")
        add('"""')
    release = "*r_S" if p.stp else ""
    spread = "*(1 - jitter*zeta)" if jitter else ""
    model_line = ("stp_eqs" if p.stp else '""') + (' + "zeta : 1 (constant)"' if jitter else "")
    for key, pop, sl in (("e", "exc", "[:N_e]"), ("i", "inh", "[N_e:]")):
        if conductance:
            effect = f"g{key}_post += w_{key}{spread}{release}"
        else:
            effect = f"v_post {'+' if key == 'e' else '-'}= J_{key}{spread}{release}"
        on_pre = f'stp_on_pre + "{effect}"' if p.stp else f'"{effect}"'
        add(f"syn_{pop} = Synapses(neurons{sl}, neurons, {model_line}, on_pre={on_pre}, name=\"syn_{pop}\")")
        add(f"if len({pop}_pre):  # (a small network may have none)")
        add(f"    syn_{pop}.connect(i={pop}_pre{'' if key == 'e' else ' - N_e'}, j={pop}_post)"
            f"  # i counts from the first {'excitatory' if key == 'e' else 'inhibitory'} neuron")
        if jitter:
            add(f"    syn_{pop}.zeta = {pop}_zeta")
        if p.stp:
            add(f"    syn_{pop}.x_S = 1  # full resources, no facilitation (u_S = 0) at t = 0")
            if per_pathway:
                add(f"    # each synapse releases with its pathway's values: onto E (j < N_e) or onto I")
                for var, unit in (("U_0", ""), ("Omega_f", ""), ("Omega_d", "")):
                    add(f"    syn_{pop}.{var}['j < N_e'] = {var}_{key}e")
                    add(f"    syn_{pop}.{var}['j >= N_e'] = {var}_{key}i")
    pop = "exc" if rec_key == "e" else "inh"
    add(f'''
################################################################################
# Monitors
################################################################################
spikes = SpikeMonitor(neurons)
trace = StateMonitor(neurons, {["v", "ge", "gi"] if conductance else ["v"]!r}, record=rec_neuron)''')
    if p.stp:
        add(f'''# The recorded synapse: its index in syn_{pop}, checked to exist (S[i, j] of a
# pair that is not connected is silently empty).  Recorded "after_synapses",
# so the values of a spike's step are those after its update.
rec_syn = np.flatnonzero(({pop}_pre == rec_pre) & ({pop}_post == rec_post))
assert len(rec_syn) == 1, "the recorded synapse does not exist"
syn_trace = StateMonitor(syn_{pop}, ["u_S", "x_S", "r_S"], record=rec_syn[0], when="after_synapses")''')
    add('''
run(duration)

if args.save_spikes:
    np.savez(args.save_spikes, i=np.asarray(spikes.i[:]), t_ms=np.asarray(spikes.t / ms))
print(f"{spikes.num_spikes} spikes; mean rates E {np.sum(spikes.i < N_e) / N_e / (duration / second):.1f} Hz, "
      f"I {np.sum(spikes.i >= N_e) / N_i / (duration / second):.1f} Hz")

################################################################################
# Three panels: raster, the recorded neuron, the recorded synapse
################################################################################
if not args.no_plot:
    fig, axes = plt.subplots(3, 1, sharex=True, figsize=(8, 8))
    axes[0].plot(spikes.t / ms, spikes.i, "|", color="k", ms=2)
    axes[0].axhline(N_e - 0.5, color="grey", lw=0.5)
    axes[0].set_ylabel("neuron (E below the line)")
    axes[1].plot(trace.t / ms, trace.v[0] / mV, color="k", lw=0.8)
    axes[1].set_ylabel(f"v of neuron {rec_neuron} (mV)")''')
    if conductance:
        add('''    g_axis = axes[1].twinx()
    g_axis.plot(trace.t / ms, trace.ge[0] / nS, color="tab:red", lw=0.8, label="ge")
    g_axis.plot(trace.t / ms, trace.gi[0] / nS, color="tab:blue", lw=0.8, label="gi")
    g_axis.set_ylabel("conductance (nS)")
    g_axis.legend(loc="upper right")''')
    if p.stp:
        add('''    # u_S, x_S are event-driven: updated only at the synapse's spikes, so take
    # them at the presynaptic spikes (x before release = x after + r)
    pre_t = spikes.t[spikes.i == rec_pre]
    steps = np.rint(pre_t / defaultclock.dt).astype(int)
    u_at = syn_trace.u_S[0][steps]
    r_at = syn_trace.r_S[0][steps]
    x_at = syn_trace.x_S[0][steps] + r_at
    axes[2].plot(pre_t / ms, u_at, "o", color="tab:orange", ms=3, label="u (after facilitation)")
    axes[2].plot(pre_t / ms, x_at, "o", color="tab:green", ms=3, label="x (before release)")
    axes[2].vlines(pre_t / ms, 0, r_at, color="tab:purple", label="r = u x")
    axes[2].set_ylim(-0.02, 1.05)
    axes[2].legend(loc="upper right", fontsize="small")''')
    add('''    axes[2].set_ylabel(f"synapse {rec_pre} -> {rec_post}")
    axes[2].set_xlabel("time (ms)")
    plt.show()''')
    return "\n".join(out) + "\n"
