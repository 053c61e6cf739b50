/**
 * bench/git-push: `git push` of a new commit of examples/hello (base image and dependency layers cached)
 * → the new release serving every request, median of RUNS (default 5); and how long after the push started
 * the first `remote:` line arrived (the pack is a few kB, so this is the server's answer time).
 * Run: node --import tsx bench/git-push.bench.ts
 */
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Harness, ROOT, BASE_IMAGE, get, uniqueApp } from '../test/e2e/harness.js';

const RUNS = Number(process.env['RUNS'] ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const h = await Harness.create();
const app = uniqueApp('benchpush');
const work = mkdtempSync(join(tmpdir(), 'slipway-bench-push-'));
const git = (...args: string[]) => execFileSync('git', ['-C', work, ...args], { stdio: 'pipe' });
try {
  await h.startServer();
  await h.ok('apps:create', app);
  cpSync(join(ROOT, 'examples', 'hello'), work, { recursive: true });
  // The example's default base comes from Docker Hub; this machine builds on the local one.
  const dockerfile = join(work, 'Dockerfile');
  writeFileSync(
    dockerfile,
    readFileSync(dockerfile, 'utf8').replace(/^ARG BASE_IMAGE=.*$/m, `ARG BASE_IMAGE=${BASE_IMAGE}`),
  );
  git('init', '-q', '-b', 'main');
  git('-c', 'user.email=bench@example.com', '-c', 'user.name=bench', 'add', '-A');
  const token = readFileSync(join(h.home, 'token'), 'utf8').trim();
  const remote = `http://bench:${token}@127.0.0.1:${h.apiPort}/git/${app}.git`;
  const pushes: number[] = [];
  const firstLines: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const marker = `push ${i} ${Date.now()}`;
    writeFileSync(
      join(work, 'server.js'),
      readFileSync(join(work, 'server.js'), 'utf8').replace(/(Hello from Slipway)[^']*/, `$1 ${marker}`),
    );
    git('-c', 'user.email=bench@example.com', '-c', 'user.name=bench', 'commit', '-qam', marker, '--allow-empty');
    const started = Date.now();
    let first = 0;
    const child = spawn('git', ['-C', work, 'push', '-q', remote, 'HEAD:main'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
    });
    let output = '';
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
      if (!first && output.includes('remote:')) first = Date.now();
    });
    const code = await new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? -1)));
    if (code !== 0) throw new Error(`git push ${i} exited ${code}:\n${output}`);
    // Serving: the app answers with this commit's marker.
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
      const res = await get(h.httpPort, h.host(app)).catch(() => ({ status: 0, body: '' }));
      if (res.body.includes(marker)) break;
    }
    const serving = Date.now() - started;
    // The first push builds every layer once; the timed ones find the base and `COPY package.json` cached.
    if (i === 0) continue;
    pushes.push(serving);
    firstLines.push(first - started);
    process.stderr.write(
      `push ${i}: first remote: line after ${first - started} ms, new release serving after ${serving} ms\n`,
    );
  }
  const result = {
    bench: 'git-push',
    date: new Date().toISOString(),
    runs: RUNS,
    medianPushToServingMs: median(pushes),
    medianFirstRemoteLineMs: median(firstLines),
    pushToServingMs: pushes,
    firstRemoteLineMs: firstLines,
    targetFirstLineMs: 1000,
  };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'git-push.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
} finally {
  h.removeAppContainers(app);
  await h.destroy();
  rmSync(work, { recursive: true, force: true });
}
