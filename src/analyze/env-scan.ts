import type { Findings } from './findings.js';
import type { AppFiles } from './read-source.js';
import { SERVICE_ENV_NAMES } from './services.js';
import type { Language, ServiceName } from './types.js';

/**
 * Finds the env vars an app reads in its configuration code, by the language's own accessor
 * syntax (`process.env.X`, `os.environ["X"]`, `ENV.fetch("X")`, `env('X')`, `os.Getenv("X")`).
 * Only names that are plain identifiers in a string literal or property are taken.
 */
const ACCESSORS: Record<Exclude<Language, 'static'>, RegExp[]> = {
  node: [/process\.env\.([A-Z][A-Z0-9_]*)/g, /process\.env\[\s*['"`]([A-Z][A-Z0-9_]*)['"`]\s*\]/g],
  python: [
    /os\.environ\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\]/g,
    /os\.environ\.get\(\s*['"]([A-Z][A-Z0-9_]*)['"]/g,
    /os\.getenv\(\s*['"]([A-Z][A-Z0-9_]*)['"]/g,
    /\benv(?:\.(?:str|bool|int|list|db|cache|url))?\(\s*['"]([A-Z][A-Z0-9_]*)['"]/g,
  ],
  ruby: [/ENV\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\]/g, /ENV\.fetch\(\s*['"]([A-Z][A-Z0-9_]*)['"]/g],
  php: [
    /\benv\(\s*['"]([A-Z][A-Z0-9_]*)['"]/g,
    /\bgetenv\(\s*['"]([A-Z][A-Z0-9_]*)['"]/g,
    /\$_ENV\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\]/g,
  ],
  go: [/os\.Getenv\(\s*"([A-Z][A-Z0-9_]*)"\s*\)/g, /os\.LookupEnv\(\s*"([A-Z][A-Z0-9_]*)"\s*\)/g],
};

/** Variables Slipway or the runtime provides: never reported as "expected". */
const PROVIDED = new Set(['PORT', 'HOME', 'PATH', 'HOSTNAME', 'PWD', 'USER', 'TZ', 'NODE_ENV', 'DEBUG']);

export interface EnvUse {
  name: string;
  line: number;
}

export function scanEnvUsage(language: Exclude<Language, 'static'>, text: string): EnvUse[] {
  const uses: EnvUse[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (/^\s*(#|\/\/)/.test(line)) return;
    for (const pattern of ACCESSORS[language]) {
      for (const m of line.matchAll(pattern)) {
        const name = m[1] as string;
        if (!PROVIDED.has(name) && !uses.some((u) => u.name === name)) uses.push({ name, line: i + 1 });
      }
    }
  });
  return uses;
}

const SECRET = /(SECRET|PASSWORD|TOKEN|_KEY$|^KEY$|APP_KEY|PRIVATE)/;

/** Scans the given app-relative files and records each env var (and any service it implies). */
export async function recordEnvUsage(
  files: AppFiles,
  language: Exclude<Language, 'static'>,
  paths: string[],
  findings: Findings,
): Promise<void> {
  for (const rel of paths) {
    const text = await files.read(rel, { maxBytes: 512 * 1024, skipLarger: true });
    if (text === undefined) continue;
    for (const use of scanEnvUsage(language, text)) {
      const file = files.display(rel);
      findings.envVar(use.name, file, 'read by the app', {
        line: use.line,
        ...(SECRET.test(use.name) ? { secret: true } : {}),
      });
      const service = SERVICE_ENV_NAMES[use.name];
      if (service && service !== 'database')
        findings.service(service as ServiceName, file, `reads ${use.name}`, use.line);
    }
  }
}

/** App-relative paths of files with one of the extensions in a directory (not recursive), sorted. */
export async function filesIn(files: AppFiles, dir: string, extensions: string[]): Promise<string[]> {
  const names = await files.list(dir);
  return names
    .filter((n) => !n.endsWith('/') && extensions.some((e) => n.endsWith(e)))
    .map((n) => (dir === '' ? n : `${dir}/${n}`));
}
