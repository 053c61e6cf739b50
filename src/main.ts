import type http from 'node:http';
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerEngine } from './engine/port.js';
import type { Router } from './router/port.js';
import type { Slipway } from './slipway.js';
import { DockerEngine } from './engine/docker-engine.js';
import { HaproxyRouter, haproxyPaths } from './router/haproxy-router.js';
import { openStore, type Store } from './store/store.js';
import { readEnvironment, slipwayPaths, type SlipwayEnvironment } from './config/environment.js';
import { ensureHome, readInstanceId, readSecretKey, readToken } from './config/home.js';
import { LABELS } from './core/types.js';
import { DeployService } from './deploy/deploy-service.js';
import { FormationSupervisor } from './deploy/formation-supervisor.js';
import { BuildService } from './image-build/build-service.js';
import { recoverInterruptedBuilds } from './image-build/interrupted-builds.js';
import { AppService } from './apps/app-service.js';
import { HistoryService } from './apps/history-service.js';
import { ProcessService } from './apps/process-service.js';
import { LogService } from './logs/log-service.js';
import { appRoutes } from './deploy/app-routes.js';
import { DomainService } from './domains/domain-service.js';
import { CertificateService } from './domains/certificate-service.js';
import { PlatformCertificateService } from './domains/platform-certificate.js';
import { apiHostAppName } from './domains/app-hosts.js';
import { SlipwayError } from './core/errors.js';
import { createApiServer, forwardedClient, listen, listenSocket } from './server/http-server.js';
import { apiAuth } from './server/api-auth.js';
import { isConfigPath } from './router/haproxy-config.js';
import type { Duplex } from 'node:stream';
import { AuthService, type AuthPrincipal } from './auth/auth-service.js';
import { GitPush } from './git/git-push.js';
import { SshKeyService } from './git/ssh-keys.js';
import { handleGitHttp } from './git/git-http.js';
import { createSshGitServer, hostKey, listenSsh } from './git/ssh-git-server.js';
import { DEFAULT_UPLOAD_LIMITS } from './config/environment.js';
import { apiRoutes } from './server/api-routes.js';
import { publicAuthRoutes } from './server/auth-routes.js';
import { PasswordLogin } from './auth/passwords.js';
import { RunService } from './runs/run-service.js';
import { ExecService } from './runs/exec-service.js';
import { ProcessControl } from './deploy/process-control.js';
import { CronService } from './jobs/cron-service.js';
import { oneOffCronRunner } from './jobs/cron-runner.js';
import { systemClock } from './core/clock.js';
import { handleRunUpgrade, rejectUpgrade } from './server/run-routes.js';
import { loopbackHosts } from './server/request-guard.js';
import { MaintenanceService } from './apps/maintenance-service.js';
import { AppRenameService } from './apps/app-rename.js';
import { AppInfoService } from './apps/app-info.js';
import { RouterLogService } from './logs/router-log-service.js';
import { AccessLogReader } from './router/access-log-reader.js';
import { NodeService } from './nodes/node-service.js';
import { DockerSwarmControl } from './nodes/docker-swarm-control.js';
import { parseDockerHost } from './engine/docker-http.js';
import { switchableEngine } from './engine/switchable-engine.js';
import { SwarmMode } from './nodes/swarm-mode.js';
import { dynoMover } from './apps/dyno-mover.js';
import { EngineTlsStore } from './nodes/engine-tls-store.js';
import { openNodeDocker } from './nodes/node-engines.js';
import { moveAppsToSwarm } from './apps/swarm-migration.js';
import { startAutoRebalance } from './nodes/auto-rebalance.js';
import { SecretBox } from './store/secret-box.js';
import { FanoutRouter } from './router/ingress/fanout-router.js';
import { ImagePuller } from './registry/image-puller.js';
import { DockerHttpClient } from './engine/docker-http.js';
import { HookService } from './hooks/hook-service.js';
import { hookReceiverRoutes } from './server/hook-routes.js';

export interface SlipwayParts {
  env?: SlipwayEnvironment;
  engine?: ContainerEngine;
  router?: Router;
  log?: (message: string) => void;
}

/** Composition root: no module singletons, no work at import time. */
export function createSlipway(parts: SlipwayParts = {}): Slipway {
  const given = parts.env ?? readEnvironment();
  const paths = slipwayPaths(given.home);
  ensureHome(paths);
  const secretKey = readSecretKey(paths);
  const store = openStore(paths.database, secretKey);
  const env = withApiHostFree(given, store, parts.log);
  // Seals the registry password and the certificates of nodes joined over TLS.
  const box = new SecretBox(secretKey);
  const scope = { [LABELS.instance]: readInstanceId(paths) };
  // One engine for every service: plain Docker on one host; the Swarm adapter once this is a Swarm.
  const engines = switchableEngine(parts.engine ?? new DockerEngine({ scopeLabels: scope }));
  const engine = engines.engine;
  const swarmControl = new DockerSwarmControl(parseDockerHost(process.env['DOCKER_HOST']));
  const swarm = new SwarmMode({
    local: swarmControl,
    engines,
    scope,
    home: paths.home,
    box,
    registryPort: env.registryPort ?? 5000,
    ...(env.ingress ? { ingress: { settings: env.ingress, domain: env.domain } } : {}),
    ...(env.registryAddress ? { registryAddress: env.registryAddress } : {}),
    log: parts.log ?? (() => {}),
  });
  // Router access logs: HAProxy's ring → the runtime socket → per-app history and followers.
  const routerLogs = new RouterLogService(store.routerLogs, { enabled: env.routerLogs !== false });
  const accessLog = new AccessLogReader(
    haproxyPaths(paths.haproxyDir).runtimeSocket,
    (line) => routerLogs.ingest(line),
    {
      seen: store.routerLogs.recentKeys(20_000),
    },
  );
  // The remote API's certificate: given with certs:add --platform (kept sealed), else self-signed.
  const platformCerts = new PlatformCertificateService({
    host: env.httpsPort !== 0 ? env.apiHost : undefined,
    httpsPort: env.httpsPort,
    sealedFile: paths.platformCert,
    box,
    served: () => readFileSync(join(paths.haproxyDir, 'platform-cert.pem'), 'utf8'),
    install: async (pem) => {
      if (!haproxy)
        throw new SlipwayError('INVALID_INPUT', 'this server runs without its own HAProxy', {
          hint: 'the API host certificate is served by the HAProxy `slipway server` starts',
        });
      await haproxy.setPlatformCertificate(pem);
    },
  });
  const haproxy: HaproxyRouter | undefined = parts.router
    ? undefined
    : new HaproxyRouter({
        stateDir: paths.haproxyDir,
        httpPort: env.httpPort,
        httpBind: env.httpBind,
        ...(env.httpsPort !== 0 ? { httpsPort: env.httpsPort, httpsBind: env.httpsBind } : {}),
        domain: env.domain,
        accessLog: env.routerLogs !== false,
        ...(env.apiHost
          ? {
              platform: {
                host: env.apiHost,
                socket: paths.proxySocket,
                certificate: () => platformCerts.given(),
              },
            }
          : {}),
        ...(process.env['SLIPWAY_HAPROXY_BIN'] ? { haproxyBin: process.env['SLIPWAY_HAPROXY_BIN'] } : {}),
        ...(parts.log
          ? { log: (event: unknown) => parts.log!(typeof event === 'string' ? event : JSON.stringify(event)) }
          : {}),
      });
  const router = parts.router ?? ingressRouter(swarm, parts.log, haproxy!);
  const desiredRoutes = () => appRoutes(store, env.domain);
  // The route source, not a snapshot: read when the router's turn comes (see Router.syncApps).
  const syncRouter = () => router.syncApps(desiredRoutes);
  const deploys = new DeployService({ engine, router, store });
  const registries = new ImagePuller(
    new DockerHttpClient({ endpoint: parseDockerHost(process.env['DOCKER_HOST']) }),
    store.registryLogins,
  );
  const builds = new BuildService({ engine, store, puller: registries });
  // The remote API's host is never an app's (served on the HTTPS port only when there is one).
  const apiHost = env.apiHost && env.httpsPort !== 0 ? env.apiHost : undefined;
  const reserved = apiHost ? { host: apiHost, appName: apiHostAppName(apiHost, env.domain) } : undefined;
  const apps = new AppService({
    engine,
    router,
    store,
    deploys,
    builds,
    syncRouter,
    ...(reserved ? { apiHost: reserved } : {}),
  });
  const log = parts.log ?? (() => {});
  // Nodes joined through a TLS endpoint are reached again with the certificates kept for them.
  const nodeTls = new EngineTlsStore(join(paths.home, 'node-tls'), box);
  const openNode = (url: string) => {
    const tls = nodeTls.load(url);
    return openNodeDocker(url, tls ? { tls } : {});
  };
  const runs = new RunService({ engine, store, scope, log, openNode });
  const cronRunner = oneOffCronRunner({ runs, engine, store });
  let moving: Promise<unknown> | undefined;
  const moveToSwarm = (): Promise<unknown> => {
    moving ??= moveAppsToSwarm({ store, engine, deploys, log })
      .then(
        (r) => {
          if (r.moved > 0) log(`swarm move: ${r.moved} process(es) of ${r.apps.join(', ')} now run as Swarm services`);
        },
        (err: unknown) => log(`swarm move failed: ${err instanceof Error ? err.message : String(err)}`),
      )
      .finally(() => {
        moving = undefined;
      });
    return moving;
  };
  const slipway: Slipway = {
    env,
    paths,
    store,
    engine,
    router,
    deploys,
    builds,
    apps,
    history: new HistoryService({ store, engine }),
    processes: new ProcessService({ engine, router, store, problems: (app) => apps.problems(app) }),
    logs: new LogService(engine, store.logs),
    domains: new DomainService({ store, domain: env.domain, syncRouter, apiHost }),
    certs: new CertificateService({ store, domain: env.domain, syncRouter }),
    platformCerts,
    runs,
    execs: new ExecService({ engine, store, openNode }),
    processControl: new ProcessControl({ store, deploys, runs }),
    cron: new CronService({ store, clock: systemClock, runner: cronRunner, log }),
    maintenance: new MaintenanceService({ store, syncRouter }),
    renames: new AppRenameService({
      engine,
      router,
      store,
      syncRouter,
      processesOf: (release) => deploys.processesOf(release),
      log,
      ...(reserved ? { apiHost: reserved } : {}),
    }),
    info: new AppInfoService({ store, ports: env, services: () => slipway }),
    routerLogs,
    accessLog,
    // This installation's engine: the same one the plain-Docker engine talks to (DOCKER_HOST).
    nodes: new NodeService({
      local: swarmControl,
      mover: dynoMover(store, deploys, scope),
      onSwarmStarted: async () => {
        if (!parts.engine) await swarm.enterIfSwarm();
      },
      registryTrust: () => swarm.trust,
      ingressStates: () => (router instanceof FanoutRouter ? router.ingress() : []),
      ingressProblem: () => swarm.ingress?.problem(),
      tlsStore: nodeTls,
      // The apps that run as plain containers move onto Swarm services (in the background, zero downtime).
      afterAdd: () => {
        if (swarm.active) void moveToSwarm();
      },
    }),
    swarm,
    registries,
    auth: new AuthService(store),
    passwords: new PasswordLogin(store),
    hooks: new HookService({
      store,
      deploySource: (app, tar, opts) => apps.deploySource(app, tar, opts),
      cacheDir: join(paths.home, 'hook-git'),
      tmpDir: paths.tmp,
      ...(env.upload ? { limits: env.upload } : {}),
      log,
    }),
    keys: new SshKeyService(store),
    git: new GitPush(paths.home, (env.upload ?? DEFAULT_UPLOAD_LIMITS).maxReceivedBytes, () => slipway),
    moveToSwarm,
    desiredRoutes,
    syncRouter,
  };
  return slipway;
}

/**
 * The manager's HAProxy, and once this is a Swarm with nodes labelled slipway.ingress=true, theirs too:
 * every route change reaches each of them (nothing at all happens on one host).
 */
function ingressRouter(swarm: SwarmMode, log: ((message: string) => void) | undefined, primary: Router): FanoutRouter {
  return new FanoutRouter(primary, {
    discover: () => swarm.ingress?.endpoints() ?? Promise.resolve([]),
    tls: () => swarm.ingress?.clientTls(),
    ...(log ? { log: (event) => log(JSON.stringify(event)) } : {}),
  });
}

/**
 * An app of an existing install that already answers at the API host keeps it: the remote API stays off
 * (said in the log) until SLIPWAY_API_HOST names another host.
 */
function withApiHostFree(env: SlipwayEnvironment, store: Store, log?: (message: string) => void): SlipwayEnvironment {
  const host = env.apiHost;
  if (!host) return env;
  // The proxy socket lives in SLIPWAY_HOME: a path a unix socket (and haproxy.cfg) cannot hold turns it off.
  const socket = slipwayPaths(env.home).proxySocket;
  if (socket.length > 100 || !isConfigPath(socket)) {
    log?.(`remote API off: SLIPWAY_HOME's path is too long or has characters a socket path in haproxy.cfg cannot`);
    return { ...env, apiHost: undefined };
  }
  const name = apiHostAppName(host, env.domain);
  const owner = (name && store.apps.find(name)?.name) ?? store.domains.find(host)?.app;
  if (!owner) return env;
  log?.(`remote API off: ${host} is app ${owner}'s host; set SLIPWAY_API_HOST to another host to serve it`);
  return { ...env, apiHost: undefined };
}

export interface RunningServer {
  slipway: Slipway;
  http: http.Server;
  url: string;
  close(): Promise<void>;
}

/** `slipway server`: checks Docker, starts (or adopts) HAProxy, recovers interrupted deploys, serves the API. */
export async function startServer(parts: SlipwayParts = {}): Promise<RunningServer> {
  const slipway = createSlipway(parts);
  const log = parts.log ?? (() => {});
  await slipway.engine.ping();
  // A Swarm manager: the registry runs and containers become Swarm services (tests that bring their own
  // engine stay on it).
  if (!parts.engine)
    await slipway.swarm.enterIfSwarm().catch((err: unknown) => {
      // Never a reason not to serve: apps keep running; deploys stay on this host until it is fixed.
      log(`swarm mode not entered: ${err instanceof Error ? err.message : String(err)}`);
    });
  // Users and tokens: the home's token file is the first admin's (existing installs keep working).
  slipway.auth.bootstrap(readToken(slipway.paths));
  const auth = apiAuth(slipway);
  await slipway.git.start();
  const routes = apiRoutes(slipway);
  const serverOptions = {
    auth,
    publicRoutes: [...publicAuthRoutes(slipway), ...hookReceiverRoutes(slipway)],
    git: (req: http.IncomingMessage, res: http.ServerResponse, url: URL, onPrincipal: (p: AuthPrincipal) => void) =>
      handleGitHttp(
        {
          repos: slipway.git.repos,
          gate: slipway.git.gate,
          authenticate: (bearer: string | undefined) => auth.authenticate(bearer),
          checkPassword: (user: string, password: string) =>
            // Only the proxy socket is a unix socket: its client is the one HAProxy forwarded.
            slipway.passwords.principal(user, password, req.socket.remoteAddress ?? forwardedClient(req)),
          authorize: (p: AuthPrincipal, method: string, path: string, query: URLSearchParams) =>
            auth.authorize(p, method, path, query),
          assertApp: (app: string) => void slipway.apps.get(app),
          maxRequestBytes: (slipway.env.upload ?? DEFAULT_UPLOAD_LIMITS).maxReceivedBytes,
        },
        req,
        res,
        url,
        onPrincipal,
      ),
    upgrade: {
      handle: (req: http.IncomingMessage, socket: Duplex, url: URL) =>
        handleRunUpgrade(slipway, slipway.runs, req, socket, url),
      reject: rejectUpgrade,
    },
  };
  const server = createApiServer(routes, { ...serverOptions, allowedHosts: loopbackHosts(slipway.env.apiPort) });
  await listen(server, slipway.env.apiPort);
  // The remote API: HAProxy terminates TLS for the API host and forwards here (see PlatformApi).
  const { apiHost, httpsPort } = slipway.env;
  const proxied =
    apiHost && httpsPort
      ? createApiServer(routes, {
          ...serverOptions,
          allowedHosts: [apiHost, `${apiHost}:${httpsPort}`],
          forwarded: true,
        })
      : undefined;
  if (proxied) await listenSocket(proxied, slipway.paths.proxySocket);
  // git push over SSH (SLIPWAY_SSH_PORT; 0 = off): users' public keys, only git-receive-pack / git-upload-pack.
  const sshPort = slipway.env.sshPort ?? 0;
  const ssh =
    sshPort === 0
      ? undefined
      : createSshGitServer(
          {
            keys: slipway.keys,
            repos: slipway.git.repos,
            gate: slipway.git.gate,
            authorize: (p, method, path, query) => auth.authorize(p, method, path, query),
            assertApp: (app) => void slipway.apps.get(app),
            audit: (principal, path, status, code, source) =>
              auth.audit({ principal, method: 'SSH', path, status, code, source }),
          },
          hostKey(slipway.paths.sshHostKey),
        );
  if (ssh)
    await listenSsh(ssh, sshPort, slipway.env.sshBind ?? '127.0.0.1').catch(async (err: unknown) => {
      server.close();
      await slipway.git.stop();
      slipway.store.close();
      throw err;
    });
  try {
    // The ring of a running HAProxy holds lines logged while no server was there: read before the reload.
    if (slipway.env.routerLogs !== false) await slipway.accessLog.start();
    // The router reads the route source again only when HAProxy must be started anew (it died).
    await slipway.router.start(slipway.desiredRoutes);
    slipway.router.onRestart(() => log('router: HAProxy was restarted and every route re-applied'));
    // An interrupted apps:rename finishes relabelling first (its containers carry the former name).
    await slipway.renames.resumePending();
    await slipway.deploys.recoverInterrupted((m) => log(m));
    await recoverInterruptedBuilds(slipway, log);
    const lost = slipway.hooks.recoverInterrupted();
    if (lost > 0) log(`webhooks: ${lost} delivery(ies) interrupted by the last stop are marked failed`);
  } catch (err) {
    server.close();
    proxied?.close();
    slipway.store.close();
    throw err;
  }
  // Crashed or killed containers are restarted; every formation is reconciled now and periodically.
  const supervisor = new FormationSupervisor({
    engine: slipway.engine,
    router: slipway.router,
    store: slipway.store,
    processesOf: (r) => slipway.deploys.processesOf(r),
    log,
  });
  supervisor.start();
  // On a Swarm: nodes a move paused when the server stopped get their availability back; processes still
  // running as plain containers on this host move onto Swarm services; the opt-in automatic rebalance.
  let stopAutoRebalance = () => {};
  if (slipway.swarm.active) {
    await slipway.nodes
      .resumeInterrupted()
      .then((n) => n > 0 && log(`nodes: ${n} node(s) paused by an interrupted move are active again`))
      .catch((err: unknown) => log(`nodes: ${err instanceof Error ? err.message : String(err)}`));
    void slipway.moveToSwarm();
  }
  if (slipway.env.autoRebalance)
    stopAutoRebalance = startAutoRebalance({
      rebalance: (opts) => slipway.nodes.rebalance(opts),
      idle: () => slipway.swarm.active && slipway.store.deployments.running().length === 0,
      log,
    });
  // Detached one-offs and scheduled runs that outlived the last server are followed again; jobs run on time.
  const detached = await slipway.runs.recover().catch((err: unknown) => {
    log(`one-offs: ${err instanceof Error ? err.message : String(err)}`);
    return 0;
  });
  if (detached > 0) log(`following ${detached} detached one-off(s) again`);
  slipway.cron.start();
  // Blue-green warm sets retire when their window ends.
  const reaper = setInterval(() => {
    slipway.deploys.retireExpiredWarmSets().then(
      (n) => n > 0 && log(`retired ${n} warm set(s)`),
      (err: unknown) => log(`warm-set retirement failed: ${err instanceof Error ? err.message : String(err)}`),
    );
  }, 2000);
  reaper.unref();
  const stopRenameRetries = slipway.renames.startRetrying();
  const url = `http://127.0.0.1:${slipway.env.apiPort}`;
  const remoteUrl = `https://${apiHost}${httpsPort === 443 ? '' : `:${httpsPort}`}/`;
  writeFileSync(
    slipway.paths.apiInfo,
    JSON.stringify({ url, pid: process.pid, startedAt: new Date().toISOString() }) + '\n',
    { mode: 0o600 },
  );
  log(
    `api listening on ${url}; ` +
      `apps at http://<app>.${slipway.env.domain}:${slipway.env.httpPort}` +
      `${slipway.env.httpsPort ? ` and https://…:${slipway.env.httpsPort}` : ''}` +
      (proxied ? `; remote API at ${remoteUrl} (SLIPWAY_API_HOST=off: local only)` : ''),
  );
  return {
    slipway,
    http: server,
    url,
    close: async () => {
      clearInterval(reaper);
      stopAutoRebalance();
      stopRenameRetries();
      await supervisor.stop();
      await slipway.cron.stop();
      await slipway.runs.close();
      await slipway.hooks.close();
      const closed = [server, ...(proxied ? [proxied] : [])].map(
        (s) => new Promise<void>((resolve) => s.close(() => resolve())),
      );
      server.closeAllConnections();
      proxied?.closeAllConnections();
      await Promise.all(closed);
      // Bounded: an SSH client still pushing does not hold the shutdown.
      if (ssh)
        await new Promise<void>((resolve) => {
          setTimeout(resolve, 5000).unref();
          ssh.close(() => resolve());
        });
      await slipway.git.stop();
      await slipway.router.stop();
      slipway.accessLog.stop();
      slipway.routerLogs.close();
      await slipway.swarm.stop();
      rmSync(slipway.paths.apiInfo, { force: true });
      slipway.store.close();
    },
  };
}
