#!/usr/bin/env bash
# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

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
        -r "$TOP/requirements.txt" -r "$TOP/test-requirements.txt"
    "$VENV/bin/pip" install -q -e "$TOP[osc]"
    touch "$stamp"
fi
