import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openStore, type Store } from '../store/store.js';
import { SlipwayError, isSlipwayError } from '../core/errors.js';
import { DEFAULT_SETTINGS, LABELS } from '../core/types.js';
import type { SlipwayEvent } from '../core/events.js';
import { DeployService } from './deploy-service.js';
import { FakeEngine, FakeRouter, startProbeTargets } from './testing/fake-ports.js';

const APP = 'shop';
const SECRET = 'hunter2-very-secret';

let ports: Awaited<ReturnType<typeof startProbeTargets>>;
before(async () => {
  ports = await startProbeTargets();
});
after(() => ports.close());

interface World {
  store: Store;
  engine: FakeEngine;
  router: FakeRouter;
  deploys: DeployService;
  events: SlipwayEvent[];
  /** Creates release vN of image `img:N` (a Procfile when given) and deploys it. */
  release(procfile?: Record<string, string>): Promise<number>;
}

/** An app whose v1 (one web container, healthy) is deployed through the fakes. */
async function world(): Promise<World> {
  const store = openStore(':memory:', randomBytes(32));
  const engine = new FakeEngine();
  const router = new FakeRouter();
  store.apps.create(APP, new Date().toISOString());
  store.apps.updateSettings(APP, {
    ...DEFAULT_SETTINGS,
    healthcheck: { path: '/health', attempts: 2, intervalMs: 50, timeoutMs: 1000 },
    drainTimeoutMs: 1000,
    stopGraceSec: 1,
  });
  store.apps.setConfig(APP, { SECRET });
  engine.behaviour = () => ({ port: ports.healthy });
  const deploys = new DeployService({ engine, router, store });
  const events: SlipwayEvent[] = [];
  let n = 0;
  const release = async (procfile?: Record<string, string>) => {
    n += 1;
    const build = store.releases.addBuild({
      app: APP,
      imageId: `img${n}`,
      imageRef: `img:${n}`,
      source: { kind: 'image', image: `img:${n}` },
      procfile: procfile ?? null,
      createdAt: new Date().toISOString(),
    });
    const r = store.releases.create({
      app: APP,
      buildId: build.id,
      config: store.apps.config(APP),
      description: `v${n}`,
      now: new Date().toISOString(),
    });
    await deploys.deployRelease(APP, r.version, { emit: (e) => events.push(e) });
    return r.version;
  };
  await release();
  return { store, engine, router, deploys, events, release };
}

/** The v1 server name (`web-1-c1`): the first container the fake engine started. */
const V1 = 'web-1-c1';

function lastDeployment(store: Store) {
  return store.deployments.list(APP)[0]!;
}

/** What the journal says: each step's kind and status. */
function journal(store: Store, id: number): string[] {
  return store.deployments.steps<{ kind: string }>(id).map((s) => `${s.step.kind} ${s.status}`);
}

/** HAProxy, the route table and the engine agree: v1's container alone serves. */
function onlyV1Serves(w: World): void {
  assert.deepEqual(w.router.table(), [`${APP}/${V1} ready`]);
  assert.deepEqual(
    w.store.routes.forApp(APP).map((r) => `${r.serverName} ${r.state}`),
    [`${V1} ready`],
  );
  assert.deepEqual(w.engine.running(), ['web.1@v1']);
}

const pending = (kinds: string[]) => kinds.map((k) => `${k} pending`);

function stageTexts(store: Store, id: number): string[] {
  return store.deployments
    .events(id)
    .map((e) => ('text' in e ? String(e.text) : ''))
    .filter(Boolean);
}

describe('DeployService failure paths (fake engine and router, real SQLite)', () => {
  test('v1 deploys: one web container, routed and UP', async () => {
    const w = await world();
    onlyV1Serves(w);
    assert.equal(w.store.apps.get(APP).currentRelease, 1);
  });

  test('a new container that fails its probe is removed; v1 keeps serving, untouched', async () => {
    const w = await world();
    w.engine.behaviour = () => ({ port: ports.sick, logs: ['listening on the wrong port'] });
    const callsBefore = w.router.calls.length;
    await assert.rejects(w.release(), (err: unknown) => isSlipwayError(err) && err.code === 'HEALTHCHECK_FAILED');
    onlyV1Serves(w);
    assert.deepEqual(w.router.calls.slice(callsBefore), [], 'the router was never touched');
    assert.ok(w.engine.calls.includes('remove web.1@v2'), 'the failed container was killed');
    assert.equal(w.store.apps.get(APP).currentRelease, 1);
    assert.equal(w.store.releases.get(APP, 2).status, 'failed');
    const deployment = lastDeployment(w.store);
    assert.equal(deployment.status, 'failed');
    assert.equal(deployment.error?.code, 'HEALTHCHECK_FAILED');
    // Planned, not run: the rest of the plan stays pending in the journal.
    assert.deepEqual(journal(w.store, deployment.id), [
      'start done',
      'probe failed',
      ...pending(['route-add', 'wait-up', 'drain', 'wait-drained', 'route-remove', 'stop', 'remove']),
    ]);
    assert.ok(stageTexts(w.store, deployment.id).includes('removed failed container web.1@v2'));
  });

  test('HAProxy never reports the new container UP: it leaves the router and the store, and is killed', async () => {
    const w = await world();
    w.router.failNext('wait-up', new SlipwayError('HEALTHCHECK_FAILED', 'never UP'));
    await assert.rejects(w.release(), (err: unknown) => isSlipwayError(err) && err.code === 'HEALTHCHECK_FAILED');
    onlyV1Serves(w);
    const calls = w.router.calls.filter((c) => c.includes('web-1-c2'));
    assert.deepEqual(calls, ['add shop/web-1-c2', 'wait-up shop/web-1-c2', 'remove shop/web-1-c2']);
    assert.deepEqual(journal(w.store, lastDeployment(w.store).id), [
      'start done',
      'probe done',
      'route-add done',
      'wait-up failed',
      ...pending(['drain', 'wait-drained', 'route-remove', 'stop', 'remove']),
    ]);
  });

  test('a failure while draining the old container: it returns to rotation and the new one is retired', async () => {
    const w = await world();
    w.router.failNext('wait-drained', new SlipwayError('HAPROXY_UNAVAILABLE', 'the runtime socket went away'), V1);
    await assert.rejects(w.release(), (err: unknown) => isSlipwayError(err) && err.code === 'HAPROXY_UNAVAILABLE');
    // HAProxy had drained v1 when the wait failed: the revert put it back, and retired v2 the safe way.
    onlyV1Serves(w);
    const v2 = w.router.calls.filter((c) => c.includes('web-1-c2'));
    assert.deepEqual(v2.slice(-3), ['drain shop/web-1-c2', 'wait-drained shop/web-1-c2', 'remove shop/web-1-c2']);
    assert.deepEqual(journal(w.store, lastDeployment(w.store).id), [
      'start done',
      'probe done',
      'route-add done',
      'wait-up done',
      'drain done',
      'wait-drained failed',
      ...pending(['route-remove', 'stop', 'remove']),
      // the revert, journaled in the same deployment
      'route-ready done',
      'drain done',
      'wait-drained done',
      'route-remove done',
      'stop done',
      'remove done',
    ]);
    assert.equal(w.store.apps.get(APP).currentRelease, 1);
  });

  test('a revert that itself fails: the deploy error is reported, the revert failure is in the journal', async () => {
    const w = await world();
    w.router.failNext('drain', new SlipwayError('HAPROXY_UNAVAILABLE', 'drain refused'), V1);
    w.router.failNext('ready', new SlipwayError('HAPROXY_UNAVAILABLE', 'ready refused too'), V1);
    await assert.rejects(
      w.release(),
      (err: unknown) => isSlipwayError(err) && err.code === 'HAPROXY_UNAVAILABLE' && err.message === 'drain refused',
    );
    const deployment = lastDeployment(w.store);
    assert.equal(deployment.status, 'failed');
    assert.equal(deployment.error?.message, 'drain refused');
    assert.deepEqual(journal(w.store, deployment.id), [
      'start done',
      'probe done',
      'route-add done',
      'wait-up done',
      'drain failed',
      ...pending(['wait-drained', 'route-remove', 'stop', 'remove']),
      'route-ready failed',
      ...pending(['drain', 'wait-drained', 'route-remove', 'stop', 'remove']),
    ]);
    const failedStages = w.store.deployments
      .events(deployment.id)
      .flatMap((e) => (e.type === 'stage-end' && !e.ok ? [`${e.stage}: ${e.note ?? ''}`] : []));
    assert.ok(
      failedStages.some((s) => s.startsWith('revert') && s.includes('ready refused too')),
      JSON.stringify(failedStages),
    );
    assert.equal(w.store.releases.get(APP, 2).status, 'failed');
    assert.equal(w.store.apps.get(APP).currentRelease, 1);
  });

  test('a release phase that fails starts and switches nothing; its output is in the journal, redacted', async () => {
    const w = await world();
    w.engine.behaviour = (spec) =>
      spec.labels[LABELS.process] === 'release'
        ? { exitCode: 3, logs: ['migrating', `cannot connect with ${SECRET}`] }
        : { port: ports.healthy };
    const routerCalls = w.router.calls.length;
    const engineCalls = w.engine.calls.length;
    await assert.rejects(
      w.release({ web: 'node web.js', release: 'node migrate.js' }),
      (err: unknown) =>
        isSlipwayError(err) && err.code === 'CONTAINER_FAILED' && /nothing was switched/.test(err.message),
    );
    onlyV1Serves(w);
    assert.deepEqual(w.engine.calls.slice(engineCalls), ['run release.1@v2', 'remove release.1@v2']);
    assert.deepEqual(w.router.calls.slice(routerCalls), []);
    const deployment = lastDeployment(w.store);
    assert.deepEqual(journal(w.store, deployment.id), [], 'no rollout step was planned');
    const stored = JSON.stringify(w.store.deployments.events(deployment.id));
    assert.match(stored, /migrating/);
    assert.doesNotMatch(stored, new RegExp(SECRET));
    assert.equal(w.store.releases.get(APP, 2).status, 'failed');
  });

  test('warm-set retirement and apps:destroy run the retire steps through the journal', async () => {
    const w = await world();
    w.store.apps.updateSettings(APP, { ...w.store.apps.get(APP).settings, strategy: 'blue-green' });
    await w.release();
    assert.deepEqual(w.router.table(), [`${APP}/${V1} maint`, `${APP}/web-1-c2 ready`], 'v1 parked warm');
    assert.equal(await w.deploys.retireExpiredWarmSets(new Date(Date.now() + 24 * 3600_000)), 1);
    const retire = lastDeployment(w.store);
    assert.equal(retire.kind, 'retire');
    assert.deepEqual(journal(w.store, retire.id), ['route-remove done', 'stop done', 'remove done']);
    assert.deepEqual(w.engine.running(), ['web.1@v2']);
    const lock = w.store.deployments.start({ app: APP, release: 2, kind: 'destroy', now: new Date().toISOString() });
    assert.equal(await w.deploys.removeAllContainers(APP, lock.id), 1);
    assert.deepEqual(journal(w.store, lock.id), [
      'drain done',
      'wait-drained done',
      'route-remove done',
      'stop done',
      'remove done',
    ]);
    assert.deepEqual(w.router.table(), []);
    assert.deepEqual(w.engine.running(), []);
  });
});
