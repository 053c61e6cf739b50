import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, type CliResult, type Harness } from './harness.js';

/** Helpers of the source-deploy e2e tests (analysis → generated Dockerfile → real build → rollout). */

export const FIXTURES = join(ROOT, 'test', 'fixtures', 'analyze');
export const DEBIAN_BASE = process.env['SLIPWAY_TEST_DEBIAN_IMAGE'] ?? 'slipway/debian:bookworm';
/** Debian runtime on the local base image: no container registry is reachable here. */
export const BUILD_FLAGS = ['--runtime', 'debian', '--base-image', DEBIAN_BASE];

/** A private copy of a fixture without its snapshots (tests change sources; fixtures stay untouched). */
export function copyFixture(work: string, name: string): string {
  const dir = join(work, name);
  cpSync(join(FIXTURES, name), dir, { recursive: true, filter: (src) => !src.includes('__snapshots__') });
  return dir;
}

/** The CLI as a separate process, asynchronously (several deploys at once). */
export function cliAsync(h: Harness, argv: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'bin.ts'), ...argv], {
      env: h.env,
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** cliAsync that throws with the output (and the server log's end) when the command fails. */
export async function deployOk(h: Harness, argv: string[]): Promise<CliResult> {
  const result = await cliAsync(h, argv);
  if (result.code !== 0)
    throw new Error(
      `slipway ${argv.join(' ')} exited ${result.code}:\n${result.stdout}\n` +
        `${result.stderr.slice(-6000)}\n--- server log ---\n${h.serverLog.slice(-3000)}`,
    );
  return result;
}

/** Build output lines of one step: from its "Step N/M : <instruction>" line to the next step. */
export function stepOutput(buildLog: string, instruction: RegExp): string {
  const lines = buildLog.split('\n');
  const start = lines.findIndex((l) => /Step \d+\/\d+ : /.test(l) && instruction.test(l));
  assert.ok(start >= 0, `no build step matching ${instruction}`);
  const end = lines.findIndex((l, i) => i > start && /Step \d+\/\d+ : /.test(l));
  return lines.slice(start, end === -1 ? undefined : end).join('\n');
}
