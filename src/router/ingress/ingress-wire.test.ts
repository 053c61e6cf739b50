import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agentCall, fromWire, toWire } from './ingress-wire.js';
import type { AppRoute } from '../port.js';

test('a route travels with its certificate read, and comes back as a route', () => {
  let reads = 0;
  const route: AppRoute = {
    app: 'shop',
    hosts: ['shop.test', 'www.shop.test'],
    check: { path: '/health', intervalMs: 500, timeoutMs: 1000 },
    servers: [{ name: 'web-a', address: '10.0.0.2', port: 30001, state: 'drain', weight: 0 }],
    tls: { id: 'c1', sniHosts: ['www.shop.test'], pem: () => (reads++, 'PEM') },
    maintenance: { enabled: true, retryAfterSec: 60, page: { id: 'p1', html: '<p>back soon</p>' } },
  };
  const wire = agentCall.parse(JSON.parse(JSON.stringify({ op: 'sync', routes: [toWire(route)] })));
  assert.equal(reads, 1);
  assert.ok(wire.op === 'sync');
  const back = fromWire(wire.routes[0]!);
  assert.equal(back.tls?.pem(), 'PEM');
  assert.deepEqual({ ...back, tls: undefined }, { ...route, tls: undefined });
});

test('calls that are not router calls are refused', () => {
  const bad = [
    {},
    { op: 'exec', cmd: 'rm -rf /' },
    {
      op: 'addServer',
      app: 'shop',
      server: { name: 'a', address: '10.0.0.2', port: 70000, state: 'ready' },
      check: { intervalMs: 1, timeoutMs: 1 },
    },
    { op: 'setServerState', app: 'shop', name: 'a', state: 'up' },
    { op: 'waitSessionsZero', app: 'shop', name: 'a', timeoutMs: -1 },
    { op: 'serverStatuses', app: '' },
  ];
  for (const call of bad) assert.equal(agentCall.safeParse(call).success, false, JSON.stringify(call));
});
