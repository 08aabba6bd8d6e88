#!/usr/bin/env bash
# Builds the documentation into docs/_build/html (offline, warnings as errors)
# and opens docs/_build/html/index.html in a browser where there is one.
#   - installs the package with its docs extra (Sphinx, MyST-NB, sphinx-gallery,
#     offline MathJax, the furo theme) into the virtual environment .venv;
#   - runs the example gallery (examples/plot_*.py) and 'stpexplorer validate --quick'
#     for the validation page (STPEXPLORER_DOCS_VALIDATION=DIR reuses a finished report).
# Extra arguments go to sphinx-build, e.g. scripts/docs.sh -E (re-read every page).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh

ensure_venv
if [ -z "${STPEXPLORER_DOCS_NO_INSTALL:-}" ]; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e '.[docs]'
fi
"$VENV/bin/python" -m sphinx -W --keep-going -b html "$@" docs docs/_build/html
index="$PWD/docs/_build/html/index.html"
echo "documentation: file://$index"
if [ -z "${CI:-}" ] && [ -z "${STPEXPLORER_DOCS_NO_OPEN:-}" ] && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    if command -v xdg-open >/dev/null; then xdg-open "$index" >/dev/null 2>&1 || true; fi
fi
