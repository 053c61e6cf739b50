import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createServiceRequest,
  listServicesRequest,
  listTasksRequest,
  serviceLogsRequest,
  updateServiceRequest,
} from './swarm-requests.js';

test('a dyno is one replicated service: host-mode port without PublishedPort, limits, restart any', () => {
  const req = createServiceRequest(
    {
      name: 'slipway-a-web-1',
      image: 'sha256:abc',
      cmd: ['npm', 'start'],
      env: { PORT: '5000', A: 'b=c' },
      labels: { 'slipway.app': 'a' },
      containerPort: 5000,
      stopTimeoutSec: 10,
      limits: { memoryBytes: 256 * 1024 * 1024, pids: 100, cpus: 1.5 },
      logRotation: { maxSizeBytes: 10_000_000, maxFiles: 3 },
      placement: ['node.labels.region==eu'],
    },
    'any',
  );
  assert.deepEqual(req, {
    method: 'POST',
    path: '/services/create',
    body: {
      Name: 'slipway-a-web-1',
      Labels: { 'slipway.app': 'a' },
      TaskTemplate: {
        ContainerSpec: {
          Image: 'sha256:abc',
          Env: ['PORT=5000', 'A=b=c'],
          Labels: { 'slipway.app': 'a' },
          Init: true,
          Args: ['npm', 'start'],
          StopGracePeriod: 10_000_000_000,
        },
        RestartPolicy: { Condition: 'any', Delay: 1_000_000_000, MaxAttempts: 0 },
        Resources: { Limits: { NanoCPUs: 1_500_000_000, MemoryBytes: 268_435_456, Pids: 100 } },
        Placement: { Constraints: ['node.labels.region==eu'] },
        LogDriver: { Name: 'json-file', Options: { 'max-size': '10000000', 'max-file': '3' } },
      },
      Mode: { Replicated: { Replicas: 1 } },
      EndpointSpec: { Mode: 'dnsrr', Ports: [{ Protocol: 'tcp', TargetPort: 5000, PublishMode: 'host' }] },
    },
  });
});

test('a one-off without a port: restart none, no ports, nothing optional', () => {
  const req = createServiceRequest({ name: 'r', image: 'i', env: {}, labels: {} }, 'none');
  assert.deepEqual(req.body, {
    Name: 'r',
    Labels: {},
    TaskTemplate: {
      ContainerSpec: { Image: 'i', Env: [], Labels: {}, Init: true },
      RestartPolicy: { Condition: 'none', Delay: 1_000_000_000, MaxAttempts: 0 },
    },
    Mode: { Replicated: { Replicas: 1 } },
    EndpointSpec: { Mode: 'dnsrr' },
  });
});

test('listings, updates and logs as data', () => {
  assert.deepEqual(listServicesRequest({ a: 'b', c: undefined }), {
    method: 'GET',
    path: '/services',
    query: { filters: '{"label":["a=b","c"]}' },
  });
  assert.deepEqual(listServicesRequest({}), { method: 'GET', path: '/services' });
  assert.deepEqual(listTasksRequest(['s1', 's2']), {
    method: 'GET',
    path: '/tasks',
    query: { filters: '{"service":["s1","s2"]}' },
  });
  assert.deepEqual(updateServiceRequest('s/1', 7, { Name: 'x' }), {
    method: 'POST',
    path: '/services/s%2F1/update',
    query: { version: '7' },
    body: { Name: 'x' },
  });
  assert.deepEqual(serviceLogsRequest('s1', { follow: true, tail: 5, since: '1.5' }), {
    method: 'GET',
    path: '/services/s1/logs',
    query: { stdout: 'true', stderr: 'true', timestamps: 'true', follow: 'true', tail: '5', since: '1.5' },
  });
});
