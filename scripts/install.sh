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
say "done in $(( $(date +%s) - start )) s"
