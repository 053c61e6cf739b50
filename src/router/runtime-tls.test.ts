import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppRoute } from './port.js';
import { appliedTlsOf, classifyTlsAnswer, planTlsSteps, tlsCommand, type AppliedTls } from './runtime-tls.js';
import { renderCrtList } from './tls-files.js';

const D = '/s/certs';
const route = (app: string, tls?: { id: string; sniHosts: string[] }): AppRoute => ({
  app,
  hosts: [`${app}.test`],
  check: { intervalMs: 1000, timeoutMs: 1000 },
  servers: [],
  ...(tls ? { tls: { ...tls, pem: () => 'PEM' } } : {}),
});
const applied = (entries: Array<[string, AppliedTls]>) => new Map(entries);

describe('planTlsSteps', () => {
  it('installs a new certificate: new, set, commit, then the crt-list entry', () => {
    assert.deepEqual(
      planTlsSteps(applied([]), [route('shop', { id: '1', sniHosts: ['www.shop.test', 'shop.test'] })], D),
      [
        { op: 'new-cert', app: 'shop', file: '/s/certs/shop.pem' },
        { op: 'set-cert', app: 'shop', file: '/s/certs/shop.pem' },
        { op: 'commit-cert', app: 'shop', file: '/s/certs/shop.pem' },
        { op: 'add-entry', app: 'shop', file: '/s/certs/shop.pem', sniHosts: ['shop.test', 'www.shop.test'] },
      ],
    );
  });
  it('replaces a certificate in place (set + commit; the crt-list entry stays)', () => {
    const have = applied([['shop', { id: '1', sniHosts: ['shop.test'] }]]);
    assert.deepEqual(
      planTlsSteps(have, [route('shop', { id: '2', sniHosts: ['shop.test'] })], D).map((s) => s.op),
      ['set-cert', 'commit-cert'],
    );
  });
  it('re-attaches the entry when the SNI names change', () => {
    const have = applied([['shop', { id: '1', sniHosts: ['shop.test'] }]]);
    assert.deepEqual(
      planTlsSteps(have, [route('shop', { id: '1', sniHosts: ['a.shop.test', 'shop.test'] })], D).map((s) => s.op),
      ['del-entry', 'add-entry'],
    );
  });
  it('removes a certificate that is gone or covers none of the hosts any more', () => {
    const have = applied([
      ['shop', { id: '1', sniHosts: ['shop.test'] }],
      ['api', { id: '2', sniHosts: ['api.test'] }],
    ]);
    assert.deepEqual(
      planTlsSteps(have, [route('shop'), route('api', { id: '2', sniHosts: [] })], D).map((s) => `${s.op} ${s.app}`),
      ['del-entry api', 'del-cert api', 'del-entry shop', 'del-cert shop'],
    );
  });
  it('does nothing when HAProxy serves what the routes want', () => {
    const routes = [route('shop', { id: '1', sniHosts: ['shop.test'] }), route('api')];
    assert.deepEqual(planTlsSteps(appliedTlsOf(routes), routes, D), []);
  });
});

describe('tlsCommand and answers', () => {
  const file = '/s/certs/shop.pem';
  it('builds payload commands whose payload has no empty line', () => {
    const pem =
      '-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n\n' +
      '-----BEGIN PRIVATE KEY-----\nBBB\n-----END PRIVATE KEY-----\n';
    assert.equal(
      tlsCommand({ op: 'set-cert', app: 'shop', file }, '/s/certs.list', pem),
      `set ssl cert ${file} <<\n-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n` +
        `-----BEGIN PRIVATE KEY-----\nBBB\n-----END PRIVATE KEY-----\n`,
    );
    assert.equal(
      tlsCommand({ op: 'add-entry', app: 'shop', file, sniHosts: ['www.shop.test', 'shop.test'] }, '/s/certs.list'),
      `add ssl crt-list /s/certs.list <<\n${file} shop.test www.shop.test\n`,
    );
    assert.equal(
      tlsCommand({ op: 'del-entry', app: 'shop', file }, '/s/certs.list'),
      `del ssl crt-list /s/certs.list ${file}`,
    );
  });
  const answers: Array<[Parameters<typeof classifyTlsAnswer>[0]['op'], string, string]> = [
    ['new-cert', "New empty certificate store '/s/certs/shop.pem'!\n", 'ok'],
    ['new-cert', "Certificate '/s/certs/shop.pem' already exists!\n", 'ok'],
    ['set-cert', 'Transaction created for certificate /s/certs/shop.pem!\n', 'ok'],
    ['set-cert', "unable to load certificate from file '/s/certs/shop.pem'.\nCan't load the payload\n", 'failed'],
    ['commit-cert', 'Committing /s/certs/shop.pem..\nSuccess!\n', 'ok'],
    ['add-entry', "Inserting certificate '/s/certs/shop.pem' in crt-list '/s/certs.list'.\nSuccess!\n", 'ok'],
    ['del-entry', "Entry '/s/certs/shop.pem' deleted in crtlist '/s/certs.list'!\n", 'ok'],
    ['del-cert', "Can't remove the certificate: certificate '/s/certs/shop.pem' doesn't exist!\n", 'ok'],
    ['commit-cert', 'Unknown command: commit ssl cert\n', 'unsupported'],
  ];
  for (const [op, answer, expected] of answers) {
    it(`${op}: ${answer.split('\n')[0]} → ${expected}`, () =>
      assert.equal(classifyTlsAnswer({ op, app: 'shop', file, sniHosts: [] }, answer), expected));
  }
});

describe('renderCrtList', () => {
  it('lists served certificates by app with sorted SNI names; skips apps without one or without covered hosts', () => {
    const routes = [
      route('shop', { id: '1', sniHosts: ['www.shop.test', 'shop.test'] }),
      route('api', { id: '2', sniHosts: [] }),
      route('blog'),
      route('app', { id: '3', sniHosts: ['app.test'] }),
    ];
    assert.equal(
      renderCrtList(routes, (app) => `/s/certs/${app}.pem`),
      '/s/certs/app.pem app.test\n/s/certs/shop.pem shop.test www.shop.test\n',
    );
    assert.equal(
      renderCrtList([route('blog')], (app) => app),
      '',
    );
  });
});
