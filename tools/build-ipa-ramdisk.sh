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

# Builds (or reuses from ~/.cache/ironic-multiarch/ipa) real
# ironic-python-agent deploy ramdisks from Debian packages and PyPI, and
# prints each architecture's kernel and ramdisk paths, sizes and build time.
# Needs root (debootstrap, chroot); installs its Debian tools with apt.
#   tools/build-ipa-ramdisk.sh [--arch x86_64|aarch64|all]
#       [--ipa-version V] [--output DIR]
# With --output the files are copied there as ipa-<arch>.kernel and
# ipa-<arch>.initramfs (zstd: see the [conductor] option documented in
# multiarch_lab/ipa_ramdisk.py).
set -euo pipefail

usage_error() {
    echo "build-ipa-ramdisk: error: $*" >&2
    exit 2
}

# Check the arguments before the (possibly slow) virtualenv setup.
args=("$@")
while [ $# -gt 0 ]; do
    case "$1" in
        -h|--help) sed -n '14,22p' "$0" | cut -c3-; exit 0 ;;
        --arch)
            case "${2-}" in
                x86_64|aarch64|all) ;;
                *) usage_error "--arch needs x86_64, aarch64 or all" ;;
            esac
            shift 2 ;;
        --ipa-version|--output|--cache-dir|--mirror)
            [ -n "${2-}" ] || usage_error "$1 needs a value"
            shift 2 ;;
        *) usage_error "unknown argument: $1" ;;
    esac
done
[ "$(id -u)" = 0 ] || usage_error "needs root (debootstrap, chroot, mounts)"

source "$(dirname "$0")/venv.sh"
cd "$TOP"
exec "$VENV/bin/python" -m multiarch_lab.ipa_ramdisk "${args[@]}"
