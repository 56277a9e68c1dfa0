#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image: it installs
# Python 3.11 or newer if the image lacks it, then matcalc from the wheel beside this script,
# with its dependencies at the versions pinned in constraints.txt (the ones it was tested with).
set -euo pipefail
ROOT="${MATCALC_AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
export DEBIAN_FRONTEND=noninteractive

recent() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; }

find_python() {
    for candidate in python3 python3.13 python3.12 python3.11; do
        if command -v "$candidate" >/dev/null 2>&1 && recent "$candidate"; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

PYTHON="$(find_python || true)"
if [ -z "$PYTHON" ]; then
    apt-get update
    apt-get install -y python3.11 python3.11-venv || apt-get install -y python3 python3-venv
    PYTHON="$(find_python)" || { echo "matcalc needs Python 3.11 or newer" >&2; exit 1; }
fi
if ! "$PYTHON" -m venv "$ROOT/venv"; then  # Debian and Ubuntu ship venv separately
    apt-get update
    apt-get install -y "$(basename "$PYTHON")-venv"
    "$PYTHON" -m venv "$ROOT/venv"
fi
"$ROOT/venv/bin/python" -m pip install --constraint "$SOURCE/constraints.txt" \
    "$SOURCE"/matcalc-*.whl
"$ROOT/venv/bin/python" -m pip check
"$ROOT/venv/bin/matcalc" --version
