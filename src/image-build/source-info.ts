import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where a build's source came from: a git checkout (commit, branch, dirty) or a content hash. */
export interface SourceInfo {
  commit?: string;
  branch?: string;
  /** Uncommitted changes under the directory when it was built. */
  dirty?: boolean;
  /** sha256 over the directory's paths, modes and contents (when not a clean git checkout). */
  contentHash?: string;
}

/**
 * Runs git on the CLI's side, in the user's own directory. Safe with any directory name: `dir` is
 * an absolute path (resolve()) in the argument of `-C`, never in an option position, the other
 * arguments are constants (paths after `--`), and no shell is involved; a configured fsmonitor
 * command is switched off so reading the status never runs one.
 */
async function git(dir: string, ...args: string[]): Promise<string | undefined> {
  try {
    return (
      await run('git', ['-c', 'core.fsmonitor=false', '-C', dir, ...args], { maxBuffer: 32 * 1024 * 1024 })
    ).stdout.trim();
  } catch {
    return undefined;
  }
}

/** Computed by the CLI, sent with the upload. */
export async function readSourceInfo(dir: string): Promise<SourceInfo> {
  const commit = await git(dir, 'rev-parse', '--verify', '-q', 'HEAD');
  if (!commit) return { contentHash: await contentHash(dir) };
  const branch = await git(dir, 'symbolic-ref', '--short', '-q', 'HEAD');
  const dirty = ((await git(dir, 'status', '--porcelain', '--untracked-files=normal', '--', '.')) ?? '') !== '';
  return { commit, ...(branch ? { branch } : {}), dirty, ...(dirty ? { contentHash: await contentHash(dir) } : {}) };
}

/** Deterministic hash of a directory tree (`.git` left out), independent of timestamps. */
export async function contentHash(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (rel: string): Promise<void> => {
    const entries = (await readdir(join(dir, rel))).filter((e) => !(rel === '' && e === '.git')).sort();
    for (const entry of entries) {
      const path = rel === '' ? entry : `${rel}/${entry}`;
      const info = await lstat(join(dir, path));
      if (info.isDirectory()) {
        hash.update(`d ${path}\0`);
        await walk(path);
      } else if (info.isSymbolicLink()) {
        hash.update(`l ${path}\0${await readlink(join(dir, path))}\0`);
      } else if (info.isFile()) {
        hash.update(`f ${path} ${info.mode & 0o111 ? 'x' : '-'}\0`);
        hash.update(await readFile(join(dir, path)));
        hash.update('\0');
      }
    }
  };
  await walk('');
  return `sha256:${hash.digest('hex')}`;
}

/** Source info as query parameters (the upload's body is the tar). */
export function sourceInfoQuery(info: SourceInfo): Record<string, string> {
  const out: Record<string, string> = {};
  if (info.commit) out['git.commit'] = info.commit;
  if (info.branch) out['git.branch'] = info.branch;
  if (info.dirty !== undefined) out['git.dirty'] = info.dirty ? '1' : '0';
  if (info.contentHash) out['contentHash'] = info.contentHash;
  return out;
}

/** The inverse of sourceInfoQuery, validating what a client sent. */
export function sourceInfoFromQuery(query: URLSearchParams): SourceInfo {
  const commit = query.get('git.commit') ?? undefined;
  const branch = query.get('git.branch') ?? undefined;
  const dirty = query.get('git.dirty');
  const contentHash = query.get('contentHash') ?? undefined;
  return {
    ...(commit && /^[0-9a-f]{7,64}$/.test(commit) ? { commit } : {}),
    ...(branch && /^[\w./@+-]{1,255}$/.test(branch) ? { branch } : {}),
    ...(dirty === '1' || dirty === '0' ? { dirty: dirty === '1' } : {}),
    ...(contentHash && /^sha256:[0-9a-f]{64}$/.test(contentHash) ? { contentHash } : {}),
  };
}
