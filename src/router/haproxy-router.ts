import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pollUntil, sleep } from '../core/abort.js';
import { SlipwayError, isSlipwayError } from '../core/errors.js';
import { partitionRoutes, type HaproxyPaths } from './haproxy-config.js';
import { HaproxySupervisor, type SupervisorEvent } from './haproxy-supervisor.js';
import type {
  AppRoute,
  HealthCheckSettings,
  RouteServer,
  RouteSource,
  Router,
  ServerAdminState,
  ServerStatus,
} from './port.js';
import { withLiveServers } from './live-servers.js';
import { RuntimeApi } from './runtime-api.js';
import { routingFingerprint } from './routing-fingerprint.js';
import { LiveRouting, type LiveRoutingEvent } from './live-routing.js';
import { ensureDefaultCertificate } from './default-cert.js';
import { ensurePlatformCertificate } from './platform-cert.js';
import { classifyTlsAnswer, tlsCommand } from './runtime-tls.js';
import { sendSocketCommand } from './runtime-client.js';
import type { PlatformApi } from './haproxy-config.js';

export type RouterEvent =
  | SupervisorEvent
  | LiveRoutingEvent
  | { type: 'router.runtime-fallback'; reason: string }
  | { type: 'router.reapplied'; drained: number }
  | { type: 'router.listener-failed'; error: unknown }
  | { type: 'router.route-skipped'; app: string; problems: string[] };

export interface HaproxyRouterOptions {
  /** Where haproxy.cfg, hosts.map, sockets, pidfile and HAProxy's output live. */
  stateDir: string;
  httpPort: number;
  httpBind?: string;
  /** HTTPS frontend (apps' certificates by SNI, a self-signed default); no HTTPS when undefined. */
  httpsPort?: number | undefined;
  /** Defaults to httpBind. */
  httpsBind?: string | undefined;
  domain: string;
  haproxyBin?: string;
  log?: (event: RouterEvent) => void;
  /** Liveness poll interval of the supervisor (default 1 s). */
  watchIntervalMs?: number;
  /** Requests are logged into the access log ring (`logs --source router`); default off. */
  accessLog?: boolean;
  /** The remote API on the HTTPS port: its host, the API's proxy socket, and the given certificate if any. */
  platform?: { host: string; socket: string; certificate: () => string | undefined };
}

export function haproxyPaths(stateDir: string): HaproxyPaths {
  return {
    config: path.join(stateDir, 'haproxy.cfg'),
    hostsMap: path.join(stateDir, 'hosts.map'),
    maintenanceMap: path.join(stateDir, 'maintenance.map'),
    maintenanceDir: path.join(stateDir, 'maintenance'),
    crtList: path.join(stateDir, 'certs.list'),
    certsDir: path.join(stateDir, 'certs'),
    defaultCert: path.join(stateDir, 'default-cert.pem'),
    runtimeSocket: path.join(stateDir, 'runtime.sock'),
    masterSocket: path.join(stateDir, 'master.sock'),
    pidFile: path.join(stateDir, 'haproxy.pid'),
    logFile: path.join(stateDir, 'haproxy.log'),
  };
}

/** The data plane: HAProxy started (or adopted) in master-worker mode and driven via its runtime API. */
export class HaproxyRouter implements Router {
  readonly paths: HaproxyPaths;
  private readonly supervisor: HaproxySupervisor;
  private readonly api: RuntimeApi;
  private readonly live: LiveRouting;
  private readonly listeners: Array<() => void> = [];
  private appliedFingerprint: string | undefined;
  private problems = new Map<string, string[]>();
  /** Given by start(): read when HAProxy has to be started anew, never for a runtime change. */
  private source: RouteSource = () => [];

  constructor(private readonly opts: HaproxyRouterOptions) {
    this.paths = haproxyPaths(opts.stateDir);
    this.supervisor = new HaproxySupervisor({
      haproxyBin: opts.haproxyBin ?? '/usr/sbin/haproxy',
      paths: this.paths,
      httpBind: opts.httpBind ?? '0.0.0.0',
      httpPort: opts.httpPort,
      https: this.https(),
      domain: opts.domain,
      platform: this.platform(),
      ...(opts.accessLog ? { accessLog: opts.accessLog } : {}),
      ...(opts.watchIntervalMs !== undefined ? { watchIntervalMs: opts.watchIntervalMs } : {}),
      ...(opts.log ? { log: opts.log } : {}),
    });
    this.api = new RuntimeApi(this.paths.runtimeSocket);
    this.live = new LiveRouting(this.paths, opts.httpsPort !== undefined, (event) => opts.log?.(event));
  }

  private platform(): PlatformApi | undefined {
    const { platform, httpsPort } = this.opts;
    if (!platform || httpsPort === undefined) return undefined;
    return {
      host: platform.host,
      socket: platform.socket,
      certFile: path.join(this.opts.stateDir, 'platform-cert.pem'),
    };
  }

  /**
   * Serves `pem` (or, when undefined, Slipway's self-signed certificate) for the remote API host: the file is
   * rewritten, and the running HAProxy swaps it in through its runtime API (no reload). Never logs the PEM.
   */
  async setPlatformCertificate(pem: string | undefined, signal?: AbortSignal): Promise<void> {
    const platform = this.platform();
    if (!platform)
      throw new SlipwayError('INVALID_INPUT', 'this server has no remote API host', {
        hint: 'set SLIPWAY_API_HOST (default slipway.<SLIPWAY_DOMAIN>) and an HTTPS port, then restart the server',
      });
    const bundle = await ensurePlatformCertificate(platform.certFile, platform.host, pem);
    const send = (command: string) =>
      sendSocketCommand(this.paths.runtimeSocket, command, { timeoutMs: 10_000, ...(signal ? { signal } : {}) });
    for (const op of ['set-cert', 'commit-cert'] as const) {
      const step = { op, app: 'platform', file: platform.certFile };
      let answer: string;
      try {
        answer = await send(tlsCommand(step, this.paths.crtList, bundle));
      } catch (err) {
        // HAProxy is down: it loads the file when the supervisor starts it.
        if (isSlipwayError(err) && err.code === 'HAPROXY_UNAVAILABLE') return;
        throw err;
      }
      if (classifyTlsAnswer(step, answer) !== 'ok') {
        await send(`abort ssl cert ${platform.certFile}`).catch(() => undefined);
        throw new SlipwayError('INTERNAL', `HAProxy did not take the platform certificate (${op})`, {
          hint: 'restart the Slipway server to load it from its file',
          details: { answer: answer.trim().split('\n')[0]?.slice(0, 200) ?? '' },
        });
      }
    }
  }

  private https(): { bind: string; port: number } | undefined {
    const { httpsPort, httpsBind, httpBind } = this.opts;
    return httpsPort === undefined ? undefined : { bind: httpsBind ?? httpBind ?? '0.0.0.0', port: httpsPort };
  }

  async start(routeSource: RouteSource, signal?: AbortSignal): Promise<void> {
    this.source = routeSource;
    await mkdir(this.opts.stateDir, { recursive: true, mode: 0o700 });
    if (this.opts.httpsPort !== undefined) await ensureDefaultCertificate(this.paths.defaultCert);
    const platform = this.platform();
    if (platform) await ensurePlatformCertificate(platform.certFile, platform.host, this.opts.platform!.certificate());
    // When adopting a running HAProxy, servers it is using keep serving through the reload.
    const routes = withLiveServers(this.routes(), await this.api.allServers(signal));
    await this.supervisor.start(routes, signal);
    this.live.loaded(routes);
    this.appliedFingerprint = routingFingerprint(routes);
    await this.reapplyStates(routes, signal);
    this.supervisor.watch(
      () => this.routes(),
      async () => {
        const current = this.routes();
        this.live.loaded(current);
        this.appliedFingerprint = routingFingerprint(current);
        await this.reapplyStates(current);
        for (const listener of this.listeners) {
          try {
            listener();
          } catch (error) {
            this.opts.log?.({ type: 'router.listener-failed', error });
          }
        }
      },
    );
  }

  async stop(opts: { stopProxy?: boolean } = {}): Promise<void> {
    this.supervisor.unwatch();
    if (opts.stopProxy) await this.supervisor.stopProxy();
  }

  syncApps(given: AppRoute[] | RouteSource, signal?: AbortSignal): Promise<void> {
    // One change to HAProxy at a time, and a source is read only when this change's turn comes: servers a
    // deploy stored or added while earlier reloads ran are in the config written now (none is dropped),
    // and callers queued behind a reload that already has their app find nothing left to reload.
    return this.supervisor.exclusive(async () => {
      const routes = this.usable(typeof given === 'function' ? given() : given);
      const fingerprint = routingFingerprint(routes);
      if (fingerprint === this.appliedFingerprint) {
        // Same backends: hosts and certificates change through the runtime API, no reload.
        await this.supervisor.write(routes);
        const needed = await this.live.apply(routes, signal).catch(async (err: unknown) => {
          // HAProxy is down: the files are written, and the supervisor starts it from them.
          if (
            isSlipwayError(err) &&
            err.code === 'HAPROXY_UNAVAILABLE' &&
            !(await this.supervisor.runningTable(signal))
          )
            return undefined;
          throw err;
        });
        if (!needed) return;
        this.opts.log?.({ type: 'router.runtime-fallback', reason: needed.reason });
      }
      const kept = withLiveServers(routes, await this.api.allServers(signal));
      await this.supervisor.writeAndReload(kept, signal);
      this.live.loaded(kept);
      this.appliedFingerprint = fingerprint;
      await this.reapplyStates(kept, signal);
    });
  }

  async addServer(app: string, server: RouteServer, check: HealthCheckSettings, signal?: AbortSignal): Promise<void> {
    // Never while a reload runs: a server added to the worker being replaced would be lost with it.
    const add = () => this.supervisor.exclusive(() => this.api.addServer(app, server, check, signal));
    if ((await add()) !== 'no-backend') return;
    // The app's backend is not in the running config (a rare race with a restart): reload from the route source.
    if (!this.routes().some((route) => route.app === app)) {
      const problems = this.problems.get(app);
      if (problems) throw routeProblemError(app, problems);
      throw new SlipwayError('APP_NOT_FOUND', `no route for app ${app}`, {
        hint: 'sync the app routes (syncApps) before adding servers',
      });
    }
    await this.syncApps(this.source, signal);
    if ((await add()) === 'no-backend') {
      throw new SlipwayError('INTERNAL', `HAProxy has no backend for app ${app} after a reload`);
    }
  }

  async waitServerUp(app: string, name: string, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<void> {
    let last: ServerStatus | undefined;
    try {
      await pollUntil(
        async () => {
          const statuses = await this.statusesDuringReload(app, opts.signal);
          if (statuses) last = statuses.find((status) => status.name === name);
          return statuses && last?.status.startsWith('UP') ? true : undefined;
        },
        {
          timeoutMs: opts.timeoutMs,
          intervalMs: 25,
          what: `${app}/${name} to be UP`,
          ...(opts.signal ? { signal: opts.signal } : {}),
        },
      );
    } catch (err) {
      if (!(err instanceof SlipwayError) || err.code !== 'TIMEOUT') throw err;
      throw new SlipwayError(
        'HEALTHCHECK_FAILED',
        `HAProxy did not report ${name} of ${app} UP within ${opts.timeoutMs} ms`,
        {
          hint:
            'check that the app answers the health check path ' +
            'on its port; see the last check status in the details',
          details: { server: name, status: last?.status ?? 'not found', checkStatus: last?.checkStatus ?? '' },
        },
      );
    }
  }

  setServerState(app: string, name: string, state: ServerAdminState, signal?: AbortSignal): Promise<void> {
    return this.supervisor.exclusive(() => this.api.setState(app, name, state, signal));
  }

  setServerWeight(app: string, name: string, weight: number, signal?: AbortSignal): Promise<void> {
    return this.supervisor.exclusive(() => this.api.setWeight(app, name, weight, signal));
  }

  async waitSessionsZero(
    app: string,
    name: string,
    opts: { timeoutMs: number; signal?: AbortSignal },
  ): Promise<boolean> {
    const deadline = Date.now() + opts.timeoutMs;
    for (;;) {
      const statuses = await this.statusesDuringReload(app, opts.signal);
      const status = statuses?.find((s) => s.name === name);
      if (statuses && (!status || status.sessions === 0)) return true;
      if (Date.now() + 100 > deadline) return false;
      await sleep(100, opts.signal);
    }
  }

  removeServer(app: string, name: string, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<void> {
    return this.api.removeServer(app, name, { ...opts, exclusive: (task) => this.supervisor.exclusive(task) });
  }

  serverStatuses(app: string, signal?: AbortSignal): Promise<ServerStatus[]> {
    return this.api.statuses(app, signal);
  }

  onRestart(listener: () => void): void {
    this.listeners.push(listener);
  }

  routeProblems(app: string): string[] {
    return this.problems.get(app) ?? [];
  }

  /** The route source's routes that HAProxy can take (see usable). */
  private routes(): AppRoute[] {
    return this.usable(this.source());
  }

  /** Leaves out routes the config writer cannot render, remembering why (reported once per change). */
  private usable(routes: AppRoute[]): AppRoute[] {
    const { valid, problems } = partitionRoutes(routes);
    for (const [app, found] of problems) {
      if (JSON.stringify(this.problems.get(app)) !== JSON.stringify(found))
        this.opts.log?.({ type: 'router.route-skipped', app, problems: found });
    }
    this.problems = problems;
    return valid;
  }

  /** Statuses, or undefined while the runtime socket does not answer (e.g. a worker being replaced). */
  private async statusesDuringReload(app: string, signal?: AbortSignal): Promise<ServerStatus[] | undefined> {
    try {
      return await this.api.statuses(app, signal);
    } catch (err) {
      if (err instanceof SlipwayError && err.code === 'HAPROXY_UNAVAILABLE') return undefined;
      throw err;
    }
  }

  /** A reload or restart loads servers from the config as ready: put draining ones back in drain. */
  private async reapplyStates(routes: AppRoute[], signal?: AbortSignal): Promise<void> {
    let drained = 0;
    for (const route of routes) {
      for (const server of route.servers.filter((s) => s.state === 'drain')) {
        await this.api.setState(route.app, server.name, 'drain', signal).catch(() => undefined);
        drained++;
      }
    }
    this.opts.log?.({ type: 'router.reapplied', drained });
  }
}

/** An app the router had to leave out: the user learns which stored value and how to fix it. */
export function routeProblemError(app: string, problems: string[]): SlipwayError {
  return new SlipwayError('INVALID_INPUT', `${app} is not routed: ${problems.join('; ')}`, {
    hint:
      `fix the stored value, e.g. \`slipway apps:settings:set -a ${app} healthcheck.path=/health\` ` +
      '(an empty value returns to the TCP check), or remove the bad domain',
    details: { problems },
  });
}
