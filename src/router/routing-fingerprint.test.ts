import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppRoute } from './port.js';
import { routingFingerprint } from './routing-fingerprint.js';

const base: AppRoute = {
  app: 'web',
  hosts: ['a.test', 'b.test'],
  check: { path: '/health', intervalMs: 1000, timeoutMs: 500 },
  servers: [{ name: 'web-1', address: '127.0.0.1', port: 4000, state: 'ready' }],
};

describe('routingFingerprint (does a change need a reload?)', () => {
  const same: Array<[string, AppRoute[]]> = [
    ['servers changed', [{ ...base, servers: [] }]],
    ['server state changed', [{ ...base, servers: [{ ...base.servers[0]!, state: 'drain' }] }]],
    ['hosts reordered', [{ ...base, hosts: ['b.test', 'a.test'] }]],
    ['a host is added (runtime map change)', [{ ...base, hosts: [...base.hosts, 'c.test'] }]],
    [
      'a certificate is added (runtime ssl change)',
      [{ ...base, tls: { id: 'x', sniHosts: ['a.test'], pem: () => '' } }],
    ],
  ];
  for (const [what, routes] of same)
    it(`no reload when ${what}`, () => assert.equal(routingFingerprint(routes), routingFingerprint([base])));

  const different: Array<[string, AppRoute[]]> = [
    ['an app is added', [base, { ...base, app: 'api' }]],
    ['the check path changes', [{ ...base, check: { ...base.check, path: '/up' } }]],
    ['the check becomes TCP', [{ ...base, check: { intervalMs: 1000, timeoutMs: 500 } }]],
    ['the check interval changes', [{ ...base, check: { ...base.check, intervalMs: 2000 } }]],
  ];
  for (const [what, routes] of different)
    it(`reload when ${what}`, () => assert.notEqual(routingFingerprint(routes), routingFingerprint([base])));

  it('does not depend on the order of apps', () => {
    const api = { ...base, app: 'api' };
    assert.equal(routingFingerprint([base, api]), routingFingerprint([api, base]));
  });
});
