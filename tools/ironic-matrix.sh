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

# Runs the driver, parity and functional tests against every supported
# Ironic release (2024.1, 2025.1, 2026.2), each in its own virtualenv.
set -uo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
RELEASES=${RELEASES:-"24.1.5 29.0.6 39.0.0"}
status=0
paths=()
for path in tests/driver tests/parity tests/functional; do
    [ -e "$TOP/$path" ] && paths+=("$path")
done
for version in $RELEASES; do
    log=$(mktemp)
    if IRONIC_VERSION=$version VENV=$TOP/.venv-$version \
            bash "$TOP/tools/test.sh" -q "${paths[@]}" \
            >"$log" 2>&1; then
        result=ok
    else
        result=FAILED
        status=1
    fi
    echo "ironic $version: $result: $(grep -E '(passed|failed|error)' "$log" | tail -n 1)"
    [ "$result" = ok ] || tail -n 30 "$log"
    rm -f "$log"
done
exit $status
