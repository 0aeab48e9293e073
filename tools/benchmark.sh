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

# The benchmarks: prepare_ramdisk vs stock pxe/ipxe, planning 10,000 nodes,
# audit of 10,000 nodes on a real Ironic vs a bare node list. Each line
# prints the ratio measured in this run. Extra arguments go to
# benchmarks/run.py (e.g. --nodes 2000, --skip-audit).
# `tools/benchmark.sh transport [--ramdisk-mb 120] [--runs 1]` (root, ~5 min)
# instead boots one aarch64 node through the lab's real dnsmasq over TFTP,
# GRUB-over-HTTP and UEFI HTTP boot (benchmarks/transport.py).
# `tools/benchmark.sh multiconductor [--nodes 10000] [--provide 300]`
# enrolls, audits and provides x86_64 nodes on several conductors
# (MariaDB), stock ipxe then multiarch-ipxe (benchmarks/multiconductor.py).
set -euo pipefail
source "$(dirname "$0")/venv.sh"
cd "$TOP"
if [ "${1:-}" = multiconductor ]; then
    shift
    exec "$VENV/bin/python" -m benchmarks.multiconductor "$@"
fi
if [ "${1:-}" = transport ]; then
    shift
    exec "$VENV/bin/python" -m benchmarks.transport "$@"
fi
exec "$VENV/bin/python" -m benchmarks.run "$@"
