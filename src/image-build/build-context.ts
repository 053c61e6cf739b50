import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Header, Pack, ReadEntry } from 'tar';
import { hasExceptions, isIgnored, parseDockerignore, type IgnoreRule } from './dockerignore.js';
import { readTextInside } from './safe-path.js';

/** A file that is not on disk but goes into an archive (the CLI's `.slipway-build/ca.crt`). */
export interface ExtraEntry {
  path: string;
  data: Buffer;
}

/**
 * Relative paths (directories included, so modes survive) that belong in the context, sorted.
 * The walk never follows a symbolic link (lstat); sockets, FIFOs and devices are left out.
 */
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
      } else if (!ignored && (info.isFile() || info.isSymbolicLink())) out.push(path);
    }
  };
  await walk('');
  return out;
}

/**
 * `dir`'s entries as a tar stream, packed in-process by node-tar: symbolic links are stored as
 * links (never followed), owners and other host-specific metadata left out. `extra` entries are
 * appended as regular files (mode 0644).
 */
export function packEntries(
  dir: string,
  entries: string[],
  opts: { gzip?: boolean; extra?: ExtraEntry[] } = {},
): Readable {
  const pack = new Pack({
    cwd: dir,
    portable: true,
    noDirRecurse: true,
    follow: false,
    ...(opts.gzip ? { gzip: true } : {}),
  });
  for (const entry of entries) pack.add(entry);
  for (const extra of opts.extra ?? []) {
    const header = new Header({
      path: extra.path,
      type: 'File',
      mode: 0o644,
      size: extra.data.length,
      mtime: new Date(),
    });
    const entry = new ReadEntry(header);
    pack.add(entry);
    entry.end(extra.data);
  }
  pack.end();
  return Readable.from(pack as AsyncIterable<Buffer>);
}

/** The .dockerignore rules of a directory (read inside it: a link out is refused, never followed). */
export async function dockerignoreRules(dir: string, extra = ''): Promise<IgnoreRule[]> {
  const text = (await readTextInside(dir, '.dockerignore', { maxBytes: 1024 * 1024, what: 'the build context' })) ?? '';
  return parseDockerignore(`${text}\n${extra}`);
}

/**
 * `dir` as a build context for the engine, without what its .dockerignore excludes (as `docker
 * build` does on the client side). `keep` names files that are always sent (the Dockerfile,
 * .dockerignore, an injected CA certificate).
 */
export async function buildContextStream(dir: string, keep: string[]): Promise<Readable> {
  const entries = await contextEntries(dir, await dockerignoreRules(dir), new Set(keep));
  return packEntries(dir, entries);
}
