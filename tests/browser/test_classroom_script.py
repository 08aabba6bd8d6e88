"""scripts/classroom.py, run small (3 pages): it starts its own server, drives
Chromium, and reports the figures the documentation's "Serving a class" page (docs/classroom.md)
gives for 10 pages.  Checked here: it runs, measures, and the class leaves
nothing behind (only the pool's kernels after the pages close; no request to
another host).  Timings are reported, not asserted."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "classroom.py"


def test_classroom_script_with_three_pages(prebuilt, tmp_path):
    out = tmp_path / "report.json"
    done = subprocess.run([sys.executable, str(SCRIPT), "--pages", "3", "--pool-size", "1", "--duration", "8",
                           "--period", "2", "--timeout", "300", "--cache", prebuilt, "--json", str(out)],
                          capture_output=True, text=True, timeout=400)
    assert done.returncode == 0, (done.stdout[-1500:], done.stderr[-1500:])
    report = json.loads(out.read_text())
    print("\n[classroom] " + done.stdout.strip().splitlines()[-1])
    assert report["foreign_requests"] == []
    assert len(report["open_to_panels_s"]["all"]) == 3
    assert report["slider_to_panels_s"]["moves"] >= 6
    assert report["during_sliders"]["kernels"] == 3 + 1  # the pages' and the pool's
    assert report["after"]["kernels"] == 1  # closed pages freed their kernels
    assert all(0 < mb for mb in report["during_sliders"]["rss_mb"])
