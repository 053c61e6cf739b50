import { SlipwayError } from '../../core/errors.js';
import type { ContainerInfo, ContainerState } from '../port.js';

/** Pure parsers from Swarm API JSON (services, tasks, nodes) to what the swarm adapter needs. */

type Json = Record<string, unknown>;

function asObject(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function asStringRecord(value: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, item] of Object.entries(asObject(value))) if (typeof item === 'string') result[key] = item;
  return result;
}

function positive(value: unknown): number | undefined {
  return typeof value === 'number' && value > 0 ? value : undefined;
}

export interface SwarmService {
  id: string;
  name: string;
  image: string;
  /** The service's labels (Slipway puts the same ones on the task containers). */
  labels: Record<string, string>;
  createdAt: string;
  /** `Version.Index`, needed to update the service. */
  version: number;
  replicas: number;
  tty: boolean;
  limits?: ContainerInfo['limits'];
  /** The raw spec, to send back changed (`POST /services/{id}/update`). */
  spec: Json;
}

export function parseService(raw: unknown): SwarmService {
  const json = asObject(raw);
  const id = asString(json.ID);
  if (!id) throw new SlipwayError('INTERNAL', 'Docker returned a service without an ID');
  const spec = asObject(json.Spec);
  const taskTemplate = asObject(spec.TaskTemplate);
  const containerSpec = asObject(taskTemplate.ContainerSpec);
  const limitsJson = asObject(asObject(taskTemplate.Resources).Limits);
  const memoryBytes = positive(limitsJson.MemoryBytes);
  const pids = positive(limitsJson.Pids);
  const nano = positive(limitsJson.NanoCPUs);
  const limits = {
    ...(memoryBytes ? { memoryBytes } : {}),
    ...(pids ? { pids } : {}),
    ...(nano ? { cpus: nano / 1e9 } : {}),
  };
  const replicas = asObject(asObject(spec.Mode).Replicated).Replicas;
  const version = asObject(json.Version).Index;
  return {
    id,
    name: asString(spec.Name) ?? '',
    image: asString(containerSpec.Image) ?? '',
    labels: asStringRecord(spec.Labels),
    createdAt: asString(json.CreatedAt) ?? '',
    version: typeof version === 'number' ? version : 0,
    replicas: typeof replicas === 'number' ? replicas : 0,
    tty: containerSpec.TTY === true,
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
    spec,
  };
}

export function parseServiceList(raw: unknown): SwarmService[] {
  return Array.isArray(raw) ? raw.map(parseService) : [];
}

/** Swarm's task states (`Status.State`), in lifecycle order. */
export type TaskState =
  | 'new'
  | 'allocated'
  | 'pending'
  | 'assigned'
  | 'accepted'
  | 'preparing'
  | 'ready'
  | 'starting'
  | 'running'
  | 'complete'
  | 'shutdown'
  | 'failed'
  | 'rejected'
  | 'remove'
  | 'orphaned';

const TERMINAL: ReadonlySet<string> = new Set(['complete', 'shutdown', 'failed', 'rejected', 'remove', 'orphaned']);

export function isTerminalTaskState(state: string): boolean {
  return TERMINAL.has(state);
}

export interface SwarmTask {
  id: string;
  serviceId: string;
  nodeId?: string;
  createdAt: string;
  desiredState: string;
  state: TaskState | string;
  /** Time of the last state change (ISO). */
  timestamp: string;
  /** `Status.Err`: why a task failed or was rejected. */
  error?: string;
  containerId?: string;
  exitCode?: number;
  /** The port the node published for the target port (host mode), once the task runs. */
  publishedPort?: number;
}

export function parseTask(raw: unknown): SwarmTask | null {
  const json = asObject(raw);
  const id = asString(json.ID);
  const serviceId = asString(json.ServiceID);
  if (!id || !serviceId) return null;
  const status = asObject(json.Status);
  const containerStatus = asObject(status.ContainerStatus);
  const ports = asObject(status.PortStatus).Ports;
  const published = Array.isArray(ports)
    ? ports.map((p) => asObject(p).PublishedPort).find((p): p is number => typeof p === 'number' && p > 0)
    : undefined;
  const task: SwarmTask = {
    id,
    serviceId,
    createdAt: asString(json.CreatedAt) ?? '',
    desiredState: asString(json.DesiredState) ?? '',
    state: asString(status.State) ?? 'new',
    timestamp: asString(status.Timestamp) ?? '',
  };
  const nodeId = asString(json.NodeID);
  if (nodeId) task.nodeId = nodeId;
  const error = asString(status.Err);
  if (error) task.error = error;
  const containerId = asString(containerStatus.ContainerID);
  if (containerId) task.containerId = containerId;
  if (typeof containerStatus.ExitCode === 'number') task.exitCode = containerStatus.ExitCode;
  if (published !== undefined) task.publishedPort = published;
  return task;
}

export function parseTaskList(raw: unknown): SwarmTask[] {
  return Array.isArray(raw) ? raw.map(parseTask).filter((t): t is SwarmTask => t !== null) : [];
}

/**
 * The task that says what the service is doing now: the newest one Swarm wants running, else the newest of all.
 * A task on a dead node keeps reporting `running`; its replacement is newer and wins.
 */
export function currentTask(tasks: SwarmTask[]): SwarmTask | undefined {
  const newestFirst = [...tasks].sort((a, b) => compareTime(b.createdAt, a.createdAt));
  return newestFirst.find((t) => t.desiredState === 'running' || t.desiredState === 'ready') ?? newestFirst[0];
}

function compareTime(a: string, b: string): number {
  return (Date.parse(a) || 0) - (Date.parse(b) || 0) || a.localeCompare(b);
}

/** A task's state in the port's container terms. */
export function containerState(task: SwarmTask | undefined): ContainerState {
  if (!task) return 'created';
  switch (task.state) {
    case 'running':
      return 'running';
    case 'complete':
    case 'shutdown':
    case 'failed':
      return 'exited';
    case 'rejected':
    case 'orphaned':
      return 'dead';
    case 'remove':
      return 'removing';
    default:
      return 'created';
  }
}

export interface SwarmNode {
  id: string;
  hostname: string;
  /** The address other machines reach the node at (published ports listen there). */
  address: string;
  /** `Status.State`: ready, down, unknown, disconnected. */
  state: string;
}

/** `GET /nodes/{id}`; a manager may report `Status.Addr` 0.0.0.0, then its `ManagerStatus.Addr` host part counts. */
export function parseNode(raw: unknown): SwarmNode {
  const json = asObject(raw);
  const id = asString(json.ID);
  if (!id) throw new SlipwayError('INTERNAL', 'Docker returned a node without an ID');
  const status = asObject(json.Status);
  let address = asString(status.Addr) ?? '';
  if (address === '' || address === '0.0.0.0') {
    const managerAddr = asString(asObject(json.ManagerStatus).Addr) ?? '';
    address = managerAddr.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  }
  return {
    id,
    hostname: asString(asObject(json.Description).Hostname) ?? '',
    address,
    state: asString(status.State) ?? 'unknown',
  };
}

export function parseNodeList(raw: unknown): SwarmNode[] {
  return Array.isArray(raw) ? raw.map(parseNode) : [];
}

/** A service and its tasks as a ContainerInfo: the current task decides state, times, exit code and endpoint. */
export function serviceContainerInfo(
  service: SwarmService,
  tasks: SwarmTask[],
  node: SwarmNode | undefined,
): ContainerInfo {
  const task = currentTask(tasks);
  const state = containerState(task);
  const info: ContainerInfo = {
    id: service.id,
    name: service.name,
    image: service.image,
    labels: { ...service.labels },
    state,
    createdAt: service.createdAt,
  };
  if (service.limits) info.limits = { ...service.limits };
  if (task && state === 'running') {
    if (task.timestamp) info.startedAt = task.timestamp;
    if (node) info.node = node.hostname;
    if (node?.address && task.publishedPort !== undefined)
      info.endpoint = { address: node.address, port: task.publishedPort };
  } else if (task && (state === 'exited' || state === 'dead')) {
    if (task.timestamp) info.finishedAt = task.timestamp;
    if (task.exitCode !== undefined) info.exitCode = task.exitCode;
    if (node) info.node = node.hostname;
  }
  return info;
}
