import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffSnapshots, takeSnapshot, type SwarmSnapshot } from './swarm-events.js';
import { parseService, parseTask, type SwarmNode } from './swarm-parsers.js';

const labels = { 'slipway.app': 'a' };
const svc = parseService({ ID: 's1', CreatedAt: '2026-01-01T00:00:00Z', Spec: { Name: 'a', Labels: labels } });

function snap(tasks: [string, string, number?][], nodes?: SwarmNode[]): SwarmSnapshot {
  return takeSnapshot(
    [svc],
    tasks.map(([id, state, exitCode], i) =>
      parseTask({
        ID: id,
        ServiceID: 's1',
        NodeID: 'n1',
        Status: {
          State: state,
          Timestamp: `2026-01-01T00:00:0${i + 1}Z`,
          ...(exitCode !== undefined ? { ContainerStatus: { ExitCode: exitCode } } : {}),
        },
      })!,
    ),
    nodes,
  );
}

const brief = (events: ReturnType<typeof diffSnapshots>) => events.map((e) => `${e.action}:${e.exitCode ?? ''}`);

test('first look: nothing, unless asked to replay since a time', () => {
  const now = snap([['t1', 'running']]);
  assert.deepEqual(diffSnapshots(undefined, now), []);
  assert.deepEqual(brief(diffSnapshots(undefined, now, Date.parse('2026-01-01T00:00:00Z'))), ['start:']);
  assert.deepEqual(brief(diffSnapshots(undefined, now, Date.parse('2026-01-02T00:00:00Z'))), []);
});

test('running → failed is a die with the exit code; a restart is a start; once only', () => {
  const a = snap([['t1', 'running']]);
  const b = snap([['t1', 'failed', 3]]);
  const c = snap([
    ['t1', 'failed', 3],
    ['t2', 'running'],
  ]);
  assert.deepEqual(brief(diffSnapshots(a, b)), ['die:3']);
  assert.deepEqual(brief(diffSnapshots(b, c)), ['start:']);
  assert.deepEqual(diffSnapshots(c, c), []);
});

test('a task that never started dies too; pending tasks say nothing', () => {
  assert.deepEqual(brief(diffSnapshots(snap([['t1', 'pending']]), snap([['t1', 'rejected']]))), ['die:']);
  assert.deepEqual(diffSnapshots(snap([]), snap([['t1', 'pending']])), []);
});

test('a running task on a node that is down is lost: die 137, once', () => {
  const down: SwarmNode[] = [{ id: 'n1', hostname: 'w1', address: '10.0.0.2', state: 'down' }];
  const before = snap([['t1', 'running']]);
  const lost = snap([['t1', 'running']], down);
  assert.deepEqual(brief(diffSnapshots(before, lost)), ['die:137']);
  assert.deepEqual(diffSnapshots(lost, snap([['t1', 'running']], down)), []);
});

test('a service that appears is created, one that disappears is destroyed', () => {
  const empty: SwarmSnapshot = new Map();
  const one = snap([]);
  assert.deepEqual(brief(diffSnapshots(empty, one)), ['create:']);
  assert.deepEqual(diffSnapshots(empty, one)[0]?.timeMs, Date.parse('2026-01-01T00:00:00Z'));
  assert.deepEqual(brief(diffSnapshots(one, empty)), ['destroy:']);
});
