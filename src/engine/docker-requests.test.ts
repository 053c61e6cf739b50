import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  containerEventsRequest,
  updateContainerLimitsRequest,
  buildImageRequest,
  containerLogsRequest,
  createContainerRequest,
  inspectContainerRequest,
  inspectImageRequest,
  killContainerRequest,
  listContainersRequest,
  pingRequest,
  removeContainerRequest,
  removeImageRequest,
  startContainerRequest,
  stopContainerRequest,
  waitContainerRequest,
} from './docker-requests.js';

describe('createContainerRequest', () => {
  it('builds a web container published on loopback at an engine-chosen port', () => {
    const req = createContainerRequest({
      name: 'slipway-shop-web-v3-ab12cd',
      image: 'slipway/shop:build-12',
      cmd: ['node', 'server.js'],
      env: { PORT: '5000', DATABASE_URL: 'postgres://db/shop' },
      labels: { 'slipway.app': 'shop', 'slipway.process': 'web' },
      containerPort: 5000,
      stopTimeoutSec: 25,
    });
    assert.deepEqual(req, {
      method: 'POST',
      path: '/containers/create',
      query: { name: 'slipway-shop-web-v3-ab12cd' },
      body: {
        Image: 'slipway/shop:build-12',
        Env: ['PORT=5000', 'DATABASE_URL=postgres://db/shop'],
        Labels: { 'slipway.app': 'shop', 'slipway.process': 'web' },
        Cmd: ['node', 'server.js'],
        StopTimeout: 25,
        ExposedPorts: { '5000/tcp': {} },
        HostConfig: {
          RestartPolicy: { Name: 'no' },
          Init: true,
          PortBindings: { '5000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
        },
      },
    });
  });

  it('keeps the image CMD and publishes nothing for a worker; sets stdin and tty for one-off runs', () => {
    const req = createContainerRequest({
      name: 'slipway-shop-run-1',
      image: 'img',
      env: {},
      labels: {},
      openStdin: true,
      tty: true,
    });
    assert.deepEqual(req.body, {
      Image: 'img',
      Env: [],
      Labels: {},
      OpenStdin: true,
      Tty: true,
      HostConfig: { RestartPolicy: { Name: 'no' }, Init: true },
    });
  });

  it('keeps "=" and newlines inside env values', () => {
    const req = createContainerRequest({ name: 'n', image: 'i', env: { A: 'x=y', B: 'l1\nl2' }, labels: {} });
    assert.deepEqual((req.body as { Env: string[] }).Env, ['A=x=y', 'B=l1\nl2']);
  });
});

describe('container lifecycle requests', () => {
  it('start / stop / kill / remove / inspect / wait', () => {
    assert.deepEqual(pingRequest(), { method: 'GET', path: '/_ping' });
    assert.deepEqual(startContainerRequest('abc'), { method: 'POST', path: '/containers/abc/start' });
    assert.deepEqual(stopContainerRequest('abc', 10), {
      method: 'POST',
      path: '/containers/abc/stop',
      query: { t: '10' },
    });
    assert.deepEqual(stopContainerRequest('abc', -3), {
      method: 'POST',
      path: '/containers/abc/stop',
      query: { t: '0' },
    });
    assert.deepEqual(killContainerRequest('abc'), {
      method: 'POST',
      path: '/containers/abc/kill',
      query: { signal: 'SIGKILL' },
    });
    assert.deepEqual(removeContainerRequest('abc', { force: true }), {
      method: 'DELETE',
      path: '/containers/abc',
      query: { force: 'true', v: 'true' },
    });
    assert.deepEqual(removeContainerRequest('abc'), {
      method: 'DELETE',
      path: '/containers/abc',
      query: { force: 'false', v: 'true' },
    });
    assert.deepEqual(inspectContainerRequest('web 1'), { method: 'GET', path: '/containers/web%201/json' });
    assert.deepEqual(waitContainerRequest('abc'), {
      method: 'POST',
      path: '/containers/abc/wait',
      query: { condition: 'not-running' },
    });
  });

  it('lists all containers with JSON-encoded label filters', () => {
    assert.deepEqual(
      listContainersRequest({ 'slipway.app': 'shop', 'slipway.process': undefined, 'slipway.release': '' }),
      {
        method: 'GET',
        path: '/containers/json',
        query: { all: 'true', filters: '{"label":["slipway.app=shop","slipway.process","slipway.release"]}' },
      },
    );
    assert.deepEqual(listContainersRequest({}), { method: 'GET', path: '/containers/json', query: { all: 'true' } });
  });

  it('logs with timestamps, tail and since', () => {
    assert.deepEqual(containerLogsRequest('abc', { follow: true, tail: 100, since: 1700000000.5 }), {
      method: 'GET',
      path: '/containers/abc/logs',
      query: { stdout: 'true', stderr: 'true', timestamps: 'true', follow: 'true', tail: '100', since: '1700000000.5' },
    });
    assert.deepEqual(containerLogsRequest('abc').query, {
      stdout: 'true',
      stderr: 'true',
      timestamps: 'true',
      follow: 'false',
      tail: 'all',
    });
  });
});

describe('image requests', () => {
  it('inspects and removes images by reference, keeping / and :', () => {
    assert.deepEqual(inspectImageRequest('slipway/shop:build-12'), {
      method: 'GET',
      path: '/images/slipway/shop:build-12/json',
    });
    assert.deepEqual(inspectImageRequest('sha256:e70b'), { method: 'GET', path: '/images/sha256:e70b/json' });
    assert.deepEqual(removeImageRequest('slipway/shop:build-12', { force: true }), {
      method: 'DELETE',
      path: '/images/slipway/shop:build-12',
      query: { force: 'true', noprune: 'false' },
    });
  });

  it('builds with JSON-encoded build args and labels, removing intermediate containers', () => {
    assert.deepEqual(
      buildImageRequest({
        tag: 'slipway/shop:build-12',
        dockerfile: 'deploy/Dockerfile',
        buildArgs: { NODE_ENV: 'production' },
        labels: { 'slipway.app': 'shop' },
      }),
      {
        method: 'POST',
        path: '/build',
        query: {
          t: 'slipway/shop:build-12',
          dockerfile: 'deploy/Dockerfile',
          buildargs: '{"NODE_ENV":"production"}',
          labels: '{"slipway.app":"shop"}',
          rm: 'true',
          forcerm: 'true',
        },
        contentType: 'application/x-tar',
      },
    );
    assert.deepEqual(buildImageRequest({ tag: 't:1', buildArgs: {}, labels: {} }).query, {
      t: 't:1',
      rm: 'true',
      forcerm: 'true',
    });
  });
});

describe('containerEventsRequest', () => {
  it('filters container events by action and label, from a point in time', () => {
    const req = containerEventsRequest({
      actions: ['start', 'die'],
      labels: { 'slipway.app': 'shop', 'slipway.managed': undefined },
      sinceMs: 1700000000123,
    });
    assert.equal(req.method, 'GET');
    assert.equal(req.path, '/events');
    assert.deepEqual(JSON.parse(req.query!['filters']!), {
      type: ['container'],
      event: ['start', 'die'],
      label: ['slipway.app=shop', 'slipway.managed'],
    });
    assert.equal(req.query!['since'], '1700000000.123');
  });
});

describe('container limits and log rotation', () => {
  it('puts memory (no extra swap), pids, CPUs and json-file rotation in HostConfig', () => {
    const req = createContainerRequest({
      name: 'n',
      image: 'i',
      env: {},
      labels: {},
      limits: { memoryBytes: 536870912, pids: 256, cpus: 0.5 },
      logRotation: { maxSizeBytes: 10485760, maxFiles: 3 },
    });
    const hc = (req.body as { HostConfig: Record<string, unknown> }).HostConfig;
    assert.equal(hc['Memory'], 536870912);
    assert.equal(hc['MemorySwap'], 536870912);
    assert.equal(hc['PidsLimit'], 256);
    assert.equal(hc['NanoCpus'], 500_000_000);
    assert.deepEqual(hc['LogConfig'], { Type: 'json-file', Config: { 'max-size': '10485760', 'max-file': '3' } });
  });

  it('updates a running container in place', () => {
    assert.deepEqual(updateContainerLimitsRequest('abc', { memoryBytes: 1024 ** 3, cpus: 2 }), {
      method: 'POST',
      path: '/containers/abc/update',
      body: { Memory: 1024 ** 3, MemorySwap: 1024 ** 3, NanoCpus: 2_000_000_000 },
    });
  });
});
