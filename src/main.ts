import type http from 'node:http';
import { writeFileSync, rmSync } from 'node:fs';
import type { ContainerEngine } from './engine/port.js';
import type { Router } from './router/port.js';
import { DockerEngine } from './engine/docker-engine.js';
import { HaproxyRouter } from './router/haproxy-router.js';
import { openStore, type Store } from './store/store.js';
import { readEnvironment, slipwayPaths, type SlipwayEnvironment, type SlipwayPaths } from './config/environment.js';
import { ensureHome, readInstanceId, readSecretKey, readToken } from './config/home.js';
import { LABELS } from './core/types.js';
import { DeployService } from './deploy/deploy-service.js';
import { FormationSupervisor } from './deploy/formation-supervisor.js';
import { BuildService } from './image-build/build-service.js';
import { recoverInterruptedBuilds } from './image-build/interrupted-builds.js';
import { AppService } from './apps/app-service.js';
import { LogService } from './logs/log-service.js';
import { appRoutes } from './deploy/app-routes.js';
import { DomainService } from './domains/domain-service.js';
import { CertificateService } from './domains/certificate-service.js';
import { createApiServer, listen } from './server/http-server.js';
import { apiRoutes } from './server/api-routes.js';
import { RunService } from './runs/run-service.js';
import { handleRunUpgrade, rejectUpgrade } from './server/run-routes.js';
import { loopbackHosts } from './server/request-guard.js';

/** Everything a running Slipway server is made of, wired once. */
export interface Slipway {
  env: SlipwayEnvironment;
  paths: SlipwayPaths;
  store: Store;
  engine: ContainerEngine;
  router: Router;
  deploys: DeployService;
  apps: AppService;
  logs: LogService;
  domains: DomainService;
  certs: CertificateService;
  runs: RunService;
  syncRouter(): Promise<void>;
}

export interface SlipwayParts {
  env?: SlipwayEnvironment;
  engine?: ContainerEngine;
  router?: Router;
  log?: (message: string) => void;
}

/** Composition root: no module singletons, no work at import time. */
export function createSlipway(parts: SlipwayParts = {}): Slipway {
  const env = parts.env ?? readEnvironment();
  const paths = slipwayPaths(env.home);
  ensureHome(paths);
  const store = openStore(paths.database, readSecretKey(paths));
  const scope = { [LABELS.instance]: readInstanceId(paths) };
  const engine = parts.engine ?? new DockerEngine({ scopeLabels: scope });
  const router =
    parts.router ??
    new HaproxyRouter({
      stateDir: paths.haproxyDir,
      httpPort: env.httpPort,
      httpBind: env.httpBind,
      ...(env.httpsPort !== 0 ? { httpsPort: env.httpsPort, httpsBind: env.httpsBind } : {}),
      domain: env.domain,
      getRoutes: () => appRoutes(store, env.domain),
      ...(process.env['SLIPWAY_HAPROXY_BIN'] ? { haproxyBin: process.env['SLIPWAY_HAPROXY_BIN'] } : {}),
      ...(parts.log
        ? { log: (event: unknown) => parts.log!(typeof event === 'string' ? event : JSON.stringify(event)) }
        : {}),
    });
  const deploys = new DeployService({ engine, router, store });
  const builds = new BuildService({ engine, store });
  const syncRouter = () => router.syncApps(appRoutes(store, env.domain));
  const apps = new AppService({ engine, router, store, deploys, builds, syncRouter });
  const domains = new DomainService({ store, domain: env.domain, syncRouter });
  const certs = new CertificateService({ store, domain: env.domain, syncRouter });
  return {
    domains,
    certs,
    env,
    paths,
    store,
    engine,
    router,
    deploys,
    apps,
    logs: new LogService(engine, store.logs),
    runs: new RunService({ engine, store, scope }),
    syncRouter,
  };
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
  const server = createApiServer(apiRoutes(slipway), {
    token: readToken(slipway.paths),
    allowedHosts: loopbackHosts(slipway.env.apiPort),
    upgrade: {
      handle: (req, socket, url) => handleRunUpgrade(slipway, slipway.runs, req, socket, url),
      reject: rejectUpgrade,
    },
  });
  await listen(server, slipway.env.apiPort);
  try {
    await slipway.router.start();
    slipway.router.onRestart(() => log('router: HAProxy was restarted and every route re-applied'));
    await slipway.deploys.recoverInterrupted((m) => log(m));
    await recoverInterruptedBuilds(slipway, log);
  } catch (err) {
    server.close();
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
  // Blue-green warm sets retire when their window ends.
  const reaper = setInterval(() => {
    slipway.deploys.retireExpiredWarmSets().then(
      (n) => n > 0 && log(`retired ${n} warm set(s)`),
      (err: unknown) => log(`warm-set retirement failed: ${err instanceof Error ? err.message : String(err)}`),
    );
  }, 2000);
  reaper.unref();
  const url = `http://127.0.0.1:${slipway.env.apiPort}`;
  writeFileSync(
    slipway.paths.apiInfo,
    JSON.stringify({ url, pid: process.pid, startedAt: new Date().toISOString() }) + '\n',
    { mode: 0o600 },
  );
  log(
    `api listening on ${url}; ` +
      `apps at http://<app>.${slipway.env.domain}:${slipway.env.httpPort}` +
      `${slipway.env.httpsPort ? ` and https://…:${slipway.env.httpsPort}` : ''}`,
  );
  return {
    slipway,
    http: server,
    url,
    close: async () => {
      clearInterval(reaper);
      await supervisor.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await slipway.router.stop();
      rmSync(slipway.paths.apiInfo, { force: true });
      slipway.store.close();
    },
  };
}
