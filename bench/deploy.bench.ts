/**
 * bench/deploy: time from the deploy request (image already on the host) to all traffic on the new
 * release, median of 10, at default check settings. Also reports the time until the command returns
 * (old containers drained, stopped and removed).
 * Run: node --import tsx bench/deploy.bench.ts
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Harness, ROOT, BASE_IMAGE, get, uniqueApp } from '../test/e2e/harness.js';

const RUNS = Number(process.env['RUNS'] ?? 10);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const h = await Harness.create();
const app = uniqueApp('benchdeploy');
try {
  await h.startServer();
  await h.ok('apps:create', app);
  await h.ok('deploy', '-a', app, join(ROOT, 'examples', 'hello'), '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`);
  const image = (JSON.parse((await h.ok('releases', '-a', app, '--json')).stdout) as { image: string }[])[0]!.image;
  const switched: number[] = [];
  const returned: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const target = `release v${i + 2}`;
    let firstAllNew = 0;
    let polling = true;
    const started = Date.now();
    const poller = (async () => {
      while (polling) {
        const res = await get(h.httpPort, h.host(app)).catch(() => ({ status: 0, body: '' }));
        const isNew = res.body.includes(target);
        if (isNew && firstAllNew === 0) firstAllNew = Date.now();
        if (!isNew) firstAllNew = 0;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await h.ok('deploy', '-a', app, '--image', image);
    const done = Date.now();
    await new Promise((r) => setTimeout(r, 300));
    polling = false;
    await poller;
    switched.push((firstAllNew || done) - started);
    returned.push(done - started);
    process.stderr.write(
      `run ${i + 1}: traffic on new release after ${switched.at(-1)} ` +
        `ms, command returned after ${returned.at(-1)} ms\n`,
    );
  }
  const result = {
    bench: 'deploy',
    date: new Date().toISOString(),
    runs: RUNS,
    medianSwitchMs: median(switched),
    medianCommandMs: median(returned),
    switchMs: switched,
    commandMs: returned,
    targetMs: 3000,
  };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'deploy.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
} finally {
  h.removeAppContainers(app);
  await h.destroy();
}
