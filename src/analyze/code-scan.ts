import type { Findings } from './findings.js';
import type { AppFiles } from './read-source.js';
import type { Language } from './types.js';

/**
 * What an app's own code says about its port and its routes, read from the few files that start it
 * (never the whole tree): the port it falls back to when PORT is unset (`process.env.PORT || 5006`),
 * a port it listens on without reading PORT at all, and a route that answers a health check.
 */

type CodeLanguage = Exclude<Language, 'static'>;

const READ = { maxBytes: 512 * 1024, skipLarger: true };

/** `PORT` read with a fallback: the number is the app's own default. */
const PORT_FALLBACK: Record<CodeLanguage, RegExp[]> = {
  node: [/process\.env\.PORT\b[^\n;]{0,40}?(?:\|\||\?\?)\s*['"`]?(\d{2,5})\b/],
  python: [/(?:environ\.get|getenv)\(\s*['"]PORT['"]\s*,\s*['"]?(\d{2,5})\b/],
  ruby: [
    /ENV\.fetch\(\s*['"]PORT['"]\s*,\s*['"]?(\d{2,5})\b/,
    /ENV\.fetch\(\s*['"]PORT['"]\s*\)\s*\{\s*['"]?(\d{2,5})\b/,
    /ENV\[\s*['"]PORT['"]\s*\]\s*(?:\|\||\?:)\s*['"]?(\d{2,5})\b/,
  ],
  php: [/getenv\(\s*['"]PORT['"]\s*\)\s*\?:\s*['"]?(\d{2,5})\b/],
  go: [/\bport\s*(?::=|=)\s*"(\d{2,5})"/i],
};

/** Reads PORT at all (a language's env accessor naming PORT). */
const READS_PORT: Record<CodeLanguage, RegExp> = {
  node: /process\.env(?:\.PORT\b|\[\s*['"`]PORT['"`]\s*\])/,
  python: /(?:environ(?:\.get)?|getenv)\s*[([]\s*['"]PORT['"]/,
  ruby: /ENV(?:\.fetch\(|\[)\s*['"]PORT['"]/,
  php: /(?:getenv\(|\$_ENV\[|\$_SERVER\[)\s*['"]PORT['"]/,
  go: /(?:Getenv|LookupEnv)\(\s*"PORT"\s*\)/,
};

/** A literal port the server listens on. */
const FIXED_PORT: Record<CodeLanguage, RegExp[]> = {
  node: [/\.listen\(\s*(\d{2,5})\b/],
  python: [/\.run\([^)\n]*\bport\s*=\s*(\d{2,5})\b/],
  ruby: [/^\s*set\s+:port\s*,\s*(\d{2,5})\b/m],
  php: [],
  go: [/ListenAndServe(?:TLS)?\(\s*"[\w.]*:(\d{2,5})"/],
};

export interface PortInCode {
  port: number;
  file: string;
  line: number;
  /** false: the app listens on a fixed port and never reads PORT. */
  readsPort: boolean;
}

function lineAt(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

/** Blanks out whole-line comments (`#`, `//`) so a commented-out `listen(3000)` is not taken. */
function withoutLineComments(text: string): string {
  return text.replace(/^[ \t]*(#|\/\/).*$/gm, '');
}

/** The first port an app's start files name (app-relative paths, in priority order). */
export async function findPortInCode(
  files: AppFiles,
  language: CodeLanguage,
  paths: string[],
): Promise<PortInCode | undefined> {
  let fixed: PortInCode | undefined;
  for (const rel of [...new Set(paths)]) {
    const raw = await files.read(rel, READ);
    if (raw === undefined) continue;
    const text = withoutLineComments(raw);
    const file = files.display(rel);
    const reads = READS_PORT[language].test(text);
    if (reads) {
      for (const pattern of PORT_FALLBACK[language]) {
        const m = pattern.exec(text);
        if (m) return { port: Number(m[1]), file, line: lineAt(text, m.index), readsPort: true };
      }
      continue;
    }
    for (const pattern of FIXED_PORT[language]) {
      const m = pattern.exec(text);
      if (m && !fixed) fixed = { port: Number(m[1]), file, line: lineAt(text, m.index), readsPort: false };
    }
  }
  return fixed;
}

/** Route definitions by framework idiom: the path is group 1. */
const ROUTES: Record<CodeLanguage, RegExp[]> = {
  node: [/\.(?:get|all|head)\(\s*['"`](\/[\w\-/.]*)['"`]/g, /\.route\(\s*\{\s*method:[^}]*?url:\s*['"`](\/[\w\-/.]*)/g],
  python: [/@\w+\.(?:get|route|api_route|head)\(\s*['"](\/[\w\-/.]*)['"]/g],
  ruby: [/^\s*get\s*\(?\s*['"](\/[\w\-/.]*)['"]/gm],
  php: [/->get\(\s*['"](\/[\w\-/.]*)['"]/g, /Route::get\(\s*['"](\/[\w\-/.]*)['"]/g],
  go: [/\.(?:HandleFunc|Handle|GET|Get|HEAD)\(\s*"(?:GET\s+)?(\/[\w\-/.]*)"/g],
};

/** Health-style paths, preferred over `/` in this order. */
export const HEALTH_PATHS = ['/healthz', '/health', '/up', '/livez', '/ping', '/status', '/_health'];

export interface RouteInCode {
  path: string;
  file: string;
  line: number;
}

/** The route to probe: a health-style route, else `/`; undefined when the files define neither. */
export async function findHealthRoute(
  files: AppFiles,
  language: CodeLanguage,
  paths: string[],
): Promise<RouteInCode | undefined> {
  const found: RouteInCode[] = [];
  for (const rel of [...new Set(paths)]) {
    const raw = await files.read(rel, READ);
    if (raw === undefined) continue;
    const text = withoutLineComments(raw);
    for (const pattern of ROUTES[language]) {
      for (const m of text.matchAll(pattern)) {
        const path = m[1]!.replace(/(.)\/$/, '$1');
        found.push({ path, file: files.display(rel), line: lineAt(text, m.index) });
      }
    }
  }
  for (const wanted of [...HEALTH_PATHS, '/']) {
    const route = found.find((r) => r.path === wanted);
    if (route) return route;
  }
  return undefined;
}

/**
 * The port and health check an app's code implies, recorded as evidence (and a warning when the app
 * never reads PORT). Returns the port (else `fallback`) and the health path (else null: a TCP check).
 */
export async function portAndHealth(
  ctx: { files: AppFiles; findings: Findings },
  language: CodeLanguage,
  paths: string[],
  fallback: { port: number; reason: string },
): Promise<{ port: number; healthcheckPath: string | null }> {
  const { files, findings } = ctx;
  const inCode = await findPortInCode(files, language, paths);
  let port = fallback.port;
  if (inCode) {
    port = inCode.port;
    findings.note(
      'port',
      inCode.file,
      inCode.readsPort
        ? `the app's own default when PORT is unset: ${inCode.port} (Slipway sets PORT=${inCode.port})`
        : `listens on ${inCode.port} and never reads PORT`,
      inCode.line,
    );
    if (!inCode.readsPort)
      findings.warn(
        `${inCode.file}:${inCode.line} listens on port ${inCode.port} without reading PORT; ` +
          'Slipway uses that port, but reading PORT lets the platform choose',
      );
  } else findings.note('port', paths[0] ? files.display(paths[0]) : '.', fallback.reason);
  const route = await findHealthRoute(files, language, paths);
  if (route) findings.note('healthcheck', route.file, `route ${route.path}: HTTP check GET ${route.path}`, route.line);
  return { port, healthcheckPath: route?.path ?? null };
}
