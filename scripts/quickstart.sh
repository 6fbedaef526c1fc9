#!/usr/bin/env bash
# berth's main job, offline: install and build, start berthd (default roots, /run/berth/berthd.sock) unless
# one runs, build busybox:latest from Debian's busybox-static, and run a real container.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
[ "$(id -u)" = 0 ] || { echo "berthd needs root" >&2; exit 1; }
SOCK=/run/berth/berthd.sock
if ! curl -sf --unix-socket "$SOCK" http://berth/_ping >/dev/null 2>&1; then
  mkdir -p /var/log
  setsid bin/berthd >/var/log/berthd.log 2>&1 < /dev/null &
  for _ in $(seq 1 100); do curl -sf --unix-socket "$SOCK" http://berth/_ping >/dev/null 2>&1 && break; sleep 0.1; done
  curl -sf --unix-socket "$SOCK" http://berth/_ping >/dev/null || { echo "berthd did not start; see /var/log/berthd.log" >&2; exit 1; }
  echo "berthd started (log: /var/log/berthd.log, socket: $SOCK)"
fi
bin/berth image bootstrap busybox
bin/berth run --rm busybox sh -c 'echo "hello from a berth container: $(uname -s) $(hostname), pid $$"; id'
echo
echo "Try it with the docker CLI too:  DOCKER_HOST=unix://$SOCK docker run --rm busybox echo hello"
