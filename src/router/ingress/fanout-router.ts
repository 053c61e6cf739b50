import { isSlipwayError } from '../../core/errors.js';
import type {
  AppRoute,
  HealthCheckSettings,
  RouteServer,
  RouteSource,
  Router,
  ServerAdminState,
  ServerStatus,
} from '../port.js';
import { RouteBook } from './route-book.js';
import { RemoteRouter, isUnreachable, type ClientTls } from './remote-router.js';

/** Where an ingress agent answers (a running task of the ingress service, on its node's address). */
export interface IngressEndpoint {
  node: string;
  address: string;
  port: number;
}

export type IngressEvent =
  | { type: 'ingress.joined'; node: string; address: string; apps: number; servers: number }
  | { type: 'ingress.lost'; node: string; reason: string }
  | { type: 'ingress.left'; node: string }
  | { type: 'ingress.discover-failed'; reason: string };

export interface IngressState {
  node: string;
  address: string;
  port: number;
  /** `joining`: being given the routes; `in`: takes every change; `lost`: unreachable, synced again when it answers. */
  state: 'joining' | 'in' | 'lost';
  since: string;
  lastError?: string;
}

export interface FanoutOptions {
  /** The ingress agents that run now (empty on one host, and until a node is labelled slipway.ingress=true). */
  discover: () => Promise<IngressEndpoint[]>;
  /** The manager's client certificate; undefined until the ingress service has been set up. */
  tls: () => ClientTls | undefined;
  /** How often agents are discovered and checked (default 2 s). */
  intervalMs?: number;
  log?: (event: IngressEvent) => void;
}

interface Member {
  remote: RemoteRouter;
  info: IngressState;
  bootId?: string;
  /** Changes to this node, in order: a join's sync first, then each change made after it. */
  chain: Promise<unknown>;
  /** Settles when the node has its routes (waits go to it only then). */
  ready: Promise<boolean>;
}

/**
 * The router on a Swarm with ingress nodes: the manager's HAProxy plus the HAProxy of every node
 * labelled `slipway.ingress=true`. Every change goes to all of them and every wait waits on all of them,
 * so the deploy sequence (add → UP → drain → sessions 0 → remove) holds on each ingress before a
 * container stops. A node that cannot be reached leaves the set (its traffic is gone with it) and is
 * given the manager's whole book when it answers again; one that answers but refuses a change fails the
 * operation, as the manager's HAProxy would.
 */
export class FanoutRouter implements Router {
  private readonly book = new RouteBook();
  private readonly members = new Map<string, Member>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;

  constructor(
    private readonly primary: Router,
    private readonly opts: FanoutOptions,
  ) {}

  async start(source: RouteSource, signal?: AbortSignal): Promise<void> {
    await this.primary.start(source, signal);
    this.book.replace(source());
    this.timer = setInterval(() => void this.refresh(), this.opts.intervalMs ?? 2_000);
    this.timer.unref();
    void this.refresh();
  }

  async stop(opts?: { stopProxy?: boolean }): Promise<void> {
    clearInterval(this.timer);
    await this.ticking;
    for (const member of this.members.values()) member.remote.close();
    this.members.clear();
    await this.primary.stop(opts);
  }

  /** The ingress nodes and how each is doing (for `slipway nodes`). */
  ingress(): IngressState[] {
    return [...this.members.values()].map((m) => ({ ...m.info }));
  }

  /** Discovers agents now and brings each up to date (also every interval). */
  refresh(): Promise<void> {
    this.ticking ??= this.tick().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  async syncApps(given: AppRoute[] | RouteSource, signal?: AbortSignal): Promise<void> {
    await this.primary.syncApps(given, signal);
    // A source is read again after the manager's change: the nodes get routes at least as new as its HAProxy's.
    const routes = typeof given === 'function' ? given() : given;
    this.book.merge(routes);
    await this.change((r) => r.sync(routes));
  }

  async addServer(app: string, server: RouteServer, check: HealthCheckSettings, signal?: AbortSignal): Promise<void> {
    await this.primary.addServer(app, server, check, signal);
    this.book.addServer(app, server, check);
    await this.change((r) => r.addServer(app, server, check));
  }

  async waitServerUp(app: string, name: string, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<void> {
    await Promise.all([
      this.primary.waitServerUp(app, name, opts),
      this.wait((r) => r.waitServerUp(app, name, opts.timeoutMs)),
    ]);
  }

  async setServerState(app: string, name: string, state: ServerAdminState, signal?: AbortSignal): Promise<void> {
    await this.primary.setServerState(app, name, state, signal);
    this.book.setState(app, name, state);
    await this.change((r) => r.setServerState(app, name, state));
  }

  async setServerWeight(app: string, name: string, weight: number, signal?: AbortSignal): Promise<void> {
    await this.primary.setServerWeight(app, name, weight, signal);
    this.book.setWeight(app, name, weight);
    await this.change((r) => r.setServerWeight(app, name, weight));
  }

  async waitSessionsZero(app: string, name: string, opts: { timeoutMs: number; signal?: AbortSignal }) {
    const [here, there] = await Promise.all([
      this.primary.waitSessionsZero(app, name, opts),
      this.wait((r) => r.waitSessionsZero(app, name, opts.timeoutMs)),
    ]);
    return here && there.every((drained) => drained !== false);
  }

  async removeServer(app: string, name: string, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<void> {
    await this.primary.removeServer(app, name, opts);
    this.book.remove(app, name);
    await this.change((r) => r.removeServer(app, name, opts.timeoutMs));
  }

  serverStatuses(app: string, signal?: AbortSignal): Promise<ServerStatus[]> {
    return this.primary.serverStatuses(app, signal);
  }

  onRestart(listener: () => void): void {
    this.primary.onRestart(listener);
  }

  routeProblems(app: string): string[] {
    return this.primary.routeProblems(app);
  }

  /** A change, queued on every node that is in or joining; an unreachable node leaves the set. */
  private async change(apply: (remote: RemoteRouter) => Promise<unknown>): Promise<void> {
    const members = [...this.members.values()].filter((m) => m.info.state !== 'lost');
    await this.settle(
      members.map((m) => {
        const done = m.chain.then(() => (m.info.state === 'lost' ? undefined : apply(m.remote)));
        m.chain = done.catch(() => undefined);
        return { m, done };
      }),
    );
  }

  /** A wait on every node that is in (or will be once its sync lands). */
  private async wait<T>(run: (remote: RemoteRouter) => Promise<T>): Promise<Array<T | undefined>> {
    const members = [...this.members.values()].filter((m) => m.info.state !== 'lost');
    return this.settle(
      members.map((m) => ({
        m,
        done: m.ready.then((ok) => (ok && m.info.state === 'in' ? run(m.remote) : undefined)),
      })),
    );
  }

  private async settle<T>(calls: Array<{ m: Member; done: Promise<T> }>): Promise<Array<T | undefined>> {
    const results = await Promise.allSettled(calls.map((c) => c.done));
    let failure: unknown;
    const values = results.map((r, i) => {
      if (r.status === 'fulfilled') return r.value;
      // Unreachable: out of the set. Refused: the operation fails, and the node is given the whole book
      // again (it may lack what the others took).
      this.lose(calls[i]!.m, r.reason);
      if (!isUnreachable(r.reason)) failure ??= r.reason;
      return undefined;
    });
    if (failure !== undefined) throw failure;
    return values;
  }

  private lose(m: Member, reason: unknown): void {
    if (m.info.state === 'lost') return;
    m.info = { ...m.info, state: 'lost', since: new Date().toISOString(), lastError: messageOf(reason) };
    this.opts.log?.({ type: 'ingress.lost', node: m.info.node, reason: messageOf(reason) });
  }

  private async tick(): Promise<void> {
    let endpoints: IngressEndpoint[];
    try {
      endpoints = await this.opts.discover();
    } catch (err) {
      this.opts.log?.({ type: 'ingress.discover-failed', reason: messageOf(err) });
      return;
    }
    const tls = this.opts.tls();
    if (!tls) endpoints = [];
    const keyOf = (e: IngressEndpoint) => `${e.node}@${e.address}:${e.port}`;
    const wanted = new Map(endpoints.map((e) => [keyOf(e), e]));
    for (const [key, m] of this.members) {
      if (wanted.has(key)) continue;
      this.members.delete(key);
      m.remote.close();
      this.opts.log?.({ type: 'ingress.left', node: m.info.node });
    }
    await Promise.all(
      [...wanted].map(async ([key, e]) => {
        const m = this.members.get(key) ?? this.add(key, e, tls!);
        await this.check(m);
      }),
    );
  }

  private add(key: string, e: IngressEndpoint, tls: ClientTls): Member {
    const info: IngressState = { ...e, state: 'lost', since: new Date().toISOString(), lastError: 'not synced yet' };
    const m: Member = {
      remote: new RemoteRouter(e.node, e.address, e.port, tls),
      info,
      chain: Promise.resolve(),
      ready: Promise.resolve(false),
    };
    this.members.set(key, m);
    return m;
  }

  /** An agent that is new, was lost or started anew is given the whole book; one that is in stays in. */
  private async check(m: Member): Promise<void> {
    if (m.info.state === 'joining') return;
    let bootId: string;
    try {
      const status = await m.remote.status();
      bootId = status.bootId;
      if (m.info.state === 'in' && status.synced && bootId === m.bootId) return;
    } catch (err) {
      this.lose(m, err);
      return;
    }
    m.info = { ...m.info, state: 'joining', since: new Date().toISOString() };
    const joined = m.chain.then(async () => {
      // The snapshot is taken when the sync runs: every change queued after it is already in it.
      const routes = this.book.all();
      await m.remote.sync(routes, true);
      return routes;
    });
    m.chain = joined.catch(() => undefined);
    m.ready = joined.then(
      () => true,
      () => false,
    );
    try {
      const routes = await joined;
      m.bootId = bootId;
      m.info = { ...m.info, state: 'in', since: new Date().toISOString() };
      delete m.info.lastError;
      const servers = routes.reduce((n, r) => n + r.servers.length, 0);
      this.opts.log?.({
        type: 'ingress.joined',
        node: m.info.node,
        address: m.info.address,
        apps: routes.length,
        servers,
      });
    } catch (err) {
      m.info = { ...m.info, state: 'lost', since: new Date().toISOString(), lastError: messageOf(err) };
      if (!isUnreachable(err)) this.opts.log?.({ type: 'ingress.lost', node: m.info.node, reason: messageOf(err) });
    }
  }
}

function messageOf(err: unknown): string {
  return isSlipwayError(err) || err instanceof Error ? err.message : String(err);
}
