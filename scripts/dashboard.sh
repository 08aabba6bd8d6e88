#!/usr/bin/env bash
# Installs stpexplorer into a virtual environment (.venv) and serves the
# dashboard on its default parameters: http://127.0.0.1:8866/
# Extra arguments go to 'stpexplorer dashboard', e.g. --port 8900 --pool-size 4
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh

ensure_venv
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check .
exec "$VENV/bin/stpexplorer" dashboard "$@"
