import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, readlink, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { Dirent, Stats } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SlipwayError } from '../core/errors.js';

/**
 * Every read or write Slipway does on upload content goes through this module, and it stays
 * inside its root directory (the extracted upload, a step's build context, the user's directory for
 * `init`): paths are taken apart component by component, a symbolic link is followed only while it
 * stays inside the root (a relative target that does not climb above it), and an absolute or
 * escaping link is refused with INVALID_INPUT naming the path — never followed, so nothing outside
 * is read, listed, written or deleted, and no error can quote a file from outside. Writes replace a
 * link at the final name (temporary file + rename) instead of writing through it.
 */

/** Linux limits: a whole path, one component, and how many links one lookup may follow. */
export const MAX_PATH_BYTES = 4096;
export const MAX_NAME_BYTES = 255;
const MAX_LINK_HOPS = 40;

/** A path's text for messages: quoted, control characters escaped, never longer than ~120 characters. */
export function shownPath(path: string): string {
  const cut = path.length > 120 ? `${path.slice(0, 117)}...` : path;
  return JSON.stringify(cut);
}

/**
 * Why a relative path may not be used inside a root (pure), or undefined when it is fine:
 * empty, NUL, absolute, a `..` component, overlong. `./` prefixes and trailing `/` are allowed.
 */
export function relativePathProblem(path: string): string | undefined {
  if (path.includes('\0')) return 'contains a NUL byte';
  if (path.startsWith('/')) return 'is an absolute path';
  if (Buffer.byteLength(path) > MAX_PATH_BYTES) return `is longer than ${MAX_PATH_BYTES} bytes`;
  const parts = path.split('/');
  if (parts.includes('..')) return 'contains ".."';
  if (parts.some((p) => Buffer.byteLength(p) > MAX_NAME_BYTES)) return `has a name longer than ${MAX_NAME_BYTES} bytes`;
  return undefined;
}

/** `./a//b/` → `a/b`; `.` → `` (pure; call relativePathProblem first). */
export function normalizeRelative(path: string): string {
  return path
    .split('/')
    .filter((p) => p !== '' && p !== '.')
    .join('/');
}

/** A relative path given as input (a query option, a build.yml value): normalized, or INVALID_INPUT naming `what`. */
export function insideRelative(path: string, what: string): string {
  const problem = relativePathProblem(path);
  if (problem) {
    throw new SlipwayError('INVALID_INPUT', `${what} ${shownPath(path)} ${problem}`, {
      hint: 'give a path relative to the uploaded directory, without ".." (e.g. docker/Dockerfile.api)',
      details: { path },
    });
  }
  return normalizeRelative(path);
}

export interface InsideOptions {
  /** What the root is, for messages (default "the uploaded directory"). */
  what?: string;
}

function leaves(rel: string, link: string, what: string): SlipwayError {
  const via = link === rel ? '' : ` (on the way to ${shownPath(rel)})`;
  return new SlipwayError(
    'INVALID_INPUT',
    `${shownPath(link)}${via} is a symbolic link that points outside ${what}; Slipway never follows links out of it`,
    {
      hint: 'replace the link with the file itself, or make it a relative link to something inside the directory',
      details: { path: rel, link },
    },
  );
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * The real location of `rel` under `root`, with every symbolic link resolved in scope (like Docker's
 * FollowSymlinkInScope, except that a link leaving the root is refused rather than re-rooted).
 * Components that do not exist are appended as they are. With `followFinal: false` a link at the
 * last component is left alone (to replace or delete the link itself).
 */
export async function resolveInside(
  root: string,
  rel: string,
  opts: InsideOptions & { followFinal?: boolean } = {},
): Promise<string> {
  const what = opts.what ?? 'the uploaded directory';
  const problem = rel.includes('\0') ? 'contains a NUL byte' : rel.startsWith('/') ? 'is an absolute path' : undefined;
  if (problem)
    throw new SlipwayError('INVALID_INPUT', `${shownPath(rel)} ${problem}`, {
      hint: `give a path relative to ${what}`,
      details: { path: rel },
    });
  const pending = rel.split('/');
  const walked: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (walked.length === 0)
        throw new SlipwayError('INVALID_INPUT', `${shownPath(rel)} is outside ${what}`, {
          hint: 'remove the ".." components',
          details: { path: rel },
        });
      walked.pop();
      continue;
    }
    const final = pending.every((p) => p === '' || p === '.');
    const candidate = join(root, ...walked, part);
    let info: Stats;
    try {
      info = await lstat(candidate);
    } catch (err) {
      if (!isMissing(err)) throw err;
      walked.push(part, ...pending.filter((p) => p !== '' && p !== '.'));
      if (walked.includes('..'))
        throw new SlipwayError('INVALID_INPUT', `${shownPath(rel)} is outside ${what}`, {
          hint: 'remove the ".." components',
          details: { path: rel },
        });
      break;
    }
    if (info.isSymbolicLink() && (!final || opts.followFinal !== false)) {
      if (++hops > MAX_LINK_HOPS)
        throw new SlipwayError('INVALID_INPUT', `${shownPath(rel)}: too many levels of symbolic links`, {
          hint: 'remove the link loop',
          details: { path: rel },
        });
      const target = await readlink(candidate);
      const linkRel = [...walked, part].join('/');
      if (target.startsWith('/')) throw leaves(rel, linkRel, what);
      // The target is relative to the link's directory (`walked`); climbing above the root is refused.
      let depth = walked.length;
      for (const t of target.split('/')) {
        if (t === '..') depth--;
        else if (t !== '' && t !== '.') depth++;
        if (depth < 0) throw leaves(rel, linkRel, what);
      }
      pending.unshift(...target.split('/'));
      continue;
    }
    walked.push(part);
  }
  return join(root, ...walked);
}

async function statAt(
  root: string,
  rel: string,
  opts: InsideOptions,
  followFinal: boolean,
): Promise<Stats | undefined> {
  const path = await resolveInside(root, rel, { ...opts, followFinal });
  return lstat(path).catch((err: unknown) => {
    if (isMissing(err)) return undefined;
    throw err;
  });
}

/** Stats of `rel` (links followed in scope), or undefined when it does not exist. */
export function statInside(root: string, rel: string, opts: InsideOptions = {}): Promise<Stats | undefined> {
  return statAt(root, rel, opts, true);
}

/** Stats of the entry itself (a link is not followed), parents resolved in scope; undefined when absent. */
export function lstatInside(root: string, rel: string, opts: InsideOptions = {}): Promise<Stats | undefined> {
  return statAt(root, rel, opts, false);
}

/** Entries of a directory (links followed in scope); empty when it does not exist or is not a directory. */
export async function listInside(root: string, rel: string, opts: InsideOptions = {}): Promise<Dirent[]> {
  const path = await resolveInside(root, rel, opts);
  return readdir(path, { withFileTypes: true }).catch((err: unknown) => {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw err;
  });
}

export interface ReadInsideOptions extends InsideOptions {
  /** Larger files are refused with INVALID_INPUT (or skipped with `skipLarger`). */
  maxBytes: number;
  /** Return undefined for a larger file instead of failing (e.g. scanning sources for env vars). */
  skipLarger?: boolean;
}

/**
 * The UTF-8 text of a regular file inside the root; undefined when it is absent, a directory or not
 * a regular file (a FIFO or device is never opened for reading: O_NONBLOCK, then fstat).
 */
export async function readTextInside(root: string, rel: string, opts: ReadInsideOptions): Promise<string | undefined> {
  const path = await resolveInside(root, rel, opts);
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP' || code === 'ENXIO') return undefined;
    throw err;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return undefined;
    const tooLarge = () => {
      if (opts.skipLarger) return undefined;
      throw new SlipwayError(
        'INVALID_INPUT',
        `${shownPath(rel)} is larger than ${formatBytes(opts.maxBytes)}; Slipway does not read files that large`,
        {
          hint: 'make the file smaller (a manifest or build file is normally a few kilobytes)',
          details: { path: rel, maxBytes: opts.maxBytes },
        },
      );
    };
    if (info.size > opts.maxBytes) return tooLarge();
    const buffer = Buffer.alloc(Math.min(info.size, opts.maxBytes) + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > opts.maxBytes) return tooLarge();
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * Writes a file inside the root: parents resolved in scope (missing ones created), and the final
 * name replaced atomically (a temporary file, then rename), so a symbolic link at that name is
 * replaced by the file and never written through.
 */
export async function writeFileInside(
  root: string,
  rel: string,
  data: string | Buffer,
  opts: InsideOptions & { mode?: number } = {},
): Promise<void> {
  const target = await resolveInside(root, rel, { ...opts, followFinal: false });
  if (target === root)
    throw new SlipwayError(
      'INVALID_INPUT',
      `cannot write a file at the root of ${opts.what ?? 'the uploaded directory'}`,
    );
  await mkdir(dirname(target), { recursive: true });
  const temporary = `${target}.slipway-${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, data, { flag: 'wx', mode: opts.mode ?? 0o644 });
  try {
    await rename(temporary, target);
  } catch (err) {
    await rm(temporary, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EISDIR' || code === 'ENOTEMPTY' || code === 'EEXIST') {
      throw new SlipwayError('INVALID_INPUT', `${shownPath(rel)} is a directory; Slipway needs to write a file there`, {
        hint: 'rename or remove that directory',
        details: { path: rel },
      });
    }
    throw err;
  }
}

/** Removes `rel` inside the root (a link at the final name is removed itself, never its target). */
export async function removeInside(root: string, rel: string, opts: InsideOptions = {}): Promise<void> {
  const target = await resolveInside(root, rel, { ...opts, followFinal: false });
  if (target === root)
    throw new SlipwayError('INVALID_INPUT', `cannot remove the root of ${opts.what ?? 'the uploaded directory'}`);
  await rm(target, { recursive: true, force: true });
}

/** Creates a directory (and missing parents) inside the root; an existing non-directory is INVALID_INPUT. */
export async function mkdirInside(root: string, rel: string, opts: InsideOptions = {}): Promise<string> {
  const target = await resolveInside(root, rel, opts);
  try {
    await mkdir(target, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') {
      throw new SlipwayError(
        'INVALID_INPUT',
        `${shownPath(rel)} (or a directory above it) is a file, not a directory`,
        { hint: 'rename or remove that file', details: { path: rel } },
      );
    }
    throw err;
  }
  if (!(await stat(target)).isDirectory())
    throw new SlipwayError('INVALID_INPUT', `${shownPath(rel)} is not a directory`, { details: { path: rel } });
  return target;
}

/** The parent of a `/`-separated relative path (`a/b` → `a`, `b` → ``). */
export function parentOf(rel: string): string {
  const parent = posix.dirname(rel);
  return parent === '.' ? '' : parent;
}

export function formatBytes(n: number): string {
  const units: Array<[number, string]> = [
    [1024 ** 3, 'GiB'],
    [1024 ** 2, 'MiB'],
    [1024, 'KiB'],
  ];
  for (const [size, unit] of units) if (n >= size && n % size === 0) return `${n / size} ${unit}`;
  for (const [size, unit] of units) if (n >= size) return `${(n / size).toFixed(1)} ${unit}`;
  return `${n} bytes`;
}
