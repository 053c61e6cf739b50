import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Harness, ROOT, BASE_IMAGE, get, uniqueApp } from './harness.js';
import { makeTestCert, type TestCert } from '../../src/domains/testing/make-cert.js';
import { httpsGet, startHttpsLoad } from '../../src/router/testing/https-client.js';
import { sendSocketCommand } from '../../src/router/runtime-client.js';
import { parseShowProc } from '../../src/router/master-cli.js';

const SLOW_APP = join(ROOT, 'test', 'e2e', 'fixtures', 'slow-app');
const HOST = 'www.shop-e2e.test';

/** Custom domains and TLS through the real server, HAProxy, Docker and SQLite. */
describe('custom domains and certificates (no HAProxy reload)', () => {
  let h: Harness;
  let dir: string;
  let image = '';
  const app = uniqueApp('dom');
  const other = uniqueApp('oth');
  const fingerprint = (cert: TestCert) => new X509Certificate(cert.cert).fingerprint256;
  const reloads = async () =>
    parseShowProc(await sendSocketCommand(join(h.home, 'haproxy', 'master.sock'), 'show proc'))!.reloads;
  const certView = async () =>
    JSON.parse((await h.ok('certs', '-a', app, '--json')).stdout) as { fingerprint256: string; hosts: string[] } | null;
  const keyLines = (cert: TestCert) => cert.key.split('\n').filter((line) => line && !line.startsWith('-----'));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-e2e-certs-'));
    h = await Harness.create();
    await h.startServer();
    await h.ok('apps:create', app);
    await h.ok('apps:create', other);
    // No healthcheck.path: HAProxy's check is GET / accepting any status.
    await h.ok('deploy', '-a', app, SLOW_APP, '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`);
    image = (JSON.parse((await h.ok('releases', '-a', app, '--json')).stdout) as { image: string }[])[0]!.image;
  });

  after(async () => {
    h.removeAppContainers(app, other);
    await h.destroy();
    rmSync(dir, { recursive: true, force: true });
    try {
      execFileSync('docker', ['rmi', '-f', image], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  });

  test('domains:add routes the host to the app without a reload; the same host on another app is refused', async () => {
    const before = await reloads();
    assert.equal((await get(h.httpPort, HOST)).status, 404);
    const added = await h.ok('domains:add', '-a', app, 'WWW.Shop-E2E.test');
    assert.match(added.stdout, /added www\.shop-e2e\.test/);
    const res = await get(h.httpPort, HOST);
    assert.equal(res.status, 200);
    assert.equal((JSON.parse(res.body) as { release: string }).release, 'v1');
    const list = JSON.parse((await h.ok('domains', '-a', app, '--json')).stdout) as { host: string; kind: string }[];
    assert.deepEqual(
      list.map((d) => [d.host, d.kind]),
      [
        [h.host(app), 'default'],
        [HOST, 'custom'],
      ],
    );
    assert.equal(await reloads(), before, 'no HAProxy reload for a host change');

    const refused = await h.cli('domains:add', '-a', other, HOST);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, new RegExp(`error: ${HOST.replace(/\./g, '\\.')} is already routed to app "${app}"`));
    assert.match(refused.stderr, new RegExp(`hint: .*domains:remove -a ${app} `));
    const taken = await h.cli('domains:add', '-a', other, h.host(app));
    assert.match(taken.stderr, /default host of app/);
    const bad = await h.cli('domains:add', '-a', other, 'shop.test:8080');
    assert.match(bad.stderr, /no port/);
    assert.equal((JSON.parse((await h.ok('domains', '-a', other, '--json')).stdout) as unknown[]).length, 1);
  });

  let first: TestCert;
  test(
    "certs:add serves HTTPS for the app's domains " + 'on SLIPWAY_HTTPS_PORT; certs shows it without the key',
    async () => {
      const before = await reloads();
      first = makeTestCert(dir, { cn: HOST, sans: [HOST] });
      const added = await h.ok('certs:add', '-a', app, first.certFile, first.keyFile);
      assert.match(added.stdout, /certificate installed/);
      const reply = await httpsGet(h.httpsPort, HOST);
      assert.equal(reply.status, 200);
      assert.equal((JSON.parse(reply.body) as { release: string }).release, 'v1');
      assert.equal(reply.fingerprint256, fingerprint(first));
      const shown = await h.ok('certs', '-a', app);
      assert.match(shown.stdout, new RegExp(`subject +CN=${HOST}`));
      assert.match(shown.stdout, new RegExp(`names \\(SANs\\) +${HOST}`));
      assert.match(shown.stdout, /not after +\d{4}-\d\d-\d\dT.* \(2\d days left\)/);
      assert.match(shown.stdout, new RegExp(`served for +${HOST}`));
      assert.match(shown.stdout, new RegExp(`not covered +${h.host(app)}`));
      const json = (await h.ok('certs', '-a', app, '--json')).stdout;
      for (const text of [added.stdout, shown.stdout, json])
        assert.ok(!text.includes('PRIVATE KEY') && !keyLines(first).some((l) => text.includes(l)));
      assert.equal(
        (await httpsGet(h.httpsPort, h.host(app))).cn,
        'slipway-default',
        'a host the certificate does not cover gets the default one',
      );
      const pem = join(h.home, 'haproxy', 'certs', `${app}.pem`);
      assert.equal(
        readFileSync(pem).length > 0 && execFileSync('stat', ['-c', '%a', pem], { encoding: 'utf8' }).trim(),
        '600',
      );
      assert.equal(await reloads(), before, 'no HAProxy reload for a new certificate');
    },
  );

  test('certs:add with a new certificate under continuous HTTPS load: zero failed requests, no reload', async (t) => {
    const before = await reloads();
    const load = startHttpsLoad({
      port: h.httpsPort,
      host: HOST,
      keepAliveClients: 4,
      freshClients: 4,
      maxMs: 120_000,
    });
    try {
      await new Promise((r) => setTimeout(r, 1500));
      const renewed = makeTestCert(dir, { cn: HOST, sans: [HOST] });
      await h.ok('certs:add', '-a', app, renewed.certFile, renewed.keyFile);
      const switched = Date.now();
      await new Promise((r) => setTimeout(r, 2000));
      const result = await load.stop();
      assert.ok(result.replies.length > 50, `only ${result.replies.length} requests`);
      assert.deepEqual(
        { failures: result.failures, non2xx: result.non2xx.map((r) => r.status) },
        { failures: [], non2xx: [] },
      );
      const late = result.replies.filter((r) => r.at > switched + 300);
      // Keep-alive connections keep the certificate of their handshake; new connections get the new one.
      assert.ok(
        late.some((r) => r.fingerprint256 === fingerprint(renewed)),
        'new connections get the new certificate',
      );
      assert.equal((await httpsGet(h.httpsPort, HOST)).fingerprint256, fingerprint(renewed));
      assert.equal(await reloads(), before);
      t.diagnostic(
        `${result.replies.length} HTTPS requests during the certificate ` +
          `change, 0 failed; HAProxy reload count stayed ${before}`,
      );
      first = renewed;
    } finally {
      await load.stop();
    }
  });

  test('an invalid pair is refused with a clear error and changes nothing', async () => {
    const current = await certView();
    const stranger = makeTestCert(dir, { cn: HOST });
    const expired = makeTestCert(dir, { cn: HOST, expired: true });
    const garbage = join(dir, 'garbage.pem');
    writeFileSync(garbage, 'not a certificate\n');
    const cases: Array<[string[], RegExp]> = [
      [[first.certFile, stranger.keyFile], /the private key does not belong to the certificate/],
      [[expired.certFile, expired.keyFile], /the certificate expired on 2020-02-01/],
      [[garbage, first.keyFile], /not a PEM certificate/],
      [[first.certFile, garbage], /not a PEM private key/],
      [[makeTestCert(dir, { cn: 'elsewhere.test' }).certFile, join(dir, 'missing.key')], /cannot read the key file/],
    ];
    for (const [files, message] of cases) {
      const result = await h.cli('certs:add', '-a', app, ...files);
      assert.equal(result.code, 1, files.join(' '));
      assert.match(result.stderr, message);
      assert.match(result.stderr, /^hint: /m);
      assert.ok(
        ![stranger, expired, first].some((c) =>
          keyLines(c).some((l) => result.stderr.includes(l) || result.stdout.includes(l)),
        ),
      );
    }
    assert.deepEqual(await certView(), current);
    assert.equal((await httpsGet(h.httpsPort, HOST)).fingerprint256, fingerprint(first));
    for (const cert of [first, stranger])
      assert.ok(!keyLines(cert).some((l) => h.serverLog.includes(l)), 'no key material in the server log');
  });

  test('domains:remove gives the host the 404 page again; removing it twice is a clear error', async () => {
    const before = await reloads();
    await h.ok('domains:remove', '-a', app, HOST);
    const res = await get(h.httpPort, HOST);
    assert.equal(res.status, 404);
    assert.match(res.body, /No app at this address/);
    assert.equal((await httpsGet(h.httpsPort, HOST)).status, 404);
    assert.deepEqual((await certView())?.hosts, [], 'the certificate is kept but covers none of the hosts');
    const again = await h.cli('domains:remove', '-a', app, HOST);
    assert.equal(again.code, 1);
    assert.match(again.stderr, new RegExp(`error: ${HOST.replace(/\./g, '\\.')} is not a domain of app "${app}"`));
    assert.equal(await reloads(), before);
  });

  test('certs:remove and apps:destroy free the certificate and the hosts', async () => {
    await h.ok('domains:add', '-a', app, HOST);
    assert.equal((await httpsGet(h.httpsPort, HOST)).fingerprint256, fingerprint(first));
    await h.ok('certs:remove', '-a', app);
    assert.equal(await certView(), null);
    assert.equal((await httpsGet(h.httpsPort, HOST)).cn, 'slipway-default');
    await h.ok('certs:add', '-a', app, first.certFile, first.keyFile);
    await h.ok('apps:destroy', app, '--confirm', app);
    assert.equal((await get(h.httpPort, HOST)).status, 404);
    assert.equal(existsSync(join(h.home, 'haproxy', 'certs', `${app}.pem`)), false);
    assert.doesNotMatch(readFileSync(join(h.home, 'haproxy', 'hosts.map'), 'utf8'), /shop-e2e/);
    await h.ok('domains:add', '-a', other, HOST);
    assert.equal((await get(h.httpPort, HOST)).status, 503, 'now routed to the other app (no container yet)');
  });
});
