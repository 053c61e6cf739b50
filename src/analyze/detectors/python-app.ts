import type { AppFiles } from '../read-source.js';
import { lineOf } from '../text.js';

/** Where a WSGI/ASGI application object lives: `module:object`, and the directory to import it from. */
export interface AppObject {
  /** `api.main:app`, `app:create_app()`. */
  target: string;
  /** Directory the module is imported from, relative to the app (`src` for a src layout), `''` for the app itself. */
  importDir: string;
  /** App-relative file it was found in. */
  rel: string;
  line: number;
}

const MODULE_FILES = ['main.py', 'app.py', 'asgi.py', 'wsgi.py', 'application.py', 'server.py', 'api.py'];
const SKIPPED_DIRS = new Set([
  'tests',
  'test',
  'docs',
  'venv',
  '.venv',
  'env',
  'node_modules',
  'migrations',
  'static',
  'staticfiles',
  'templates',
  'scripts',
  'build',
  'dist',
]);
/** The most files read looking for the application object. */
const MAX_CANDIDATES = 60;
const READ = { maxBytes: 4 * 1024 * 1024, skipLarger: true };

/**
 * Candidate modules in priority order: top-level modules, then packages (`api/main.py`,
 * `app/__init__.py`), then a `src/` layout (`src/x/app.py`, imported from `src`).
 */
async function candidates(files: AppFiles): Promise<Array<{ rel: string; importDir: string }>> {
  const out: Array<{ rel: string; importDir: string }> = MODULE_FILES.map((f) => ({ rel: f, importDir: '' }));
  const packages = async (dir: string, importDir: string) => {
    const prefix = dir === '' ? '' : `${dir}/`;
    const names = (await files.list(dir)).filter((n) => n.endsWith('/') && !n.startsWith('.'));
    for (const name of names.map((n) => n.slice(0, -1)).filter((n) => !SKIPPED_DIRS.has(n) && /^\w+$/.test(n))) {
      for (const f of [...MODULE_FILES, '__init__.py']) out.push({ rel: `${prefix}${name}/${f}`, importDir });
    }
  };
  await packages('', '');
  for (const f of MODULE_FILES) out.push({ rel: `src/${f}`, importDir: 'src' });
  await packages('src', 'src');
  return out.slice(0, 400);
}

function moduleOf(rel: string, importDir: string): string {
  const inside = importDir === '' ? rel : rel.slice(importDir.length + 1);
  return inside
    .replace(/\/__init__\.py$/, '')
    .replace(/\.py$/, '')
    .replace(/\//g, '.');
}

/**
 * Finds `app = FastAPI(…)` / `app: Flask = Flask(…)` (any name, optionally through a module
 * prefix such as `fastapi.FastAPI(`) or a `create_app` factory, in the usual modules and packages.
 */
export async function findAppObject(files: AppFiles, constructors: string[]): Promise<AppObject | undefined> {
  const assign = new RegExp(`^(\\w+)\\s*(?::\\s*[\\w.]+\\s*)?=\\s*(?:[\\w.]+\\.)?(?:${constructors.join('|')})\\(`);
  let read = 0;
  for (const { rel, importDir } of await candidates(files)) {
    if (read >= MAX_CANDIDATES) break;
    if (!(await files.isFile(rel))) continue;
    read++;
    const text = await files.read(rel, READ);
    if (text === undefined) continue;
    const module = moduleOf(rel, importDir);
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const m = assign.exec(lines[i] ?? '');
      if (m) return { target: `${module}:${m[1]}`, importDir, rel, line: i + 1 };
    }
    const factory = lineOf(text, /^def create_app\(/);
    if (factory) return { target: `${module}:create_app()`, importDir, rel, line: factory };
  }
  return undefined;
}
