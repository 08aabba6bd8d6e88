"""Browser tests cannot pass silently: without Chromium they are skipped on a
developer's machine, but fail in CI (CI=true) and under scripts/test.sh
(STPEXPLORER_REQUIRE_BROWSER=1), which installs the browser."""

import os
import subprocess
import sys

import pytest

TEST = "tests/browser/test_dashboard.py::test_page_loads_with_four_panels_and_first_run"


def _run(**env):
    base = {k: v for k, v in os.environ.items() if k not in ("CI", "STPEXPLORER_REQUIRE_BROWSER")}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", TEST],
                          env={**base, "STPEXPLORER_CHROMIUM": "/nonexistent/chromium", **env},
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("env", [{"CI": "true"}, {"STPEXPLORER_REQUIRE_BROWSER": "1"}])
def test_a_missing_browser_fails_the_run_in_ci(env):
    done = _run(**env)
    assert done.returncode != 0 and "no Chromium at /nonexistent/chromium" in done.stdout, done.stdout[-800:]


def test_a_missing_browser_is_a_skip_elsewhere():
    done = _run()
    assert done.returncode == 0 and "1 skipped" in done.stdout, done.stdout[-800:]
