import { SlipwayError } from '../../core/errors.js';
import type { SwarmTask } from './swarm-parsers.js';

/**
 * Where a Swarm service's task runs now (pure): its node and the task's container id on that node, so that
 * `ps:exec` can reach the container through that node's own Docker Engine.
 */

/** The node label where `nodes:add --engine URL` keeps the node's Docker endpoint (nodes/node-view.ts ENGINE_LABEL). */
export const NODE_ENGINE_LABEL = 'slipway.engine';

type Json = Record<string, unknown>;

function asObject(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

/** A node as placement and task location need it (read fresh: labels change). */
export interface SwarmNodeDetails {
  id: string;
  /** The hostname. */
  name: string;
  /** `manager` or `worker`. */
  role: string;
  labels: Record<string, string>;
  /** `ready`, `down`, … */
  state: string;
  /** `active`, `pause`, `drain`. */
  availability: string;
}

export function parseNodeDetails(raw: unknown): SwarmNodeDetails {
  const json = asObject(raw);
  const id = typeof json.ID === 'string' ? json.ID : '';
  if (!id) throw new SlipwayError('INTERNAL', 'Docker returned a node without an ID');
  const spec = asObject(json.Spec);
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(asObject(spec.Labels))) if (typeof value === 'string') labels[key] = value;
  const text = (value: unknown, fallback: string) => (typeof value === 'string' && value ? value : fallback);
  return {
    id,
    name: text(asObject(json.Description).Hostname, ''),
    role: text(spec.Role, 'worker'),
    labels,
    state: text(asObject(json.Status).State, 'unknown'),
    availability: text(spec.Availability, 'active'),
  };
}

export function parseNodeDetailsList(raw: unknown): SwarmNodeDetails[] {
  return Array.isArray(raw) ? raw.map(parseNodeDetails) : [];
}

/** `GET /info` → this engine's own node id in its Swarm ('' when it is not in one). */
export function parseSelfNodeId(raw: unknown): string {
  const id = asObject(asObject(raw).Swarm).NodeID;
  return typeof id === 'string' ? id : '';
}

export interface TaskLocation {
  nodeId: string;
  nodeName: string;
  /** The task's container on that node (64 hex digits). */
  containerId: string;
  /** The node's Docker endpoint (`slipway.engine` label), when Slipway joined it with `nodes:add --engine`. */
  engineUrl?: string;
  /** The node is this installation's own engine (the manager Slipway talks to). */
  isManager: boolean;
}

/** The newest task that runs and has its container; undefined when none does (starting, ended, rescheduling). */
export function runningTask(tasks: SwarmTask[]): SwarmTask | undefined {
  return [...tasks]
    .filter((t) => t.state === 'running' && t.desiredState === 'running' && t.containerId && t.nodeId)
    .sort((a, b) => (Date.parse(b.createdAt) || 0) - (Date.parse(a.createdAt) || 0))[0];
}

/** Where `serviceId`'s running task is; a clear error when it has none, or its node is unknown to the manager. */
export function locateTask(
  serviceId: string,
  tasks: SwarmTask[],
  nodes: SwarmNodeDetails[],
  selfNodeId: string,
): TaskLocation {
  const task = runningTask(tasks);
  if (!task)
    throw new SlipwayError('CONTAINER_FAILED', `service ${serviceId} has no running task right now`, {
      hint: 'it may be starting or moving to another node: see `slipway ps`, then try again',
    });
  const node = nodes.find((n) => n.id === task.nodeId);
  const engineUrl = node?.labels[NODE_ENGINE_LABEL];
  return {
    nodeId: task.nodeId!,
    nodeName: node?.name || task.nodeId!,
    containerId: task.containerId!,
    ...(engineUrl ? { engineUrl } : {}),
    isManager: selfNodeId !== '' && task.nodeId === selfNodeId,
  };
}
