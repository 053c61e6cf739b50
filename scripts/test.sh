#!/usr/bin/env bash
# "Test": installs what the suite needs (npm deps, Docker Engine, HAProxy, local base images) and runs
# every test: unit tests of the pure parts, adapter tests against real Docker / HAProxy / SQLite, and
# end-to-end deploys under load.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh
./scripts/base-images.sh
shopt -s globstar nullglob
files=(src/**/*.test.ts test/**/*.test.ts)
echo "[test] ${#files[@]} test files"
node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
