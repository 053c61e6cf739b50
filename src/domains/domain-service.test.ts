import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import { openStore, type Store } from '../store/store.js';
import { appRoutes } from '../deploy/app-routes.js';
import { CertificateService } from './certificate-service.js';
import { DomainService } from './domain-service.js';
import { describeCertificate } from './certificate.js';
import { makeTestCert } from './testing/make-cert.js';

const DOMAIN = 'apps.test';

describe('DomainService and CertificateService (real SQLite store; the router is a counter)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'slipway-domains-'));
  let store: Store;
  let syncs = 0;
  let failSync = false;
  let domains: DomainService;
  let certs: CertificateService;
  const syncRouter = async () => {
    syncs++;
    if (failSync) throw new Error('router down');
  };

  beforeEach(() => {
    store?.close();
    store = openStore(path.join(dir, `${randomBytes(4).toString('hex')}.db`), randomBytes(32));
    for (const app of ['shop', 'blog']) store.apps.create(app, '2026-01-01T00:00:00.000Z');
    syncs = 0;
    failSync = false;
    domains = new DomainService({ store, domain: DOMAIN, syncRouter });
    certs = new CertificateService({ store, domain: DOMAIN, syncRouter });
  });
  after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('adds, lists and removes custom hosts, syncing the router each time', async () => {
    await domains.add('shop', 'WWW.Shop.Example.');
    assert.deepEqual(
      domains.list('shop').map((d) => [d.host, d.kind]),
      [
        ['shop.apps.test', 'default'],
        ['www.shop.example', 'custom'],
      ],
    );
    assert.deepEqual(appRoutes(store, DOMAIN).find((r) => r.app === 'shop')?.hosts, [
      'shop.apps.test',
      'www.shop.example',
    ]);
    await domains.remove('shop', 'www.shop.example');
    assert.deepEqual(
      domains.list('shop').map((d) => d.host),
      ['shop.apps.test'],
    );
    assert.equal(syncs, 2);
  });

  const refused: Array<[string, string, string, RegExp, RegExp]> = [
    [
      'a host of another app',
      'www.blog.example',
      'APP_EXISTS',
      /already routed to app "blog"/,
      /domains:remove -a blog www\.blog\.example/,
    ],
    [
      "another app's default host",
      'blog.apps.test',
      'APP_EXISTS',
      /default host of app "blog"/,
      /belong to the app of that name/,
    ],
    [
      'a name reserved for a future app',
      'future.apps.test',
      'INVALID_INPUT',
      /reserved for an app named "future"/,
      /belong to the app/,
    ],
    [
      "the app's own default host",
      'shop.apps.test',
      'INVALID_INPUT',
      /already shop's default host/,
      /without domains:add/,
    ],
    ['a host it already has', 'www.shop.example', 'INVALID_INPUT', /already a domain of app "shop"/, /domains -a shop/],
  ];
  for (const [what, host, code, message, hint] of refused) {
    it(`refuses ${what}`, async () => {
      await domains.add('blog', 'www.blog.example');
      await domains.add('shop', 'www.shop.example');
      await assert.rejects(domains.add('shop', host), (err: { code: string; message: string; hint: string }) => {
        assert.deepEqual(
          [err.code, message.test(err.message), hint.test(err.hint)],
          [code, true, true],
          `${err.message} / ${err.hint}`,
        );
        return true;
      });
    });
  }

  it('allows deeper names under the domain', async () => {
    await domains.add('shop', 'api.shop.apps.test');
    assert.equal(store.domains.find('api.shop.apps.test')?.app, 'shop');
  });

  it('removing an unknown host, a host of another app or the default host is a clear error', async () => {
    await domains.add('blog', 'www.blog.example');
    await assert.rejects(domains.remove('shop', 'nope.example'), {
      code: 'NOT_FOUND',
      message: 'nope.example is not a domain of app "shop"',
    });
    await assert.rejects(domains.remove('shop', 'www.blog.example'), { code: 'NOT_FOUND' });
    await assert.rejects(domains.remove('shop', 'shop.apps.test'), {
      code: 'INVALID_INPUT',
      message: /cannot be removed/,
    });
    await assert.rejects(domains.add('nope', 'a.example'), { code: 'APP_NOT_FOUND' });
  });

  it('rolls the store back when the router cannot apply a change', async () => {
    failSync = true;
    await assert.rejects(domains.add('shop', 'www.shop.example'), /router down/);
    assert.equal(store.domains.find('www.shop.example'), undefined);
  });

  it('destroying an app frees its hosts and certificate (FK cascade)', async () => {
    await domains.add('shop', 'www.shop.example');
    const cert = makeTestCert(dir, { cn: 'www.shop.example' });
    await certs.add('shop', cert.cert, cert.key);
    store.apps.delete('shop');
    assert.equal(store.domains.find('www.shop.example'), undefined);
    assert.equal(store.certificates.find('shop'), undefined);
  });

  it('stores a certificate for the hosts it covers, the key sealed at rest, and routes it', async () => {
    await domains.add('shop', 'www.shop.example');
    await domains.add('shop', 'other.example');
    const cert = makeTestCert(dir, { cn: 'shop', sans: ['www.shop.example', 'shop.apps.test', 'unused.example'] });
    const view = await certs.add('shop', cert.cert, cert.key);
    assert.deepEqual(
      [view.hosts, view.uncoveredHosts, view.names],
      [
        ['shop.apps.test', 'www.shop.example'],
        ['other.example'],
        ['www.shop.example', 'shop.apps.test', 'unused.example'],
      ],
    );
    assert.ok(!('key' in view) && !JSON.stringify(view).includes('PRIVATE KEY'));
    const row = store.db.prepare('SELECT * FROM certificates').get() as Record<string, string>;
    assert.ok(!JSON.stringify(row).includes('PRIVATE KEY') && !JSON.stringify(row).includes(cert.key.split('\n')[1]!));
    assert.ok(!readFileSync(store.db.name).includes(cert.key.split('\n')[1]!));
    const tls = appRoutes(store, DOMAIN).find((r) => r.app === 'shop')!.tls!;
    assert.deepEqual(tls.sniHosts, ['shop.apps.test', 'www.shop.example']);
    assert.equal(tls.pem(), `${cert.cert.trim()}\n${cert.key.trim()}\n`);
    const before = tls.id;
    const renewed = makeTestCert(dir, { cn: 'www.shop.example' });
    await certs.add('shop', renewed.cert, renewed.key);
    assert.notEqual(appRoutes(store, DOMAIN).find((r) => r.app === 'shop')!.tls!.id, before);
    assert.deepEqual(certs.show('shop')?.hosts, ['www.shop.example']);
  });

  it("refuses a certificate for none of the app's hosts, or an invalid pair, and keeps the current one", async () => {
    const good = makeTestCert(dir, { cn: 'shop.apps.test' });
    await certs.add('shop', good.cert, good.key);
    const elsewhere = makeTestCert(dir, { cn: 'elsewhere.example' });
    await assert.rejects(certs.add('shop', elsewhere.cert, elsewhere.key), {
      code: 'INVALID_INPUT',
      message: "the certificate covers none of shop's hosts",
    });
    await assert.rejects(certs.add('shop', good.cert, elsewhere.key), {
      code: 'INVALID_INPUT',
      message: /does not belong/,
    });
    await assert.rejects(certs.add('shop', undefined, good.key), { code: 'INVALID_INPUT' });
    failSync = true;
    const renewed = makeTestCert(dir, { cn: 'shop.apps.test' });
    await assert.rejects(certs.add('shop', renewed.cert, renewed.key), /router down/);
    assert.equal(certs.show('shop')?.fingerprint256, describeCertificate(good.cert).fingerprint256);
  });

  it('removes a certificate; removing none is a clear error', async () => {
    const good = makeTestCert(dir, { cn: 'shop.apps.test' });
    await certs.add('shop', good.cert, good.key);
    assert.deepEqual(await certs.remove('shop'), { removed: true });
    assert.equal(certs.show('shop'), undefined);
    await assert.rejects(certs.remove('shop'), { code: 'NOT_FOUND', message: 'app "shop" has no certificate' });
  });
});
