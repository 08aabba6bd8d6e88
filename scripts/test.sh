#!/usr/bin/env bash
# Installs everything the tests need and runs them all:
#   - Debian's Chromium (for the browser tests), when /usr/bin/chromium is missing;
#   - a virtual environment in .venv with this package, its test extras
#     (pytest, hypothesis, playwright, dask, NEST, Sphinx) and ruff;
# then ruff, pytest, the quick conformance report (stpexplorer validate --quick)
# and the documentation build (scripts/docs.sh, warnings as errors).
# Extra arguments go to pytest, e.g. scripts/test.sh -k stp
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh

CHROMIUM="${STPEXPLORER_CHROMIUM:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] || apt_install chromium
ensure_venv
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e '.[test]'

# the browser tests were just provided for: a missing browser fails them instead of skipping them
export STPEXPLORER_REQUIRE_BROWSER=1
# lint first: style and import errors fail fast, before minutes of tests
"$VENV/bin/ruff" check .
# pytest exits 5 when it collected no test: that is a failure here, as is any non-zero code.
# pytest, the conformance checks and the docs build all run; the script fails if any fails.
status=0
"$VENV/bin/python" -m pytest "$@" || status=$?
report_dir="$(mktemp -d)"
"$VENV/bin/stpexplorer" validate --quick --out "$report_dir" || { code=$?; [ "$status" -ne 0 ] || status=$code; }
echo "conformance report: $report_dir/report.md"
# the documentation, offline and with warnings as errors; its validation page shows this report
STPEXPLORER_DOCS_VALIDATION="$report_dir" STPEXPLORER_DOCS_NO_INSTALL=1 STPEXPLORER_DOCS_NO_OPEN=1 \
    bash scripts/docs.sh || { code=$?; [ "$status" -ne 0 ] || status=$code; }
exit "$status"
