import type { DockerRequest } from '../engine/docker-requests.js';
import type { NodeAvailability, SwarmInitSpec, SwarmJoinSpec } from './swarm-control.js';

/** Docker Engine API Swarm operations as plain data (DESIGN habit 3); docker-http.ts sends them. */

const nodePath = (id: string) => `/nodes/${encodeURIComponent(id)}`;

export function swarmInitRequest(spec: SwarmInitSpec): DockerRequest {
  const body: Record<string, unknown> = { ListenAddr: spec.listenAddr };
  if (spec.advertiseAddr) body.AdvertiseAddr = spec.advertiseAddr;
  return { method: 'POST', path: '/swarm/init', body };
}

export function swarmInspectRequest(): DockerRequest {
  return { method: 'GET', path: '/swarm' };
}

export function swarmJoinRequest(spec: SwarmJoinSpec): DockerRequest {
  const body: Record<string, unknown> = {
    ListenAddr: spec.listenAddr,
    RemoteAddrs: [...spec.remoteAddrs],
    JoinToken: spec.joinToken,
  };
  if (spec.advertiseAddr) body.AdvertiseAddr = spec.advertiseAddr;
  return { method: 'POST', path: '/swarm/join', body };
}

export function swarmLeaveRequest(force: boolean): DockerRequest {
  return { method: 'POST', path: '/swarm/leave', query: force ? { force: 'true' } : {} };
}

export function listNodesRequest(): DockerRequest {
  return { method: 'GET', path: '/nodes' };
}

export function inspectNodeRequest(id: string): DockerRequest {
  return { method: 'GET', path: nodePath(id) };
}

export interface NodeSpecBody {
  Name?: string;
  Labels?: Record<string, string>;
  Role: 'manager' | 'worker';
  Availability: NodeAvailability;
}

export function updateNodeRequest(id: string, version: number, spec: NodeSpecBody): DockerRequest {
  return { method: 'POST', path: `${nodePath(id)}/update`, query: { version: String(version) }, body: spec };
}

export function removeNodeRequest(id: string, force: boolean): DockerRequest {
  return { method: 'DELETE', path: nodePath(id), query: force ? { force: 'true' } : {} };
}

/**
 * Every task Swarm still knows (history included, a few per slot); the caller keeps those observed
 * running. Not filtered on desired-state: a task on a node just drained is desired `shutdown` while
 * its container still runs, and drain must wait for it.
 */
export function tasksRequest(): DockerRequest {
  return { method: 'GET', path: '/tasks' };
}

export function listServicesRequest(): DockerRequest {
  return { method: 'GET', path: '/services' };
}
