"""Panel plumbing: round limits for the kept axes."""

from stpexplorer.dashboard.figures import nice_limits


def test_nice_limits_are_round_and_contain_the_data():
    assert nice_limits(0.0, 3.66) == (0.0, 4.0)
    assert nice_limits(-83.2, 30.0) == (-100.0, 50.0)
    assert nice_limits(0.0, 0.0123) == (0.0, 0.015)
    assert nice_limits(5.0, 5.0)[0] < 5.0 < nice_limits(5.0, 5.0)[1]
    assert nice_limits(float("nan"), 1.0) == (0.0, 1.0)
