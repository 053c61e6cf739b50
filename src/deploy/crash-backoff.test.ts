import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_RESTART_POLICY as P,
  describeCrashes,
  isCrashLoop,
  recordCrash,
  recordRestart,
  restartDelayMs,
  restartDue,
  type DynoCrashState,
} from './crash-backoff.js';

const T = 10_000_000;

function crashAt(
  state: DynoCrashState | undefined,
  id: string,
  atMs: number,
  extra: { ranMs?: number; release?: number; exitCode?: number } = {},
): DynoCrashState {
  return recordCrash(
    state,
    'shop',
    'web.1',
    {
      containerId: id,
      release: extra.release ?? 3,
      atMs,
      ...(extra.exitCode === undefined ? {} : { exitCode: extra.exitCode }),
      ...(extra.ranMs === undefined ? {} : { ranMs: extra.ranMs }),
    },
    P,
  );
}

describe('restartDelayMs', () => {
  it('restarts the first time at once, then doubles from the base up to the cap', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 20].map((n) => restartDelayMs(n, P)),
      [0, 1000, 2000, 4000, 8000, 16000, 30000, 30000],
    );
  });
});

describe('recordCrash', () => {
  it('counts each container once: the die event and a later reconcile see the same death', () => {
    const once = crashAt(undefined, 'c1', T, { exitCode: 3 });
    assert.equal(crashAt(once, 'c1', T + 500), once);
    assert.deepEqual([once.crashes, once.nextRestartAt, once.lastExitCode], [[T], T, 3]);
  });

  it('backs off on crashes in a row and turns into a crash loop at the third', () => {
    let s = crashAt(undefined, 'c1', T);
    s = recordRestart(s);
    s = crashAt(s, 'c2', T + 3000);
    assert.equal(s.nextRestartAt, T + 3000 + 1000);
    assert.equal(isCrashLoop(s, T + 3000, P), false);
    s = recordRestart(s);
    s = crashAt(s, 'c3', T + 7000, { exitCode: 3 });
    assert.equal(s.nextRestartAt, T + 7000 + 2000);
    assert.equal(isCrashLoop(s, T + 7000, P), true);
    assert.equal(s.restarts, 2);
    assert.equal(restartDue(s, T + 8000), false);
    assert.equal(restartDue(s, T + 9000), true);
    assert.equal(
      describeCrashes(s, T + 7000, P),
      'web.1 crashed 3 times in 7 s (last exit code 3): crash loop, next restart in 2 s',
    );
  });

  it('a run that lasted past stableMs starts a fresh count: restarted at once again', () => {
    let s = crashAt(undefined, 'c1', T);
    s = crashAt(recordRestart(s), 'c2', T + 1000);
    s = crashAt(recordRestart(s), 'c3', T + 3 * 60_000, { ranMs: 3 * 60_000 });
    assert.deepEqual([s.crashes.length, s.nextRestartAt, s.restarts], [1, T + 3 * 60_000, 2]);
  });

  it('crashes older than the window are forgotten', () => {
    let s = crashAt(undefined, 'c1', T);
    s = crashAt(s, 'c2', T + 1000);
    s = crashAt(s, 'c3', T + P.windowMs + 500);
    assert.deepEqual(s.crashes, [T + 1000, T + P.windowMs + 500]);
    assert.equal(isCrashLoop(s, T + P.windowMs + 500, P), false);
  });

  it('a new release starts from a clean slate', () => {
    let s = crashAt(undefined, 'c1', T);
    s = crashAt(recordRestart(s), 'c2', T + 1000);
    const next = crashAt(s, 'c3', T + 2000, { release: 4 });
    assert.deepEqual([next.release, next.crashes.length, next.restarts, next.nextRestartAt], [4, 1, 0, T + 2000]);
  });

  it('describes a single crash and a restart in progress', () => {
    const s = crashAt(undefined, 'c1', T, { exitCode: 137 });
    assert.equal(describeCrashes(s, T, P), 'web.1 crashed (last exit code 137), restarting now');
    assert.equal(describeCrashes(recordRestart(s), T, P), 'web.1 crashed (last exit code 137)');
  });
});
