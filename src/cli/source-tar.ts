import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { contextEntries } from '../build/build-context.js';
import { parseDockerignore } from '../build/dockerignore.js';

/** Files Slipway itself reads from an upload: always sent, whatever .dockerignore says. */
const ALWAYS_SENT = ['Dockerfile', '.dockerignore', 'Procfile', 'build.yml', 'slipway.yml'];

/**
 * The directory as a tar stream for an upload, without what its .dockerignore excludes (as the
 * `docker` CLI does on its side) and without `.git`.
 */
export function sourceTar(dir: string): Readable {
  const out = new PassThrough();
  void (async () => {
    let ignore = '';
    try {
      ignore = readFileSync(join(dir, '.dockerignore'), 'utf8');
    } catch {
      // no .dockerignore: everything goes
    }
    const rules = parseDockerignore(`${ignore}\n.git\n`);
    const entries = await contextEntries(dir, rules, new Set(ALWAYS_SENT));
    const tar = spawn('tar', ['-C', dir, '-c', '--no-recursion', '--null', '-T', '-'], { stdio: ['pipe', 'pipe', 'inherit'] });
    tar.stdin.end(entries.map((e) => `${e}\0`).join(''));
    tar.stdout.pipe(out);
    tar.on('error', (err) => out.destroy(err));
  })().catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
  return out;
}
