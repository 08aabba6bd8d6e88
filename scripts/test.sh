#!/usr/bin/env bash
# Installs everything the tests need and runs them all:
#   - Debian's Chromium (for the browser tests), when it is missing;
#   - this package with its test extras (pytest, hypothesis, playwright).
# Extra arguments go to pytest, e.g. scripts/test.sh -k stp
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'

# pytest exits 5 when it collected no test: that is a failure here, as is any non-zero code.
python3 -m pytest "$@"
