import { posix } from 'node:path';
import { SlipwayError } from '../core/errors.js';
import { listInside, lstatInside, readTextInside, statInside } from '../image-build/safe-path.js';

/** The most the analyzer reads of one file (manifests are parsed with tighter limits, see text.ts). */
export const MAX_ANALYZED_FILE_BYTES = 16 * 1024 * 1024;

/** The small read-only view of a source tree the detectors use, so they can be tested without a disk. */
export interface SourceTree {
  /**
   * UTF-8 text of a file (path relative to the tree root, `/`-separated); undefined when absent or a
   * directory. A file over the limit is INVALID_INPUT, or undefined with `skipLarger`.
   */
  read(path: string, opts?: { maxBytes?: number; skipLarger?: boolean }): Promise<string | undefined>;
  exists(path: string): Promise<boolean>;
  /** True for a regular file (links followed inside the tree). */
  isFile(path: string): Promise<boolean>;
  /** Entry names of a directory (`''` is the root), directories suffixed with `/`, sorted; empty when absent. */
  list(dir?: string): Promise<string[]>;
}

/** Normalizes a relative path and refuses anything that leaves the tree (`..`, absolute paths). */
export function safeRelative(path: string): string {
  const normalized = posix.normalize(path.replace(/\\/g, '/')).replace(/\/+$/, '');
  if (normalized === '.' || normalized === '') return '';
  if (normalized.startsWith('/') || normalized === '..' || normalized.startsWith('../')) {
    throw new SlipwayError('INVALID_INPUT', `path ${JSON.stringify(path)} is outside the source root`, {
      hint: 'pass a path relative to the root, e.g. apps/api',
    });
  }
  return normalized;
}

/**
 * A SourceTree over a directory on disk. Every access stays inside `root` (safe-path.ts): a
 * symbolic link is followed only while it stays inside, one that leaves is INVALID_INPUT naming
 * the path (so nothing outside is ever read, listed or quoted), and FIFOs or devices are never opened.
 */
export function directoryTree(root: string): SourceTree {
  const what = 'the source directory';
  return {
    read(p, opts = {}) {
      return readTextInside(root, safeRelative(p), {
        what,
        maxBytes: opts.maxBytes ?? MAX_ANALYZED_FILE_BYTES,
        ...(opts.skipLarger ? { skipLarger: true } : {}),
      });
    },
    async exists(p) {
      // The entry itself (a link counts, whatever it points to: nothing outside is looked at).
      return (await lstatInside(root, safeRelative(p), { what })) !== undefined;
    },
    async isFile(p) {
      return (await statInside(root, safeRelative(p), { what }))?.isFile() ?? false;
    },
    async list(dir = '') {
      const entries = await listInside(root, safeRelative(dir), { what });
      return entries.map((e) => (e.isDirectory() ? `${e.name}/` : e.name)).sort();
    },
  };
}

/** A SourceTree over an in-memory map of path → text (tests). Directories are implied by the paths. */
export function memoryTree(files: Record<string, string>): SourceTree {
  const normalized = new Map(Object.entries(files).map(([p, t]) => [safeRelative(p), t]));
  const isDir = (d: string) => [...normalized.keys()].some((p) => d === '' || p.startsWith(`${d}/`));
  return {
    async read(p, opts = {}) {
      const text = normalized.get(safeRelative(p));
      if (text !== undefined && opts.maxBytes !== undefined && Buffer.byteLength(text) > opts.maxBytes) {
        if (opts.skipLarger) return undefined;
        throw new SlipwayError('INVALID_INPUT', `${p} is larger than ${opts.maxBytes} bytes`, { details: { path: p } });
      }
      return text;
    },
    async exists(p) {
      const rel = safeRelative(p);
      return normalized.has(rel) || (rel !== '' && isDir(rel));
    },
    async isFile(p) {
      return normalized.has(safeRelative(p));
    },
    async list(dir = '') {
      const d = safeRelative(dir);
      const prefix = d === '' ? '' : `${d}/`;
      const names = new Set<string>();
      for (const p of normalized.keys()) {
        if (!p.startsWith(prefix)) continue;
        const rest = p.slice(prefix.length);
        const slash = rest.indexOf('/');
        names.add(slash === -1 ? rest : `${rest.slice(0, slash + 1)}`);
      }
      return [...names].sort();
    },
  };
}

/**
 * The app directory inside a tree. Detectors read app-relative paths; evidence names root-relative
 * paths (`apps/api/package.json`) so a monorepo user sees exactly which file was meant.
 */
export class AppFiles {
  constructor(
    readonly tree: SourceTree,
    /** App directory relative to the tree root, `''` for the root. */
    readonly dir: string,
  ) {}

  /** Root-relative display path of an app-relative path. */
  display(rel: string): string {
    return this.dir === '' ? rel : `${this.dir}/${rel}`;
  }

  read(rel: string, opts?: { maxBytes?: number; skipLarger?: boolean }): Promise<string | undefined> {
    return this.tree.read(this.display(rel), opts);
  }

  exists(rel: string): Promise<boolean> {
    return this.tree.exists(this.display(rel));
  }

  isFile(rel: string): Promise<boolean> {
    return this.tree.isFile(this.display(rel));
  }

  list(rel = ''): Promise<string[]> {
    return this.tree.list(rel === '' ? this.dir : this.display(rel));
  }

  /** The nearest file with this name in the app directory or an ancestor up to the root. */
  async findUp(name: string): Promise<{ file: string; text: string; inApp: boolean } | undefined> {
    for (const dir of this.upwards()) {
      const file = dir === '' ? name : `${dir}/${name}`;
      const text = await this.tree.read(file);
      if (text !== undefined) return { file, text, inApp: dir === this.dir };
    }
    return undefined;
  }

  /** Like findUp, without reading the file (lockfiles can be large). */
  async findUpFile(name: string): Promise<{ file: string; inApp: boolean } | undefined> {
    for (const dir of this.upwards()) {
      const file = dir === '' ? name : `${dir}/${name}`;
      if (await this.tree.isFile(file)) return { file, inApp: dir === this.dir };
    }
    return undefined;
  }

  /** The app directory, then each ancestor up to the root (`''`). */
  private upwards(): string[] {
    const out = [this.dir];
    for (let dir = this.dir; dir !== '';) {
      const slash = dir.lastIndexOf('/');
      dir = slash === -1 ? '' : dir.slice(0, slash);
      out.push(dir);
    }
    return out;
  }
}
