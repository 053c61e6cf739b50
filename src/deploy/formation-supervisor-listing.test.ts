import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openStore, type Store } from '../store/store.js';
import { DEFAULT_SETTINGS, LABELS } from '../core/types.js';
import { DeployService } from './deploy-service.js';
import { FormationSupervisor } from './formation-supervisor.js';
import { FakeEngine, FakeRouter, startProbeTargets } from './testing/fake-ports.js';

/** The fake engine, counting listings: `all` (no app label) and per app. */
class CountingEngine extends FakeEngine {
  readonly listings: string[] = [];
  /** Runs once, right after the next listing of every app (e.g. a deploy that lands in between). */
  afterListingAll: (() => void) | undefined;

  override async listContainers(labels: Record<string, string | undefined>) {
    this.listings.push(labels[LABELS.app] ?? 'all');
    const found = await super.listContainers(labels);
    if (labels[LABELS.app] === undefined) {
      this.afterListingAll?.();
      this.afterListingAll = undefined;
    }
    return found;
  }
}

let ports: Awaited<ReturnType<typeof startProbeTargets>>;
before(async () => {
  ports = await startProbeTargets();
});
after(() => ports.close());

const APPS = ['a', 'b', 'c'];

/** Three apps, each with v1 (one web container) deployed through the fakes. */
async function world(): Promise<{ store: Store; engine: CountingEngine; supervisor: FormationSupervisor }> {
  const store = openStore(':memory:', randomBytes(32));
  const engine = new CountingEngine();
  engine.behaviour = () => ({ port: ports.healthy });
  const router = new FakeRouter();
  const deploys = new DeployService({ engine, router, store });
  for (const app of APPS) {
    store.apps.create(app, new Date().toISOString());
    store.apps.updateSettings(app, {
      ...DEFAULT_SETTINGS,
      healthcheck: { path: '/health', attempts: 2, intervalMs: 50, timeoutMs: 1000 },
      drainTimeoutMs: 1000,
      stopGraceSec: 1,
    });
    const build = store.releases.addBuild({
      app,
      imageId: 'img1',
      imageRef: 'img:1',
      source: { kind: 'image', image: 'img:1' },
      procfile: null,
      createdAt: new Date().toISOString(),
    });
    const release = store.releases.create({
      app,
      buildId: build.id,
      config: {},
      description: 'v1',
      now: new Date().toISOString(),
    });
    await deploys.deployRelease(app, release.version, { emit: () => {} });
  }
  engine.listings.length = 0;
  const supervisor = new FormationSupervisor(
    { engine, router, store, processesOf: (r) => deploys.processesOf(r), log: () => {} },
    { policy: { baseDelayMs: 0, maxDelayMs: 0, stableMs: 60_000, loopCrashes: 3, windowMs: 60_000 } },
  );
  return { store, engine, supervisor };
}

function containerOf(engine: FakeEngine, app: string): string {
  return [...engine.containers.entries()].find(
    ([, c]) => c.info.labels[LABELS.app] === app && c.info.state === 'running',
  )![0];
}

test('a pass over every app lists the containers once, not once per app, and still heals a dead dyno', async () => {
  const { engine, supervisor } = await world();
  await supervisor.reconcileAll();
  assert.deepEqual(engine.listings, ['all']);
  assert.deepEqual(engine.calls.filter((c) => c.startsWith('run')).length, 3, 'nothing restarted');

  await engine.killContainer(containerOf(engine, 'b'));
  engine.listings.length = 0;
  await supervisor.reconcileAll();
  // b's heal is a deployment of its own; the others were served by the one listing.
  assert.equal(engine.listings.filter((l) => l === 'all').length, 1);
  assert.deepEqual(
    engine.listings.filter((l) => l !== 'all' && l !== 'b'),
    [],
  );
  assert.equal(engine.calls.filter((c) => c.startsWith('run')).length, 4, 'b restarted');
  assert.equal(
    [...engine.containers.values()].filter((c) => c.info.labels[LABELS.app] === 'b' && c.info.state === 'running')
      .length,
    1,
  );
  await supervisor.stop();
});

test('an app whose deployment started after the listing began is listed again by its own pass', async () => {
  const { store, engine, supervisor } = await world();
  engine.afterListingAll = () => {
    // A deploy of c runs and ends between the listing and c's pass: what was listed for c is stale.
    const d = store.deployments.start({ app: 'c', release: 1, kind: 'deploy', now: new Date().toISOString() });
    store.deployments.finish(d.id, 'succeeded', new Date().toISOString());
  };
  await supervisor.reconcileAll();
  assert.deepEqual(engine.listings.sort(), ['all', 'c']);
  await supervisor.stop();
});
