"""Result summaries on chosen spike trains: rates, bins and population names."""

import numpy as np
import pytest

from synthetic import synthetic_result


@pytest.fixture
def result():
    # 40 E + 10 I over 1 s: E neuron 3 fires 6 spikes, I neuron 45 fires 4
    return synthetic_result([3] * 6 + [45] * 4, [100, 200, 300, 400, 500, 600, 50, 150, 250, 350])


def test_mean_rate_accepts_any_case_and_knows_its_populations(result):
    assert result.mean_rate_hz("e") == result.mean_rate_hz("E") == pytest.approx(6 / 40)
    assert result.mean_rate_hz("I") == pytest.approx(4 / 10)
    assert result.mean_rate_hz("All") == pytest.approx(10 / 50)
    for bad in ("x", "exc", "", None, 0):
        with pytest.raises(ValueError, match="population=.* is invalid; allowed: 'e'"):
            result.mean_rate_hz(bad)


def test_population_rate_bins(result):
    centres, rate = result.population_rate(100.0, "E")
    assert len(centres) == 10 and centres[0] == 50.0
    # one spike of 40 neurons in a 0.1 s bin: 0.25 Hz per neuron
    np.testing.assert_allclose(rate, [0, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0, 0, 0])
    for bad in (0, -1, -0.5, float("nan"), float("inf"), 1001.0, "1", True):
        with pytest.raises(ValueError, match="bin_ms=.* is invalid"):
            result.population_rate(bad)
    with pytest.raises(ValueError, match="population="):
        result.population_rate(1.0, "inhibitory")
