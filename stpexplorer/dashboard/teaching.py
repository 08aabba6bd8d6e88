"""The teaching text of each tab: what the panels show and questions to try
(HTML, shown above the tab's controls).

Each text opens with one sentence that stays on the page; the rest is folded
away (an HTML ``<details>`` element, DOM class ``stpx-teaching``) so that a
laptop's first screen shows the controls and a plot, not only text.
"""

import re

#: What the folded part's summary line offers (after the text's first sentence).
MORE = "what the panels show, questions to try"
#: Where a text's folded part begins.
FOLD = "<!--fold-->"

_TEXTS = {
    "network": """<p><b>The network.</b> 800 excitatory (red) and 200 inhibitory (blue) Izhikevich neurons
with conductance synapses.<!--fold--> Every synapse has Tsodyks–Markram short-term plasticity: at a spike it
releases the fraction <i>r = u·x</i> of its resources, <i>u</i> grows by U₀(1−u) and <i>x</i> drops by
<i>r</i>; between spikes <i>u</i> decays at Ω_f and <i>x</i> recovers at Ω_d.</p>
<p><b>The panels</b> share their time axis (zoom one, the others follow). <i>Spikes</i>: one dot
per spike, neurons on the vertical axis, with the population rate (black; dashed grey: the previous
or pinned run); the recorded neuron and synapse are highlighted. <i>Conductances</i>: the excitatory
(g_e) and inhibitory (g_i) input of the recorded neuron and its membrane potential v.
<i>Synapse</i>: u and x of the recorded synapse between its presynaptic spikes, dots at the spikes,
stems for the released fraction r. <i>Connectivity</i>: who connects to whom (circle: the recorded
synapse).</p>
<p><b>Try:</b> (1) Lower U₀ from 0.6 to 0.1. Does the network fire more or less, and why does
<i>r</i> per spike hardly drop during bursts now? (2) Raise Ω_d to 20/s: what happens to the
population bursts? (3) Choose the <i>izhikevich2003</i> preset and find the alpha (~10 Hz) rhythm in
the rate trace.</p>""",
    "synapse": """<p><b>One synapse.</b> A presynaptic train at <i>f</i> Hz, then one test spike after a
gap.<!--fold--> The curves are the closed-form <i>u(t)</i>, <i>x(t)</i>; the dots are the states at the spikes.
The normalised amplitude A_n/A_1 = r_n/r_1 tells whether the synapse depresses (&lt; 1) or
facilitates (&gt; 1). On the right, the steady state <i>r*</i>(f) of a long regular train and the
transmitted rate f·r*(f): dots are simulated trains, lines the formula.</p>
<p><b>Try:</b> (1) With the depressing preset, how long a gap does the test spike need to recover
to 90 %? Compare with 1/Ω_d. (2) Why does f·r*(f) saturate for a depressing synapse — what does
that mean for coding of high rates? (3) Find a frequency where the mixed preset first
facilitates and then depresses.</p>""",
    "fit": """<h4>Fit to data</h4>
<p>Upload the response amplitudes (PSC or PSP peaks) of one synapse to one or more presynaptic
trains and fit U₀, Ω_f, Ω_d.<!--fold--> Use a CSV file with the columns
<code>spike_time_ms, amplitude</code> and optionally <code>train</code> (the protocol's name; each
train starts from rest) — or try a shipped synthetic recording. The fit finds U₀, Ω_f, Ω_d and
a scale A (amplitude = A·r) with 95 % intervals; a warning names any value the data do not determine.</p>
<p><b>What the protocol must contain.</b> The first response and the next few fix U₀ (with A).
Ω_d needs the recovery of the response after gaps of several lengths around 1/Ω_d (recovery probes
after 0.1–2 s); Ω_f needs facilitation to decay within the protocol: short probes or a train at a
second rate. One regular train at one rate cannot tell the decay of facilitation from the
recovery of resources.</p>
<p><b>Try:</b> (1) Fit both examples: which value has the widest interval, and which probe would
narrow it? (2) Use the depressing fit in the network and compare the bursts with the default
U₀ = 0.6.</p>""",
    "sweep": """<p><b>Sweep.</b> Run the network on a grid of two parameters around the Network tab's
current setting.<!--fold--> Each cell is coloured by a summary: mean E/I rate, synchrony (how bursty the
population rate is), dominant frequency, mean release r. Click a cell to load that setting.</p>
<p><b>Try:</b> (1) Sweep U₀ × Ω_f: where does the network switch from asynchronous firing to
bursts? (2) Sweep w_e × w_i and find the balanced region. For big grids and many seeds use
<code>stpexplorer sweep</code> on a Dask cluster.</p>""",
    "neuron": """<p><b>Neuron types.</b> Izhikevich (2003), Fig. 2: the same two equations give regular
spiking, bursting, chattering, fast spiking, … depending on a, b, c, d.<!--fold--> The phase plane shows the
trajectory (v, u) with the v-nullcline (parabola) and the u-nullcline (line u = b·v) for the input
after the step.</p>
<p><b>Try:</b> (1) Start from RS and lower the reset c towards −50 mV: when does it start bursting?
(2) What does d do to the adaptation of RS? (3) Why does TC fire only after the hyperpolarising
current is released? Look at where the nullclines cross.</p>""",
}


def folded(text: str) -> str:
    """``text`` (HTML paragraphs, a heading first where it has one) as a closed
    ``<details>``: what comes before the ``<!--fold-->`` mark is its summary,
    the rest is folded away."""
    heading = ""
    match = re.match(r"\s*(<h\d>.*?</h\d>)", text, re.S)
    if match:
        heading, text = match.group(1), text[match.end():]
    first, rest = text.strip().split(FOLD, 1)
    assert first.startswith("<p>"), "each teaching text starts with a paragraph"
    return (f'{heading}<details class="stpx-teaching"><summary>{first[3:]} '
            f'<span class="stpx-teaching-more">({MORE})</span></summary><p>{rest.lstrip()}</details>')


TEACHING = {name: folded(text) for name, text in _TEXTS.items()}
