import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withCrashStates, type DynoRow } from './dyno-status.js';
import type { DynoCrashState } from './crash-backoff.js';

const NOW = 5_000_000;
const row = (dyno: string, state: string, release = 'v4'): DynoRow => ({
  dyno,
  release,
  state,
  containerId: `${dyno}-id`,
  createdAt: '2026-01-01T00:00:00Z',
});
const looping: DynoCrashState = {
  app: 'shop',
  dyno: 'web.2',
  release: 4,
  restarts: 2,
  crashes: [NOW - 9000, NOW - 5000, NOW - 1000],
  lastExitCode: 3,
  nextRestartAt: NOW + 2000,
  lastContainer: 'x',
};

describe('withCrashStates', () => {
  it('a stopped dyno nobody serves is crashed, with Docker state, count, crash loop and next restart', () => {
    const out = withCrashStates([row('web.1', 'running'), row('web.2', 'exited')], {
      release: 4,
      formation: { web: 2 },
      crashes: [looping],
      nowMs: NOW,
    });
    assert.deepEqual(out[0], { ...row('web.1', 'running'), restarts: 0 });
    assert.deepEqual(out[1], {
      ...row('web.2', 'exited'),
      state: 'crashed',
      containerState: 'exited',
      restarts: 2,
      crash: {
        crashes: 3,
        loop: true,
        lastExitCode: 3,
        nextRestartAt: new Date(NOW + 2000).toISOString(),
        note: 'web.2 crashed 3 times in 8 s (last exit code 3): crash loop, next restart in 2 s',
      },
    });
  });

  it('a crashed dyno whose container is gone gets a row of its own', () => {
    const out = withCrashStates([row('web.1', 'running')], {
      release: 4,
      formation: { web: 2 },
      crashes: [looping],
      nowMs: NOW,
    });
    assert.deepEqual(
      out.map((r) => [r.dyno, r.state, r.containerId, r.crash?.loop]),
      [
        ['web.1', 'running', 'web.1-id', undefined],
        ['web.2', 'crashed', '', true],
      ],
    );
  });

  it(
    'once restarted the dyno is running again and shows ' +
      'its restart count; other releases and one-offs are untouched',
    () => {
      const restarted: DynoCrashState = { ...looping, restarts: 3 };
      delete restarted.nextRestartAt;
      const out = withCrashStates([row('run.1', 'exited'), row('web.2', 'running'), row('web.2', 'exited', 'v3')], {
        release: 4,
        formation: { web: 2 },
        crashes: [restarted],
        nowMs: NOW,
      });
      assert.deepEqual(
        out.map((r) => [r.dyno, r.release, r.state, r.restarts]),
        [
          ['run.1', 'v4', 'exited', undefined],
          ['web.2', 'v4', 'running', 3],
          ['web.2', 'v3', 'exited', 0],
        ],
      );
    },
  );

  it('the history of an older release is not shown', () => {
    const out = withCrashStates([row('web.2', 'exited')], {
      release: 5,
      formation: { web: 2 },
      crashes: [looping],
      nowMs: NOW,
    });
    assert.equal(out.length, 1);
    assert.equal(out[0]!.state, 'exited');
  });

  it('a dyno its restart mode leaves down says so: on-failure after exit 0 is no crash, never keeps the crash', () => {
    const crashed: DynoCrashState = { ...looping, dyno: 'worker.1', crashes: [NOW - 1000], lastExitCode: 3 };
    delete crashed.nextRestartAt;
    const out = withCrashStates(
      [
        { ...row('clock.1', 'exited'), exitCode: 0 },
        { ...row('worker.1', 'exited'), exitCode: 3 },
        { ...row('web.1', 'exited'), exitCode: 0 },
      ],
      {
        release: 4,
        formation: { web: 1, worker: 1, clock: 1 },
        crashes: [crashed, { ...looping, dyno: 'clock.1' }],
        nowMs: NOW,
        modeOf: (type) => (type === 'clock' ? 'on-failure' : type === 'worker' ? 'never' : 'always'),
      },
    );
    assert.deepEqual(
      out.map((r) => [r.dyno, r.state, r.held?.note, r.crash?.note]),
      [
        ['clock.1', 'exited', 'clock.1 exited with code 0: not restarted (restart mode on-failure)', undefined],
        ['web.1', 'exited', undefined, undefined],
        [
          'worker.1',
          'crashed',
          'worker.1 exited with code 3: not restarted (restart mode never)',
          'worker.1 crashed (last exit code 3)',
        ],
      ],
    );
  });

  it('each dyno of a stopped type has a stopped row; no crash is shown for it', () => {
    const out = withCrashStates([row('web.1', 'running')], {
      release: 4,
      formation: { web: 1, worker: 2 },
      crashes: [{ ...looping, dyno: 'worker.1' }],
      nowMs: NOW,
      stopped: new Set(['worker']),
    });
    assert.deepEqual(
      out.map((r) => [r.dyno, r.state, r.release, r.crash]),
      [
        ['web.1', 'running', 'v4', undefined],
        ['worker.1', 'stopped', 'v4', undefined],
        ['worker.2', 'stopped', 'v4', undefined],
      ],
    );
  });
});
