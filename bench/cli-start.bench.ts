/**
 * bench/cli-start: wall-clock time of `slipway apps` (the compiled CLI, bin/slipway → dist/) against a
 * running server, next to `node -e ""` (node's own start) as the reference; also `slipway help` and
 * `slipway deploy --help`, and how many modules `slipway apps` loads. Target (issue 12): apps ≤ 100 ms.
 * Builds dist/ first when it is missing or older than src/. Run: node --import tsx bench/cli-start.bench.ts
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Harness, ROOT } from '../test/e2e/harness.js';

const RUNS = Number(process.env['RUNS'] ?? 30);
const WARMUP = 3;
const TARGET_MS = 100;
const BIN = join(ROOT, 'bin', 'slipway');
const log = (text: string) => process.stderr.write(`${text}\n`);

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** npm run build when dist/ (tsc's output or the CLI bundle bin/slipway runs) is missing or older than src/. */
function buildIfStale(): void {
  const sources = newestMtime(join(ROOT, 'src'));
  const built = [join(ROOT, 'dist', 'cli', 'bin.js'), join(ROOT, 'dist', 'cli-bundle', 'slipway.js')];
  if (built.every((file) => existsSync(file) && statSync(file).mtimeMs >= sources)) return;
  log('building dist/ (npm run build)');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
}

interface Timing {
  minMs: number;
  medianMs: number;
  maxMs: number;
}

const summary = (ms: number[]): Timing => {
  const sorted = [...ms].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    minMs: round(sorted[0]!),
    medianMs: round(sorted[Math.floor(sorted.length / 2)]!),
    maxMs: round(sorted.at(-1)!),
  };
};

/** One run's wall time in ms; a failed run ends the bench (a fast error is not a fast command). */
function timeOnce(command: string, args: string[], env: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint();
  const run = spawnSync(command, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return ms;
}

/** The commands run in turn (A B C … A B C …), so a change in the machine's speed touches each alike. */
function timeAll(commands: Record<string, [string, string[]]>, env: NodeJS.ProcessEnv): Record<string, Timing> {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (let i = 0; i < WARMUP + RUNS; i++) {
    for (const [name, [command, args]] of Object.entries(commands)) {
      const ms = timeOnce(command, args, env);
      if (i >= WARMUP) times[name]!.push(ms);
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, summary(v)]));
}

/** Modules `slipway ARGS` loads: ES modules seen by a load hook, CommonJS ones left in require.cache. */
function modulesLoaded(args: string[], env: NodeJS.ProcessEnv): { esm: number; commonjs: number; nodeModules: number } {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-cli-start-'));
  try {
    const list = join(dir, 'loaded.txt');
    writeFileSync(
      join(dir, 'hooks.mjs'),
      `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(${JSON.stringify(list)}, 'esm ' + url + '\\n');
  return next(url, context);
}
`,
    );
    writeFileSync(
      join(dir, 'preload.cjs'),
      `const { appendFileSync } = require('node:fs');
require('node:module').register(${JSON.stringify(`file://${join(dir, 'hooks.mjs')}`)});
process.on('exit', () => {
  const own = Object.keys(require.cache).filter((f) => f !== __filename);
  appendFileSync(${JSON.stringify(list)}, own.map((f) => 'cjs ' + f + '\\n').join(''));
});
`,
    );
    const run = spawnSync(process.execPath, ['--require', join(dir, 'preload.cjs'), BIN, ...args], { env });
    if (run.status !== 0) throw new Error(`counting modules: slipway ${args.join(' ')} exited ${run.status}`);
    // A --require preload also runs in the hooks' own thread: each module is seen twice, counted once.
    const lines = [...new Set(readFileSync(list, 'utf8').trim().split('\n').filter(Boolean))];
    return {
      esm: lines.filter((l) => l.startsWith('esm ')).length,
      commonjs: lines.filter((l) => l.startsWith('cjs ')).length,
      nodeModules: lines.filter((l) => l.includes('/node_modules/')).length,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

buildIfStale();
const h = await Harness.create();
try {
  log('starting a server');
  await h.startServer();
  for (const app of ['shop', 'blog', 'api']) await h.ok('apps:create', app);
  // The CLI as users run it: compiled, not through tsx.
  const env = { ...h.env };
  delete env['SLIPWAY_FROM_SOURCE'];
  delete env['NODE_OPTIONS'];
  const listed = spawnSync(BIN, ['apps'], { env, encoding: 'utf8' });
  if (listed.status !== 0 || !listed.stdout.includes('shop')) throw new Error(`slipway apps failed: ${listed.stderr}`);
  log(`timing ${RUNS} runs each (after ${WARMUP} warm-up runs)`);
  const timings = timeAll(
    {
      apps: [BIN, ['apps']],
      help: [BIN, ['help']],
      deployHelp: [BIN, ['deploy', '--help']],
      node: [process.execPath, ['-e', '']],
    },
    env,
  );
  const result = {
    bench: 'cli-start',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version },
    runs: RUNS,
    commands: {
      apps: 'bin/slipway apps',
      help: 'bin/slipway help',
      deployHelp: 'bin/slipway deploy --help',
      node: 'node -e ""',
    },
    ...timings,
    appsOverNodeMs: Math.round((timings['apps']!.medianMs - timings['node']!.medianMs) * 10) / 10,
    modules: { apps: modulesLoaded(['apps'], env), help: modulesLoaded(['help'], env) },
    targetMs: TARGET_MS,
    met: timings['apps']!.medianMs <= TARGET_MS,
  };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'cli-start.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
} finally {
  await h.destroy();
}
