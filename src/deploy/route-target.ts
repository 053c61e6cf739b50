import type { ContainerInfo } from '../engine/port.js';

/** The rollout's small pure helpers: names in messages, and where HAProxy reaches a container. */

/** A container id as messages show it. */
export function short(id: string): string {
  return id.slice(0, 12);
}

/** `web.1` from a step key `web.1@v7`. */
export function dyno(key: string): string {
  return key.split('@')[0]!;
}

/**
 * Where a web container is reached: the engine's endpoint when it gives one (a Swarm task: its node's address and
 * the published port); else its own bridge IP and the container port (no docker-proxy, which
 * dies with dockerd even when live-restore keeps the container running); else, for an engine that
 * gives no address, the port it published on 127.0.0.1.
 */
export function routeTarget(
  info: ContainerInfo,
  containerPort: number,
): { address?: string; port?: number; direct?: boolean } {
  if (info.endpoint) return { address: info.endpoint.address, port: info.endpoint.port };
  // `direct`: the container's own socket, which refuses until the app listens (no proxy accepts for it).
  if (info.ip) return { address: info.ip, port: containerPort, direct: true };
  if (info.hostPort) return { address: '127.0.0.1', port: info.hostPort };
  return {};
}
