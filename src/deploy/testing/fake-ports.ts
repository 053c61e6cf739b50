import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SlipwayError } from '../../core/errors.js';
import { LABELS } from '../../core/types.js';
import type {
  ContainerEngine,
  ContainerEvent,
  ContainerInfo,
  ContainerSpec,
  ImageInfo,
  LogLine,
} from '../../engine/port.js';
import type {
  AppRoute,
  RouteSource,
  HealthCheckSettings,
  RouteServer,
  Router,
  ServerAdminState,
  ServerStatus,
} from '../../router/port.js';

/**
 * Fakes of the engine and router ports for unit tests of the deploy logic (never for an e2e test).
 * Both record what they were asked, in order, as short lines (`run web.1@v2`, `drain shop/web-1-c1`),
 * and fail on request. Web containers answer health checks through a real loopback HTTP server.
 */

/** What a container the fake engine starts does. */
export interface FakeBehaviour {
  /** The loopback port its HTTP health check answers on (see startProbeTargets). */
  port?: number;
  /** Exits at once with this code (a release command, a command that is not found). */
  exitCode?: number;
  logs?: string[];
}

interface FakeContainer {
  info: ContainerInfo;
  logs: string[];
  exit: Promise<number>;
  exited: (code: number) => void;
}

/** `web.1@v2` from a container's labels. */
function keyOf(labels: Record<string, string>): string {
  return `${labels[LABELS.process]}.${labels[LABELS.index]}@${labels[LABELS.release]}`;
}

export class FakeEngine implements ContainerEngine {
  readonly calls: string[] = [];
  readonly containers = new Map<string, FakeContainer>();
  readonly images = new Set<string>();
  /** Decides what each started container does (default: no port, keeps running). */
  behaviour: (spec: ContainerSpec) => FakeBehaviour = () => ({});
  private next = 1;

  /** A container that already runs (observed by the next rollout), e.g. `web.1` of v1, routed or not. */
  seed(labels: Record<string, string>, opts: { port?: number } = {}): string {
    const id = `c${this.next++}`;
    this.add(id, labels, opts.port, []);
    return id;
  }

  async ping(): Promise<void> {}

  async inspectImage(ref: string): Promise<ImageInfo | null> {
    if (!this.images.has(ref)) return null;
    return {
      id: ref,
      tags: [ref],
      cmd: null,
      entrypoint: null,
      env: [],
      exposedPorts: [],
      labels: {},
      createdAt: '',
      sizeBytes: 0,
    };
  }

  async buildImage(): Promise<{ imageId: string }> {
    throw new SlipwayError('INTERNAL', 'the fake engine builds nothing');
  }

  async runContainer(spec: ContainerSpec): Promise<ContainerInfo> {
    this.calls.push(`run ${keyOf(spec.labels)}`);
    const behaviour = this.behaviour(spec);
    const id = `c${this.next++}`;
    const c = this.add(id, spec.labels, behaviour.port, behaviour.logs ?? []);
    if (behaviour.exitCode !== undefined) this.end(c, behaviour.exitCode);
    return { ...c.info };
  }

  async inspectContainer(id: string): Promise<ContainerInfo | null> {
    return this.containers.get(id)?.info ?? null;
  }

  async listContainers(labels: Record<string, string | undefined>): Promise<ContainerInfo[]> {
    const matches = (info: ContainerInfo) =>
      Object.entries(labels).every(([k, v]) => (v === undefined || v === '' ? k in info.labels : info.labels[k] === v));
    return [...this.containers.values()].map((c) => c.info).filter(matches);
  }

  async stopContainer(id: string): Promise<void> {
    this.calls.push(`stop ${this.nameOf(id)}`);
    const c = this.containers.get(id);
    if (c) this.end(c, 143);
  }

  async removeContainer(id: string): Promise<void> {
    this.calls.push(`remove ${this.nameOf(id)}`);
    const c = this.containers.get(id);
    if (!c) return;
    this.end(c, 137);
    this.containers.delete(id);
  }

  async killContainer(id: string): Promise<void> {
    const c = this.containers.get(id);
    if (c) this.end(c, 137);
  }

  async updateContainerLimits(): Promise<void> {}

  async *logs(id: string): AsyncIterable<LogLine> {
    for (const text of this.containers.get(id)?.logs ?? [])
      yield { stream: 'stdout', time: new Date().toISOString(), text };
  }

  waitContainer(id: string, signal?: AbortSignal): Promise<number> {
    const c = this.containers.get(id);
    if (!c) return Promise.reject(new SlipwayError('NOT_FOUND', `no container ${id}`));
    if (!signal) return c.exit;
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(new SlipwayError('ABORTED', 'wait cancelled'));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      void c.exit.then((code) => {
        signal.removeEventListener('abort', onAbort);
        resolve(code);
      });
    });
  }

  async *containerEvents(): AsyncIterable<ContainerEvent> {}

  /** `web.1@v2` of a container id (the calls name containers this way). */
  nameOf(id: string): string {
    const c = this.containers.get(id);
    return c ? keyOf(c.info.labels) : id;
  }

  /** Keys of the containers that exist now, sorted. */
  running(): string[] {
    return [...this.containers.values()]
      .filter((c) => c.info.state === 'running')
      .map((c) => keyOf(c.info.labels))
      .sort();
  }

  private add(id: string, labels: Record<string, string>, port: number | undefined, logs: string[]): FakeContainer {
    let exited: (code: number) => void = () => {};
    const exit = new Promise<number>((resolve) => (exited = resolve));
    const info: ContainerInfo = {
      id,
      name: `fake-${id}`,
      image: 'img',
      labels,
      state: 'running',
      createdAt: new Date().toISOString(),
      ...(port === undefined ? {} : { hostPort: port }),
    };
    const c = { info, logs, exit, exited };
    this.containers.set(id, c);
    return c;
  }

  private end(c: FakeContainer, code: number): void {
    if (c.info.state !== 'running') return;
    c.info = { ...c.info, state: 'exited', exitCode: code };
    c.exited(code);
  }
}

/** A scripted failure: the first call of `method` (for `server`, when given) throws `error`. */
interface Failure {
  method: string;
  server?: string;
  error: SlipwayError;
}

export class FakeRouter implements Router {
  readonly calls: string[] = [];
  /** HAProxy's servers by `app/name`, with their admin state. */
  readonly servers = new Map<string, { state: ServerAdminState; weight: number }>();
  private failures: Failure[] = [];

  /** The next call of `method` (on a server whose name starts with `server`) throws `error`. */
  failNext(method: string, error: SlipwayError, server?: string): void {
    this.failures.push({ method, error, ...(server ? { server } : {}) });
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async syncApps(_routes: AppRoute[] | RouteSource): Promise<void> {}

  async addServer(app: string, server: RouteServer, _check: HealthCheckSettings): Promise<void> {
    this.call('add', app, server.name);
    this.servers.set(`${app}/${server.name}`, { state: 'ready', weight: server.weight ?? 1 });
  }

  async waitServerUp(app: string, name: string): Promise<void> {
    this.call('wait-up', app, name);
  }

  async setServerState(app: string, name: string, state: ServerAdminState): Promise<void> {
    this.call(state, app, name);
    const server = this.servers.get(`${app}/${name}`);
    if (!server) throw new SlipwayError('NOT_FOUND', `HAProxy has no server ${name} for app ${app}`);
    server.state = state;
  }

  async setServerWeight(app: string, name: string, weight: number): Promise<void> {
    this.call(`weight-${weight}`, app, name);
    const server = this.servers.get(`${app}/${name}`);
    if (server) server.weight = weight;
  }

  async waitSessionsZero(app: string, name: string): Promise<boolean> {
    this.call('wait-drained', app, name);
    return true;
  }

  async removeServer(app: string, name: string): Promise<void> {
    this.call('remove', app, name);
    this.servers.delete(`${app}/${name}`);
  }

  async serverStatuses(app: string): Promise<ServerStatus[]> {
    return [...this.servers.entries()]
      .filter(([key]) => key.startsWith(`${app}/`))
      .map(([key, s]) => ({
        name: key.slice(app.length + 1),
        status: s.state.toUpperCase(),
        sessions: 0,
        checkStatus: '',
      }));
  }

  onRestart(): void {}

  routeProblems(): string[] {
    return [];
  }

  /** `app/name` → state of every server, sorted (what HAProxy would route). */
  table(): string[] {
    return [...this.servers.entries()]
      .map(([key, s]) => `${key} ${s.state}${s.weight === 1 ? '' : ` w${s.weight}`}`)
      .sort();
  }

  private call(method: string, app: string, name: string): void {
    this.calls.push(`${method} ${app}/${name}`);
    const i = this.failures.findIndex((f) => f.method === method && (!f.server || name.startsWith(f.server)));
    if (i < 0) return;
    const [failure] = this.failures.splice(i, 1);
    throw failure!.error;
  }
}

/** Loopback HTTP servers for the fake containers' health checks: `healthy` answers 200, `sick` 503. */
export async function startProbeTargets(): Promise<{ healthy: number; sick: number; close(): Promise<void> }> {
  const serve = async (status: number) => {
    const server = http.createServer((_req, res) => res.writeHead(status).end(String(status)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return server;
  };
  const [healthy, sick] = [await serve(200), await serve(503)];
  const port = (s: http.Server) => (s.address() as AddressInfo).port;
  return {
    healthy: port(healthy),
    sick: port(sick),
    close: async () => {
      for (const s of [healthy, sick]) {
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
    },
  };
}
