import { execFile } from 'node:child_process';
import { lstat, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SlipwayError } from '../core/errors.js';
import { hasExceptions, isIgnored, parseDockerignore, type IgnoreRule } from './dockerignore.js';

const run = promisify(execFile);

/** Extracts an uploaded source archive into `dir` (GNU tar refuses absolute and `..` member names). */
export async function extractTar(tarFile: string, dir: string, signal?: AbortSignal): Promise<void> {
  try {
    await run('tar', ['-xf', tarFile, '-C', dir, '--no-same-owner'], { maxBuffer: 16 * 1024 * 1024, ...(signal ? { signal } : {}) });
  } catch (cause) {
    throw new SlipwayError('INVALID_INPUT', 'the uploaded source could not be unpacked', { cause, hint: 'upload the directory with `slipway deploy DIR`' });
  }
}

/**
 * Writes `dir` as a build-context tar to `tarFile`, leaving out what its .dockerignore excludes
 * (as `docker build` does on the client side). `keep` names files that are always sent (the
 * Dockerfile, .dockerignore, an injected CA certificate). Returns how many entries went in.
 */
export async function writeBuildContext(dir: string, tarFile: string, keep: string[], signal?: AbortSignal): Promise<number> {
  const rules = parseDockerignore((await readFile(join(dir, '.dockerignore'), 'utf8').catch(() => '')));
  const entries = await contextEntries(dir, rules, new Set(keep));
  const list = `${tarFile}.list`;
  await writeFile(list, entries.map((e) => `${e}\0`).join(''));
  await run('tar', ['-C', dir, '-cf', tarFile, '--no-recursion', '--null', '-T', list], { maxBuffer: 16 * 1024 * 1024, ...(signal ? { signal } : {}) });
  return entries.length;
}

/** Relative paths (directories included, so modes survive) that belong in the context, sorted. */
export async function contextEntries(dir: string, rules: IgnoreRule[], keep: Set<string>): Promise<string[]> {
  const out: string[] = [];
  const pruneIgnoredDirs = !hasExceptions(rules);
  const walk = async (rel: string): Promise<void> => {
    const names = (await readdir(rel === '' ? dir : join(dir, rel))).sort();
    for (const name of names) {
      const path = rel === '' ? name : `${rel}/${name}`;
      const info = await lstat(join(dir, path));
      const ignored = isIgnored(path, rules) && !keep.has(path);
      if (info.isDirectory()) {
        if (ignored && pruneIgnoredDirs) continue;
        if (!ignored) out.push(path);
        await walk(path);
      } else if (!ignored) out.push(path);
    }
  };
  await walk('');
  return out;
}
