import { test } from 'node:test';
import assert from 'node:assert/strict';
import { byteSizeSchema, durationSchema, healthcheckPathSchema } from './value-schemas.js';
import { formatBytes, formatMs, parseByteSize, parseDuration } from './value-units.js';
import { renderHaproxyConfig } from '../router/haproxy-config.js';

test("durations take a unit or a bare number in the key's own unit", () => {
  assert.equal(parseDuration('500ms', 's'), 500);
  assert.equal(parseDuration('30s', 'ms'), 30_000);
  assert.equal(parseDuration('1.5s', 'ms'), 1500);
  assert.equal(parseDuration('5m', 'ms'), 300_000);
  assert.equal(parseDuration('2h', 'ms'), 7_200_000);
  assert.equal(parseDuration('250', 'ms'), 250);
  assert.equal(parseDuration('10', 's'), 10_000);
  for (const bad of ['', 'abc', '-1s', '1w', '1e3', '0x10', '10 seconds'])
    assert.equal(parseDuration(bad, 'ms'), undefined, bad);
  assert.equal(durationSchema('ms', 0, 1000).safeParse('2s').success, false, 'range checked after the unit');
  assert.deepEqual([formatMs(300_000), formatMs(1500), formatMs(2000)], ['5m', '1500ms', '2s']);
});

test('byte sizes use binary units as Docker does', () => {
  assert.equal(parseByteSize('512m'), 512 * 1024 ** 2);
  assert.equal(parseByteSize('1g'), 1024 ** 3);
  assert.equal(parseByteSize('256MiB'), 256 * 1024 ** 2);
  assert.equal(parseByteSize('64k'), 65536);
  assert.equal(parseByteSize('1048576'), 1048576);
  for (const bad of ['', 'm', '1x', '-5m', '1.2.3g']) assert.equal(parseByteSize(bad), undefined, bad);
  assert.equal(byteSizeSchema(1024, 2048).safeParse('4k').success, false);
  assert.deepEqual([formatBytes(512 * 1024 ** 2), formatBytes(1024 ** 3), formatBytes(10)], ['512m', '1g', '10b']);
});

test(
  'every health-check path the schema accepts is one the ' +
    'HAProxy config writer renders, and the ones it refuses are refused',
  () => {
    const accepted = ['/', '/health', '/api/v1/status?full=1&x=%20', '/a(b)c!$', '/~user/x;y=z', '/a:b@c'];
    const refused = [
      'health',
      '/a b',
      '/a#b',
      '/a"b',
      "/a'b",
      '/a\\b',
      '/a\nb',
      '/a\tb',
      '',
      `/${'x'.repeat(1100)}`,
      '/ä',
    ];
    for (const path of accepted) {
      assert.equal(healthcheckPathSchema.safeParse(path).success, true, path);
      assert.doesNotThrow(() => render(path), path);
    }
    for (const path of refused) {
      assert.equal(healthcheckPathSchema.safeParse(path).success, false, JSON.stringify(path));
      assert.throws(() => render(path), JSON.stringify(path));
    }
  },
);

function render(path: string): string {
  return renderHaproxyConfig({
    paths: {
      runtimeSocket: '/r',
      pidFile: '/p',
      hostsMap: '/h',
      crtList: '/c',
      defaultCert: '/d',
      maintenanceMap: '/m',
      maintenanceDir: '/md',
    },
    httpBind: '127.0.0.1',
    httpPort: 80,
    domain: 'example.test',
    routes: [
      { app: 'shop', hosts: ['shop.example.test'], check: { path, intervalMs: 1000, timeoutMs: 1000 }, servers: [] },
    ],
  });
}
