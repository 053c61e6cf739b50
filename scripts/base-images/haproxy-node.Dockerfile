# Local stand-in for a base with HAProxy and Node (Slipway's ingress image), for hosts without a registry.
ARG NODE_IMAGE=slipway/node:bookworm
FROM ${NODE_IMAGE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends haproxy \
 && rm -rf /var/lib/apt/lists/*
