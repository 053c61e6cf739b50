import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HaproxyRouter, type RouterEvent } from '../../src/router/haproxy-router.js';
import { parseShowProc } from '../../src/router/master-cli.js';
import type { AppRoute } from '../../src/router/port.js';
import { sendSocketCommand } from '../../src/router/runtime-client.js';
import {
  freePort,
  httpGet,
  startBackend,
  tempStateDir,
  waitFor,
  type TestBackend,
} from '../../src/router/testing/http-harness.js';
import { httpsGet, startHttpsLoad } from '../../src/router/testing/https-client.js';
import { makeTestCert, type TestCert } from '../../src/domains/testing/make-cert.js';
import { X509Certificate } from 'node:crypto';

const HOST = 'web.slipway.test';
const CUSTOM = 'www.example.test';
const CHECK = { path: '/health', intervalMs: 500, timeoutMs: 1000 };
const fingerprint = (cert: TestCert) => new X509Certificate(cert.cert).fingerprint256;

describe('hosts and certificates at runtime on a real HAProxy 2.6 (no reload)', () => {
  let router: HaproxyRouter;
  let dir: string;
  let cleanup: () => Promise<void>;
  let httpPort: number;
  let httpsPort: number;
  let backend: TestBackend;
  let route: AppRoute;
  const events: RouterEvent[] = [];
  const routes = () => [route];
  const newRouter = () =>
    new HaproxyRouter({
      stateDir: dir,
      httpPort,
      httpsPort,
      httpBind: '127.0.0.1',
      domain: 'slipway.test',
      log: (e) => events.push(e),
    });
  const reloads = async () => parseShowProc(await sendSocketCommand(router.paths.masterSocket, 'show proc'))!.reloads;
  const tls = (id: string, cert: TestCert, sniHosts = [HOST]): AppRoute['tls'] => ({
    id,
    sniHosts,
    pem: () => cert.cert + cert.key,
  });

  before(async () => {
    ({ dir, cleanup } = await tempStateDir());
    [httpPort, httpsPort] = [await freePort(), await freePort()];
    backend = await startBackend('A');
    route = {
      app: 'web',
      hosts: [HOST],
      check: CHECK,
      servers: [{ name: 'web-1', address: '127.0.0.1', port: backend.port, state: 'ready' }],
    };
    router = newRouter();
    await router.start(routes);
    await router.waitServerUp('web', 'web-1', { timeoutMs: 10_000 });
  });

  after(async () => {
    await router.stop({ stopProxy: true });
    await backend.close();
    await cleanup();
  });

  it('serves HTTPS with the self-signed default certificate when the app has none', async () => {
    const reply = await httpsGet(httpsPort, HOST);
    assert.deepEqual([reply.status, reply.body, reply.cn], [200, 'A', 'slipway-default']);
    assert.equal((await stat(router.paths.defaultCert)).mode & 0o777, 0o600);
  });

  it('adds and removes a custom host through the runtime API: no reload, map file rewritten', async (t) => {
    const before = await reloads();
    assert.equal((await httpGet(httpPort, CUSTOM)).status, 404);
    route = { ...route, hosts: [HOST, CUSTOM] };
    await router.syncApps(routes());
    assert.deepEqual(await httpGet(httpPort, CUSTOM).then((r) => [r.status, r.body]), [200, 'A']);
    assert.match(await readFile(router.paths.hostsMap, 'utf8'), /^www\.example\.test app_web$/m);
    route = { ...route, hosts: [HOST] };
    await router.syncApps(routes());
    assert.equal((await httpGet(httpPort, CUSTOM)).status, 404);
    assert.doesNotMatch(await readFile(router.paths.hostsMap, 'utf8'), /example/);
    assert.equal(await reloads(), before, 'HAProxy reloaded');
    t.diagnostic(`reload count stayed ${before}`);
  });

  let first: TestCert;
  it('installs a certificate at runtime (new/set/commit ssl cert + add ssl crt-list): no reload', async () => {
    const before = await reloads();
    first = makeTestCert(dir, { cn: HOST });
    route = { ...route, tls: tls('1', first) };
    await router.syncApps(routes());
    const reply = await httpsGet(httpsPort, HOST);
    assert.deepEqual([reply.status, reply.fingerprint256], [200, fingerprint(first)]);
    assert.equal(
      (await httpsGet(httpsPort, 'other.test')).cn,
      'slipway-default',
      'SNI filter: other names get the default',
    );
    const file = path.join(dir, 'certs', 'web.pem');
    assert.equal(await readFile(router.paths.crtList, 'utf8'), `${file} ${HOST}\n`);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal(await reloads(), before);
    assert.ok(events.some((e) => e.type === 'router.certs-applied'));
    assert.ok(
      !events.some((e) => e.type === 'router.runtime-fallback'),
      JSON.stringify(events.filter((e) => e.type === 'router.runtime-fallback')),
    );
  });

  it('replaces the certificate under continuous HTTPS load: zero failed requests, no reload', async (t) => {
    const before = await reloads();
    const load = startHttpsLoad({ port: httpsPort, host: HOST, keepAliveClients: 4, freshClients: 4, maxMs: 60_000 });
    await waitFor(() => load.count() > 60, 15_000);
    const second = makeTestCert(dir, { cn: HOST });
    route = { ...route, tls: tls('2', second) };
    await router.syncApps(routes());
    const switched = Date.now();
    await waitFor(() => load.result.replies.filter((r) => r.at > switched + 300).length > 60, 15_000);
    const result = await load.stop();
    assert.deepEqual([result.failures, result.non2xx], [[], []]);
    const late = result.replies.filter((r) => r.at > switched + 300);
    assert.ok(late.some((r) => r.fingerprint256 === fingerprint(second)));
    assert.ok(result.replies.some((r) => r.fingerprint256 === fingerprint(first)));
    assert.equal((await httpsGet(httpsPort, HOST)).fingerprint256, fingerprint(second));
    assert.equal(await reloads(), before);
    t.diagnostic(`${result.replies.length} HTTPS replies, 0 failures; reload count stayed ${before}`);
  });

  it('follows host changes in the SNI filters, and keeps certificates across a full HAProxy restart', async () => {
    const both = makeTestCert(dir, { cn: HOST, sans: [HOST, CUSTOM] });
    route = { ...route, hosts: [HOST, CUSTOM], tls: tls('3', both, [HOST, CUSTOM]) };
    await router.syncApps(routes());
    assert.equal((await httpsGet(httpsPort, CUSTOM)).fingerprint256, fingerprint(both));
    await router.stop({ stopProxy: true });
    router = newRouter();
    await router.start(routes);
    await router.waitServerUp('web', 'web-1', { timeoutMs: 10_000 });
    const reply = await httpsGet(httpsPort, CUSTOM);
    assert.deepEqual([reply.status, reply.fingerprint256], [200, fingerprint(both)]);
  });

  it(
    'removes the certificate at runtime (del ssl ' + 'crt-list + del ssl cert): default again, file gone, no reload',
    async () => {
      const before = await reloads();
      route = { ...route, tls: undefined };
      await router.syncApps(routes());
      assert.equal((await httpsGet(httpsPort, HOST)).cn, 'slipway-default');
      assert.equal(await readFile(router.paths.crtList, 'utf8'), '');
      await assert.rejects(stat(path.join(dir, 'certs', 'web.pem')), { code: 'ENOENT' });
      assert.equal(await reloads(), before);
    },
  );
});
