import type { ContainerEngine } from '../engine/port.js';
import type { Store } from '../store/store.js';
import { SlipwayError } from '../core/errors.js';
import { LABELS, releaseOfLabels } from '../core/types.js';
import { makeRedactor } from '../core/redact.js';
import { startAttached, type AttachedContainer } from '../engine/docker-attach.js';
import { JsonLinesDecoder } from '../engine/docker-build-progress.js';
import { DockerHttpClient } from '../engine/docker-http.js';
import { parseWaitResponse } from '../engine/docker-inspect-parsers.js';
import { inspectImageRequest, removeContainerRequest, waitContainerRequest } from '../engine/docker-requests.js';
import type { ContainerSpec } from '../engine/port.js';
import type { SwarmNodeDetails } from '../engine/swarm/swarm-task-location.js';
import { openNodeDocker, type NodeDocker } from '../nodes/node-engines.js';
import { placementFor } from '../nodes/placement.js';
import { parseImageReference } from '../registry/registry-names.js';
import { newRunIndex, oneOffSpec, resolveRunTarget, RUN_DYNO } from './run-spec.js';
import { chooseRunNode } from './run-spec-node.js';
import { retireOneOff, waitForExit } from './one-off-exit.js';

export interface RunRequest {
  app: string;
  command: string[];
  /** Default: the current release. */
  release?: number;
  stdin: boolean;
  tty: boolean;
}

export interface StartedRun extends AttachedContainer {
  release: number;
  /** Waits for the command to end, removes its container, returns the exit code. */
  finish(): Promise<number>;
  /** The client went away: closes the stream and kills and removes the container. */
  cancel(): Promise<void>;
}

/** A one-off container started without a client attached (`run --detach`, a scheduled job). */
export interface LaunchedRun {
  containerId: string;
  /** `run.ab12cd`: its tag in `logs` and `ps`. */
  dyno: string;
  release: number;
  redact: (s: string) => string;
}

/** What the Swarm engine offers an interactive one-off that must run on another node (see run-spec-node.ts). */
export interface SwarmRunHost {
  swarmNodes(signal?: AbortSignal): Promise<{ selfId: string; nodes: SwarmNodeDetails[] }>;
  distributeImage(image: string, signal?: AbortSignal): Promise<{ image: string; headers?: Record<string, string> }>;
}

/** Detached one-offs of one app running at once, at most. */
export const MAX_DETACHED_RUNS = 20;
/** How long `ps:stop run.…` waits for a stopped one-off's logs to be kept and its container removed. */
const RETIRE_WAIT_MS = 15_000;
const NODE_CALL_TIMEOUT_MS = 30_000;
/** Pushing the image to the registry and pulling it onto the node. */
const PULL_TIMEOUT_MS = 10 * 60_000;

/**
 * One-off processes: a new container of a release (same image, same config). Attached ones
 * (`run`, `run -i`) end with their client; detached ones (`run --detach`) run on, their output in
 * `logs`, and when they end their logs are kept in the store and their container is removed — also
 * after a server restart (`recover`).
 */
export class RunService {
  private readonly watchers = new Map<string, Promise<void>>();
  private readonly controller = new AbortController();

  constructor(
    private readonly deps: {
      engine: ContainerEngine;
      store: Store;
      scope?: Record<string, string>;
      log?: (message: string) => void;
      /** Opens a node's Docker endpoint (default openNodeDocker; tests pass a stand-in). */
      openNode?: (engineUrl: string) => Promise<NodeDocker>;
    },
  ) {}

  async start(req: RunRequest): Promise<StartedRun> {
    const { engine } = this.deps;
    if (req.command.length === 0)
      throw new SlipwayError('INVALID_INPUT', 'no command to run', { hint: 'slipway run -a APP -- COMMAND [ARGS…]' });
    const target = resolveRunTarget(this.deps.store, req.app, req.release);
    const spec = oneOffSpec(target, req.command, newRunIndex(), this.deps.scope);
    const swarm = engine as Partial<SwarmRunHost>;
    const constraints = placementFor(target.app.settings, 'run');
    if (constraints.length > 0 && typeof swarm.swarmNodes === 'function') {
      const { selfId, nodes } = await swarm.swarmNodes(AbortSignal.timeout(NODE_CALL_TIMEOUT_MS));
      const place = chooseRunNode(nodes, selfId, constraints);
      if (place.on === 'node') return this.startOnNode(swarm as SwarmRunHost, place, spec, req, target.release);
    }
    const attached = await startAttached(spec, { stdin: req.stdin, tty: req.tty });
    return {
      ...attached,
      release: target.release,
      finish: async () => {
        try {
          return await engine.waitContainer(attached.id);
        } finally {
          await engine.removeContainer(attached.id, { force: true }).catch(() => undefined);
        }
      },
      cancel: async () => {
        attached.stream.destroy();
        await engine.removeContainer(attached.id, { force: true }).catch(() => undefined);
      },
    };
  }

  /**
   * An interactive one-off on another node (the app's placement excludes the manager): the image made reachable
   * (registry), pulled there if missing, the container created, attached and started through the node's Docker.
   */
  private async startOnNode(
    swarm: SwarmRunHost,
    place: { name: string; engineUrl: string },
    spec: ContainerSpec,
    req: RunRequest,
    release: number,
  ): Promise<StartedRun> {
    const node = await (this.deps.openNode ?? openNodeDocker)(place.engineUrl);
    let closed: Promise<void> | undefined;
    const close = () => (closed ??= node.close().catch(() => undefined));
    const docker = new DockerHttpClient({ endpoint: node.endpoint, timeoutMs: NODE_CALL_TIMEOUT_MS });
    let attached: AttachedContainer;
    try {
      const where = await swarm.distributeImage(spec.image, AbortSignal.timeout(PULL_TIMEOUT_MS));
      await ensureImage(docker, where.image, where.headers, place.name);
      attached = await startAttached(
        { ...spec, image: where.image },
        { stdin: req.stdin, tty: req.tty, endpoint: node.endpoint },
      );
    } catch (err) {
      await close();
      throw err;
    }
    const remove = () =>
      docker
        .json(removeContainerRequest(attached.id, { force: true }), { accept: [404], timeoutMs: 15_000 })
        .catch(() => undefined);
    return {
      ...attached,
      release,
      finish: async () => {
        try {
          // Headers come at once, the body when the container exits: only the session bounds the wait.
          const res = await docker.stream(waitContainerRequest(attached.id));
          const chunks: Buffer[] = [];
          for await (const chunk of res.body) chunks.push(chunk);
          return parseWaitResponse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } finally {
          await remove();
          await close();
        }
      },
      cancel: async () => {
        attached.stream.destroy();
        await remove();
        await close();
      },
    };
  }

  /** Starts a one-off with nobody attached; `labels` say what it is (detached, a scheduled job). */
  async launch(
    req: { app: string; command: string[]; release?: number },
    labels: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<LaunchedRun> {
    const target = resolveRunTarget(this.deps.store, req.app, req.release);
    const index = newRunIndex();
    const info = await this.deps.engine.runContainer(oneOffSpec(target, req.command, index, labels), signal);
    return {
      containerId: info.id,
      dyno: `run.${index}`,
      release: target.release,
      redact: makeRedactor(target.config),
    };
  }

  /** `run --detach`: the one-off keeps running after the request; watched until it ends. */
  async startDetached(req: { app: string; command: string[]; release?: number }): Promise<Omit<LaunchedRun, 'redact'>> {
    const app = this.deps.store.apps.get(req.app).name;
    const running = await this.detachedContainers(app);
    if (running.filter((c) => c.state === 'running').length >= MAX_DETACHED_RUNS) {
      throw new SlipwayError('INVALID_INPUT', `${app} already has ${MAX_DETACHED_RUNS} detached one-offs running`, {
        hint: `stop one first: \`slipway ps -a ${app}\` lists them, \`slipway ps:stop -a ${app} run.ID\` stops one`,
      });
    }
    const run = await this.launch(req, { [LABELS.detached]: 'true' });
    this.watch(run.containerId, run.redact);
    return { containerId: run.containerId, dyno: run.dyno, release: run.release };
  }

  /**
   * `ps:stop run.ab12cd`: SIGTERM, then SIGKILL after the app's stop.grace. A detached one-off is then
   * retired (logs kept, container removed) before this returns; an attached one ends its session.
   */
  async stopOneOff(appName: string, dyno: string): Promise<{ dyno: string; exitCode?: number }> {
    const app = this.deps.store.apps.get(appName);
    if (!RUN_DYNO.test(dyno))
      throw new SlipwayError('INVALID_INPUT', `${JSON.stringify(dyno.slice(0, 40))} is not a one-off`, {
        hint: 'one-offs are named like run.ab12cd (see `slipway ps`)',
      });
    const [container] = await this.deps.engine.listContainers({
      [LABELS.app]: app.name,
      [LABELS.managed]: 'true',
      [LABELS.process]: 'run',
      [LABELS.index]: dyno.slice('run.'.length),
    });
    if (!container)
      throw new SlipwayError('NOT_FOUND', `${app.name} has no one-off ${dyno} running`, {
        hint: `finished one-offs are removed; their output is in \`slipway logs -a ${app.name} --ps run\``,
      });
    await this.deps.engine.stopContainer(container.id, app.settings.stopGraceSec);
    const exitCode = (await this.deps.engine.inspectContainer(container.id).catch(() => null))?.exitCode;
    const watcher = this.watchers.get(container.id);
    if (watcher) await Promise.race([watcher, new Promise((r) => setTimeout(r, RETIRE_WAIT_MS).unref())]);
    return { dyno, ...(exitCode === undefined ? {} : { exitCode }) };
  }

  /** After a server start: detached one-offs still running are watched again; ended ones are retired now. */
  async recover(): Promise<number> {
    const containers = await this.detachedContainers();
    for (const c of containers) {
      const app = c.labels[LABELS.app];
      const version = releaseOfLabels(c.labels);
      const config = app && this.deps.store.apps.find(app) ? this.releaseConfig(app, version) : {};
      this.watch(c.id, makeRedactor(config));
    }
    return containers.length;
  }

  /** Stops watching (the containers keep running; the next server start watches them again). */
  async close(): Promise<void> {
    this.controller.abort();
    await Promise.allSettled([...this.watchers.values()]);
  }

  private releaseConfig(app: string, version: number): Record<string, string> {
    try {
      return this.deps.store.releases.config(app, version);
    } catch {
      return {};
    }
  }

  private detachedContainers(app?: string) {
    return this.deps.engine.listContainers({
      [LABELS.managed]: 'true',
      [LABELS.detached]: 'true',
      ...(app ? { [LABELS.app]: app } : {}),
    });
  }

  /** Waits for a detached one-off to end, then keeps its logs and removes it (once per container). */
  private watch(id: string, redact: (s: string) => string): void {
    if (this.watchers.has(id)) return;
    const { engine, store } = this.deps;
    const signal = this.controller.signal;
    const watcher = (async () => {
      try {
        const exitCode = await waitForExit(engine, id, signal);
        await retireOneOff(engine, store.logs, id, { exitCode, redact });
      } catch (err) {
        if (!signal.aborted)
          this.deps.log?.(`one-off ${id.slice(0, 12)}: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        this.watchers.delete(id);
      }
    })();
    this.watchers.set(id, watcher);
  }
}

/** Pulls `image` onto a node's Docker unless it is there already (`headers`: the registry's X-Registry-Auth). */
async function ensureImage(
  docker: DockerHttpClient,
  image: string,
  headers: Record<string, string> | undefined,
  nodeName: string,
): Promise<void> {
  if ((await docker.json(inspectImageRequest(image), { accept: [404] })).status !== 404) return;
  const { repository, tag, digest } = parseImageReference(image);
  const res = await docker.stream(
    {
      method: 'POST',
      path: '/images/create',
      query: { fromImage: repository, tag: digest ?? tag ?? 'latest' },
      ...(headers ? { headers } : {}),
    },
    { totalTimeoutMs: PULL_TIMEOUT_MS },
  );
  const decoder = new JsonLinesDecoder();
  let error: string | undefined;
  const look = (messages: unknown[]) => {
    for (const m of messages) {
      const text = (m as { error?: unknown }).error;
      if (typeof text === 'string') error = text;
    }
  };
  for await (const chunk of res.body) look(decoder.push(chunk));
  look(decoder.flush());
  if (error !== undefined)
    throw new SlipwayError('IMAGE_NOT_FOUND', `node ${nodeName} could not pull ${image}: ${error.slice(0, 300)}`, {
      hint: "the node must reach this server's image registry (where releases are pushed), or have the image",
    });
}
