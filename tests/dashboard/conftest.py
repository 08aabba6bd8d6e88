"""Fixtures of the dashboard tests."""

import pytest

from stpexplorer import presets
from stpexplorer.dashboard.network_tab import Explorer


@pytest.fixture
def explorer(engine):
    ex = Explorer(presets.FORUM, engine=engine, preset="forum")
    assert ex.wait(300)
    yield ex
    ex.close()
