import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pollUntil } from '../core/abort.js';
import { startAutoRebalance } from './auto-rebalance.js';
import type { RebalanceGroup, RebalanceResult } from './node-moves.js';

const group = (moves: number): RebalanceGroup => ({
  service: 'shop/web',
  app: 'shop',
  process: 'web',
  before: {},
  after: {},
  moves: [{ from: 'a', to: 'b', count: moves }],
});

test('applies only a plan seen twice in a row, never while busy, and leaves an even cluster alone', async () => {
  const calls: string[] = [];
  let uneven = true;
  let idle = false;
  let looks = 0;
  const stop = startAutoRebalance({
    intervalMs: 5,
    backoffLooks: 3,
    idle: () => {
      looks += 1;
      return idle;
    },
    log: () => {},
    rebalance: async ({ dryRun }): Promise<RebalanceResult> => {
      calls.push(dryRun ? 'plan' : 'apply');
      const services = uneven ? [group(1)] : [];
      if (!dryRun) uneven = false;
      return { services, applied: !dryRun, moved: dryRun ? 0 : 1, remaining: [] };
    },
  });
  try {
    await pollUntil(async () => (looks >= 3 ? true : undefined), { timeoutMs: 5000, intervalMs: 5, what: 'looks' });
    assert.equal(calls.length, 0, 'nothing while a deployment runs');
    idle = true;
    await pollUntil(async () => (calls.includes('apply') ? true : undefined), {
      timeoutMs: 5000,
      intervalMs: 5,
      what: 'a rebalance',
    });
    assert.deepEqual(calls.slice(0, 3), ['plan', 'plan', 'apply']);
    // Even now: it only looks.
    const applied = calls.filter((c) => c === 'apply').length;
    await pollUntil(async () => (calls.length > 8 ? true : undefined), {
      timeoutMs: 5000,
      intervalMs: 5,
      what: 'looks',
    });
    assert.equal(calls.filter((c) => c === 'apply').length, applied);
  } finally {
    stop();
  }
});
