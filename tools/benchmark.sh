#!/usr/bin/env bash
# The benchmarks: prepare_ramdisk vs stock pxe/ipxe, planning 10,000 nodes,
# audit of 10,000 nodes on a real Ironic vs a bare node list. Each line
# prints the ratio measured in this run. Extra arguments go to
# benchmarks/run.py (e.g. --nodes 2000, --skip-audit).
set -euo pipefail
source "$(dirname "$0")/venv.sh"
cd "$TOP"
exec "$VENV/bin/python" -m benchmarks.run "$@"
