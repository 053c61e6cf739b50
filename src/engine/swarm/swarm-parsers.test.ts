import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  containerState,
  currentTask,
  parseNode,
  parseService,
  parseTask,
  serviceContainerInfo,
  type SwarmTask,
} from './swarm-parsers.js';

const service = {
  ID: 'svc1',
  Version: { Index: 42 },
  CreatedAt: '2026-01-01T00:00:00Z',
  Spec: {
    Name: 'a-web-1',
    Labels: { 'slipway.app': 'a' },
    Mode: { Replicated: { Replicas: 1 } },
    TaskTemplate: {
      ContainerSpec: { Image: 'sha256:abc' },
      Resources: { Limits: { NanoCPUs: 500_000_000, MemoryBytes: 1024, Pids: 0 } },
    },
  },
};

function task(over: Record<string, unknown>, status: Record<string, unknown> = {}): SwarmTask {
  return parseTask({
    ID: 't1',
    ServiceID: 'svc1',
    NodeID: 'n1',
    CreatedAt: '2026-01-01T00:00:01Z',
    DesiredState: 'running',
    Status: { State: 'running', Timestamp: '2026-01-01T00:00:02Z', ...status },
    ...over,
  })!;
}

test('a service: name, image, labels, version, replicas, limits without the zero ones', () => {
  const s = parseService(service);
  assert.equal(s.version, 42);
  assert.equal(s.replicas, 1);
  assert.deepEqual(s.limits, { cpus: 0.5, memoryBytes: 1024 });
  assert.equal(s.image, 'sha256:abc');
});

test('a task: published port from PortStatus (listed once per address family), exit code, error', () => {
  const port = { Protocol: 'tcp', TargetPort: 8080, PublishedPort: 30001, PublishMode: 'host' };
  const t = task({}, { PortStatus: { Ports: [port, port] }, ContainerStatus: { ContainerID: 'c1', ExitCode: 0 } });
  assert.equal(t.publishedPort, 30001);
  assert.equal(t.containerId, 'c1');
  const failed = task({}, { State: 'failed', Err: 'task: non-zero exit (3)', ContainerStatus: { ExitCode: 3 } });
  assert.equal(failed.exitCode, 3);
  assert.equal(failed.error, 'task: non-zero exit (3)');
  assert.equal(parseTask({ ID: 'x' }), null);
});

test('the current task: the newest Swarm wants running (a task on a dead node keeps saying running)', () => {
  const old = task({ ID: 'old', DesiredState: 'shutdown', CreatedAt: '2026-01-01T00:00:01Z' });
  const replacement = task({ ID: 'new', CreatedAt: '2026-01-01T00:01:00Z' }, { State: 'starting' });
  assert.equal(currentTask([old, replacement])?.id, 'new');
  const stopped = task({ ID: 's', DesiredState: 'shutdown', CreatedAt: '2026-01-01T00:02:00Z' }, { State: 'shutdown' });
  assert.equal(currentTask([old, stopped])?.id, 's');
  assert.equal(currentTask([]), undefined);
});

test('task states in container terms', () => {
  const states = ['pending', 'preparing', 'running', 'complete', 'shutdown', 'failed', 'rejected', 'orphaned'];
  assert.deepEqual(
    states.map((s) => containerState(task({}, { State: s }))),
    ['created', 'created', 'running', 'exited', 'exited', 'exited', 'dead', 'dead'],
  );
});

test("a manager's node address: Status.Addr, else the host part of ManagerStatus.Addr", () => {
  const worker = parseNode({ ID: 'n2', Description: { Hostname: 'w1' }, Status: { State: 'ready', Addr: '10.0.0.2' } });
  assert.deepEqual(worker, { id: 'n2', hostname: 'w1', address: '10.0.0.2', state: 'ready' });
  const manager = parseNode({
    ID: 'n1',
    Description: { Hostname: 'm1' },
    Status: { State: 'ready', Addr: '0.0.0.0' },
    ManagerStatus: { Addr: '10.0.0.1:2377' },
  });
  assert.equal(manager.address, '10.0.0.1');
});

test('a service as a ContainerInfo: the id is the service, the endpoint the node address and published port', () => {
  const port = { PublishedPort: 30001 };
  const node = { id: 'n1', hostname: 'w1', address: '10.0.0.2', state: 'ready' };
  const running = serviceContainerInfo(parseService(service), [task({}, { PortStatus: { Ports: [port] } })], node);
  assert.deepEqual(running, {
    id: 'svc1',
    name: 'a-web-1',
    image: 'sha256:abc',
    labels: { 'slipway.app': 'a' },
    state: 'running',
    createdAt: '2026-01-01T00:00:00Z',
    limits: { cpus: 0.5, memoryBytes: 1024 },
    startedAt: '2026-01-01T00:00:02Z',
    node: 'w1',
    endpoint: { address: '10.0.0.2', port: 30001 },
  });
  const exited = serviceContainerInfo(
    parseService(service),
    [task({ DesiredState: 'shutdown' }, { State: 'shutdown', ContainerStatus: { ExitCode: 143 } })],
    node,
  );
  assert.equal(exited.state, 'exited');
  assert.equal(exited.exitCode, 143);
  assert.equal(exited.endpoint, undefined);
  assert.equal(serviceContainerInfo(parseService(service), [], undefined).state, 'created');
});
