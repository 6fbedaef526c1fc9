#!/usr/bin/env bash
# The test command: installs what it needs, builds, then runs unit tests and integration tests against
# real berthd daemons (each on a private socket, data root and exec root, cleaned up even on failure).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
[ "$(id -u)" = 0 ] || { echo "the tests need root (mounts, namespaces, cgroups)" >&2; exit 1; }
unit=$(find dist/src -name '*.test.js' | sort)
integration=$(find dist/test -name '*.test.js' 2>/dev/null | sort)
# One file at a time: integration tests start daemons and containers; two cores are all we have.
node --test --test-concurrency=1 --test-timeout=300000 $unit $integration
