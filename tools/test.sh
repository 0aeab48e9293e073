#!/usr/bin/env bash
# Every test: unit (pure planner), driver (Ironic in-process), functional
# (a real Ironic API + conductor), boot (QEMU netboots the conductor's
# tree; installs its Debian packages itself) and property tests.
# Extra arguments go to pytest, e.g. `tools/test.sh -m "not boot"`.
set -euo pipefail
source "$(dirname "$0")/venv.sh"
cd "$TOP"
"$VENV/bin/reno" lint >/dev/null
exec "$VENV/bin/pytest" -p no:cacheprovider "$@"
