# Sourced by scripts/test.sh and scripts/dashboard.sh: a virtual environment
# for the project, so the set-up also works where the system Python refuses
# a bare 'pip install' (PEP 668: Debian's and Ubuntu's Python).
#   VENV          the environment (default .venv in the repository; STPEXPLORER_VENV overrides)
#   apt_install   installs Debian packages (with sudo when not root)

VENV="${STPEXPLORER_VENV:-.venv}"

apt_install() {
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

ensure_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        # Debian's python3 has venv only with its python3-venv package
        python3 -m venv "$VENV" 2>/dev/null || { rm -rf "$VENV"; apt_install python3-venv; python3 -m venv "$VENV"; }
    fi
}
