import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MAX_MAINTENANCE_PAGE_BYTES,
  maintenanceEntries,
  maintenancePage,
  pageFiles,
  renderMaintenanceMap,
  validateRetryAfter,
} from './maintenance.js';
import { planHostCommands } from './runtime-hosts.js';
import { routingFingerprint } from './routing-fingerprint.js';
import type { AppRoute } from './port.js';

const route = (app: string, maintenance?: AppRoute['maintenance']): AppRoute => ({
  app,
  hosts: [`${app}.apps.test`],
  check: { intervalMs: 1000, timeoutMs: 1000 },
  servers: [],
  ...(maintenance ? { maintenance } : {}),
});

describe('maintenance map', () => {
  const routes = [
    route('shop', { enabled: true, retryAfterSec: 120 }),
    route('api', { enabled: false, retryAfterSec: 60 }),
    route('blog'),
    route('admin', { enabled: true, retryAfterSec: 0 }),
  ];

  it('holds the apps in maintenance with their Retry-After, sorted', () => {
    assert.deepEqual(maintenanceEntries(routes), [
      { key: 'admin', value: '0' },
      { key: 'shop', value: '120' },
    ]);
    assert.equal(renderMaintenanceMap(routes), 'admin 0\nshop 120\n');
    assert.equal(renderMaintenanceMap([route('blog')]), '');
  });

  it('turns on and off with map commands (no reload): the fingerprint ignores on/off and Retry-After', () => {
    const map = '/s/maintenance.map';
    const live = [{ key: 'shop', value: '120' }];
    const off = [route('shop', { enabled: false, retryAfterSec: 120 }), route('admin')];
    assert.deepEqual(planHostCommands(map, live, maintenanceEntries(off)), [`del map ${map} shop`]);
    const longer = [route('shop', { enabled: true, retryAfterSec: 300 })];
    assert.deepEqual(planHostCommands(map, live, maintenanceEntries(longer)), [`set map ${map} shop 300`]);
    assert.equal(routingFingerprint(off), routingFingerprint([route('shop'), route('admin')]));
  });

  it("changes the fingerprint (a reload) when the app's page changes", () => {
    const page = maintenancePage('<p>soon</p>');
    assert.notEqual(
      routingFingerprint([route('shop', { enabled: false, retryAfterSec: 60, page })]),
      routingFingerprint([route('shop', { enabled: false, retryAfterSec: 60 })]),
    );
  });

  it('refuses Retry-After values HAProxy should not send', () => {
    for (const bad of [-1, 1.5, 8 * 24 * 3600, Number.NaN])
      assert.throws(() => validateRetryAfter(bad), { code: 'INVALID_INPUT' });
    assert.equal(validateRetryAfter(3600), 3600);
  });
});

describe('maintenance pages', () => {
  it('are named by their content, one file per app that has one', () => {
    const a = maintenancePage('<p>a</p>');
    assert.match(a.id, /^[0-9a-f]{16}$/);
    assert.equal(maintenancePage('<p>a</p>').id, a.id);
    assert.notEqual(maintenancePage('<p>b</p>').id, a.id);
    const files = pageFiles(
      [route('shop', { enabled: true, retryAfterSec: 1, page: a }), route('api', { enabled: true, retryAfterSec: 1 })],
      '/m',
    );
    assert.deepEqual([...files], [[`/m/shop-${a.id}.html`, '<p>a</p>']]);
  });

  it('refuse what HAProxy cannot serve: empty, too large for its buffer, not text', () => {
    assert.throws(() => maintenancePage(''), { code: 'INVALID_INPUT' });
    assert.throws(() => maintenancePage(' \n'), { code: 'INVALID_INPUT' });
    assert.throws(() => maintenancePage('x'.repeat(MAX_MAINTENANCE_PAGE_BYTES + 1)), /HAProxy serves pages up to/);
    assert.throws(() => maintenancePage('é'.repeat(MAX_MAINTENANCE_PAGE_BYTES / 2 + 1)), { code: 'INVALID_INPUT' });
    assert.throws(() => maintenancePage('<p>\u0000</p>'), /not UTF-8 text/);
    assert.ok(maintenancePage('x'.repeat(MAX_MAINTENANCE_PAGE_BYTES)));
  });
});
