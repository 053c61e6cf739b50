import { withTimeout } from '../../core/abort.js';
import { ONE_OFF_PROCESSES } from '../../core/types.js';
import { SlipwayError } from '../../core/errors.js';
import { DockerEngine, type DockerEngineOptions } from '../docker-engine.js';
import { DockerHttpClient, parseDockerHost } from '../docker-http.js';
import type {
  BuildOptions,
  ContainerEngine,
  ContainerEvent,
  ContainerEventQuery,
  ContainerInfo,
  ContainerSpec,
  EngineInfo,
  ImageHistoryEntry,
  ImageInfo,
  ImageSummary,
  LogLine,
} from '../port.js';
import { SwarmApi } from './swarm-api.js';
import { pollSwarmEvents, takeSnapshot } from './swarm-events.js';
import { serviceLogs, type ServiceLogsOptions } from './swarm-logs.js';
import { currentTask, serviceContainerInfo, type SwarmService } from './swarm-parsers.js';
import { SWARM_SERVICE_ID_LABEL, type RestartCondition } from './swarm-requests.js';
import { waitNoTaskRunning, waitTaskEnd, waitTaskStarted } from './swarm-waits.js';
import { locateTask, type SwarmNodeDetails, type TaskLocation } from './swarm-task-location.js';

export interface SwarmEngineOptions {
  /** How to reach a Swarm manager's Docker API, and this home's scope labels (as for the one-host engine). */
  manager: DockerEngineOptions;
  /** How long `runContainer` waits for the task to run and publish its port (default 120 s: image pulls). */
  startTimeoutMs?: number;
  /** How often waits look at the tasks (default 250 ms). */
  pollIntervalMs?: number;
  /** How often `containerEvents` looks at the tasks (default 1 s). */
  eventsPollMs?: number;
  /**
   * Makes an image reachable from every node (push to the registry) and names it by digest; without it the
   * image must already be on the nodes.
   */
  images?: ImageDistributor;
  /**
   * Whether Swarm restarts a dyno's task that exited or whose node died (`any`, the default: a new task, possibly on
   * another node, same service id, new endpoint), or leaves all healing to Slipway's supervisor (`none`: then a
   * node's death is not rescheduled by Swarm either). One-offs (`run`, `release`) never restart.
   */
  dynoRestart?: RestartCondition;
}

/** Process types that run once: their service never restarts, their exit code is the result. */
const PROCESS_LABEL = 'slipway.process';
const CLEANUP_TIMEOUT_MS = 15_000;
/** Added to a stop's grace period: Swarm's own scheduling and the node's report take a moment. */
const STOP_SLACK_MS = 30_000;

/** Where the nodes get an image from: a digest reference, and the headers that let them pull it. */
export interface ImageDistributor {
  distribute(image: string, signal?: AbortSignal): Promise<{ image: string; headers?: Record<string, string> }>;
}

export function createSwarmEngine(opts: SwarmEngineOptions): SwarmEngine {
  return new SwarmEngine(opts);
}

/** Container ids are 64 hex digits; Swarm service ids are 25 characters of [a-z0-9]. */
export function isPlainContainerId(id: string): boolean {
  return /^[0-9a-f]{64}$/.test(id);
}

/**
 * ContainerEngine on Docker Swarm: one service per Slipway container (one replica, host-mode published port, no
 * VIP or routing mesh). The "container" id is the service id, stable while Swarm reschedules its task; HAProxy
 * reaches the task at `endpoint` (its node's address and published port). Slipway removes a service only after
 * HAProxy drained it, and scale-down is never Swarm's choice: each service has exactly one replica.
 *
 * Images, builds and interactive one-offs (stdin / TTY) stay on the manager's own Docker Engine.
 */
export class SwarmEngine implements ContainerEngine {
  /** The manager's own Docker Engine: images, builds, plain containers. */
  readonly local: DockerEngine;
  private readonly http: DockerHttpClient;
  private readonly api: SwarmApi;
  private readonly scope: Record<string, string>;
  private readonly startTimeoutMs: number;
  private readonly intervalMs: number;
  private readonly eventsPollMs: number;
  private readonly dynoRestart: RestartCondition;
  private readonly images: ImageDistributor | undefined;
  private selfNodeId = '';

  constructor(opts: SwarmEngineOptions) {
    const m = opts.manager;
    this.local = new DockerEngine(m);
    this.scope = m.scopeLabels ?? {};
    const endpoint = m.socketPath
      ? { socketPath: m.socketPath }
      : parseDockerHost(m.dockerHost ?? process.env.DOCKER_HOST);
    this.http = new DockerHttpClient({ endpoint, timeoutMs: m.timeoutMs ?? 30_000 });
    this.api = new SwarmApi(this.http);
    this.startTimeoutMs = opts.startTimeoutMs ?? 120_000;
    this.intervalMs = opts.pollIntervalMs ?? 250;
    this.eventsPollMs = opts.eventsPollMs ?? 1000;
    this.dynoRestart = opts.dynoRestart ?? 'any';
    this.images = opts.images;
  }

  ping(signal?: AbortSignal): Promise<void> {
    return this.local.ping(signal);
  }

  info(signal?: AbortSignal): Promise<EngineInfo> {
    return this.local.info(signal);
  }

  inspectImage(ref: string, signal?: AbortSignal): Promise<ImageInfo | null> {
    return this.local.inspectImage(ref, signal);
  }

  buildImage(opts: BuildOptions): Promise<{ imageId: string }> {
    return this.local.buildImage(opts);
  }

  createContainer(spec: ContainerSpec, signal?: AbortSignal): Promise<string> {
    return this.local.createContainer(spec, signal);
  }

  copyFromContainer(id: string, path: string, signal?: AbortSignal): Promise<AsyncIterable<Buffer>> {
    return this.local.copyFromContainer(id, path, signal);
  }

  removeImage(ref: string, opts?: { force?: boolean }, signal?: AbortSignal): Promise<void> {
    return this.local.removeImage(ref, opts, signal);
  }

  tagImage(ref: string, repoTag: string, signal?: AbortSignal): Promise<void> {
    return this.local.tagImage(ref, repoTag, signal);
  }

  imageHistory(ref: string, signal?: AbortSignal): Promise<ImageHistoryEntry[]> {
    return this.local.imageHistory(ref, signal);
  }

  listImages(labels: Record<string, string | undefined>, signal?: AbortSignal): Promise<ImageSummary[]> {
    return this.local.listImages(labels, signal);
  }

  /** A service of one task; waits (startTimeoutMs, the signal) until it runs with its port published, or ended. */
  async runContainer(spec: ContainerSpec, signal?: AbortSignal): Promise<ContainerInfo> {
    if (spec.openStdin || spec.tty) return this.local.runContainer(spec, signal);
    const where = this.images ? await this.images.distribute(spec.image, signal) : { image: spec.image };
    const scoped = { ...spec, image: where.image, labels: { ...spec.labels, ...this.scope } };
    const restart: RestartCondition = ONE_OFF_PROCESSES.has(spec.labels[PROCESS_LABEL] ?? '')
      ? 'none'
      : this.dynoRestart;
    const id = await this.api.createService(scoped, restart, signal, where.headers);
    try {
      await waitTaskStarted(this.api, id, {
        name: spec.name,
        needsPort: spec.containerPort !== undefined,
        timeoutMs: this.startTimeoutMs,
        intervalMs: this.intervalMs,
        ...(signal ? { signal } : {}),
      });
      const info = await this.inspectContainer(id, signal);
      if (!info) throw new SlipwayError('CONTAINER_FAILED', `service ${spec.name} disappeared right after it started`);
      return info;
    } catch (err) {
      await this.api.removeService(id, withTimeout(CLEANUP_TIMEOUT_MS)).catch(() => undefined);
      throw err;
    }
  }

  /** A service of this home (scope labels), else null; a 64-hex id is a plain container on the manager. */
  async inspectContainer(id: string, signal?: AbortSignal): Promise<ContainerInfo | null> {
    if (isPlainContainerId(id)) return this.local.inspectContainer(id, signal);
    const service = await this.api.service(id, signal);
    if (!service || !this.inScope(service.labels)) return null;
    return (await this.describe([service], signal))[0] ?? null;
  }

  /** This home's services carrying the labels, and its plain containers on the manager (interactive one-offs). */
  async listContainers(labels: Record<string, string | undefined>, signal?: AbortSignal): Promise<ContainerInfo[]> {
    const [services, plain] = await Promise.all([
      this.api.services({ ...labels, ...this.scope }, signal),
      this.local.listContainers(labels, signal),
    ]);
    const infos = await this.describe(services, signal);
    return [...infos, ...plain.filter((c) => c.labels[SWARM_SERVICE_ID_LABEL] === undefined)];
  }

  private async describe(services: SwarmService[], signal?: AbortSignal): Promise<ContainerInfo[]> {
    const tasks = await this.api.tasks(
      services.map((s) => s.id),
      signal,
    );
    return Promise.all(
      services.map(async (service) => {
        const own = tasks.filter((t) => t.serviceId === service.id);
        const nodeId = currentTask(own)?.nodeId;
        const node = nodeId ? await this.api.node(nodeId, signal) : undefined;
        return serviceContainerInfo(service, own, node);
      }),
    );
  }

  private inScope(labels: Record<string, string>): boolean {
    return Object.entries(this.scope).every(([key, value]) => labels[key] === value);
  }

  /**
   * Scales the service to zero: Swarm sends SIGTERM, then SIGKILL after the StopGracePeriod given at creation
   * (`graceSec` only bounds the wait). No error when already stopped or gone.
   */
  async stopContainer(id: string, graceSec: number, signal?: AbortSignal): Promise<void> {
    if (isPlainContainerId(id)) return this.local.stopContainer(id, graceSec, signal);
    if (!(await this.api.scale(id, 0, signal))) return;
    await waitNoTaskRunning(this.api, id, {
      name: `service ${id}`,
      timeoutMs: Math.max(0, graceSec) * 1000 + STOP_SLACK_MS,
      intervalMs: this.intervalMs,
      ...(signal ? { signal } : {}),
    });
  }

  async removeContainer(id: string, opts: { force?: boolean } = {}, signal?: AbortSignal): Promise<void> {
    if (isPlainContainerId(id)) return this.local.removeContainer(id, opts, signal);
    await this.api.removeService(id, signal);
  }

  /** Removes the service (its task is stopped by its node). */
  async killContainer(id: string, signal?: AbortSignal): Promise<void> {
    if (isPlainContainerId(id)) return this.local.killContainer(id, signal);
    await this.api.removeService(id, signal);
  }

  /**
   * Not in place on a Swarm: a changed service spec makes Swarm replace the task, with a new endpoint, while HAProxy
   * still routes to the old one. The new limits apply when the process is restarted (a new service).
   */
  async updateContainerLimits(
    id: string,
    limits: NonNullable<ContainerSpec['limits']>,
    signal?: AbortSignal,
  ): Promise<void> {
    if (isPlainContainerId(id)) return this.local.updateContainerLimits(id, limits, signal);
    throw new SlipwayError('CONTAINER_FAILED', 'on a Swarm, new limits take effect when the process restarts', {
      hint: 'restart it (`slipway ps:restart`): Slipway starts a new task and drains the old one',
    });
  }

  async *logs(id: string, opts: ServiceLogsOptions): AsyncGenerator<LogLine> {
    if (isPlainContainerId(id)) {
      yield* this.local.logs(id, opts);
      return;
    }
    let tty = false;
    try {
      const service = await this.api.service(id, opts.signal);
      if (!service) throw new SlipwayError('NOT_FOUND', `container not found: no service ${id}`);
      tty = service.tty;
    } catch (err) {
      if (opts.signal?.aborted) return;
      throw err;
    }
    const nodeDown = opts.follow ? false : await this.ranOnNodeDown(id, opts.signal).catch(() => false);
    yield* serviceLogs(this.http, this.api, id, { ...opts, tty, intervalMs: this.intervalMs, nodeDown });
  }

  /** A node that ran one of the service's tasks is not ready: its logs cannot come now (a read would hang). */
  private async ranOnNodeDown(id: string, signal?: AbortSignal): Promise<boolean> {
    const nodeIds = new Set((await this.api.tasks([id], signal)).map((t) => t.nodeId).filter(Boolean));
    if (nodeIds.size === 0) return false;
    const nodes = await this.api.listNodes(signal);
    return [...nodeIds].some((n) => nodes.find((node) => node.id === n)?.state !== 'ready');
  }

  async waitContainer(id: string, signal?: AbortSignal): Promise<number> {
    if (isPlainContainerId(id)) return this.local.waitContainer(id, signal);
    return waitTaskEnd(this.api, id, { intervalMs: this.intervalMs, ...(signal ? { signal } : {}) });
  }

  /** Where a service's running task is now: its node, the task's container there, the node's Docker endpoint. */
  async taskLocation(id: string, signal?: AbortSignal): Promise<TaskLocation> {
    const [tasks, { selfId, nodes }] = await Promise.all([this.api.tasks([id], signal), this.swarmNodes(signal)]);
    return locateTask(id, tasks, nodes, selfId);
  }

  /** The Swarm's nodes (read now) and the id of this installation's own engine among them. */
  async swarmNodes(signal?: AbortSignal): Promise<{ selfId: string; nodes: SwarmNodeDetails[] }> {
    const [nodes, selfId] = await Promise.all([
      this.api.nodeDetails(signal),
      this.selfNodeId ? Promise.resolve(this.selfNodeId) : this.api.selfNodeId(signal),
    ]);
    this.selfNodeId = selfId;
    return { selfId, nodes };
  }

  /** An image every node can pull: its reference (by digest with a registry) and the headers to pull it with. */
  distributeImage(image: string, signal?: AbortSignal): Promise<{ image: string; headers?: Record<string, string> }> {
    return this.images ? this.images.distribute(image, signal) : Promise.resolve({ image });
  }

  /** Synthesized from task states every `eventsPollMs` (see swarm-events.ts): start, die (exit code), destroy. */
  containerEvents(query: ContainerEventQuery): AsyncIterable<ContainerEvent> {
    const labels = { ...query.labels, ...this.scope };
    return pollSwarmEvents({
      look: async (signal) => {
        const [services, nodes] = await Promise.all([this.api.services(labels, signal), this.api.listNodes(signal)]);
        const tasks = await this.api.tasks(
          services.map((s) => s.id),
          signal,
        );
        return takeSnapshot(services, tasks, nodes);
      },
      intervalMs: this.eventsPollMs,
      ...(query.sinceMs !== undefined ? { sinceMs: query.sinceMs } : {}),
      ...(query.actions ? { actions: query.actions } : {}),
      ...(query.signal ? { signal: query.signal } : {}),
    });
  }
}
