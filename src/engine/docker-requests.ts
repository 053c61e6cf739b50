import type { ContainerSpec } from './port.js';

/**
 * Docker Engine API operations as plain data (DESIGN habit 3): each builder returns the request
 * that one adapter (docker-http.ts) sends. Paths are unversioned; the transport adds `/v1.41`.
 */
export interface DockerRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  /** Query parameters in the order they are sent. */
  query?: Record<string, string>;
  /** JSON body. */
  body?: unknown;
  /** Set when the body is a stream supplied separately (the build context). */
  contentType?: 'application/x-tar';
  /** Extra request headers, e.g. `X-Registry-Auth` (never logged: it carries credentials). */
  headers?: Record<string, string>;
}

const LOOPBACK = '127.0.0.1';

function containerPath(id: string, action?: string): string {
  const base = `/containers/${encodeURIComponent(id)}`;
  return action ? `${base}/${action}` : base;
}

export function pingRequest(): DockerRequest {
  return { method: 'GET', path: '/_ping' };
}

/** `GET /info`: the daemon's settings (live-restore, version, storage driver, …). */
export function infoRequest(): DockerRequest {
  return { method: 'GET', path: '/info' };
}

/** `KEY=value` entries in insertion order, the form Docker expects for `Env`. */
export function toEnvList(env: Record<string, string>): string[] {
  return Object.entries(env).map(([key, value]) => `${key}=${value}`);
}

export function createContainerRequest(spec: ContainerSpec): DockerRequest {
  const body: Record<string, unknown> = {
    Image: spec.image,
    Env: toEnvList(spec.env),
    Labels: { ...spec.labels },
  };
  if (spec.cmd) body.Cmd = [...spec.cmd];
  if (spec.stopTimeoutSec !== undefined) body.StopTimeout = spec.stopTimeoutSec;
  if (spec.openStdin) body.OpenStdin = true;
  if (spec.tty) body.Tty = true;

  const hostConfig: Record<string, unknown> = {
    RestartPolicy: { Name: 'no' },
    Init: true,
  };
  const limits = spec.limits ?? {};
  if (limits.memoryBytes !== undefined) {
    hostConfig.Memory = limits.memoryBytes;
    // Equal to Memory: no swap on top of the limit, so the limit is what the process can use.
    hostConfig.MemorySwap = limits.memoryBytes;
  }
  if (limits.pids !== undefined) hostConfig.PidsLimit = limits.pids;
  if (limits.cpus !== undefined) hostConfig.NanoCpus = Math.round(limits.cpus * 1e9);
  if (spec.logRotation) {
    hostConfig.LogConfig = {
      Type: 'json-file',
      Config: { 'max-size': String(spec.logRotation.maxSizeBytes), 'max-file': String(spec.logRotation.maxFiles) },
    };
  }
  if (spec.containerPort !== undefined) {
    const key = `${spec.containerPort}/tcp`;
    body.ExposedPorts = { [key]: {} };
    // Empty HostPort: Docker picks a free port; HostIp keeps it on loopback (DESIGN: this machine).
    hostConfig.PortBindings = { [key]: [{ HostIp: LOOPBACK, HostPort: '' }] };
  }
  body.HostConfig = hostConfig;

  return { method: 'POST', path: '/containers/create', query: { name: spec.name }, body };
}

export function startContainerRequest(id: string): DockerRequest {
  return { method: 'POST', path: containerPath(id, 'start') };
}

export function stopContainerRequest(id: string, graceSec: number): DockerRequest {
  return { method: 'POST', path: containerPath(id, 'stop'), query: { t: String(Math.max(0, Math.round(graceSec))) } };
}

export function killContainerRequest(id: string, signal = 'SIGKILL'): DockerRequest {
  return { method: 'POST', path: containerPath(id, 'kill'), query: { signal } };
}

export function removeContainerRequest(id: string, opts: { force?: boolean } = {}): DockerRequest {
  return {
    method: 'DELETE',
    path: containerPath(id),
    query: { force: opts.force ? 'true' : 'false', v: 'true' },
  };
}

/** Changes a running container's cgroup limits in place (no restart). */
export function updateContainerLimitsRequest(
  id: string,
  limits: { memoryBytes?: number; pids?: number; cpus?: number },
): DockerRequest {
  const body: Record<string, number> = {};
  if (limits.memoryBytes !== undefined) {
    body.Memory = limits.memoryBytes;
    body.MemorySwap = limits.memoryBytes;
  }
  if (limits.pids !== undefined) body.PidsLimit = limits.pids;
  if (limits.cpus !== undefined) body.NanoCpus = Math.round(limits.cpus * 1e9);
  return { method: 'POST', path: containerPath(id, 'update'), body };
}

export function inspectContainerRequest(id: string): DockerRequest {
  return { method: 'GET', path: containerPath(id, 'json') };
}

/** Label filters: a value of `undefined` or '' means "label present with any value". */
export function labelFilters(labels: Record<string, string | undefined>): string[] {
  return Object.entries(labels).map(([key, value]) => (value === undefined || value === '' ? key : `${key}=${value}`));
}

export function listContainersRequest(labels: Record<string, string | undefined>): DockerRequest {
  const query: Record<string, string> = { all: 'true' };
  const filters = labelFilters(labels);
  if (filters.length > 0) query.filters = JSON.stringify({ label: filters });
  return { method: 'GET', path: '/containers/json', query };
}

export interface LogsRequestOptions {
  follow?: boolean;
  tail?: number;
  /** Unix time in seconds (fractions allowed); a string is sent as is (e.g. `1700000000.123456789`). */
  since?: number | string;
  /** Only lines up to this time (inclusive), same forms as `since`. */
  until?: number | string;
}

export function containerLogsRequest(id: string, opts: LogsRequestOptions = {}): DockerRequest {
  const query: Record<string, string> = {
    stdout: 'true',
    stderr: 'true',
    timestamps: 'true',
    follow: opts.follow ? 'true' : 'false',
    tail: opts.tail === undefined ? 'all' : String(Math.max(0, Math.floor(opts.tail))),
  };
  if (opts.since !== undefined) query.since = String(opts.since);
  if (opts.until !== undefined) query.until = String(opts.until);
  return { method: 'GET', path: containerPath(id, 'logs'), query };
}

/** The engine's event stream, container events only, filtered by action and labels. */
export function containerEventsRequest(opts: {
  actions?: string[];
  labels?: Record<string, string | undefined>;
  sinceMs?: number;
}): DockerRequest {
  const filters: Record<string, string[]> = { type: ['container'] };
  if (opts.actions && opts.actions.length > 0) filters['event'] = [...opts.actions];
  const labels = labelFilters(opts.labels ?? {});
  if (labels.length > 0) filters['label'] = labels;
  const query: Record<string, string> = { filters: JSON.stringify(filters) };
  if (opts.sinceMs !== undefined) query['since'] = (opts.sinceMs / 1000).toFixed(3);
  return { method: 'GET', path: '/events', query };
}

/** `not-running` returns at once for a container that already exited (next-exit would hang). */
export function waitContainerRequest(id: string): DockerRequest {
  return { method: 'POST', path: containerPath(id, 'wait'), query: { condition: 'not-running' } };
}

export function inspectImageRequest(ref: string): DockerRequest {
  // Image references contain `/` and `:`, which Docker's router accepts unescaped in this position.
  return { method: 'GET', path: `/images/${encodeImageRef(ref)}/json` };
}

export function removeImageRequest(ref: string, opts: { force?: boolean } = {}): DockerRequest {
  return {
    method: 'DELETE',
    path: `/images/${encodeImageRef(ref)}`,
    query: { force: opts.force ? 'true' : 'false', noprune: 'false' },
  };
}

/** A tar archive of `path` inside a container (created or running). */
export function containerArchiveRequest(id: string, path: string): DockerRequest {
  return { method: 'GET', path: containerPath(id, 'archive'), query: { path } };
}

export function tagImageRequest(ref: string, repo: string, tag: string): DockerRequest {
  return { method: 'POST', path: `/images/${encodeImageRef(ref)}/tag`, query: { repo, tag } };
}

export function imageHistoryRequest(ref: string): DockerRequest {
  return { method: 'GET', path: `/images/${encodeImageRef(ref)}/history` };
}

export function listImagesRequest(labels: Record<string, string | undefined>): DockerRequest {
  const query: Record<string, string> = { all: 'false' };
  const filters = labelFilters(labels);
  if (filters.length > 0) query.filters = JSON.stringify({ label: filters });
  return { method: 'GET', path: '/images/json', query };
}

function encodeImageRef(ref: string): string {
  return ref.split('/').map(encodeURIComponent).join('/').replace(/%3A/gi, ':').replace(/%40/g, '@');
}

export interface BuildRequestOptions {
  tag: string;
  dockerfile?: string;
  buildArgs?: Record<string, string>;
  labels?: Record<string, string>;
}

/** Classic builder (no BuildKit here): the tar context is sent as the body by the transport. */
export function buildImageRequest(opts: BuildRequestOptions): DockerRequest {
  const query: Record<string, string> = { t: opts.tag };
  if (opts.dockerfile !== undefined) query.dockerfile = opts.dockerfile;
  if (opts.buildArgs && Object.keys(opts.buildArgs).length > 0) query.buildargs = JSON.stringify(opts.buildArgs);
  if (opts.labels && Object.keys(opts.labels).length > 0) query.labels = JSON.stringify(opts.labels);
  query.rm = 'true';
  query.forcerm = 'true';
  return { method: 'POST', path: '/build', query, contentType: 'application/x-tar' };
}
