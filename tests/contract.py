"""Checks of the result contract shared by several test modules."""

import numpy as np


def assert_npz_holds_result(file, result):
    """Every contract name of the npz equals the result's value, and the
    parameters and seed come back (the file alone reproduces the run)."""
    from stpexplorer import Params
    from stpexplorer.results import CONTRACT

    with np.load(file, allow_pickle=False) as data:
        assert set(CONTRACT) <= set(data.files)
        for name in CONTRACT:
            np.testing.assert_array_equal(data[name], np.asarray(getattr(result, name)), err_msg=name)
        for name in ("recorded_neurons", "v_rec_mV", "conn_pre", "conn_post"):
            np.testing.assert_array_equal(data[name], getattr(result, name), err_msg=name)
        assert Params.from_json(str(data["params_json"])) == result.params
        assert int(data["seed"]) == result.seed
    assert len(result.spike_i) > 0 and len(result.u_at_spikes) > 0  # something to compare
