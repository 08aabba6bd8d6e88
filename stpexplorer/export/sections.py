"""The sections of the exported Brian2 script, one builder each.

Every builder takes the :class:`Script` (parameters, seed and the recorded
synapse) and returns the section's lines.  Equations, reset, threshold and the
connectivity draw come from :mod:`stpexplorer.model`, never re-typed here.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

from .. import model
from ..params import PATHWAY_LABELS, PATHWAYS, Params, field_info

#: The script's names of the two presynaptic populations: (key, name, slice of the network)
POPULATIONS = (("e", "exc", "[:N_e]"), ("i", "inh", "[N_e:]"))


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


def _block(code: str) -> str:
    """Brian2 code (equations or statements) as a triple-quoted string, verbatim."""
    return f'"""{"" if code.startswith(chr(10)) else chr(10)}{code}"""'


def _banner(title: str) -> list[str]:
    rule = "#" * 80
    return ["", rule, *(f"# {line}" for line in title.splitlines()), rule]


@dataclass(frozen=True)
class Script:
    """What every section needs: the parameters, the seed and the recorded synapse."""

    params: Params
    seed: int
    preset: str | None
    rec_key: str  # presynaptic population of the recorded synapse: 'e' or 'i'
    rec_pre: int
    rec_post: int

    @classmethod
    def of(cls, params: Params, seed: int, preset: str | None) -> Script:
        """Draws the connectivity (no noise) to find the recorded synapse;
        ``ValueError`` if it does not exist."""
        real = model.draw_realisation(params, seed, noise=False)
        rec_key, rec_index = model.find_recorded_synapse(params, real)
        proj = real.projection(rec_key)
        return cls(params, seed, preset, rec_key, int(proj.pre[rec_index]), int(proj.post[rec_index]))

    @property
    def conductance(self) -> bool:
        return self.params.synapse_model == "conductance"

    @property
    def per_pathway(self) -> bool:
        return self.params.stp and bool(self.params.differing_pathways())


def header(s: Script) -> list[str]:
    """Shebang, docstring with references, imports, command line, code-generation target."""
    origin = f"the '{s.preset}' preset" if s.preset else "these parameters"
    return f'''#!/usr/bin/env python
"""
Izhikevich (2003) excitatory/inhibitory network with Tsodyks-Markram
short-term plasticity in the form of Stimberg et al. (2019), written out by
stpexplorer from {origin} and seed {s.seed}.

Needs only Brian2, numpy and matplotlib:

    python this_script.py                          # run and show the three panels
    python this_script.py --save-spikes spikes.npz --no-plot

It draws the connectivity, heterogeneity and noise from the seed as stpexplorer
does, so it gives the same spikes as stpexplorer.simulate(params, seed={s.seed}).

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
# set_device("cpp_standalone", directory="standalone_network")'''.splitlines()


def parameters(s: Script) -> list[str]:
    """Every parameter as a line with its unit and a comment."""
    p = s.params
    lines = [*_banner("Parameters"), _line(f"seed = {s.seed}", "drives connectivity, heterogeneity and noise"), "",
             "### Network",
             _line(f"N_e = {p.N_e}", "excitatory neurons (numbered first)"),
             _line(f"N_i = {p.N_i}", "inhibitory neurons"),
             _line(f"p_e = {_num(p.p_e)}", "connection probability from each excitatory neuron to each neuron"),
             _line(f"p_i = {_num(p.p_i)}", "connection probability from each inhibitory neuron to each neuron"),
             _line(f"duration = {_num(p.duration)}*ms", "simulated time"), "",
             "### Izhikevich neurons, in the paper's units: v in mV, t in ms (the units are",
             "### attached when the values are set, below)"]
    for name in ("a_e", "b_e", "c_e", "d_e", "c_e_spread", "d_e_spread",
                 "a_i", "b_i", "c_i", "d_i", "a_i_spread", "b_i_spread"):
        unit = field_info(name).metadata["unit"]
        lines.append(_line(f"{name} = {_num(getattr(p, name))}", f"{_doc(name)} ({unit})"))
    lines += [_line(f"sigma_e = {_num(p.noise_e)}", f"{_doc('noise_e')} (mV/ms)"),
              _line(f"sigma_i = {_num(p.noise_i)}", f"{_doc('noise_i')} (mV/ms)"),
              _line(f"I_e = {_num(p.I_e)}", f"{_doc('I_e')} (mV/ms)"),
              _line(f"I_i = {_num(p.I_i)}", f"{_doc('I_i')} (mV/ms)"),
              _line(f"v_peak = {_num(model.V_PEAK_MV)}*mV", "spike cut-off: v >= v_peak resets v to c"),
              _line(f"v_start = {_num(model.V_START_MV)}", "membrane potential at t = 0 (mV), with u = b*v_start"),
              "", *_synapse_parameters(s), *_stp_parameters(s), "", "### Recording",
              _line(f"rec_neuron = {p.rec_neuron}", "neuron whose v (and conductances) are recorded"),
              _line(f"rec_pre, rec_post = {s.rec_pre}, {s.rec_post}",
                    "the synapse whose u, x, r are recorded (it exists for this seed)")]
    return lines


def _synapse_parameters(s: Script) -> list[str]:
    p = s.params
    lines = ["### Synapses"]
    if s.conductance:
        lines += [_line(f"w_e = {_num(p.w_e)}*nS", _doc("w_e")), _line(f"w_i = {_num(p.w_i)}*nS", _doc("w_i")),
                  _line(f"tau_e = {_num(p.tau_e)}*ms", _doc("tau_e")),
                  _line(f"tau_i = {_num(p.tau_i)}*ms", _doc("tau_i")),
                  _line(f"E_e = {_num(p.E_e)}*mV", _doc("E_e")), _line(f"E_i = {_num(p.E_i)}*mV", _doc("E_i")),
                  _line(f"C_m = {_num(p.C_m)}*pF", "capacitance scale: a synaptic current I (pA) enters dv/dt "
                                                   "as I/C_m (1 pA/pF = 1 mV/ms)")]
    else:
        lines += [_line(f"J_e = {_num(p.J_e)}*mV", _doc("J_e")), _line(f"J_i = {_num(p.J_i)}*mV", _doc("J_i"))]
    lines.append(_line(f"jitter = {_num(p.weight_jitter)}", _doc("weight_jitter")))
    return lines


def _stp_parameters(s: Script) -> list[str]:
    p = s.params
    if not p.stp:
        return []
    lines = ["", "### Short-term plasticity (Stimberg et al. 2019); Omega = 1/tau of Markram et al. 1998"]
    if not s.per_pathway:
        return lines + [_line(f"U_0 = {_num(p.U_0)}", _doc("U_0")),
                        _line(f"Omega_f = {_num(p.Omega_f)}/second", _doc("Omega_f")),
                        _line(f"Omega_d = {_num(p.Omega_d)}/second", _doc("Omega_d"))]
    lines.append("### per pathway, first letter the presynaptic population (ei: excitatory -> inhibitory)")
    for pw in PATHWAYS:
        U_0, Omega_f, Omega_d = p.pathway_values(pw)
        own = [name for name in model.STP_VARIABLES if getattr(p, f"{name}_{pw}") is not None]
        where = "" if len(own) == 3 else " (unset values: the shared ones)"
        label = PATHWAY_LABELS[pw].replace("→", "->")
        lines += [_line(f"U_0_{pw} = {_num(U_0)}", f"{label}: release utilisation (facilitation increment){where}"),
                  _line(f"Omega_f_{pw} = {_num(Omega_f)}/second", f"{label}: rate at which u decays to 0"),
                  _line(f"Omega_d_{pw} = {_num(Omega_d)}/second", f"{label}: rate at which x recovers to 1")]
    return lines


def realisation(s: Script) -> list[str]:
    """Heterogeneity, connectivity, spread draws and noise from the seed, in the
    order of :func:`stpexplorer.model.draw_realisation`, with the model's own
    :func:`~stpexplorer.model.bernoulli_pairs`."""
    return [*_banner("Random realisation: heterogeneity, connectivity, weight spread and noise,\n"
                     "all drawn with numpy from the seed, in this order"),
            "N = N_e + N_i",
            "rng = np.random.default_rng(seed)",
            f"GAP_CHUNK = {model.GAP_CHUNK}  # geometric gaps drawn per step (bounds the memory of large networks)",
            "", "", *inspect.getsource(model.bernoulli_pairs).splitlines(), "", "",
            "re = rng.random(N_e)                                       # excitatory heterogeneity, U[0, 1)",
            "ri = rng.random(N_i)                                       # inhibitory heterogeneity, U[0, 1)",
            "exc_pre, exc_post = bernoulli_pairs(rng, N_e, N, p_e)      # network indices, sorted by pre",
            "exc_zeta = rng.random(len(exc_pre), dtype=np.float32)      # per-synapse weight spread",
            "inh_pre, inh_post = bernoulli_pairs(rng, N_i, N, p_i, offset=N_e)",
            "inh_zeta = rng.random(len(inh_pre), dtype=np.float32)",
            _line(f"noise_dt = {_num(model.NOISE_DT_MS)}*ms", "the thalamic input is redrawn every noise_dt", 55),
            "noise = rng.standard_normal((int(math.ceil(duration / noise_dt)) + 1, N))  # N(0, 1), a row per noise_dt",
            "noise_ta = TimedArray(noise, dt=noise_dt)"]


def neurons(s: Script) -> list[str]:
    """The model's Izhikevich equations, threshold and reset, and the heterogeneity."""
    p = s.params
    synaptic = model.CONDUCTANCE_EQS if s.conductance else model.CURRENT_EQS
    lines = [*_banner("Neurons: Izhikevich (2003), every term in mV/ms"),
             _line(f"defaultclock.dt = {_num(p.dt)}*ms", "integration time step (forward Euler)"),
             f"eqs = {_block(model.IZHIKEVICH_EQS + synaptic)}",
             f"threshold = {model.THRESHOLD!r}",
             f"reset = {_block(model.IZHIKEVICH_RESET)}",
             'neurons = NeuronGroup(N, eqs, threshold=threshold, reset=reset, method="euler", name="neurons")',
             *_noise_draw(p.dt),
             "# Heterogeneity as in Izhikevich (2003); computed in the paper's units, then",
             "# multiplied by the unit (as stpexplorer does, so the numbers are identical)",
             "a_values = np.concatenate([np.full(N_e, a_e), a_i + a_i_spread * ri])",
             "b_values = np.concatenate([np.full(N_e, b_e), b_i + b_i_spread * ri])",
             "neurons.a = a_values * (1/ms)",
             "neurons.b = b_values * (1/ms)",
             "neurons.c = np.concatenate([c_e + c_e_spread * re**2, np.full(N_i, c_i)]) * mV",
             "neurons.d = np.concatenate([d_e + d_e_spread * re**2, np.full(N_i, d_i)]) * (mV/ms)",
             "neurons.sigma = np.concatenate([np.full(N_e, sigma_e), np.full(N_i, sigma_i)]) * (mV/ms)",
             "neurons.I_const = np.concatenate([np.full(N_e, I_e), np.full(N_i, I_i)]) * (mV/ms)",
             "neurons.v = v_start*mV",
             "neurons.u = b_values * v_start * (mV/ms)"]
    if s.conductance:
        lines += [f"neurons.{name} = {name}" for name in ("tau_e", "tau_i", "E_e", "E_i", "C_m")]
    return lines


def _noise_draw(dt_ms: float) -> list[str]:
    if model.noise_draw_ms(dt_ms) is None:
        return ["# the thalamic noise, read at the start of every step (noise_dt is not a whole number of steps)",
                f'neurons.run_regularly({model.NOISE_DRAW!r}, when="start", name="noise_draw")']
    return ["# the thalamic noise of the next noise_dt, set at the start of its first time step",
            f'neurons.run_regularly({model.NOISE_DRAW!r}, dt=noise_dt, when="start", name="noise_draw")']


def synapses(s: Script) -> list[str]:
    """Each population's synapses with the model's equations and on_pre code
    (STP kept per synapse), connected as drawn."""
    p = s.params
    lines = _banner("Synapses, with short-term plasticity kept per synapse (Stimberg et al. 2019)")
    weight = {"e": "w_e", "i": "w_i"} if s.conductance else {"e": "J_e", "i": "J_i"}
    for key, pop, sl in POPULATIONS:
        eqs, on_pre = model.synapse_model(p, key, "synaptic")
        lines += [f"syn_{pop}_eqs = {_block(eqs)}", f"syn_{pop}_on_pre = {_block(on_pre)}",
                  f'syn_{pop} = Synapses(neurons{sl}, neurons, syn_{pop}_eqs, on_pre=syn_{pop}_on_pre, '
                  f'name="syn_{pop}")',
                  f"if len({pop}_pre):  # (a small network may have none)",
                  f"    syn_{pop}.connect(i={pop}_pre{'' if key == 'e' else ' - N_e'}, j={pop}_post)"
                  f"  # i counts from the first {'excitatory' if key == 'e' else 'inhibitory'} neuron",
                  f"    syn_{pop}.zeta = {pop}_zeta",
                  f"    syn_{pop}.w = {weight[key]}",
                  f"    syn_{pop}.jitter = jitter",
                  *_stp_values(s, key, pop)]
    return lines


def _stp_values(s: Script, key: str, pop: str) -> list[str]:
    if not s.params.stp:
        return []
    lines = [f"    syn_{pop}.x_S = 1  # full resources, no facilitation (u_S = 0) at t = 0"]
    if not s.per_pathway:
        return lines + [f"    syn_{pop}.{var} = {var}" for var in model.STP_VARIABLES]
    lines.append("    # each synapse releases with its pathway's values: onto E (j < N_e) or onto I")
    for var in model.STP_VARIABLES:
        lines += [f"    syn_{pop}.{var}['j < N_e'] = {var}_{key}e", f"    syn_{pop}.{var}['j >= N_e'] = {var}_{key}i"]
    return lines


def monitors(s: Script) -> list[str]:
    """Spikes, the recorded neuron, and the recorded synapse (checked to exist)."""
    pop = "exc" if s.rec_key == "e" else "inh"
    lines = [*_banner("Monitors"), "spikes = SpikeMonitor(neurons)",
             f"trace = StateMonitor(neurons, {['v', 'ge', 'gi'] if s.conductance else ['v']!r}, record=rec_neuron)"]
    if s.params.stp:
        lines += [f"# The recorded synapse: its index in syn_{pop}, checked to exist (S[i, j] of a",
                  '# pair that is not connected is silently empty).  Recorded "after_synapses",',
                  "# so the values of a spike's step are those after its update.",
                  f"rec_syn = np.flatnonzero(({pop}_pre == rec_pre) & ({pop}_post == rec_post))",
                  'assert len(rec_syn) == 1, "the recorded synapse does not exist"',
                  f'syn_trace = StateMonitor(syn_{pop}, {list(model.STP_STATE)!r}, record=rec_syn[0], '
                  'when="after_synapses")']
    return lines


def run(s: Script) -> list[str]:
    """The run, the spikes saved on request, and the mean rates."""
    return '''
run(duration)

if args.save_spikes:
    np.savez(args.save_spikes, i=np.asarray(spikes.i[:]), t_ms=np.asarray(spikes.t / ms))
print(f"{spikes.num_spikes} spikes; mean rates E {np.sum(spikes.i < N_e) / N_e / (duration / second):.1f} Hz, "
      f"I {np.sum(spikes.i >= N_e) / N_i / (duration / second):.1f} Hz")'''.splitlines()


def plots(s: Script) -> list[str]:
    """Raster, the recorded neuron (and its conductances), the recorded synapse."""
    lines = [*_banner("Three panels: raster, the recorded neuron, the recorded synapse"),
             "if not args.no_plot:",
             "    fig, axes = plt.subplots(3, 1, sharex=True, figsize=(8, 8))",
             '    axes[0].plot(spikes.t / ms, spikes.i, "|", color="k", ms=2)',
             '    axes[0].axhline(N_e - 0.5, color="grey", lw=0.5)',
             '    axes[0].set_ylabel("neuron (E below the line)")',
             '    axes[1].plot(trace.t / ms, trace.v[0] / mV, color="k", lw=0.8)',
             '    axes[1].set_ylabel(f"v of neuron {rec_neuron} (mV)")']
    if s.conductance:
        lines += ["    g_axis = axes[1].twinx()",
                  '    g_axis.plot(trace.t / ms, trace.ge[0] / nS, color="tab:red", lw=0.8, label="ge")',
                  '    g_axis.plot(trace.t / ms, trace.gi[0] / nS, color="tab:blue", lw=0.8, label="gi")',
                  '    g_axis.set_ylabel("conductance (nS)")',
                  '    g_axis.legend(loc="upper right")']
    if s.params.stp:
        lines += ["    # u_S, x_S are event-driven: updated only at the synapse's spikes, so take",
                  "    # them at the presynaptic spikes (x before release = x after + r)",
                  "    pre_t = spikes.t[spikes.i == rec_pre]",
                  "    steps = np.rint(pre_t / defaultclock.dt).astype(int)",
                  "    u_at = syn_trace.u_S[0][steps]",
                  "    r_at = syn_trace.r_S[0][steps]",
                  "    x_at = syn_trace.x_S[0][steps] + r_at",
                  '    axes[2].plot(pre_t / ms, u_at, "o", color="tab:orange", ms=3, label="u (after facilitation)")',
                  '    axes[2].plot(pre_t / ms, x_at, "o", color="tab:green", ms=3, label="x (before release)")',
                  '    axes[2].vlines(pre_t / ms, 0, r_at, color="tab:purple", label="r = u x")',
                  "    axes[2].set_ylim(-0.02, 1.05)",
                  '    axes[2].legend(loc="upper right", fontsize="small")']
    return lines + ['    axes[2].set_ylabel(f"synapse {rec_pre} -> {rec_post}")',
                    '    axes[2].set_xlabel("time (ms)")',
                    "    plt.show()"]
