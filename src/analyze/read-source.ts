import { readFile, readdir, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { SlipwayError } from '../core/errors.js';

/** The small read-only view of a source tree the detectors use, so they can be tested without a disk. */
export interface SourceTree {
  /** UTF-8 text of a file (path relative to the tree root, `/`-separated); undefined when absent or a directory. */
  read(path: string): Promise<string | undefined>;
  exists(path: string): Promise<boolean>;
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

/** A SourceTree over a directory on disk. */
export function directoryTree(root: string): SourceTree {
  const abs = (p: string) => join(root, safeRelative(p));
  return {
    async read(p) {
      try {
        return await readFile(abs(p), 'utf8');
      } catch {
        return undefined;
      }
    },
    async exists(p) {
      try {
        await stat(abs(p));
        return true;
      } catch {
        return false;
      }
    },
    async list(dir = '') {
      try {
        const entries = await readdir(abs(dir), { withFileTypes: true });
        return entries.map((e) => (e.isDirectory() ? `${e.name}/` : e.name)).sort();
      } catch {
        return [];
      }
    },
  };
}

/** A SourceTree over an in-memory map of path → text (tests). Directories are implied by the paths. */
export function memoryTree(files: Record<string, string>): SourceTree {
  const normalized = new Map(Object.entries(files).map(([p, t]) => [safeRelative(p), t]));
  const isDir = (d: string) => [...normalized.keys()].some((p) => d === '' || p.startsWith(`${d}/`));
  return {
    async read(p) {
      return normalized.get(safeRelative(p));
    },
    async exists(p) {
      const rel = safeRelative(p);
      return normalized.has(rel) || (rel !== '' && isDir(rel));
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

  read(rel: string): Promise<string | undefined> {
    return this.tree.read(this.display(rel));
  }

  exists(rel: string): Promise<boolean> {
    return this.tree.exists(this.display(rel));
  }

  list(rel = ''): Promise<string[]> {
    return this.tree.list(rel === '' ? this.dir : this.display(rel));
  }

  /** The nearest file with this name in the app directory or an ancestor up to the root. */
  async findUp(name: string): Promise<{ file: string; text: string; inApp: boolean } | undefined> {
    let dir = this.dir;
    for (;;) {
      const file = dir === '' ? name : `${dir}/${name}`;
      const text = await this.tree.read(file);
      if (text !== undefined) return { file, text, inApp: dir === this.dir };
      if (dir === '') return undefined;
      const slash = dir.lastIndexOf('/');
      dir = slash === -1 ? '' : dir.slice(0, slash);
    }
  }
}
