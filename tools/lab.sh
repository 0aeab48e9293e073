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

# The lab: a real standalone Ironic (sqlite) enrolls a small hybrid fleet
# (aarch64 UEFI, x86_64 BIOS/UEFI, PXE and iPXE); Debian's dnsmasq in a
# network namespace serves Ironic's DHCP files, TFTP and HTTP roots, and
# each node netboots as a QEMU machine on a tap with its port's MAC.
# Prints what each node booted and the timings. Needs root (namespaces);
# installs its Debian packages with apt on first use.
#   tools/lab.sh [--node NAME ...] [--parallel N] [--workdir DIR]
set -euo pipefail
source "$(dirname "$0")/venv.sh"
cd "$TOP"
exec "$VENV/bin/python" -m multiarch_lab "$@"
