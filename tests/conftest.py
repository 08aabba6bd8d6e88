import os

import pytest

from stpexplorer import RuntimeEngine, StandaloneEngine


@pytest.fixture(scope="session")
def build_cache(tmp_path_factory):
    """One standalone build cache for the whole session (also used by Voila kernels)."""
    path = os.environ.get("STPEXPLORER_TEST_CACHE") or str(tmp_path_factory.mktemp("builds"))
    os.environ["STPEXPLORER_CACHE"] = path
    return path


@pytest.fixture(scope="session")
def engine(build_cache):
    return StandaloneEngine(cache=build_cache)


@pytest.fixture(scope="session")
def runtime():
    return RuntimeEngine("numpy")
