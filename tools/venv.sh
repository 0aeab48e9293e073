#!/usr/bin/env bash
# Creates (or reuses) the project's virtualenv and installs the plugin,
# Ironic and the test requirements into it. Sourced by the other tools.
#   IRONIC_VERSION  Ironic release to install (default 39.0.0, 2026.2)
#   VENV            virtualenv directory (default .venv in the repo)
set -euo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
IRONIC_VERSION=${IRONIC_VERSION:-39.0.0}
VENV=${VENV:-$TOP/.venv}
PY=${PYTHON:-python3}

if ! "$PY" -c 'import venv, ensurepip' 2>/dev/null; then
    apt-get update -q && DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q python3-venv python3-dev gcc
fi
if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV"
fi
stamp="$VENV/.ironic-multiarch-$IRONIC_VERSION"
if [ ! -f "$stamp" ] || [ "$TOP/setup.cfg" -nt "$stamp" ] \
        || [ "$TOP/requirements.txt" -nt "$stamp" ] \
        || [ "$TOP/test-requirements.txt" -nt "$stamp" ]; then
    "$VENV/bin/pip" install -q --upgrade pip
    "$VENV/bin/pip" install -q "ironic==$IRONIC_VERSION" \
        -r "$TOP/requirements.txt" -r "$TOP/test-requirements.txt" \
        oslotest fixtures testtools
    "$VENV/bin/pip" install -q -e "$TOP[osc]"
    touch "$stamp"
fi
