import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planRebalance, type RebalanceNode } from './rebalance-plan.js';

const three: RebalanceNode[] = [
  { id: 'i1', name: 'n1', eligible: true },
  { id: 'i2', name: 'n2', eligible: true },
  { id: 'i3', name: 'n3', eligible: true },
];
const tasks = (service: string, ...nodeIds: string[]) => nodeIds.map((nodeId) => ({ service, nodeId }));

test('an over-packed service spreads with the fewest moves', () => {
  assert.deepEqual(planRebalance(three, tasks('web', 'i1', 'i1', 'i1', 'i1', 'i2', 'i2')), [
    {
      service: 'web',
      before: { n1: 4, n2: 2 },
      after: { n1: 2, n2: 2, n3: 2 },
      moves: [{ from: 'n1', to: 'n3', count: 2 }],
    },
  ]);
});

test('an even service (within one) is left out; several services are planned each on its own', () => {
  const plan = planRebalance(three, [...tasks('web', 'i1', 'i2', 'i3', 'i1'), ...tasks('worker', 'i2', 'i2', 'i2')]);
  assert.deepEqual(plan, [
    {
      service: 'worker',
      before: { n2: 3 },
      after: { n1: 1, n2: 1, n3: 1 },
      moves: [
        { from: 'n2', to: 'n1', count: 1 },
        { from: 'n2', to: 'n3', count: 1 },
      ],
    },
  ]);
});

test('tasks on a node that is not eligible (drained, down) always move', () => {
  const nodes = [three[0]!, { ...three[1]!, eligible: false }, three[2]!];
  assert.deepEqual(planRebalance(nodes, tasks('web', 'i1', 'i2')), [
    { service: 'web', before: { n1: 1, n2: 1 }, after: { n1: 1, n3: 1 }, moves: [{ from: 'n2', to: 'n3', count: 1 }] },
  ]);
});

test('no eligible node or no task: nothing to do', () => {
  assert.deepEqual(planRebalance([], tasks('web', 'i1')), []);
  assert.deepEqual(planRebalance(three, []), []);
  assert.deepEqual(planRebalance([{ id: 'i1', name: 'n1', eligible: true }], tasks('web', 'i1', 'i1')), []);
});

test('a service spreads only over the nodes its placement allows; one Slipway cannot judge is left alone', () => {
  const notN3 = (_service: string, nodeId: string) => nodeId !== 'i3';
  assert.deepEqual(planRebalance(three, tasks('web', 'i1', 'i1', 'i1', 'i1'), notN3), [
    { service: 'web', before: { n1: 4 }, after: { n1: 2, n2: 2 }, moves: [{ from: 'n1', to: 'n2', count: 2 }] },
  ]);
  assert.deepEqual(
    planRebalance(three, tasks('web', 'i1', 'i1', 'i1'), () => undefined),
    [],
  );
});
