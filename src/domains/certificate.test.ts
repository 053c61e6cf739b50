import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { describeCertificate, inspectCertificatePair } from './certificate.js';
import { makeTestCert, type TestCert } from './testing/make-cert.js';

describe('inspectCertificatePair (certificates made by openssl)', () => {
  let dir: string;
  let shop: TestCert;
  let other: TestCert;
  let cnOnly: TestCert;
  let expired: TestCert;
  const now = new Date();

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'slipway-cert-'));
    shop = makeTestCert(dir, { cn: 'shop.test', sans: ['shop.test', 'WWW.shop.test', '*.cdn.shop.test'] });
    other = makeTestCert(dir, { cn: 'other.test' });
    cnOnly = makeTestCert(dir, { cn: 'Only.Test' });
    expired = makeTestCert(dir, { cn: 'old.test', expired: true });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts a matching pair and lists its DNS names (SANs, lowercased), subject and validity', () => {
    const { info, pem } = inspectCertificatePair(shop.cert, shop.key, now);
    assert.deepEqual(info.names, ['shop.test', 'www.shop.test', '*.cdn.shop.test']);
    assert.equal(info.subject, 'CN=shop.test');
    assert.equal(info.issuer, 'CN=shop.test');
    assert.ok(Date.parse(info.notAfter) > now.getTime() + 29 * 86_400_000);
    assert.match(info.fingerprint256, /^[0-9A-F]{2}(:[0-9A-F]{2}){31}$/);
    assert.equal(pem.cert, shop.cert.trim() + '\n');
    assert.equal(pem.key, shop.key.trim() + '\n');
  });

  it('falls back to the CN without SANs', () => {
    assert.deepEqual(inspectCertificatePair(cnOnly.cert, cnOnly.key, now).info.names, ['only.test']);
  });

  it('keeps only PEM blocks: text around them and a key inside the certificate file are dropped', () => {
    const { pem } = inspectCertificatePair(
      `Bag Attributes\n${shop.cert}\n${shop.key}\n${other.cert}`,
      `junk\n${shop.key}`,
      now,
    );
    assert.equal(pem.cert, `${shop.cert.trim()}\n${other.cert.trim()}\n`);
    assert.equal(pem.key, `${shop.key.trim()}\n`);
    assert.deepEqual(describeCertificate(pem.cert).names, ['shop.test', 'www.shop.test', '*.cdn.shop.test']);
  });

  const rejected: Array<[string, () => [string, string, Date?], RegExp]> = [
    ['the key of another certificate', () => [shop.cert, other.key], /does not belong/],
    ['an expired certificate', () => [expired.cert, expired.key], /expired on 2020-02-01/],
    ['a certificate not valid yet', () => [shop.cert, shop.key, new Date('2000-01-01')], /not valid before/],
    ['garbage as certificate', () => ['hello', shop.key], /not a PEM certificate/],
    [
      'a damaged certificate',
      () => [shop.cert.replace(/\n[A-Za-z0-9+/]{10}/, '\nAAAAAAAAAA'), shop.key],
      /could not be parsed|does not belong/,
    ],
    ['garbage as key', () => [shop.cert, 'hello'], /not a PEM private key/],
    ['the certificate as key', () => [shop.cert, shop.cert], /not a PEM private key/],
    [
      'an encrypted key',
      () => [shop.cert, '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n'],
      /encrypted/,
    ],
    [
      'a damaged key',
      () => [shop.cert, shop.key.replace(/\n[A-Za-z0-9+/]{20}/, '\nBBBBBBBBBBBBBBBBBBBB')],
      /could not be parsed|does not belong/,
    ],
  ];
  for (const [what, args, message] of rejected) {
    it(`rejects ${what} with INVALID_INPUT and a hint, never quoting the key`, () => {
      const [cert, key, at] = args();
      assert.throws(
        () => inspectCertificatePair(cert, key, at ?? now),
        (err: { code: string; message: string; hint?: string }) => {
          assert.equal(err.code, 'INVALID_INPUT');
          assert.match(err.message, message);
          assert.ok(err.hint);
          const keyBody = shop.key.split('\n')[1]!;
          assert.ok(!JSON.stringify(err).includes(keyBody) && !err.message.includes(keyBody));
          return true;
        },
      );
    });
  }
});
