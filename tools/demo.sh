#!/usr/bin/env bash
# The main job: a real standalone Ironic (sqlite, 127.0.0.1) with this
# plugin serves a hybrid x86_64/aarch64/ppc64le fleet; prints what each
# node boots and the tree the conductor wrote, then shuts down.
set -euo pipefail
source "$(dirname "$0")/venv.sh"
exec "$VENV/bin/ironic-multiarch-demo" "$@"
