#!/usr/bin/env bash
# "Test": installs what the suite needs (npm deps, Docker Engine, HAProxy, local base images) and runs
# every test: unit tests of the pure parts, adapter tests against real Docker / HAProxy / SQLite, and
# end-to-end deploys under load.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh
./scripts/base-images.sh
echo "[test] type-checking sources, tests and benchmarks"
npx tsc -p tsconfig.check.json
echo "[test] lint (typescript-eslint) and format (prettier, 120 columns)"
npx eslint --max-warnings 0 src test bench eslint.config.js
npx prettier --check --log-level warn "src/**/*.ts" "test/**/*.ts" "bench/**/*.ts" eslint.config.js
shopt -s globstar nullglob
files=(src/**/*.test.ts test/**/*.test.ts)
echo "[test] ${#files[@]} test files"
tap="$(mktemp /tmp/slipway-test-tap.XXXXXX)"
status=0
node --import tsx --test --test-concurrency=1 --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$tap" "${files[@]}" || status=$?
pass=$(grep -E '^# pass ' "$tap" | tail -1 | awk '{print $3}')
fail=$(grep -E '^# fail ' "$tap" | tail -1 | awk '{print $3}')
rm -f "$tap"
echo "${pass:-0} passed, ${fail:-0} failed"
exit $status
