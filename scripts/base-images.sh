#!/usr/bin/env bash
# Builds the local base images Slipway's example and tests use when no container registry is reachable:
#   slipway/debian:bookworm  — a minimal Debian from debootstrap, imported into Docker
#   slipway/node:bookworm    — that plus Debian's nodejs
# Idempotent: images that exist are kept. Product code never depends on these names: every Dockerfile
# takes its base image as a build argument.
set -euo pipefail
cd "$(dirname "$0")/.."
MIRROR="${SLIPWAY_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
say() { printf '%s %s\n' "[base-images]" "$*"; }

if docker image inspect slipway/debian:bookworm >/dev/null 2>&1; then
  say "slipway/debian:bookworm present"
else
  if ! command -v debootstrap >/dev/null; then
    say "installing debootstrap"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  fi
  rootfs="$(mktemp -d /tmp/slipway-rootfs.XXXXXX)"
  trap 'rm -rf "$rootfs"' EXIT
  start=$(date +%s)
  say "debootstrap --variant=minbase bookworm from $MIRROR (about 30 s)"
  debootstrap --variant=minbase bookworm "$rootfs" "$MIRROR" >/tmp/slipway-debootstrap.log 2>&1 \
    || { say "debootstrap failed; see /tmp/slipway-debootstrap.log"; tail -20 /tmp/slipway-debootstrap.log; exit 1; }
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | docker import -c 'CMD ["/bin/bash"]' - slipway/debian:bookworm >/dev/null
  say "slipway/debian:bookworm imported in $(( $(date +%s) - start )) s"
fi

if docker image inspect slipway/node:bookworm >/dev/null 2>&1; then
  say "slipway/node:bookworm present"
else
  start=$(date +%s)
  say "building slipway/node:bookworm (Debian's nodejs)"
  docker build -q -t slipway/node:bookworm -f scripts/base-images/node.Dockerfile scripts/base-images >/dev/null
  say "slipway/node:bookworm built in $(( $(date +%s) - start )) s"
fi

# Slipway's ingress image starts from a base with haproxy and node (tests of ingress nodes on a Swarm whose
# nodes reach no package mirror); with a registry, any Debian image does (the packages are installed then).
if docker image inspect slipway/haproxy-node:bookworm >/dev/null 2>&1; then
  say "slipway/haproxy-node:bookworm present"
else
  start=$(date +%s)
  say "building slipway/haproxy-node:bookworm (Debian's haproxy and nodejs)"
  docker build -q -t slipway/haproxy-node:bookworm -f scripts/base-images/haproxy-node.Dockerfile scripts/base-images >/dev/null
  say "slipway/haproxy-node:bookworm built in $(( $(date +%s) - start )) s"
fi
