"""The model page (docs/model.md) and :mod:`stpexplorer.stp` say that, per spike, the model's
Tsodyks–Markram update is the recursion of NEST's ``tsodyks2_synapse``
(Markram, Wang & Tsodyks 1998, Eqs. 4-5 as NEST writes them).  Here that
recursion is written the way NEST writes it (state after spike n: u_n after
the facilitation jump, x_n before the release; the decay is applied when the
next spike arrives) and compared with :func:`stpexplorer.stp.recursion`."""

import numpy as np
import pytest

from stpexplorer import stp


def nest_tsodyks2(spike_times_ms, U, tau_fac_ms, tau_rec_ms):
    """u, x and u·x at each spike, in the update order of NEST's tsodyks2_synapse::send:
    x <- 1 + (x - x u - 1) e^{-h/tau_rec};  u <- U + u (1 - U) e^{-h/tau_fac};  weight x u."""
    u, x = U, 1.0  # NEST's state for the first spike
    out = []
    for k, t in enumerate(spike_times_ms):
        if k:
            h = t - spike_times_ms[k - 1]
            x_decay = np.exp(-h / tau_rec_ms)
            u_decay = np.exp(-h / tau_fac_ms) if tau_fac_ms > 1e-10 else 0.0
            x = 1.0 + (x - x * u - 1.0) * x_decay
            u = U + u * (1.0 - U) * u_decay
        out.append((u, x, u * x))
    return np.array(out)


@pytest.mark.parametrize("U_0, Omega_f, Omega_d", [
    (0.6, 3.33, 2.0),    # Stimberg et al. (2019): mixed
    (0.5, 1000.0, 1.25),  # depressing (tau_rec 800 ms, no facilitation to speak of)
    (0.05, 1.0, 10.0),   # facilitating
])
def test_per_spike_states_equal_nests_tsodyks2_recursion(U_0, Omega_f, Omega_d):
    rng = np.random.default_rng(3)
    regular_with_recovery = np.concatenate([np.arange(10) * 50.0, [450.0 + 800.0]])
    poisson = np.cumsum(rng.exponential(40.0, 40))
    for train in (regular_with_recovery, poisson):
        ours = stp.recursion(train, U_0, Omega_f, Omega_d)
        nest = nest_tsodyks2(train, U_0, 1e3 / Omega_f, 1e3 / Omega_d)
        np.testing.assert_allclose(np.column_stack([ours.u, ours.x, ours.r]), nest, rtol=0, atol=1e-13)
