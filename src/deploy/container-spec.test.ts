import { test } from 'node:test';
import assert from 'node:assert/strict';
import { processContainerSpec, shellCommand } from './container-spec.js';

test('a web container publishes $PORT, carries the model labels and the release env', () => {
  const spec = processContainerSpec(
    {
      app: 'shop',
      release: 7,
      process: 'web',
      index: 2,
      image: 'slipway/shop:b1',
      command: 'node server.js',
      config: { DATABASE_URL: 'postgres://x' },
      port: 5000,
      stopGraceSec: 10,
      deploymentId: 3,
    },
    'abc123',
  );
  assert.deepEqual(spec, {
    name: 'slipway-shop-web-2-v7-abc123',
    image: 'slipway/shop:b1',
    cmd: ['/bin/sh', '-c', 'exec node server.js'],
    env: {
      DATABASE_URL: 'postgres://x',
      PORT: '5000',
      DYNO: 'web.2',
      SLIPWAY_APP: 'shop',
      SLIPWAY_RELEASE: 'v7',
      SLIPWAY_PROCESS: 'web.2',
    },
    labels: {
      'slipway.managed': 'true',
      'slipway.app': 'shop',
      'slipway.release': 'v7',
      'slipway.process': 'web',
      'slipway.index': '2',
      'slipway.deployment': '3',
    },
    containerPort: 5000,
    stopTimeoutSec: 10,
  });
});

test('a worker publishes nothing and a null command keeps the image CMD', () => {
  const spec = processContainerSpec(
    {
      app: 'shop',
      release: 1,
      process: 'worker',
      index: 1,
      image: 'i',
      command: null,
      config: {},
      port: 5000,
      stopGraceSec: 5,
    },
    'x',
  );
  assert.equal(spec.containerPort, undefined);
  assert.equal(spec.cmd, undefined);
  assert.equal(spec.placement, undefined);
});

test("a process type's placement constraints travel with its spec", () => {
  const input = { app: 'a', release: 1, process: 'web', index: 1, image: 'i', command: null, config: {} };
  const spec = processContainerSpec(
    { ...input, port: 5000, stopGraceSec: 5, placement: ['node.labels.region==eu', 'node.role!=manager'] },
    'x',
  );
  assert.deepEqual(spec.placement, ['node.labels.region==eu', 'node.role!=manager']);
});

test('simple commands are exec-ed; compound ones run as given', () => {
  assert.deepEqual(shellCommand('gunicorn -b 0.0.0.0:$PORT app:app'), [
    '/bin/sh',
    '-c',
    'exec gunicorn -b 0.0.0.0:$PORT app:app',
  ]);
  assert.deepEqual(shellCommand('npm run migrate && node server.js'), [
    '/bin/sh',
    '-c',
    'npm run migrate && node server.js',
  ]);
  assert.deepEqual(shellCommand('exec node x.js'), ['/bin/sh', '-c', 'exec node x.js']);
});
