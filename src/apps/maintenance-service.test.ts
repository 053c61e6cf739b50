import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Store } from '../store/store.js';
import { withTempStore } from '../store/testing/temp-store.js';
import { MaintenanceService, routeMaintenance } from './maintenance-service.js';
import { SlipwayError } from '../core/errors.js';

const withStore = (fn: (store: Store) => Promise<void>) => withTempStore(fn, ['shop']);

const now = () => new Date('2030-01-01T00:00:00Z');

test('on, off and the page: stored, handed to the router, the page kept when it goes off', () =>
  withStore(async (store) => {
    let syncs = 0;
    const service = new MaintenanceService({ store, now, syncRouter: async () => void syncs++ });
    assert.deepEqual(service.status('shop'), { app: 'shop', enabled: false, retryAfterSec: 60, page: 'slipway' });
    assert.equal(routeMaintenance(store, 'shop'), undefined);
    const on = await service.on('shop', { page: '<p>soon</p>', retryAfterSec: 300 }, 'admin');
    assert.deepEqual(on, {
      app: 'shop',
      enabled: true,
      retryAfterSec: 300,
      page: 'app',
      changedAt: '2030-01-01T00:00:00.000Z',
      changedBy: 'admin',
    });
    assert.equal(routeMaintenance(store, 'shop')?.page?.html, '<p>soon</p>');
    const off = await service.off('shop', 'admin');
    assert.deepEqual([off.enabled, off.page, off.retryAfterSec], [false, 'app', 300]);
    assert.equal((await service.on('shop', {}, 'admin')).page, 'app', 'the stored page is used again');
    assert.equal((await service.on('shop', { page: null }, 'admin')).page, 'slipway', "null: Slipway's page");
    assert.equal(syncs, 4);
  }));

test('a page HAProxy cannot serve is refused before anything is stored; a failed sync changes nothing', () =>
  withStore(async (store) => {
    let fail = false;
    const service = new MaintenanceService({
      store,
      now,
      syncRouter: async () => {
        if (fail) throw new SlipwayError('HAPROXY_UNAVAILABLE', 'down');
      },
    });
    await assert.rejects(service.on('shop', { page: 'x'.repeat(20_000) }, 'admin'), { code: 'INVALID_INPUT' });
    await assert.rejects(service.on('shop', { retryAfterSec: -5 }, 'admin'), { code: 'INVALID_INPUT' });
    assert.equal(service.status('shop').changedAt, undefined);
    await service.on('shop', {}, 'admin');
    fail = true;
    await assert.rejects(service.off('shop', 'admin'), { code: 'HAPROXY_UNAVAILABLE' });
    assert.equal(service.status('shop').enabled, true, 'the stored state is what HAProxy still does');
  }));

test('an odd stored Retry-After is clamped for the router, never a reason to unroute the app', () =>
  withStore(async (store) => {
    store.maintenance.put('shop', { enabled: true, retryAfterSec: 10 ** 9, changedAt: '', changedBy: '' });
    assert.equal(routeMaintenance(store, 'shop')?.retryAfterSec, 7 * 24 * 3600);
  }));
