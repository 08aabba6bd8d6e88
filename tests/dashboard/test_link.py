"""Shareable links: a setting as a query string and back."""

import pytest

from stpexplorer import presets
from stpexplorer.dashboard.link import link_query, parse_query


def test_share_link_round_trip():
    params = presets.FORUM.replace(U_0=0.3, stp=False)
    query = link_query(params, seed=5, preset="forum", tab="synapse")
    assert query.startswith("?preset=forum&") and "U_0=0.3" in query and "stp=false" in query
    assert parse_query(query) == ("forum", params, 5, "synapse")
    for bad, field in (("U_0=abc", "U_0"), ("bogus=1", "bogus"), ("seed=-1", "seed"), ("tab=x", "tab"),
                       ("preset=nope", "preset"), ("a" * 5000, "limit"), ("seed=²", "seed="),
                       (f"seed={2**32}", "seed=")):
        with pytest.raises(ValueError, match=field):
            parse_query(bad)
    assert parse_query(f"seed={2**32 - 1}")[2] == 2**32 - 1  # the same bound as simulate() and the CLI
