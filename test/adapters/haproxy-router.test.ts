import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { isSlipwayError } from '../../src/core/errors.js';
import { HaproxyRouter } from '../../src/router/haproxy-router.js';
import type { AppRoute } from '../../src/router/port.js';
import { sendSocketCommand } from '../../src/router/runtime-client.js';
import { parseShowProc } from '../../src/router/master-cli.js';
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
const HOST = `web.${DOMAIN}`;
const CHECK = { path: '/health', intervalMs: 500, timeoutMs: 1000 };

function webRoute(servers: AppRoute['servers'] = []): AppRoute {
  return { app: 'web', hosts: [HOST], check: CHECK, servers };
}

describe('HaproxyRouter against a real HAProxy', () => {
  let router: HaproxyRouter;
  let port: number;
  let cleanup: () => Promise<void>;
  let a: TestBackend;
  let b: TestBackend;
  const routes: AppRoute[] = [webRoute()];

  before(async () => {
    const state = await tempStateDir();
    cleanup = state.cleanup;
    port = await freePort();
    [a, b] = await Promise.all([startBackend('A'), startBackend('B')]);
    router = new HaproxyRouter({
      stateDir: state.dir,
      httpPort: port,
      httpBind: '127.0.0.1',
      domain: DOMAIN,
    });
    await router.start(() => routes);
  });

  after(async () => {
    await router.stop({ stopProxy: true });
    await Promise.all([a.close(), b.close()]);
    await cleanup();
  });

  it('answers an unknown host with the 404 page, not a reset', async () => {
    const reply = await httpGet(port, `Nope.${DOMAIN}:${port}`);
    assert.equal(reply.status, 404);
    assert.match(reply.body, /No app at this address/);
    assert.match(reply.body, /nope\.slipway\.test/);
    assert.match(reply.body, /&lt;app&gt;\.slipway\.test/);
  });

  it('adds a server that takes traffic once HAProxy reports it UP', async (t) => {
    await router.addServer('web', { name: 'web-a', address: '127.0.0.1', port: a.port, state: 'ready' }, CHECK);
    const started = Date.now();
    await router.waitServerUp('web', 'web-a', { timeoutMs: 10_000 });
    const upAfterMs = Date.now() - started;
    assert.ok(upAfterMs < 5_000, `UP after ${upAfterMs} ms`);
    t.diagnostic(`UP ${upAfterMs} ms after addServer (inter ${CHECK.intervalMs} ms, rise 2)`);
    const reply = await httpGet(port, HOST);
    assert.deepEqual([reply.status, reply.body], [200, 'A']);
    // Idempotent: adding again just keeps it ready.
    await router.addServer('web', { name: 'web-a', address: '127.0.0.1', port: a.port, state: 'ready' }, CHECK);
    const [status] = await router.serverStatuses('web');
    assert.equal(status?.name, 'web-a');
  });

  it('switches A to B under continuous load without a single failed request', async (t) => {
    const load = startLoad({ port, host: HOST, keepAliveClients: 4, freshClients: 4, maxMs: 30_000 });
    await waitFor(() => load.count() > 40, 10_000);
    await router.addServer('web', { name: 'web-b', address: '127.0.0.1', port: b.port, state: 'ready' }, CHECK);
    await router.waitServerUp('web', 'web-b', { timeoutMs: 10_000 });
    await router.setServerState('web', 'web-a', 'drain');
    assert.equal(await router.waitSessionsZero('web', 'web-a', { timeoutMs: 10_000 }), true);
    await router.removeServer('web', 'web-a', { timeoutMs: 10_000 });
    const switched = Date.now();
    const before = load.count();
    await waitFor(() => load.count() > before + 40, 10_000);
    const result = await load.stop();
    assert.deepEqual(result.failures, []);
    assert.deepEqual(result.non2xx, []);
    t.diagnostic(
      `${result.replies.length} replies, ${result.failures.length} failures, ${result.non2xx.length} non-2xx`,
    );
    const late = result.replies.filter((reply) => reply.at > switched + 200);
    assert.ok(late.length > 20, `only ${late.length} replies after the switch`);
    assert.deepEqual([...new Set(late.map((reply) => reply.body))], ['B']);
    assert.ok(result.replies.some((reply) => reply.body === 'A'));
    assert.deepEqual(
      (await router.serverStatuses('web')).map((s) => s.name),
      ['web-b'],
    );
  });

  it('drain waits for an in-flight slow request to finish', async () => {
    await router.addServer('web', { name: 'web-a', address: '127.0.0.1', port: a.port, state: 'ready' }, CHECK);
    await router.waitServerUp('web', 'web-a', { timeoutMs: 10_000 });
    await router.setServerState('web', 'web-b', 'drain');
    const slow = httpGet(port, HOST, '/slow?ms=1500');
    await waitFor(() => a.inFlight() === 1, 5_000);
    await router.setServerState('web', 'web-a', 'drain');
    assert.equal(await router.waitSessionsZero('web', 'web-a', { timeoutMs: 200 }), false);
    const started = Date.now();
    assert.equal(await router.waitSessionsZero('web', 'web-a', { timeoutMs: 10_000 }), true);
    assert.ok(Date.now() - started > 500);
    assert.deepEqual(await slow.then((r) => [r.status, r.body]), [200, 'A']);
    await router.setServerState('web', 'web-b', 'ready');
  });

  it('removes servers (dynamic and from the config) while idle keep-alive connections exist', async (t) => {
    await router.setServerState('web', 'web-a', 'ready');
    await router.removeServer('web', 'web-b', { timeoutMs: 5_000 });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 3 });
    const removeWithOpenClients = async (app: string, server: string) => {
      await Promise.all(Array.from({ length: 9 }, () => httpGet(port, `${app}.${DOMAIN}`, '/', agent)));
      const conns = await sendSocketCommand(router.paths.runtimeSocket, `show servers conn app_${app}`);
      t.diagnostic(conns.trim().split('\n').join(' | '));
      const started = Date.now();
      await router.removeServer(app, server, { timeoutMs: 10_000 });
      t.diagnostic(`${server} removed after ${Date.now() - started} ms`);
      assert.ok(Date.now() - started < 5_000);
      await router.removeServer(app, server, { timeoutMs: 1_000 }); // missing is fine
    };
    await removeWithOpenClients('web', 'web-a');
    // A second app whose server comes from the config file (syncApps reloads): it has a connection pool.
    routes.push({
      app: 'pool',
      hosts: [`pool.${DOMAIN}`],
      check: CHECK,
      servers: [{ name: 'pool-a', address: '127.0.0.1', port: a.port, state: 'ready' }],
    });
    await router.syncApps(routes);
    await router.waitServerUp('pool', 'pool-a', { timeoutMs: 10_000 });
    await removeWithOpenClients('pool', 'pool-a');
    agent.destroy();
    assert.deepEqual(await router.serverStatuses('web'), []);
    assert.deepEqual(await router.serverStatuses('pool'), []);
    routes.pop();
    await router.syncApps(routes);
  });

  it('fails waitServerUp with HEALTHCHECK_FAILED and the last check status', async () => {
    const deadPort = await freePort();
    await router.addServer('web', { name: 'web-dead', address: '127.0.0.1', port: deadPort, state: 'ready' }, CHECK);
    await assert.rejects(router.waitServerUp('web', 'web-dead', { timeoutMs: 2_000 }), (err: unknown) => {
      assert.ok(isSlipwayError(err));
      assert.equal(err.code, 'HEALTHCHECK_FAILED');
      assert.match(String(err.details?.['status']), /^DOWN/);
      assert.match(String(err.details?.['checkStatus']), /^L4CON|^L4TOUT|^INI/);
      return true;
    });
    const reply = await httpGet(port, HOST);
    assert.equal(reply.status, 503, 'no server is UP: HAProxy answers 503, and the dead server got no traffic');
    await router.removeServer('web', 'web-dead', { timeoutMs: 5_000 });
  });
  it('keeps a serving server that the routes do not list yet through a reload (deploy in progress)', async () => {
    await router.addServer('web', { name: 'web-live', address: '127.0.0.1', port: b.port, state: 'ready' }, CHECK);
    await router.waitServerUp('web', 'web-live', { timeoutMs: 10_000 });
    routes.push({ app: 'other', hosts: [`other.${DOMAIN}`], check: CHECK, servers: [] });
    await router.syncApps(routes); // a reload: dynamic servers only survive because they are carried over
    routes.pop();
    const [status] = await router.serverStatuses('web');
    assert.equal(status?.name, 'web-live');
    assert.deepEqual(await httpGet(port, HOST).then((r) => [r.status, r.body]), [200, 'B']);
    await router.removeServer('web', 'web-live', { timeoutMs: 5_000 });
  });

  it('reads a route source when its turn comes: stored servers kept, queued syncs share one reload', async () => {
    const reloads = async () =>
      parseShowProc(await sendSocketCommand(router.paths.masterSocket, 'show proc'))?.reloads ?? NaN;
    const before = await reloads();
    // Three apps created at once (each asks for a sync) while a deploy of web stores its new server and adds it.
    const syncs = ['x1', 'x2', 'x3'].map((app) => {
      routes.push({ app, hosts: [`${app}.${DOMAIN}`], check: CHECK, servers: [] });
      return router.syncApps(() => routes);
    });
    const server = { name: 'web-new', address: '127.0.0.1', port: a.port, state: 'ready' as const };
    routes[0] = webRoute([server]);
    const added = router.addServer('web', server, CHECK);
    await Promise.all([...syncs, added]);
    assert.equal((await reloads()) - before, 1, 'one reload for the three syncs');
    await router.waitServerUp('web', 'web-new', { timeoutMs: 10_000 });
    assert.deepEqual(await httpGet(port, HOST).then((r) => [r.status, r.body]), [200, 'A']);
    assert.equal((await httpGet(port, `x3.${DOMAIN}`)).status, 503, 'x3 has its backend (no server yet)');
    await router.removeServer('web', 'web-new', { timeoutMs: 5_000 });
    routes.splice(0, routes.length, webRoute());
    await router.syncApps(routes);
  });
});
