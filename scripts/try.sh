#!/usr/bin/env bash
# "Try it": installs everything, starts the Slipway server, deploys examples/hello and prints its URL.
set -euo pipefail
cd "$(dirname "$0")/.."
export SLIPWAY_HOME="${SLIPWAY_HOME:-$HOME/.slipway}"
HTTP_PORT="${SLIPWAY_HTTP_PORT:-80}"
DOMAIN="${SLIPWAY_DOMAIN:-slipway.localhost}"
say() { printf '[try] %s\n' "$*"; }

./scripts/install.sh

# No registry reachable (no DNS for Docker Hub): build a local Node base image from Debian packages.
if docker image inspect node:20-bookworm-slim >/dev/null 2>&1; then
  BASE_IMAGE=node:20-bookworm-slim
elif getent hosts registry-1.docker.io >/dev/null 2>&1; then
  BASE_IMAGE=node:20-bookworm-slim
else
  say "no container registry reachable: building local base images"
  ./scripts/base-images.sh
  BASE_IMAGE=slipway/node:bookworm
fi

if ! curl -fsS "$(node -e "try{console.log(JSON.parse(require('fs').readFileSync(process.env.SLIPWAY_HOME+'/api.json','utf8')).url)}catch{console.log('http://127.0.0.1:1')}")/v1/health" >/dev/null 2>&1; then
  say "starting the Slipway server (log: $SLIPWAY_HOME/server.log)"
  nohup ./bin/slipway server >>"$SLIPWAY_HOME/server.log" 2>&1 &
  for _ in $(seq 1 60); do
    [ -f "$SLIPWAY_HOME/api.json" ] && ./bin/slipway apps >/dev/null 2>&1 && break
    sleep 0.5
  done
  ./bin/slipway apps >/dev/null || { say "the server did not start; last lines of its log:"; tail -20 "$SLIPWAY_HOME/server.log"; exit 1; }
fi

./bin/slipway apps:create hello 2>/dev/null || true
./bin/slipway deploy -a hello examples/hello --build-arg "BASE_IMAGE=$BASE_IMAGE"

URL="http://hello.$DOMAIN$([ "$HTTP_PORT" = 80 ] || echo ":$HTTP_PORT")/"
say "hello is live at $URL"
curl -fsS -H "Host: hello.$DOMAIN" "http://127.0.0.1:$HTTP_PORT/"
