import { SlipwayError } from '../core/errors.js';
import type { ContainerEvent, ContainerInfo, ContainerState, EngineInfo, ImageInfo } from './port.js';

/** Pure parsers from Docker Engine API JSON (v1.41) to the port's types. */

type Json = Record<string, unknown>;

const CONTAINER_STATES: readonly ContainerState[] = [
  'created',
  'running',
  'paused',
  'restarting',
  'removing',
  'exited',
  'dead',
];

/** Docker's zero time for "never happened" (e.g. FinishedAt of a running container). */
const ZERO_TIME_PREFIX = '0001-01-01';

function asObject(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function asStringArray(value: unknown): string[] | null {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : null;
}

function asStringRecord(value: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, item] of Object.entries(asObject(value))) {
    if (typeof item === 'string') result[key] = item;
  }
  return result;
}

function realTime(value: unknown): string | undefined {
  const text = asString(value);
  return text && !text.startsWith(ZERO_TIME_PREFIX) ? text : undefined;
}

function requireId(json: Json, what: string): string {
  const id = asString(json.Id);
  if (!id) throw new SlipwayError('INTERNAL', `Docker returned ${what} without an Id`);
  return id;
}

/**
 * The published host port from `NetworkSettings.Ports`
 * (`{"5000/tcp":[{"HostIp":"127.0.0.1","HostPort":"49153"}]}`), preferring a loopback binding.
 * Empty once the container stopped.
 */
export function publishedHostPort(ports: unknown): number | undefined {
  let fallback: number | undefined;
  for (const [key, bindings] of Object.entries(asObject(ports))) {
    if (!key.endsWith('/tcp') || !Array.isArray(bindings)) continue;
    for (const binding of bindings) {
      const port = Number(asString(asObject(binding).HostPort));
      if (!Number.isInteger(port) || port <= 0) continue;
      const hostIp = asString(asObject(binding).HostIp) ?? '';
      if (hostIp === '127.0.0.1') return port;
      fallback ??= port;
    }
  }
  return fallback;
}

/** `GET /containers/{id}/json` → ContainerInfo. */
export function parseContainerInspect(raw: unknown): ContainerInfo {
  const json = asObject(raw);
  const config = asObject(json.Config);
  const state = asObject(json.State);
  const status = asString(state.Status) as ContainerState | undefined;

  const info: ContainerInfo = {
    id: requireId(json, 'a container'),
    name: (asString(json.Name) ?? '').replace(/^\//, ''),
    image: asString(config.Image) ?? asString(json.Image) ?? '',
    labels: asStringRecord(config.Labels),
    state: status && CONTAINER_STATES.includes(status) ? status : 'dead',
    createdAt: asString(json.Created) ?? '',
  };
  const startedAt = realTime(state.StartedAt);
  if (startedAt) info.startedAt = startedAt;
  const finishedAt = realTime(state.FinishedAt);
  const stillGoing = info.state === 'running' || info.state === 'paused' || info.state === 'restarting';
  if (finishedAt && !stillGoing) {
    info.finishedAt = finishedAt;
    if (typeof state.ExitCode === 'number') info.exitCode = state.ExitCode;
  }
  const limits = containerLimits(json.HostConfig);
  if (limits) info.limits = limits;
  const hostPort = publishedHostPort(asObject(json.NetworkSettings).Ports);
  if (hostPort !== undefined) info.hostPort = hostPort;
  const ip = info.state === 'running' ? containerIp(json.NetworkSettings) : undefined;
  if (ip !== undefined) info.ip = ip;
  return info;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/**
 * The container's IPv4 address from `NetworkSettings`: the default bridge's `IPAddress`, else the
 * first network that has one (`Networks.<name>.IPAddress`, names in sorted order). Empty strings
 * (a stopped container, `--network none`) and anything that is not a dotted quad give undefined.
 */
export function containerIp(networkSettings: unknown): string | undefined {
  const settings = asObject(networkSettings);
  const candidates = [asString(settings.IPAddress)];
  const networks = asObject(settings.Networks);
  for (const name of Object.keys(networks).sort()) candidates.push(asString(asObject(networks[name]).IPAddress));
  return candidates.find((ip): ip is string => ip !== undefined && IPV4.test(ip));
}

/** Whether the inspected container was created with a TTY (its logs are then a raw, unframed stream). */
export function containerHasTty(raw: unknown): boolean {
  return asObject(asObject(raw).Config).Tty === true;
}

/** TCP ports from `{"80/tcp":{}, "53/udp":{}}`, ascending; UDP ports are left out (nothing routes them). */
export function exposedTcpPorts(exposed: unknown): number[] {
  const ports = new Set<number>();
  for (const key of Object.keys(asObject(exposed))) {
    const [port, proto = 'tcp'] = key.split('/');
    const value = Number(port);
    if (proto === 'tcp' && Number.isInteger(value) && value > 0) ports.add(value);
  }
  return [...ports].sort((a, b) => a - b);
}

/** `GET /images/{ref}/json` → ImageInfo. `Config` is null for `docker import`ed images. */
export function parseImageInspect(raw: unknown): ImageInfo {
  const json = asObject(raw);
  const config = asObject(json.Config);
  return {
    id: requireId(json, 'an image'),
    tags: asStringArray(json.RepoTags)?.filter((tag) => tag !== '<none>:<none>') ?? [],
    cmd: asStringArray(config.Cmd),
    entrypoint: asStringArray(config.Entrypoint),
    env: asStringArray(config.Env) ?? [],
    exposedPorts: exposedTcpPorts(config.ExposedPorts),
    labels: asStringRecord(config.Labels),
    createdAt: asString(json.Created) ?? '',
    sizeBytes: typeof json.Size === 'number' ? json.Size : 0,
  };
}

/** `GET /info` → the daemon settings Slipway checks. */
export function parseEngineInfo(raw: unknown): EngineInfo {
  const json = asObject(raw);
  return { liveRestore: json.LiveRestoreEnabled === true, serverVersion: asString(json.ServerVersion) ?? '' };
}

/** `POST /containers/{id}/wait` body → exit code. */
export function parseWaitResponse(raw: unknown): number {
  const json = asObject(raw);
  const error = asString(asObject(json.Error).Message);
  if (error) throw new SlipwayError('CONTAINER_FAILED', `waiting for the container failed: ${error}`);
  if (typeof json.StatusCode !== 'number')
    throw new SlipwayError('INTERNAL', 'Docker returned a wait result without StatusCode');
  return json.StatusCode;
}

/** `POST /containers/create` body → container id. */
export function parseCreateResponse(raw: unknown): string {
  return requireId(asObject(raw), 'a created container');
}

/** Ids from `GET /containers/json`. */
export function parseContainerListIds(raw: unknown): string[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((item) => asString(asObject(item).Id)).filter((id): id is string => !!id);
}

/** One JSON message of `GET /events` → a ContainerEvent (null when it is not a container event). */
export function parseContainerEvent(value: unknown): ContainerEvent | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as {
    Type?: unknown;
    Action?: unknown;
    Actor?: { ID?: unknown; Attributes?: unknown };
    time?: unknown;
    timeNano?: unknown;
  };
  if (v.Type !== 'container' || typeof v.Action !== 'string') return null;
  const id = v.Actor?.ID;
  if (typeof id !== 'string' || id === '') return null;
  const attributes =
    v.Actor?.Attributes && typeof v.Actor.Attributes === 'object'
      ? (v.Actor.Attributes as Record<string, unknown>)
      : {};
  const labels: Record<string, string> = {};
  for (const [key, val] of Object.entries(attributes)) if (typeof val === 'string') labels[key] = val;
  // Docker puts labels and a few fields (name, image, exitCode) side by side in the attributes.
  const exit = labels['exitCode'];
  for (const key of ['name', 'image', 'exitCode', 'signal']) delete labels[key];
  const timeMs =
    typeof v.timeNano === 'number'
      ? Math.floor(v.timeNano / 1e6)
      : typeof v.time === 'number'
        ? v.time * 1000
        : Date.now();
  // "exec_start: sh -c …" and similar carry their detail after a colon.
  const action = v.Action.split(':')[0]!.trim();
  return {
    action,
    id,
    labels,
    ...(exit !== undefined && /^-?\d+$/.test(exit) ? { exitCode: Number(exit) } : {}),
    timeMs,
  };
}

/** The cgroup limits Docker applied (`HostConfig`): 0 / null / -1 mean "none" and are left out. */
export function containerLimits(hostConfig: unknown): ContainerInfo['limits'] | undefined {
  const hc = asObject(hostConfig);
  const positive = (v: unknown) => (typeof v === 'number' && v > 0 ? v : undefined);
  const memoryBytes = positive(hc.Memory);
  const pids = positive(hc.PidsLimit);
  const nano = positive(hc.NanoCpus);
  const out = {
    ...(memoryBytes ? { memoryBytes } : {}),
    ...(pids ? { pids } : {}),
    ...(nano ? { cpus: nano / 1e9 } : {}),
  };
  return Object.keys(out).length > 0 ? out : undefined;
}
