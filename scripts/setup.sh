#!/usr/bin/env bash
# Installs what berth needs on a fresh Debian machine (offline apart from Debian's and npm's registries),
# then builds it. Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pair in runc:runc crun:crun conmon:conmon busybox:busybox-static iptables:iptables tini-static:tini ip:iproute2 docker-registry:docker-registry skopeo:skopeo mount:mount script:bsdutils openssl:openssl htpasswd:apache2-utils; do
  cmd=${pair%%:*} pkg=${pair#*:}
  command -v "$cmd" >/dev/null 2>&1 || need+=("$pkg")
done
# busybox-static specifically: the base image needs a static busybox
dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)
# the Python clients the client tests run (test/integration/clients): Debian's docker-compose 1.29 and
# docker-py for /usr/bin/python3, whatever else PATH has
for pkg in docker-compose python3-docker; do dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg"); done
# a real docker CLI for the compatibility tests, when the machine has none
command -v docker >/dev/null 2>&1 || need+=(docker.io)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build
