import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { downDynos, planHeal } from './plan-heal.js';
import type { DesiredState, ObservedContainer } from './plan-types.js';
import type { DynoCrashState } from './crash-backoff.js';

const desired: DesiredState = {
  release: 7,
  processes: { web: null, worker: 'node worker.js' },
  formation: { web: 3, worker: 1 },
};
const NOW = 1_000_000;

function c(
  id: string,
  process: string,
  index: number,
  state: ObservedContainer['state'],
  extra: Partial<ObservedContainer> = {},
): ObservedContainer {
  return {
    id,
    process,
    index,
    release: 7,
    state,
    ...(process === 'web' && state === 'running' ? { serverName: `${process}-${index}-${id}` } : {}),
    ...extra,
  };
}

const healthy = [
  c('a', 'web', 1, 'running'),
  c('b', 'web', 2, 'running'),
  c('d', 'web', 3, 'running'),
  c('w', 'worker', 1, 'running'),
];

function waitingUntil(dyno: string, nextRestartAt: number): Map<string, DynoCrashState> {
  return new Map([
    [
      dyno,
      {
        app: 'shop',
        dyno,
        release: 7,
        restarts: 1,
        crashes: [NOW - 2000, NOW - 1000],
        nextRestartAt,
        lastContainer: 'x',
      },
    ],
  ]);
}

describe('planHeal', () => {
  const cases: {
    name: string;
    observed: ObservedContainer[];
    crashes?: Map<string, DynoCrashState>;
    steps: string[];
    restart: string[];
    waiting: string[];
  }[] = [
    { name: 'a healthy formation needs nothing', observed: healthy, steps: [], restart: [], waiting: [] },
    {
      name:
        'a killed web container: its route goes, it is removed and the same ' +
        'dyno starts again through probe → route → UP',
      observed: [
        c('a', 'web', 1, 'running'),
        c('b', 'web', 2, 'exited', { serverName: 'web-2-b' }),
        c('d', 'web', 3, 'running'),
        c('w', 'worker', 1, 'running'),
      ],
      steps: [
        'route-remove web-2-b',
        'remove b',
        'start web.2@v7',
        'probe web.2@v7',
        'route-add web.2@v7',
        'wait-up web.2@v7',
      ],
      restart: ['web.2'],
      waiting: [],
    },
    {
      name: 'a container being removed from outside (docker rm -f) counts as dead: route out, the dyno starts again',
      observed: [c('a', 'web', 1, 'removing', { serverName: 'web-1-a' }), ...healthy.slice(1)],
      steps: [
        'route-remove web-1-a',
        'remove a',
        'start web.1@v7',
        'probe web.1@v7',
        'route-add web.1@v7',
        'wait-up web.1@v7',
      ],
      restart: ['web.1'],
      waiting: [],
    },
    {
      name: 'a crashed worker restarts with a process check',
      observed: [...healthy.slice(0, 3), c('w', 'worker', 1, 'exited')],
      steps: ['remove w', 'start worker.1@v7', 'check-running worker.1@v7'],
      restart: ['worker.1'],
      waiting: [],
    },
    {
      name: 'a missing dyno (container removed from outside) is started',
      observed: healthy.filter((x) => x.id !== 'd'),
      steps: ['start web.3@v7', 'probe web.3@v7', 'route-add web.3@v7', 'wait-up web.3@v7'],
      restart: ['web.3'],
      waiting: [],
    },
    {
      name: 'in backoff: only the route to the dead container goes; the container stays for ps and logs',
      observed: [c('a', 'web', 1, 'exited', { serverName: 'web-1-a' }), ...healthy.slice(1)],
      crashes: waitingUntil('web.1', NOW + 4000),
      steps: ['route-remove web-1-a'],
      restart: [],
      waiting: ['web.1'],
    },
    {
      name: 'backoff over: restarted',
      observed: [c('a', 'web', 1, 'exited'), ...healthy.slice(1)],
      crashes: waitingUntil('web.1', NOW),
      steps: ['remove a', 'start web.1@v7', 'probe web.1@v7', 'route-add web.1@v7', 'wait-up web.1@v7'],
      restart: ['web.1'],
      waiting: [],
    },
    {
      name: 'a serving container of an older release is never replaced by healing',
      observed: [c('a', 'web', 1, 'running', { release: 5 }), ...healthy.slice(1)],
      steps: [],
      restart: [],
      waiting: [],
    },
    {
      name: 'a running web container without a route is replaced after the new one serves',
      observed: [{ id: 'a', process: 'web', index: 1, release: 7, state: 'running' }, ...healthy.slice(1)],
      steps: ['start web.1@v7', 'probe web.1@v7', 'route-add web.1@v7', 'wait-up web.1@v7', 'stop a', 'remove a'],
      restart: ['web.1'],
      waiting: [],
    },
    {
      name: 'old dead containers next to a serving one, and dead ones outside the formation, are cleaned up',
      observed: [
        ...healthy,
        c('old', 'web', 2, 'exited', { release: 6 }),
        c('gone', 'web', 5, 'exited', { serverName: 'web-5-gone' }),
        c('cl', 'clock', 1, 'dead'),
      ],
      steps: ['route-remove web-5-gone', 'remove gone', 'remove cl', 'remove old'],
      restart: [],
      waiting: [],
    },
    {
      name: 'running containers beyond the formation are left to scaling',
      observed: [...healthy, c('e', 'web', 4, 'running')],
      steps: [],
      restart: [],
      waiting: [],
    },
    {
      name: 'paused or restarting containers are not touched',
      observed: [c('a', 'web', 1, 'paused'), c('b', 'web', 2, 'restarting'), ...healthy.slice(2)],
      steps: [],
      restart: [],
      waiting: [],
    },
  ];
  for (const t of cases) {
    it(t.name, () => {
      const plan = planHeal(desired, t.observed, t.crashes ?? new Map(), NOW);
      const steps = plan.steps.map((s) =>
        'key' in s
          ? `${s.kind} ${s.key}`
          : 'serverName' in s && s.kind === 'route-remove'
            ? `${s.kind} ${s.serverName}`
            : `${s.kind} ${'containerId' in s ? s.containerId : ''}`,
      );
      assert.deepEqual(
        { steps, restart: plan.restart, waiting: plan.waiting },
        { steps: t.steps, restart: t.restart, waiting: t.waiting },
      );
    });
  }

  it(
    'a route to a container that no longer exists (removed ' +
      'from outside) is dropped; routes of existing containers are kept',
    () => {
      const routes = [
        { serverName: 'web-1-a', containerId: 'a' },
        { serverName: 'web-9-rm', containerId: 'rm' },
        { serverName: 'web-1-warm', containerId: 'warm' },
      ];
      const plan = planHeal(desired, healthy, new Map(), NOW, {
        routes,
        containerIds: new Set([...healthy.map((x) => x.id), 'warm']),
      });
      assert.deepEqual(plan.steps, [{ kind: 'route-remove', containerId: 'rm', serverName: 'web-9-rm' }]);
    },
  );

  it('a formation of 0, or a type the release does not have, heals nothing', () => {
    const plan = planHeal(
      { release: 7, processes: { web: null }, formation: { web: 0, worker: 2 } },
      [],
      new Map(),
      NOW,
    );
    assert.deepEqual(plan, { steps: [], restart: [], waiting: [], held: [] });
  });

  describe('restart modes', () => {
    const worker = (state: ObservedContainer['state'], exitCode?: number, id = 'w') =>
      c(id, 'worker', 1, state, exitCode === undefined ? {} : { exitCode });
    const plan = (observed: ObservedContainer[], modes: Record<string, 'always' | 'on-failure' | 'never'>) => {
      const p = planHeal(desired, [...healthy.slice(0, 3), ...observed], new Map(), NOW, undefined, (t) =>
        Object.hasOwn(modes, t) ? modes[t]! : 'always',
      );
      return { steps: p.steps.map((s) => s.kind), restart: p.restart, held: p.held.map((h) => [h.dyno, h.mode]) };
    };
    it('on-failure: an exit with code 0 is left exited (kept for ps and logs); a non-zero exit restarts', () => {
      assert.deepEqual(plan([worker('exited', 0)], { worker: 'on-failure' }), {
        steps: [],
        restart: [],
        held: [['worker.1', 'on-failure']],
      });
      assert.deepEqual(plan([worker('exited', 2)], { worker: 'on-failure' }).restart, ['worker.1']);
      // "created" never ran: its exit code 0 means nothing; it is started.
      assert.deepEqual(plan([worker('created', 0)], { worker: 'on-failure' }).restart, ['worker.1']);
    });
    it('never: a crash is left crashed; its route goes, older dead containers of the slot go, the last stays', () => {
      const p = planHeal(
        desired,
        [
          ...healthy.slice(1),
          c('old', 'web', 1, 'exited', { exitCode: 1, finishedAt: '2026-01-01T00:00:01Z' }),
          c('a', 'web', 1, 'exited', { exitCode: 3, serverName: 'web-1-a', finishedAt: '2026-01-01T00:00:05Z' }),
        ],
        new Map(),
        NOW,
        undefined,
        () => 'never',
      );
      assert.deepEqual(
        p.steps.map((s) => [s.kind, 'containerId' in s ? s.containerId : '']),
        [
          ['remove', 'old'],
          ['route-remove', 'a'],
        ],
      );
      assert.deepEqual(p.held, [{ dyno: 'web.1', mode: 'never', containerId: 'a', exitCode: 3 }]);
      assert.deepEqual(p.restart, []);
    });
    it('never and on-failure still start a dyno that has no container at all; always restarts any exit', () => {
      assert.deepEqual(plan([], { worker: 'never' }).restart, ['worker.1']);
      assert.deepEqual(plan([worker('exited', 0)], {}).restart, ['worker.1']);
    });
  });
});

describe('downDynos', () => {
  it('names each slot without a serving container and the newest dead container that held it', () => {
    const observed = [
      c('a1', 'web', 1, 'exited', { finishedAt: '2026-01-01T00:00:01Z' }),
      c('a2', 'web', 1, 'exited', { finishedAt: '2026-01-01T00:00:09Z' }),
      ...healthy.slice(1, 3),
    ];
    const down = downDynos(desired, observed);
    assert.deepEqual(
      down.map((d) => [d.dyno, d.dead?.id]),
      [
        ['web.1', 'a2'],
        ['worker.1', undefined],
      ],
    );
  });
});

describe('a Swarm task that moved to another node', () => {
  it('is replaced like an unrouted dyno: a new one starts and serves, then the moved one and its route go', () => {
    const observed = [c('a', 'web', 1, 'running', { moved: true }), c('b', 'web', 2, 'running')];
    observed.push(c('d', 'web', 3, 'running'), c('w', 'worker', 1, 'running'));
    const plan = planHeal(desired, observed, new Map(), NOW);
    assert.deepEqual(plan.restart, ['web.1']);
    const kinds = plan.steps.map((s) => s.kind);
    const started = kinds.indexOf('start');
    assert.ok(started >= 0, `a replacement starts: ${kinds.join(',')}`);
    const removal = plan.steps.findIndex((s) => s.kind === 'route-remove' && s.containerId === 'a');
    const drain = plan.steps.findIndex((s) => 'containerId' in s && s.containerId === 'a');
    assert.ok(drain > started && (removal === -1 || removal > started), 'the moved one leaves after the new one');
    assert.equal(planHeal(desired, healthy, new Map(), NOW).steps.length, 0, 'nothing moved: nothing to do');
  });
});

describe('extra containers of a served slot, and ones beyond the formation that serve nothing', () => {
  /** A running web container without a route (a heal dropped it, or never added it). */
  const unrouted = (id: string, index: number, extra: Partial<ObservedContainer> = {}): ObservedContainer => ({
    id,
    process: 'web',
    index,
    release: 7,
    state: 'running',
    ...extra,
  });
  const show = (observed: ObservedContainer[], crashes: Map<string, DynoCrashState> = new Map()) => {
    const plan = planHeal(desired, observed, crashes, NOW);
    return {
      steps: plan.steps.map((s) =>
        'key' in s
          ? `${s.kind} ${s.key}`
          : s.kind === 'route-remove'
            ? `${s.kind} ${s.serverName}`
            : `${s.kind} ${'containerId' in s ? s.containerId : ''}`,
      ),
      restart: plan.restart,
      waiting: plan.waiting,
    };
  };
  const retired = (id: string, serverName?: string) =>
    serverName === undefined
      ? [`stop ${id}`, `remove ${id}`]
      : [`drain ${id}`, `wait-drained ${id}`, `route-remove ${serverName}`, `stop ${id}`, `remove ${id}`];

  it('a heal stopped after the new container was UP: the unrouted one it replaced is retired at the next pass', () => {
    const observed = [c('a2', 'web', 1, 'running'), unrouted('a', 1), ...healthy.slice(1)];
    assert.deepEqual(show(observed), { steps: retired('a'), restart: [], waiting: [] });
  });

  it('the same on a Swarm: the moved task (its route points where it no longer is) is drained and retired', () => {
    const observed = [c('a2', 'web', 1, 'running'), c('a', 'web', 1, 'running', { moved: true }), ...healthy.slice(1)];
    assert.deepEqual(show(observed), { steps: retired('a', 'web-1-a'), restart: [], waiting: [] });
    // Stopped once more after its drain: it goes all the same.
    const drained = c('a', 'web', 1, 'running', { moved: true, routeState: 'drain' });
    assert.deepEqual(show([c('a2', 'web', 1, 'running'), drained, ...healthy.slice(1)]).steps, retired('a', 'web-1-a'));
  });

  it('two routed containers in one slot: the current release stays, the other drains first (no request lost)', () => {
    const old = c('a', 'web', 1, 'running', { release: 6, startedAt: '2026-01-01T00:00:09Z' });
    const current = c('a2', 'web', 1, 'running', { startedAt: '2026-01-01T00:00:01Z' });
    for (const observed of [
      [old, current, ...healthy.slice(1)],
      [current, old, ...healthy.slice(1)],
    ])
      assert.deepEqual(show(observed), { steps: retired('a', 'web-1-a'), restart: [], waiting: [] });
  });

  it('two routed containers of one release: one out of rotation goes, else the older one goes', () => {
    const older = c('a', 'web', 1, 'running', { startedAt: '2026-01-01T00:00:01Z' });
    const newer = c('a2', 'web', 1, 'running', { startedAt: '2026-01-01T00:00:09Z' });
    assert.deepEqual(show([newer, older, ...healthy.slice(1)]).steps, retired('a', 'web-1-a'));
    assert.deepEqual(show([older, newer, ...healthy.slice(1)]).steps, retired('a', 'web-1-a'));
    // Out of rotation (a retire cut short after its drain, a staged weight 0): that one goes, whatever its age.
    const drained = { ...newer, routeState: 'drain' as const };
    assert.deepEqual(show([drained, older, ...healthy.slice(1)]).steps, retired('a2', 'web-1-a2'));
    const staged = { ...newer, routeWeight: 0 };
    assert.deepEqual(show([older, staged, ...healthy.slice(1)]).steps, retired('a2', 'web-1-a2'));
  });

  it('a worker with two running containers for one index: the current-release one stays, the other stops', () => {
    const observed = [...healthy, c('w0', 'worker', 1, 'running', { release: 6, startedAt: '2026-01-01T00:00:09Z' })];
    assert.deepEqual(show(observed), { steps: retired('w0'), restart: [], waiting: [] });
    const twin = c('w2', 'worker', 1, 'running', { startedAt: '2026-01-01T00:00:09Z' });
    const first = c('w', 'worker', 1, 'running', { startedAt: '2026-01-01T00:00:01Z' });
    assert.deepEqual(show([...healthy.slice(0, 3), twin, first]).steps, retired('w'));
  });

  it('beyond the formation: a web container that serves nothing (unrouted, moved) goes; serving ones are left', () => {
    const observed = [
      ...healthy,
      unrouted('e', 4),
      c('f', 'web', 5, 'running', { moved: true }),
      c('g', 'web', 6, 'running'),
      c('w2', 'worker', 2, 'running'),
    ];
    assert.deepEqual(show(observed), {
      steps: [...retired('e'), ...retired('f', 'web-5-f')],
      restart: [],
      waiting: [],
    });
  });

  it('a served slot with its old container and a slot in backoff: the old one goes, the backoff is kept', () => {
    const observed = [
      c('a2', 'web', 1, 'running'),
      unrouted('a', 1),
      c('b', 'web', 2, 'exited', { serverName: 'web-2-b', exitCode: 1 }),
      ...healthy.slice(2),
    ];
    const crashes = waitingUntil('web.2', NOW + 4000);
    assert.deepEqual(show(observed, crashes), {
      steps: [...retired('a'), 'route-remove web-2-b'],
      restart: [],
      waiting: ['web.2'],
    });
    // The served slot is not down (nothing counted as a crash), the one in backoff is.
    assert.deepEqual(
      downDynos(desired, observed).map((d) => d.dyno),
      ['web.2'],
    );
  });

  it('a retire stopped between its stop and its remove: the exited container goes, with no crash counted', () => {
    const observed = [c('a2', 'web', 1, 'running'), c('a', 'web', 1, 'exited', { exitCode: 143 }), ...healthy.slice(1)];
    assert.deepEqual(show(observed), { steps: ['remove a'], restart: [], waiting: [] });
    assert.deepEqual(downDynos(desired, observed), []);
  });

  it('paused or restarting containers next to a serving one are not touched', () => {
    const observed = [c('a2', 'web', 1, 'running'), c('a', 'web', 1, 'paused'), c('w2', 'worker', 1, 'restarting')];
    assert.deepEqual(show([...observed, ...healthy.slice(1)]).steps, []);
  });
});
