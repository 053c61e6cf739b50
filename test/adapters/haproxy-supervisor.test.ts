import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { isSlipwayError } from '../../src/core/errors.js';
import { HaproxyRouter, type RouterEvent } from '../../src/router/haproxy-router.js';
import { parseShowProc } from '../../src/router/master-cli.js';
import type { AppRoute } from '../../src/router/port.js';
import { sendSocketCommand } from '../../src/router/runtime-client.js';
import {
  freePort,
  httpGet,
  startBackend,
  startLoad,
  tempStateDir,
  waitFor,
  type TestBackend,
} from '../../src/router/testing/http-harness.js';

const DOMAIN = 'slipway.test';
const CHECK = { path: '/health', intervalMs: 500, timeoutMs: 1000 };

function route(app: string, port: number): AppRoute {
  return {
    app,
    hosts: [`${app}.${DOMAIN}`],
    check: CHECK,
    servers: [{ name: `${app}-1`, address: '127.0.0.1', port, state: 'ready' }],
  };
}

describe('HAProxy supervision (start, adopt, reload, restart)', () => {
  let backend: TestBackend;
  let stateDir: string;
  let cleanup: () => Promise<void>;
  let port: number;
  const routers: HaproxyRouter[] = [];

  const newRouter = (extra: Partial<ConstructorParameters<typeof HaproxyRouter>[0]> = {}) => {
    const router = new HaproxyRouter({
      stateDir,
      httpPort: port,
      httpBind: '127.0.0.1',
      domain: DOMAIN,
      watchIntervalMs: 200,
      ...extra,
    });
    routers.push(router);
    return router;
  };

  before(async () => {
    backend = await startBackend('A');
  });
  after(() => backend.close());

  afterEach(async () => {
    for (const router of routers.splice(0)) await router.stop({ stopProxy: true }).catch(() => undefined);
    await cleanup();
  });

  const fresh = async () => {
    const state = await tempStateDir();
    stateDir = state.dir;
    cleanup = state.cleanup;
    port = await freePort();
  };

  it('restarts HAProxy after kill -9 of master and workers, with every route back', async () => {
    await fresh();
    const routes = [route('web', backend.port)];
    const restarted: number[] = [];
    const router = newRouter();
    await router.start(() => routes);
    router.onRestart(() => restarted.push(Date.now()));
    assert.equal((await httpGet(port, `web.${DOMAIN}`)).body, 'A');
    const table = parseShowProc(await sendSocketCommand(router.paths.masterSocket, 'show proc'))!;
    for (const pid of [table.masterPid, ...table.workers]) process.kill(pid, 'SIGKILL');
    await waitFor(() => restarted.length === 1, 15_000);
    const reply = await httpGet(port, `web.${DOMAIN}`);
    assert.deepEqual([reply.status, reply.body], [200, 'A']);
    const after = parseShowProc(await sendSocketCommand(router.paths.masterSocket, 'show proc'))!;
    assert.notEqual(after.masterPid, table.masterPid);
  });

  it('adopts a running HAProxy from an earlier Slipway server without dropping traffic', async () => {
    await fresh();
    const routes = [route('web', backend.port)];
    const first = newRouter();
    await first.start(() => routes);
    const masterPid = parseShowProc(await sendSocketCommand(first.paths.masterSocket, 'show proc'))!.masterPid;
    const load = startLoad({ port, host: `web.${DOMAIN}`, keepAliveClients: 3, freshClients: 3, maxMs: 30_000 });
    await waitFor(() => load.count() > 30, 10_000);
    await first.stop(); // the control plane goes away; HAProxy keeps serving
    const events: RouterEvent[] = [];
    const second = newRouter({ log: (event) => events.push(event) });
    await second.start(() => routes);
    const before = load.count();
    await waitFor(() => load.count() > before + 30, 10_000);
    const result = await load.stop();
    assert.deepEqual(result.failures, []);
    assert.deepEqual(result.non2xx, []);
    assert.ok(events.some((event) => event.type === 'haproxy.adopted'));
    assert.equal(parseShowProc(await sendSocketCommand(second.paths.masterSocket, 'show proc'))!.masterPid, masterPid);
  });

  it('adds a second app with a reload and drops nothing for the first app under load', async (t) => {
    await fresh();
    const second = await startBackend('S');
    const routes = [route('web', backend.port)];
    const router = newRouter();
    await router.start(() => routes);
    const load = startLoad({ port, host: `web.${DOMAIN}`, keepAliveClients: 4, freshClients: 4, maxMs: 30_000 });
    await waitFor(() => load.count() > 40, 10_000);
    routes.push(route('shop', second.port));
    await router.syncApps(routes);
    const before = load.count();
    await waitFor(() => load.count() > before + 40, 10_000);
    const result = await load.stop();
    t.diagnostic(`${result.replies.length} replies during the reload`);
    assert.deepEqual(result.failures, []);
    assert.deepEqual(result.non2xx, []);
    assert.equal((await httpGet(port, `shop.${DOMAIN}`)).body, 'S');
    await second.close();
  });

  it('never replaces a running configuration with an invalid one', async () => {
    await fresh();
    const routes = [route('web', backend.port)];
    const router = newRouter();
    await router.start(() => routes);
    const config = await readFile(router.paths.config, 'utf8');
    const broken = newRouter({ httpBind: '999.0.0.1' });
    await assert.rejects(
      broken.start(() => routes),
      (err: unknown) =>
        isSlipwayError(err) && err.code === 'INVALID_INPUT' && /999\.0\.0\.1/.test(String(err.details?.['output'])),
    );
    assert.equal(await readFile(router.paths.config, 'utf8'), config);
    assert.equal((await httpGet(port, `web.${DOMAIN}`)).body, 'A');
  });

  it('refuses to start when the HTTP port is taken (PORT_IN_USE)', async () => {
    await fresh();
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      await assert.rejects(
        newRouter().start(() => []),
        (err: unknown) => isSlipwayError(err) && err.code === 'PORT_IN_USE' && /SLIPWAY_HTTP_PORT/.test(err.hint ?? ''),
      );
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
  });

  it('reports HAPROXY_UNAVAILABLE with a setup hint when HAProxy is not installed', async () => {
    await fresh();
    const router = newRouter({ haproxyBin: '/nonexistent/haproxy' });
    await assert.rejects(
      router.start(() => []),
      (err: unknown) =>
        isSlipwayError(err) && err.code === 'HAPROXY_UNAVAILABLE' && /slipway setup/.test(err.hint ?? ''),
    );
  });
});
