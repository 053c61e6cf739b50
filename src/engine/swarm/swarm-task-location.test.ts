import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SlipwayError } from '../../core/errors.js';
import { ENGINE_LABEL } from '../../nodes/node-view.js';
import { parseTask, type SwarmTask } from './swarm-parsers.js';
import {
  NODE_ENGINE_LABEL,
  locateTask,
  parseNodeDetails,
  parseSelfNodeId,
  runningTask,
  type SwarmNodeDetails,
} from './swarm-task-location.js';

const cid = (c: string) => c.repeat(64);

function task(id: string, createdAt: string, over: Record<string, unknown> = {}, status: Record<string, unknown> = {}) {
  return parseTask({
    ID: id,
    ServiceID: 'svc1',
    NodeID: 'n2',
    CreatedAt: createdAt,
    DesiredState: 'running',
    Status: { State: 'running', ContainerStatus: { ContainerID: cid(id.slice(-1)) }, ...status },
    ...over,
  })!;
}

const nodes: SwarmNodeDetails[] = [
  { id: 'n1', name: 'm1', role: 'manager', labels: {}, state: 'ready', availability: 'active' },
  {
    id: 'n2',
    name: 'w1',
    role: 'worker',
    labels: { [ENGINE_LABEL]: 'ssh://root@w1' },
    state: 'ready',
    availability: 'active',
  },
  { id: 'n3', name: 'w2', role: 'worker', labels: {}, state: 'ready', availability: 'active' },
];

test('the label is the one nodes:add --engine writes', () => {
  assert.equal(NODE_ENGINE_LABEL, ENGINE_LABEL);
});

test('a node: hostname, role, labels, state, availability', () => {
  const raw = {
    ID: 'n2',
    Description: { Hostname: 'w1' },
    Spec: { Role: 'worker', Availability: 'drain', Labels: { 'slipway.engine': 'unix:///w1.sock', n: 1 } },
    Status: { State: 'ready' },
  };
  assert.deepEqual(parseNodeDetails(raw), {
    id: 'n2',
    name: 'w1',
    role: 'worker',
    labels: { 'slipway.engine': 'unix:///w1.sock' },
    state: 'ready',
    availability: 'drain',
  });
  assert.throws(() => parseNodeDetails({}), SlipwayError);
  assert.equal(parseSelfNodeId({ Swarm: { NodeID: 'n1' } }), 'n1');
  assert.equal(parseSelfNodeId({ Swarm: { LocalNodeState: 'inactive', NodeID: '' } }), '');
  assert.equal(parseSelfNodeId(null), '');
});

test('the running task is the newest that runs with a container; shut down and starting ones do not count', () => {
  const tasks: SwarmTask[] = [
    task('ta', '2026-01-01T00:00:01Z'),
    task('tb', '2026-01-01T00:00:05Z', { DesiredState: 'shutdown' }),
    task('tc', '2026-01-01T00:00:09Z', {}, { State: 'starting', ContainerStatus: {} }),
  ];
  assert.equal(runningTask(tasks)?.id, 'ta');
  assert.equal(runningTask([tasks[1]!, tasks[2]!]), undefined);
});

test('a task on a worker with an endpoint, on the manager, on a node without one', () => {
  assert.deepEqual(locateTask('svc1', [task('t1', '2026-01-01T00:00:01Z')], nodes, 'n1'), {
    nodeId: 'n2',
    nodeName: 'w1',
    containerId: cid('1'),
    engineUrl: 'ssh://root@w1',
    isManager: false,
  });
  const onManager = locateTask('svc1', [task('t2', '2026-01-01T00:00:01Z', { NodeID: 'n1' })], nodes, 'n1');
  assert.deepEqual(onManager, { nodeId: 'n1', nodeName: 'm1', containerId: cid('2'), isManager: true });
  const bare = locateTask('svc1', [task('t3', '2026-01-01T00:00:01Z', { NodeID: 'n3' })], nodes, 'n1');
  assert.equal(bare.engineUrl, undefined);
  assert.equal(bare.nodeName, 'w2');
  // Not in a Swarm (no self id): never the manager by accident.
  assert.equal(locateTask('svc1', [task('t4', '2026-01-01T00:00:01Z', { NodeID: 'n1' })], nodes, '').isManager, false);
});

test('no running task: a clear error', () => {
  assert.throws(
    () => locateTask('svc1', [], nodes, 'n1'),
    (err: unknown) =>
      err instanceof SlipwayError && /no running task/.test(err.message) && /slipway ps/.test(err.hint ?? ''),
  );
});
