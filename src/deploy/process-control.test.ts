import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openStore, type Store } from '../store/store.js';
import { SlipwayError } from '../core/errors.js';
import type { Release } from '../core/types.js';
import type { DeployService } from './deploy-service.js';
import type { RunService } from '../runs/run-service.js';
import { ProcessControl } from './process-control.js';
import { runningFormation } from './stopped-types.js';

function shop(): Store {
  const store = openStore(':memory:', randomBytes(32));
  store.apps.create('shop', '2026-01-01T00:00:00Z');
  const build = store.releases.addBuild({
    app: 'shop',
    imageId: 'sha256:1',
    imageRef: 'sha256:1',
    source: { kind: 'image', image: 'x' },
    procfile: { web: 'node web.js', worker: 'node worker.js' },
    createdAt: '',
  });
  store.releases.create({ app: 'shop', buildId: build.id, config: {}, description: 'd', now: '' });
  store.apps.setCurrentRelease('shop', 1);
  store.apps.setFormation('shop', { web: 2, worker: 3 });
  return store;
}

/** A DeployService whose rollout sees what ran (the formation that should run) and may fail. */
function fakeDeploys(store: Store, fail?: SlipwayError) {
  const rollouts: { label: string; running: Record<string, number> }[] = [];
  const deploys = {
    processesOf: (r: Release) => ({ ...store.releases.build(r.buildId).procfile }),
    converge: async (app: string, _kind: string, label: string, change: { apply(): void; undo(): void }) => {
      change.apply();
      rollouts.push({ label, running: runningFormation(store.apps.formation(app), store.stoppedProcesses.types(app)) });
      if (fail) {
        change.undo();
        throw fail;
      }
      return { app, release: 1, deployment: rollouts.length, ms: 5 };
    },
  } as unknown as DeployService;
  return { deploys, rollouts };
}

const noRuns = {} as RunService;
const opts = { emit: () => undefined, actor: 'admin' };

describe('ps:stop / ps:start of process types', () => {
  it('stop keeps the count and rolls out to 0; start brings the count back; repeats change nothing', async () => {
    const store = shop();
    const { deploys, rollouts } = fakeDeploys(store);
    const control = new ProcessControl({ store, deploys, runs: noRuns });
    const stopped = await control.stop('shop', ['worker'], opts);
    assert.deepEqual([stopped.stopped, stopped.already], [['worker'], []]);
    assert.deepEqual(rollouts.at(-1), { label: 'stop worker', running: { web: 2, worker: 0 } });
    assert.deepEqual(store.apps.formation('shop'), { web: 2, worker: 3 }, 'the count is kept');
    assert.equal(store.stoppedProcesses.forApp('shop')[0]?.stoppedBy, 'admin');
    const again = await control.stop('shop', ['worker'], opts);
    assert.deepEqual([again.stopped, again.already, again.rollout], [[], ['worker'], undefined]);
    assert.equal(rollouts.length, 1, 'no rollout for a type already stopped');
    const started = await control.start('shop', [], opts);
    assert.deepEqual(started.started, ['worker']);
    assert.deepEqual(rollouts.at(-1), { label: 'start worker', running: { web: 2, worker: 3 } });
  });

  it('a failed rollout puts the stopped state back; unknown types and empty requests are refused', async () => {
    const store = shop();
    const failing = fakeDeploys(store, new SlipwayError('HEALTHCHECK_FAILED', 'web.1 never answered'));
    const control = new ProcessControl({ store, deploys: failing.deploys, runs: noRuns });
    await assert.rejects(control.stop('shop', ['web'], opts), /never answered/);
    assert.deepEqual([...store.stoppedProcesses.types('shop')], [], 'web is not left marked stopped');
    const refused = (p: Promise<unknown>, message: RegExp, hint: RegExp) =>
      assert.rejects(
        p,
        (err: unknown) => err instanceof SlipwayError && message.test(err.message) && hint.test(err.hint ?? ''),
      );
    await refused(control.stop('shop', ['clock'], opts), /v1 has no process type "clock"/, /known types: web, worker/);
    await refused(control.stop('shop', [], opts), /what to stop\?/, /run\.ab12cd/);
    await refused(control.start('shop', ['nope'], opts), /no process type "nope"/, /ps:start/);
    assert.equal(failing.rollouts.length, 1, 'bad input starts no rollout');
  });
});
