#!/usr/bin/env bash
# Installs Slipway's npm dependencies and compiles it, then bootstraps the host (`slipway setup`:
# Docker Engine + HAProxy from Debian when missing, dockerd started, SLIPWAY_HOME created).
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '[install] %s\n' "$*"; }
start=$(date +%s)
if [ ! -d node_modules/better-sqlite3/build ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
say "compiling TypeScript"
npm run --silent build
say "slipway setup"
./bin/slipway setup
# Debian packages the tests need beyond what setup installs:
#   busybox-static — the tiny HTTP image of the dockerd-restart test and the Swarm lab (test/swarm/)
#   docker-registry — CNCF distribution, the registry Slipway runs so Swarm nodes pull images by digest
#   openssh-client — ssh and ssh-keygen for the git push over SSH tests (a fresh Debian may lack them)
packages=(busybox-static docker-registry openssh-client)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  say "apt-get install ${missing[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
say "done in $(( $(date +%s) - start )) s"
