"""Write the shipped synthetic recordings for the fit: stpexplorer/data/fit_*.csv.

Each file holds the response amplitudes (pA) of one synapse to two protocols,
every train starting from rest:

* ``20Hz+probes``: 8 spikes at 20 Hz, then recovery probes 125 ms, 500 ms and
  1500 ms after the spike before each;
* ``50Hz``: 10 spikes at 50 Hz.

Amplitudes are A·r_n from the model's recursion (:func:`stpexplorer.fit.release`)
times (1 + 0.05·ξ), ξ ~ N(0, 1) independent (5 % multiplicative noise), drawn
with numpy's default_rng(SEED).  True values (Maass, Natschläger & Markram 2002,
with Ω_d = 1/τ_rec and Ω_f = 1/τ_facil):

* depressing (E→E):   U_0 0.5,  τ_rec 1.1 s  (Ω_d 0.9091/s), τ_facil 50 ms (Ω_f 20/s),     A 120 pA
* facilitating (E→I): U_0 0.05, τ_rec 125 ms (Ω_d 8/s),      τ_facil 1.2 s (Ω_f 0.8333/s), A 400 pA

Run from the repository root: ``python scripts/make_fit_examples.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from stpexplorer.fit import release

SEED = 2019
NOISE = 0.05  # relative standard deviation of the multiplicative noise

TRUE = {
    "depressing": {"U_0": 0.5, "Omega_f": 20.0, "Omega_d": 1 / 1.1, "A": 120.0,
                   "source": "Maass, Natschlaeger & Markram 2002, E->E: U 0.5, tau_rec 1.1 s, tau_facil 50 ms"},
    "facilitating": {"U_0": 0.05, "Omega_f": 1 / 1.2, "Omega_d": 8.0, "A": 400.0,
                     "source": "Maass, Natschlaeger & Markram 2002, E->I: U 0.05, tau_rec 125 ms, tau_facil 1.2 s"},
}


def protocols() -> dict[str, np.ndarray]:
    """Spike times (ms) of the two protocols."""
    train = np.arange(8) * 50.0
    probes = train[-1] + np.cumsum([125.0, 500.0, 1500.0])
    return {"20Hz+probes": np.concatenate([train, probes]), "50Hz": np.arange(10) * 20.0}


def write(kind: str, out_dir: Path, rng: np.random.Generator) -> Path:
    true = TRUE[kind]
    lines = [
        f"# Synthetic recording of a {kind} synapse (stpexplorer, scripts/make_fit_examples.py).",
        f"# True values: U_0 {true['U_0']:.4g}, Omega_f {true['Omega_f']:.4g} 1/s, "
        f"Omega_d {true['Omega_d']:.4g} 1/s, A {true['A']:g} pA ({true['source']}).",
        f"# amplitude = A*r_n*(1 + {NOISE:g}*xi), xi ~ N(0,1), numpy default_rng({SEED}); amplitudes in pA.",
        "spike_time_ms,amplitude,train",
    ]
    for name, times in protocols().items():
        r = release(times, true["U_0"], true["Omega_f"], true["Omega_d"])
        amps = true["A"] * r * (1 + NOISE * rng.standard_normal(len(r)))
        lines += [f"{t:g},{a:.4g},{name}" for t, a in zip(times, amps)]
    path = out_dir / f"fit_{kind}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main() -> None:
    out_dir = Path(__file__).resolve().parent.parent / "stpexplorer" / "data"
    out_dir.mkdir(exist_ok=True)
    rng = np.random.default_rng(SEED)
    for kind in TRUE:
        print("wrote", write(kind, out_dir, rng))


if __name__ == "__main__":
    main()
