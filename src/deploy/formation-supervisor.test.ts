import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openStore, type Store } from '../store/store.js';
import { SlipwayError } from '../core/errors.js';
import { LABELS } from '../core/types.js';
import type { ContainerEngine, ContainerEvent, ContainerEventQuery } from '../engine/port.js';
import type { Router } from '../router/port.js';
import { FormationSupervisor } from './formation-supervisor.js';

/** A scripted engine: each subscription to the event stream runs the next script. */
class FakeEngine {
  readonly subscriptions: ContainerEventQuery[] = [];
  pingFailures = 0;
  pings = 0;
  constructor(private readonly scripts: ((query: ContainerEventQuery) => AsyncGenerator<ContainerEvent>)[]) {}

  async ping(): Promise<void> {
    this.pings++;
    if (this.pingFailures-- > 0) throw new SlipwayError('DOCKER_UNAVAILABLE', 'Docker is not running');
  }

  containerEvents(query: ContainerEventQuery): AsyncIterable<ContainerEvent> {
    this.subscriptions.push(query);
    const script = this.scripts.shift() ?? untilAborted;
    return script(query);
  }

  async listContainers(): Promise<never[]> {
    return [];
  }
}

/** An event stream that stays open, with no event, until its signal aborts. */
async function* untilAborted(query: ContainerEventQuery): AsyncGenerator<ContainerEvent> {
  await new Promise<void>((resolve) => query.signal?.addEventListener('abort', () => resolve(), { once: true }));
  yield* [];
}

function die(id: string, labels: Record<string, string>, timeMs: number): ContainerEvent {
  return { action: 'die', id, labels: { [LABELS.managed]: 'true', ...labels }, exitCode: 137, timeMs };
}

function fakeRouter(calls: string[]): Router {
  return {
    setServerState: async (app: string, name: string, state: string) => void calls.push(`${state} ${app}/${name}`),
    routeProblems: () => [],
  } as unknown as Router;
}

async function until(what: string, check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`${what} did not happen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function storeWithRoute(): Store {
  const store = openStore(':memory:', randomBytes(32));
  store.apps.create('shop', new Date().toISOString());
  store.routes.upsert({
    app: 'shop',
    serverName: 'web-2-c2',
    containerId: 'c2',
    address: '172.17.0.3',
    port: 5000,
    state: 'ready',
  });
  store.routes.upsert({
    app: 'shop',
    serverName: 'web-3-c3',
    containerId: 'c3',
    address: '172.17.0.4',
    port: 5000,
    state: 'maint',
  });
  return store;
}

test(
  'a die event takes the dead container out of rotation at ' +
    'once (store first, then HAProxy); one-offs and unknown apps are ignored',
  async () => {
    const store = storeWithRoute();
    const calls: string[] = [];
    const logs: string[] = [];
    const engine: FakeEngine = new FakeEngine([
      async function* (query): AsyncGenerator<ContainerEvent> {
        yield die('r1', { [LABELS.app]: 'shop', [LABELS.process]: 'run', [LABELS.index]: '1' }, 1);
        yield die('x', { [LABELS.app]: 'gone', [LABELS.process]: 'web', [LABELS.index]: '1' }, 2);
        yield die('c3', { [LABELS.app]: 'shop', [LABELS.process]: 'web', [LABELS.index]: '3' }, 3);
        yield die('c2', { [LABELS.app]: 'shop', [LABELS.process]: 'web', [LABELS.index]: '2' }, 4);
        yield* untilAborted(query);
      },
    ]);
    const supervisor = new FormationSupervisor(
      {
        engine: engine as unknown as ContainerEngine,
        router: fakeRouter(calls),
        store,
        processesOf: () => ({ web: null }),
        log: (m) => logs.push(m),
      },
      { intervalMs: 60_000 },
    );
    try {
      supervisor.start();
      await until('the routed container leaves rotation', () => calls.length > 0);
      assert.deepEqual(
        calls,
        ['maint shop/web-2-c2'],
        'only the ready server of the formation container; a parked (maint) one is left as it is',
      );
      assert.equal(
        store.routes.forApp('shop').find((r) => r.serverName === 'web-2-c2')?.state,
        'maint',
        'a reload keeps it out',
      );
      assert.ok(
        logs.some((l) => /shop: web\.2 died \(exit code 137\); web-2-c2 is out of rotation/.test(l)),
        logs.join('\n'),
      );
      assert.deepEqual(engine.subscriptions[0]!.actions, ['die', 'destroy']);
      assert.equal(engine.subscriptions[0]!.labels?.[LABELS.managed], 'true');
    } finally {
      await supervisor.stop();
      store.close();
    }
  },
);

test(
  'when the event stream breaks, it reconnects once the engine ' +
    'answers, replaying events since the last one seen, and reconciles',
  async () => {
    const store = storeWithRoute();
    const logs: string[] = [];
    const lastEventAt = Date.now() + 5000;
    const engine = new FakeEngine([
      async function* () {
        yield die('c9', { [LABELS.app]: 'nope', [LABELS.process]: 'web', [LABELS.index]: '1' }, lastEventAt);
        throw new SlipwayError('DOCKER_UNAVAILABLE', 'Docker is not running (nothing answers at /var/run/docker.sock)');
      },
      // dockerd restarting: the stream ends at once without an error
      async function* () {},
    ]);
    engine.pingFailures = 3;
    const supervisor = new FormationSupervisor(
      {
        engine: engine as unknown as ContainerEngine,
        router: fakeRouter([]),
        store,
        processesOf: () => ({ web: null }),
        log: (m) => logs.push(m),
      },
      { intervalMs: 60_000, reconnectMinMs: 5, reconnectMaxMs: 20 },
    );
    try {
      supervisor.start();
      await until('a third subscription', () => engine.subscriptions.length >= 3);
      assert.ok(engine.pings >= 4, `it waited for the engine to answer (${engine.pings} pings)`);
      assert.ok(
        engine.subscriptions[0]!.sinceMs! <= Date.now(),
        'the first subscription starts from the start-up reconcile',
      );
      assert.equal(engine.subscriptions[1]!.sinceMs, lastEventAt, 'replays from the last event seen');
      assert.equal(logs.filter((l) => /lost the engine's event stream/.test(l)).length, 2, logs.join('\n'));
      assert.ok(
        logs.filter((l) => /the engine answers again; reconciling every app/.test(l)).length >= 2,
        logs.join('\n'),
      );
    } finally {
      await supervisor.stop();
      store.close();
    }
  },
);
