"""The default caps of one run are the documented ones: a request just over
each is refused before any work, one just under is accepted.

The expected values are read from the "Caps" table of the documentation's
limits page, docs/reliability.md (what a user is promised), not from the
constants in ``stpexplorer.engine.limits``.
"""

import re
from pathlib import Path

import pytest

from stpexplorer import BudgetError, Params
from stpexplorer.engine import check_budget, check_request, time_limit_s

LIMITS_PAGE = Path(__file__).resolve().parents[1] / "docs" / "reliability.md"
VARIABLES = ("STPEXPLORER_MAX_NEURON_STEPS", "STPEXPLORER_MAX_SYNAPSES", "STPEXPLORER_MAX_SECONDS")
SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


def _readme_caps() -> dict[str, str]:
    """The "Caps" table of the limits page: limit -> default, as written."""
    rows = re.findall(r"^\| ([^|]+?) \| ([^|]+?) \| [^|]+ \|$", LIMITS_PAGE.read_text(), re.MULTILINE)
    return {limit: default for limit, default in rows}


def _number(text: str) -> float:
    """'2·10⁸' -> 2e8, '120 s' -> 120, '5 × the synapse cap' -> 5."""
    text = text.translate(SUPERSCRIPTS)
    power = re.fullmatch(r"([\d.]+)·10(\d+)", text)
    if power:
        return float(power.group(1)) * 10 ** int(power.group(2))
    return float(re.match(r"[\d.]+", text).group(0))


@pytest.fixture()
def caps(monkeypatch):
    """The documented defaults, with no environment override in force."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    table = _readme_caps()
    synapses = _number(table["expected synapses"])
    return {"neuron_steps": _number(table["neurons × time steps per run"]),
            "synapses": synapses,
            "noise_values": _number(table["noise values (neurons × ms)"]) * synapses,
            "seconds": _number(table["wall-clock time of one run"])}


def test_the_readme_states_the_caps(caps):
    assert caps == {"neuron_steps": 2e8, "synapses": 2e7, "noise_values": 1e8, "seconds": 120.0}


def test_neuron_steps_just_over_the_default_are_refused(caps):
    # 1 000 neurons at dt 0.1 ms: neurons × steps = 10⁴ × duration (ms)
    limit_ms = caps["neuron_steps"] / 1e4
    with pytest.raises(BudgetError, match="STPEXPLORER_MAX_NEURON_STEPS"):
        check_request(Params(duration=limit_ms + 0.1))
    assert check_request(Params(duration=limit_ms - 0.1)) == 0


def test_synapses_just_over_the_default_are_refused(caps):
    # 20 000 + 5 000 neurons, p_e = p_i = p: about p × 25 000² synapses; 10 ms at dt 1 ms
    n = 25_000
    p_limit = caps["synapses"] / n ** 2
    network = dict(N_e=20_000, N_i=5_000, duration=10.0, dt=1.0)
    with pytest.raises(BudgetError, match="synapses .* exceed the limit 2e\\+07.*STPEXPLORER_MAX_SYNAPSES"):
        check_request(Params(**network, p_e=p_limit * 1.001, p_i=p_limit * 1.001))
    check_budget(Params(**network, p_e=p_limit * 0.999, p_i=p_limit * 0.999))  # drawing 2·10⁷ synapses: no


def test_noise_values_just_over_the_default_are_refused(caps):
    # 2 000 neurons at dt 1 ms: noise values = 2 000 × (duration/1 ms + 1), neuron steps half the cap
    n = 2_000
    network = dict(N_e=1_600, N_i=400, dt=1.0)
    just_over = caps["noise_values"] / n  # values per neuron: duration/1 ms + 1
    with pytest.raises(BudgetError, match="noise input needs"):
        check_request(Params(**network, duration=just_over))
    assert check_request(Params(**network, duration=just_over - 2)) == 0


def test_wall_clock_limit_is_the_documented_default(caps):
    assert time_limit_s() == caps["seconds"]
