import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyRebalance, moveDynosOff, PAUSED_LABEL, resumePausedNodes, type DynoMover } from './node-moves.js';
import type { NodeSpecChange, SwarmControl, SwarmNode, TaskPlacement } from './swarm-control.js';

/** A Swarm of nodes and tasks in memory; `replace` (the mover's) moves tasks to the one active node. */
function cluster(names: string[], tasks: [string, string, string][]) {
  const nodes = new Map<string, SwarmNode>(
    names.map((name) => [
      name,
      {
        id: name,
        name,
        address: '',
        role: 'worker',
        state: 'ready',
        availability: 'active',
        leader: false,
        labels: {},
        engineVersion: '',
        cpus: 1,
        memoryBytes: 0,
      },
    ]),
  );
  let placed: TaskPlacement[] = tasks.map(([serviceId, process, nodeId]) => ({
    serviceId,
    nodeId,
    serviceName: serviceId,
    serviceLabels: { app: 'shop', process },
  }));
  const control = {
    where: 'fake',
    nodes: async () => [...nodes.values()].map((n) => ({ ...n, labels: { ...n.labels } })),
    node: async (id: string) => nodes.get(id) && { ...nodes.get(id)!, labels: { ...nodes.get(id)!.labels } },
    updateNode: async (id: string, change: NodeSpecChange) => {
      const n = nodes.get(id)!;
      nodes.set(id, { ...n, ...change, labels: change.labels ?? n.labels });
    },
    runningTasks: async () => placed.map((t) => ({ ...t })),
  } as unknown as SwarmControl;
  const log: string[] = [];
  let n = 0;
  const mover: DynoMover = {
    dynoOf: (labels) => (labels['app'] ? { app: labels['app'], process: labels['process']!, warm: false } : undefined),
    placementOf: () => [],
    retireWarm: async () => {},
    replace: async (app, ids, label) => {
      const active = [...nodes.values()].filter((x) => x.availability === 'active');
      const paused = [...nodes.values()].filter((x) => x.labels[PAUSED_LABEL]).map((x) => x.name);
      log.push(`${label} | paused: ${paused.join(',')}`);
      if (label.includes('fail')) throw new Error('boom');
      placed = placed.map((t) =>
        ids.includes(t.serviceId) ? { ...t, serviceId: `new${++n}`, nodeId: active[0]!.id } : t,
      );
    },
  };
  return { control, mover, nodes, log, placed: () => placed };
}

const where = (placed: TaskPlacement[]) => placed.map((t) => t.nodeId).sort();

test('rebalance: each move runs with every other node paused and marked; all are active again after', async () => {
  const c = cluster(
    ['a', 'b', 'c'],
    [
      ['s1', 'web', 'a'],
      ['s2', 'web', 'a'],
      ['s3', 'web', 'b'],
      ['s4', 'web', 'b'],
    ],
  );
  const result = await applyRebalance(c.control, c.mover, () => {});
  assert.equal(result.moved, 1);
  assert.deepEqual(result.remaining, []);
  assert.deepEqual(c.log, ['move 1 web process(es) of shop from b to c | paused: a,b']);
  assert.deepEqual(where(c.placed()), ['a', 'a', 'b', 'c']);
  for (const n of c.nodes.values()) assert.deepEqual([n.availability, n.labels], ['active', {}]);
});

test('a move that fails still gives the paused nodes their availability back', async () => {
  const c = cluster(
    ['a', 'b'],
    [
      ['s1', 'fail', 'a'],
      ['s2', 'fail', 'a'],
    ],
  );
  await assert.rejects(
    applyRebalance(c.control, c.mover, () => {}),
    /boom/,
  );
  for (const n of c.nodes.values()) assert.deepEqual([n.availability, n.labels], ['active', {}]);
});

test('drain side: every dyno on the node is replaced, other tasks are only counted', async () => {
  const c = cluster(
    ['a', 'b'],
    [
      ['s1', 'web', 'a'],
      ['s2', 'worker', 'a'],
      ['s3', 'web', 'b'],
    ],
  );
  c.nodes.set('a', { ...c.nodes.get('a')!, availability: 'pause' });
  const extra = { serviceId: 'x', nodeId: 'a', serviceName: 'x', serviceLabels: {} };
  const tasks = c.control.runningTasks.bind(c.control);
  c.control.runningTasks = async () => [...(await tasks()), extra];
  const result = await moveDynosOff(c.control, c.mover, { id: 'a', name: 'a' }, () => {});
  assert.deepEqual(result, { moved: 2, retired: 0, others: 1 });
  assert.deepEqual(where(c.placed()), ['b', 'b', 'b']);
});

test('at start, nodes a crashed move left paused are active again; one drained meanwhile stays drained', async () => {
  const c = cluster(['a', 'b', 'c'], []);
  c.nodes.set('a', { ...c.nodes.get('a')!, availability: 'pause', labels: { [PAUSED_LABEL]: 'move', zone: 'x' } });
  c.nodes.set('b', { ...c.nodes.get('b')!, availability: 'drain', labels: { [PAUSED_LABEL]: 'move' } });
  c.nodes.set('c', { ...c.nodes.get('c')!, availability: 'pause' });
  assert.equal(await resumePausedNodes(c.control), 2);
  const view = (id: string) => [c.nodes.get(id)!.availability, c.nodes.get(id)!.labels];
  assert.deepEqual(view('a'), ['active', { zone: 'x' }]);
  assert.deepEqual(view('b'), ['drain', {}]);
  assert.deepEqual(view('c'), ['pause', {}], 'a pause Slipway did not make is left alone');
});
