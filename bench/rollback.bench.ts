/**
 * bench/rollback: time from the rollback request to all traffic on the old release, median of 10,
 * for a rolling rollback and for a blue-green rollback inside the warm window (target ≤ 50 ms).
 * Run: node --import tsx bench/rollback.bench.ts
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Harness, ROOT, BASE_IMAGE, uniqueApp } from '../test/e2e/harness.js';
import { pollForSwitch } from './support/switch-poll.js';

const RUNS = Number(process.env['RUNS'] ?? 10);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timeRollback(
  h: Harness,
  app: string,
  expectColor: string,
): Promise<{ switchedMs: number; commandMs: number }> {
  const started = Date.now();
  const poll = pollForSwitch(h, app, (body) => body.includes(`Color ${expectColor}!`), { gapMs: 2 });
  await h.ok('rollback', '-a', app);
  const done = Date.now();
  await new Promise((r) => setTimeout(r, 300));
  await poll.stop();
  return { switchedMs: (poll.firstAllNew() ?? done) - started, commandMs: done - started };
}

const h = await Harness.create();
const results: Record<string, { switchedMs: number[]; commandMs: number[] }> = {};
const apps: string[] = [];
try {
  await h.startServer();
  for (const strategy of ['rolling', 'blue-green'] as const) {
    const app = uniqueApp(`rb-${strategy === 'rolling' ? 'roll' : 'bg'}`);
    await h.ok('apps:create', app);
    await h.ok(
      'apps:settings:set',
      '-a',
      app,
      'healthcheck.path=/healthz',
      `deploy.strategy=${strategy}`,
      'bluegreen.window=3600000',
      'drain.timeout=5000',
    );
    await h.ok('config:set', '-a', app, 'GREETING=Color a');
    await h.ok('deploy', '-a', app, join(ROOT, 'examples', 'hello'), '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`);
    await h.ok('config:set', '-a', app, 'GREETING=Color b');
    const runs = { switchedMs: [] as number[], commandMs: [] as number[] };
    let target = 'a';
    for (let i = 0; i < RUNS; i++) {
      const r = await timeRollback(h, app, target);
      runs.switchedMs.push(r.switchedMs);
      runs.commandMs.push(r.commandMs);
      process.stderr.write(
        `${strategy} run ${i + 1}: all traffic on ${target} after ${r.switchedMs} ms (command ${r.commandMs} ms)\n`,
      );
      target = target === 'a' ? 'b' : 'a';
    }
    results[strategy] = runs;
    apps.push(app);
  }
  const result = {
    bench: 'rollback',
    date: new Date().toISOString(),
    runs: RUNS,
    note: 'examples/hello (answers at once: 4 pollers sample every few ms), HTTP health check, one web container',
    rolling: {
      medianSwitchMs: median(results['rolling']!.switchedMs),
      medianCommandMs: median(results['rolling']!.commandMs),
      ...results['rolling'],
    },
    blueGreenWarm: {
      medianSwitchMs: median(results['blue-green']!.switchedMs),
      medianCommandMs: median(results['blue-green']!.commandMs),
      ...results['blue-green'],
    },
    targetWarmMs: 50,
  };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'rollback.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
} finally {
  h.removeAppContainers(...apps); // kills the server first (its supervisor would restart them)
  await h.destroy();
}
