import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openStore, type Store } from '../store/store.js';
import { SlipwayError, isSlipwayError } from '../core/errors.js';
import { DEFAULT_SETTINGS, LABELS, type AppSettings } from '../core/types.js';
import { RolloutExecutor, type RolloutTarget } from './rollout-executor.js';
import type { DeployStep } from './plan-types.js';
import { FakeEngine, FakeRouter, startProbeTargets } from './testing/fake-ports.js';
import { abortError } from '../core/abort.js';
import type { HealthCheckSettings, RouteServer } from '../router/port.js';

const APP = 'shop';
const SETTINGS: AppSettings = {
  ...DEFAULT_SETTINGS,
  healthcheck: { path: '/health', attempts: 2, intervalMs: 50, timeoutMs: 1000 },
  drainTimeoutMs: 1000,
  stopGraceSec: 1,
};

let ports: Awaited<ReturnType<typeof startProbeTargets>>;
before(async () => {
  ports = await startProbeTargets();
});
after(() => ports.close());

function setup(target: Partial<RolloutTarget> = {}, opts: { router?: FakeRouter; signal?: AbortSignal } = {}) {
  const store: Store = openStore(':memory:', randomBytes(32));
  store.apps.create(APP, new Date().toISOString());
  const engine = new FakeEngine();
  const router = opts.router ?? new FakeRouter();
  const deployment = store.deployments.start({ app: APP, release: 2, kind: 'deploy', now: new Date().toISOString() });
  const executor = new RolloutExecutor(
    {
      engine,
      router,
      store,
      emit: (e) => store.deployments.addEvent(deployment.id, e),
      ...(opts.signal ? { signal: opts.signal } : {}),
    },
    {
      app: APP,
      deploymentId: deployment.id,
      desired: { release: 2, image: 'img:2', processes: { web: null }, formation: { web: 1 } },
      config: {},
      settings: SETTINGS,
      ...target,
    },
  );
  const journal = () => store.deployments.steps<DeployStep>(deployment.id).map((s) => `${s.step.kind} ${s.status}`);
  const events = () => store.deployments.events(deployment.id);
  return { store, engine, router, executor, journal, events };
}

/** A router whose `method` (wait-up or add) hangs until the caller's signal aborts, then rejects like the real one. */
class HangingRouter extends FakeRouter {
  /** Resolves once the hanging call has begun. */
  readonly entered: Promise<void>;
  private enter: () => void = () => {};

  constructor(private readonly method: 'wait-up' | 'add') {
    super();
    this.entered = new Promise((resolve) => (this.enter = resolve));
  }

  override async waitServerUp(app: string, name: string, opts?: { signal?: AbortSignal }): Promise<void> {
    await super.waitServerUp(app, name);
    if (this.method === 'wait-up') await this.hang(opts?.signal);
  }

  override async addServer(
    app: string,
    server: RouteServer,
    check: HealthCheckSettings,
    signal?: AbortSignal,
  ): Promise<void> {
    if (this.method !== 'add') return super.addServer(app, server, check);
    this.calls.push(`add ${app}/${server.name} (cut)`);
    await this.hang(signal);
  }

  private hang(signal: AbortSignal | undefined): Promise<never> {
    this.enter();
    return new Promise((_resolve, reject) => {
      if (!signal) return;
      signal.addEventListener('abort', () => reject(abortError(signal)), { once: true });
    });
  }
}

const isAborted = (err: unknown) => isSlipwayError(err) && err.code === 'ABORTED';

const key = 'web.1@v2';
const startWeb: DeployStep[] = [
  { kind: 'start', key, process: 'web', index: 1, release: 2 },
  { kind: 'probe', key },
  { kind: 'route-add', key },
  { kind: 'wait-up', key },
];

describe('RolloutExecutor (fake engine and router, real SQLite)', () => {
  test('starts, probes, routes and waits for UP; each step journaled with its result', async () => {
    const { engine, router, executor, journal, store } = setup();
    engine.behaviour = () => ({ port: ports.healthy });
    await executor.execute(startWeb);
    assert.deepEqual(journal(), ['start done', 'probe done', 'route-add done', 'wait-up done']);
    assert.deepEqual(router.table(), [`${APP}/web-1-c1 ready`]);
    assert.deepEqual(
      store.routes.forApp(APP).map((r) => [r.serverName, r.containerId, r.address, r.port, r.state]),
      [['web-1-c1', 'c1', '127.0.0.1', ports.healthy, 'ready']],
    );
  });

  test('a container that exits at once is named in the error and removed; its output stays in the log', async () => {
    const { engine, router, executor, journal, store } = setup();
    engine.behaviour = () => ({ exitCode: 127, logs: ['sh: 1: node: not found'] });
    await assert.rejects(executor.execute(startWeb), (err: unknown) => {
      assert.ok(isSlipwayError(err));
      assert.equal(err.code, 'CONTAINER_FAILED');
      assert.match(err.message, /^web\.1 exited with code 127/);
      assert.deepEqual(err.details?.['logs'], ['sh: 1: node: not found']);
      return true;
    });
    assert.deepEqual(journal(), ['start failed', 'probe pending', 'route-add pending', 'wait-up pending']);
    assert.deepEqual(engine.running(), []);
    assert.equal(engine.containers.size, 0, 'removed');
    assert.ok(store.logs.hasContainer('c1'), 'its output is in the log history');
    assert.deepEqual(router.calls, []);
  });

  test('a server that never comes UP leaves HAProxy and the route table, then its container goes', async () => {
    const { engine, router, executor, store } = setup();
    engine.behaviour = () => ({ port: ports.healthy });
    router.failNext('wait-up', new SlipwayError('TIMEOUT', 'not UP'));
    await assert.rejects(
      executor.execute(startWeb),
      (err: unknown) =>
        isSlipwayError(err) && err.code === 'HEALTHCHECK_FAILED' && /never reported it UP/.test(err.message),
    );
    assert.deepEqual(router.calls, ['add shop/web-1-c1', 'wait-up shop/web-1-c1', 'remove shop/web-1-c1']);
    assert.deepEqual(store.routes.forApp(APP), []);
    assert.deepEqual(engine.calls.slice(-1), ['remove web.1@v2']);
  });

  test('with a signal that is not aborted, a real failure still removes the container it started', async () => {
    const { engine, router, executor, store } = setup({}, { signal: new AbortController().signal });
    engine.behaviour = () => ({ port: ports.healthy });
    router.failNext('wait-up', new SlipwayError('TIMEOUT', 'not UP'));
    await assert.rejects(
      executor.execute(startWeb),
      (err: unknown) => isSlipwayError(err) && err.code === 'HEALTHCHECK_FAILED',
    );
    assert.deepEqual(engine.running(), []);
    assert.deepEqual(engine.calls.slice(-1), ['remove web.1@v2']);
    assert.deepEqual(store.routes.forApp(APP), []);
    assert.deepEqual(router.table(), []);
  });

  test(
    'aborted in wait-up (the server stopping): the started container keeps running and routed, ' +
      'the error is ABORTED, not a failed health check',
    async () => {
      const router = new HangingRouter('wait-up');
      const controller = new AbortController();
      const { engine, executor, store, journal, events } = setup({}, { router, signal: controller.signal });
      engine.behaviour = () => ({ port: ports.healthy });
      const run = executor.execute(startWeb);
      await router.entered;
      controller.abort();
      await assert.rejects(run, (err: unknown) => {
        assert.ok(isAborted(err), String(err));
        assert.match((err as SlipwayError).message, /interrupted at wait-up web\.1@v2/);
        return true;
      });
      assert.deepEqual(journal(), ['start done', 'probe done', 'route-add done', 'wait-up failed']);
      assert.deepEqual(engine.running(), ['web.1@v2'], 'not killed');
      assert.ok(!engine.calls.some((c) => c.startsWith('remove') || c.startsWith('stop')), engine.calls.join());
      assert.deepEqual(router.table(), [`${APP}/web-1-c1 ready`], 'still in HAProxy');
      assert.deepEqual(
        store.routes.forApp(APP).map((r) => [r.serverName, r.containerId, r.state]),
        [['web-1-c1', 'c1', 'ready']],
      );
      assert.ok(
        events().some((e) => e.type === 'info' && /left running for recovery: web\.1@v2 \(c1\)/.test(e.text)),
        JSON.stringify(events()),
      );
    },
  );

  test('aborted during the health check: the container is left running (unrouted), not removed', async () => {
    const controller = new AbortController();
    const { engine, executor, journal, router } = setup(
      { settings: { ...SETTINGS, healthcheck: { path: '/health', attempts: 1000, intervalMs: 20, timeoutMs: 500 } } },
      { signal: controller.signal },
    );
    engine.behaviour = () => ({ port: ports.sick });
    // The probe of a sick container keeps trying; it watches the container's exit as it begins: abort then.
    const wait = engine.waitContainer.bind(engine);
    engine.waitContainer = (id, signal) => {
      setImmediate(() => controller.abort());
      return wait(id, signal);
    };
    await assert.rejects(executor.execute(startWeb), isAborted);
    assert.deepEqual(journal(), ['start done', 'probe failed', 'route-add pending', 'wait-up pending']);
    assert.deepEqual(engine.running(), ['web.1@v2']);
    assert.ok(!engine.calls.some((c) => c.startsWith('remove')), engine.calls.join());
    assert.deepEqual(router.calls, []);
  });

  test('aborted in route-add: the half-made route is undone, the container keeps running', async () => {
    const router = new HangingRouter('add');
    const controller = new AbortController();
    const { engine, executor, store, journal } = setup({}, { router, signal: controller.signal });
    engine.behaviour = () => ({ port: ports.healthy });
    const run = executor.execute(startWeb);
    await router.entered;
    assert.equal(store.routes.forApp(APP).length, 1, 'the store had the route before HAProxy');
    controller.abort();
    await assert.rejects(run, isAborted);
    assert.deepEqual(journal(), ['start done', 'probe done', 'route-add failed', 'wait-up pending']);
    assert.deepEqual(engine.running(), ['web.1@v2']);
    assert.deepEqual(store.routes.forApp(APP), []);
    assert.deepEqual(router.calls, ['add shop/web-1-c1 (cut)', 'remove shop/web-1-c1']);
  });

  test('aborted between two steps: the next step is not begun, and nothing is removed', async () => {
    const controller = new AbortController();
    const { engine, executor, journal } = setup({}, { signal: controller.signal });
    engine.behaviour = () => {
      controller.abort(); // while the engine starts the container
      return { port: ports.healthy };
    };
    await assert.rejects(executor.execute(startWeb), isAborted);
    assert.deepEqual(journal(), ['start done', 'probe pending', 'route-add pending', 'wait-up pending']);
    assert.deepEqual(engine.running(), ['web.1@v2']);
  });

  test('route-ready puts a kept server back at full weight, re-adding it when HAProxy lost it', async () => {
    const { store, router, executor } = setup();
    store.routes.upsert({
      app: APP,
      serverName: 'web-1-c9',
      containerId: 'c9',
      address: '172.17.0.9',
      port: 5000,
      state: 'drain',
      weight: 0,
    });
    await executor.execute([{ kind: 'route-ready', containerId: 'c9', serverName: 'web-1-c9' }]);
    assert.deepEqual(router.calls, ['ready shop/web-1-c9', 'add shop/web-1-c9', 'wait-up shop/web-1-c9']);
    assert.deepEqual(router.table(), [`${APP}/web-1-c9 ready`]);
    const [route] = store.routes.forApp(APP);
    assert.deepEqual([route?.state, route?.weight], ['ready', undefined]);
  });

  test('removed containers keep their logs, unless the target says not to (apps:destroy)', async () => {
    for (const archiveLogs of [true, false]) {
      const { engine, executor, store } = setup({ archiveLogs });
      const id = engine.seed({
        [LABELS.app]: APP,
        [LABELS.process]: 'worker',
        [LABELS.index]: '1',
        [LABELS.release]: 'v1',
      });
      engine.containers.get(id)!.logs.push('working');
      await executor.execute([
        { kind: 'stop', containerId: id },
        { kind: 'remove', containerId: id },
      ]);
      assert.equal(engine.containers.size, 0);
      assert.equal(store.logs.hasContainer(id), archiveLogs);
    }
  });

  test('a start without an image in the desired state is refused before anything runs', async () => {
    const { engine, executor } = setup({ desired: { release: 0, processes: { web: null }, formation: { web: 1 } } });
    await assert.rejects(executor.execute(startWeb), (err: unknown) => isSlipwayError(err) && err.code === 'INTERNAL');
    assert.deepEqual(engine.calls, []);
  });
});
