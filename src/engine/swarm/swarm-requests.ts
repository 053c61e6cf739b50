import { labelFilters, toEnvList, type DockerRequest, type LogsRequestOptions } from '../docker-requests.js';
import type { ContainerSpec } from '../port.js';

/**
 * Docker Swarm API operations as plain data (DESIGN habit 3), sent to the manager by docker-http.ts.
 * One Swarm service per Slipway container: one replica, host-mode published port, no VIP.
 */

/** The label Docker puts on every task container: plain containers lack it. */
export const SWARM_SERVICE_ID_LABEL = 'com.docker.swarm.service.id';

const NS_PER_SEC = 1e9;
/** Swarm's wait before it restarts a dyno's task that exited (or whose node died). */
const RESTART_DELAY_NS = 1 * NS_PER_SEC;

/**
 * `any`: Swarm restarts the task (a new one, possibly on another node) when it exits or its node dies — dynos.
 * `none`: the task runs once — one-offs (`run`, `release`), whose exit code is the result.
 */
export type RestartCondition = 'any' | 'none';

export function serviceSpec(spec: ContainerSpec, restart: RestartCondition): Record<string, unknown> {
  const containerSpec: Record<string, unknown> = {
    Image: spec.image,
    Env: toEnvList(spec.env),
    Labels: { ...spec.labels },
    Init: true,
  };
  // A container's Cmd is a task's Args (`Command` would replace the entrypoint).
  if (spec.cmd) containerSpec.Args = [...spec.cmd];
  if (spec.stopTimeoutSec !== undefined) containerSpec.StopGracePeriod = Math.round(spec.stopTimeoutSec * NS_PER_SEC);
  if (spec.tty) containerSpec.TTY = true;
  if (spec.openStdin) containerSpec.OpenStdin = true;

  const taskTemplate: Record<string, unknown> = {
    ContainerSpec: containerSpec,
    RestartPolicy: { Condition: restart, Delay: RESTART_DELAY_NS, MaxAttempts: 0 },
  };
  const limits = spec.limits ?? {};
  const resourceLimits: Record<string, number> = {};
  if (limits.cpus !== undefined) resourceLimits.NanoCPUs = Math.round(limits.cpus * NS_PER_SEC);
  if (limits.memoryBytes !== undefined) resourceLimits.MemoryBytes = limits.memoryBytes;
  if (limits.pids !== undefined) resourceLimits.Pids = limits.pids;
  if (Object.keys(resourceLimits).length > 0) taskTemplate.Resources = { Limits: resourceLimits };
  if (spec.placement && spec.placement.length > 0) taskTemplate.Placement = { Constraints: [...spec.placement] };
  if (spec.logRotation) {
    taskTemplate.LogDriver = {
      Name: 'json-file',
      Options: { 'max-size': String(spec.logRotation.maxSizeBytes), 'max-file': String(spec.logRotation.maxFiles) },
    };
  }

  // dnsrr: no virtual IP (IPVS) for the service; HAProxy reaches each task at its node's published port.
  const endpointSpec: Record<string, unknown> = { Mode: 'dnsrr' };
  if (spec.containerPort !== undefined) {
    // No PublishedPort: the node picks a free one (host mode publishes on the node, never through the mesh).
    endpointSpec.Ports = [{ Protocol: 'tcp', TargetPort: spec.containerPort, PublishMode: 'host' }];
  }
  return {
    Name: spec.name,
    Labels: { ...spec.labels },
    TaskTemplate: taskTemplate,
    Mode: { Replicated: { Replicas: 1 } },
    EndpointSpec: endpointSpec,
  };
}

export function createServiceRequest(spec: ContainerSpec, restart: RestartCondition): DockerRequest {
  return { method: 'POST', path: '/services/create', body: serviceSpec(spec, restart) };
}

function servicePath(id: string, action?: string): string {
  const base = `/services/${encodeURIComponent(id)}`;
  return action ? `${base}/${action}` : base;
}

export function inspectServiceRequest(id: string): DockerRequest {
  return { method: 'GET', path: servicePath(id) };
}

/** Sends the whole spec back: Swarm replaces it (`version` guards against a concurrent update). */
export function updateServiceRequest(id: string, version: number, spec: unknown): DockerRequest {
  return { method: 'POST', path: servicePath(id, 'update'), query: { version: String(version) }, body: spec };
}

export function removeServiceRequest(id: string): DockerRequest {
  return { method: 'DELETE', path: servicePath(id) };
}

export function listServicesRequest(labels: Record<string, string | undefined>): DockerRequest {
  const filters = labelFilters(labels);
  return {
    method: 'GET',
    path: '/services',
    ...(filters.length > 0 ? { query: { filters: JSON.stringify({ label: filters }) } } : {}),
  };
}

/** Tasks of these services (all of them: the caller picks the newest). */
export function listTasksRequest(serviceIds: string[]): DockerRequest {
  return { method: 'GET', path: '/tasks', query: { filters: JSON.stringify({ service: [...serviceIds] }) } };
}

export function inspectNodeRequest(id: string): DockerRequest {
  return { method: 'GET', path: `/nodes/${encodeURIComponent(id)}` };
}

export function listNodesRequest(): DockerRequest {
  return { method: 'GET', path: '/nodes' };
}

/** A service's logs from every node, gathered by the manager (`until` is not supported: the caller filters). */
export function serviceLogsRequest(id: string, opts: Omit<LogsRequestOptions, 'until'> = {}): DockerRequest {
  const query: Record<string, string> = {
    stdout: 'true',
    stderr: 'true',
    timestamps: 'true',
    follow: opts.follow ? 'true' : 'false',
    tail: opts.tail === undefined ? 'all' : String(Math.max(0, Math.floor(opts.tail))),
  };
  if (opts.since !== undefined) query.since = String(opts.since);
  return { method: 'GET', path: servicePath(id, 'logs'), query };
}
