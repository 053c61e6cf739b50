# Local stand-in for an official Node image, for hosts that reach no container registry.
ARG DEBIAN_IMAGE=slipway/debian:bookworm
FROM ${DEBIAN_IMAGE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs ca-certificates \
 && rm -rf /var/lib/apt/lists/*
CMD ["node"]
