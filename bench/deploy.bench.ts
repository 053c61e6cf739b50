/**
 * bench/deploy: a deploy of an image already on the host (`examples/hello`, which listens at once;
 * default settings), median of RUNS:
 * - request → all traffic on the new release (pollers through the router; a sample counts when it
 *   was sent, so the app's own response time is not added);
 * - request → the command returned (old container drained, stopped and removed), in-process;
 * - the whole `slipway deploy` command as a user runs it (bin/slipway, compiled dist/), wall clock;
 * - the timeline: each stage's median (start, probe, router add, HAProxy's UP, drain, stop, the rest).
 * Run: node --import tsx bench/deploy.bench.ts   (RUNS=10)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Harness, ROOT, BASE_IMAGE, uniqueApp } from '../test/e2e/harness.js';
import { pollForSwitch } from './support/switch-poll.js';

const RUNS = Number(process.env['RUNS'] ?? 10);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface StageEnd {
  type: string;
  label: string;
  ms: number;
}

/** Stage labels → timeline rows (the labels name containers and servers; the rows do not). */
const ROWS: [string, RegExp][] = [
  ['inspect image + release', /^inspect image/],
  ['start container', /^start /],
  ["Slipway's probe", /^health check /],
  ['add to router', /^add .* to router/],
  ["HAProxy's UP", /^router reports .* UP/],
  ['drain (set)', /^drain /],
  ['drain (sessions end)', /^wait for .* sessions to end/],
  ['stop old container', /^stop /],
];

const h = await Harness.create();
const app = uniqueApp('benchdeploy');
try {
  await h.startServer();
  await h.ok('apps:create', app);
  await h.ok('deploy', '-a', app, join(ROOT, 'examples', 'hello'), '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`);
  const image = (JSON.parse((await h.ok('releases', '-a', app, '--json')).stdout) as { image: string }[])[0]!.image;
  const switched: number[] = [];
  const returned: number[] = [];
  const rows = new Map<string, number[]>([...ROWS.map(([row]) => [row, []] as [string, number[]]), ['other', []]]);
  let release = 1;
  for (let i = 0; i < RUNS; i++) {
    release++;
    const started = Date.now();
    const poll = pollForSwitch(h, app, (body) => body.includes(`release v${release}`), { pollers: 3 });
    const out = await h.ok('deploy', '-a', app, '--image', image, '--json');
    const done = Date.now();
    await new Promise((r) => setTimeout(r, 200));
    await poll.stop();
    const allNewAt = poll.firstAllNew();
    switched.push((allNewAt ?? done) - started);
    returned.push(done - started);
    const events = (JSON.parse(out.stdout) as { events: StageEnd[] }).events.filter((e) => e.type === 'stage-end');
    let accounted = 0;
    for (const [row, pattern] of ROWS) {
      const ms = events.filter((e) => pattern.test(e.label)).reduce((sum, e) => sum + e.ms, 0);
      rows.get(row)!.push(ms);
      accounted += ms;
    }
    rows.get('other')!.push(Math.max(0, returned.at(-1)! - accounted));
    process.stderr.write(`run ${i + 1}: all traffic on v${release} after ${switched.at(-1)} ms, `);
    process.stderr.write(`returned after ${done - started} ms\n`);
  }
  // The command as users run it: a new CLI process each time (compiled), wall clock.
  const cliMs: number[] = [];
  const bin = join(ROOT, 'bin', 'slipway');
  if (existsSync(join(ROOT, 'dist', 'cli', 'bin.js'))) {
    for (let i = 0; i < RUNS; i++) {
      const started = Date.now();
      execFileSync(bin, ['deploy', '-a', app, '--image', image], { env: h.env, stdio: 'ignore' });
      cliMs.push(Date.now() - started);
    }
  }
  const result = {
    bench: 'deploy',
    date: new Date().toISOString(),
    runs: RUNS,
    medianSwitchMs: median(switched),
    medianCommandMs: median(returned),
    medianCliCommandMs: cliMs.length > 0 ? median(cliMs) : null,
    timelineMedianMs: Object.fromEntries([...rows].map(([row, xs]) => [row, median(xs)])),
    switchMs: switched,
    commandMs: returned,
    cliCommandMs: cliMs,
    targets: { switchMs: 500, cliCommandMs: 1000 },
  };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'deploy.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
} finally {
  h.removeAppContainers(app);
  await h.destroy();
}
