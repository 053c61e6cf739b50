import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSlipwayYml } from '../analyze/slipway-yml.js';
import { chooseProcfile, settingsFromSlipwayYml } from './service-definition.js';

const yml = parseSlipwayYml(
  'processes:\n  web: gunicorn app:app\n  worker: celery -A app worker\nport: ' +
    '8000\nrelease: python manage.py migrate\nhealthcheck:\n  path: /up\n',
);

test('processes: Procfile > slipway.yml > detected; release the same way', () => {
  const detected = { web: 'python app.py', release: 'detected-release' };
  assert.deepEqual(chooseProcfile({ detected }), { web: 'python app.py', release: 'detected-release' });
  assert.deepEqual(chooseProcfile({ yml, detected }), {
    web: 'gunicorn app:app',
    worker: 'celery -A app worker',
    release: 'python manage.py migrate',
  });
  assert.deepEqual(chooseProcfile({ procfile: { web: 'waitress-serve app:app' }, yml, detected }), {
    web: 'waitress-serve app:app',
    release: 'python manage.py migrate',
  });
  assert.deepEqual(chooseProcfile({ procfile: { web: 'a', release: 'b' }, yml }), { web: 'a', release: 'b' });
});

test('a Procfile without web keeps the detected web command; nothing at all means the image CMD', () => {
  assert.deepEqual(chooseProcfile({ procfile: { worker: 'w' }, detected: { web: 'node server.js' } }), {
    web: 'node server.js',
    worker: 'w',
  });
  assert.equal(chooseProcfile({}), null);
});

test('slipway.yml sets the port and the full health check', () => {
  assert.deepEqual(settingsFromSlipwayYml(yml), {
    port: 8000,
    healthcheck: { path: '/up', attempts: 30, intervalMs: 1000, timeoutMs: 2000 },
  });
  assert.deepEqual(settingsFromSlipwayYml(parseSlipwayYml('processes:\n  web: x\nport: 3000\n')), { port: 3000 });
});

test('an empty slipway.yml health check path is a TCP check, replacing a path the app had', () => {
  const tcp = settingsFromSlipwayYml(parseSlipwayYml('processes:\n  web: x\nport: 3000\nhealthcheck:\n  path: ""\n'));
  assert.ok(tcp.healthcheck && 'path' in tcp.healthcheck);
  assert.equal(tcp.healthcheck.path, undefined);
  const merged = { ...{ path: '/old', attempts: 5, intervalMs: 100, timeoutMs: 100 }, ...tcp.healthcheck };
  assert.equal(JSON.parse(JSON.stringify(merged)).path, undefined);
});
