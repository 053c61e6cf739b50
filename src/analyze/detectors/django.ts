import { lineOf, stripHashComment } from '../text.js';
import type { DetectorContext } from './detector.js';

export interface DjangoFacts {
  /** Dotted module of the WSGI application (`mysite.wsgi`). */
  wsgiModule?: string;
  settingsModule?: string;
  /** App-relative files worth scanning for env usage and the port. */
  scanned: string[];
  /** `collectstatic` at build time (staticfiles with a STATIC_ROOT), with the env it needs. */
  buildCommand?: string;
  /** How DATABASES is configured: from DATABASE_URL, a database server named in settings, or SQLite only. */
  database?: 'url' | 'server' | 'sqlite';
  /** The first migration file found (app-relative), when the project has migrations. */
  migration?: string;
  healthcheckPath: string | null;
  /** The env var SECRET_KEY is read from (the build step gets a placeholder for it). */
  secretEnv?: string;
}

const ENGINES: Record<string, 'postgres' | 'mysql' | 'sqlite'> = {
  postgresql: 'postgres',
  postgresql_psycopg2: 'postgres',
  postgis: 'postgres',
  mysql: 'mysql',
  sqlite3: 'sqlite',
  spatialite: 'sqlite',
};

const CACHE_BACKENDS: Array<[RegExp, 'redis' | 'memcached']> = [
  [/django\.core\.cache\.backends\.redis\.RedisCache|django_redis\.cache\.RedisCache/, 'redis'],
  [/django\.core\.cache\.backends\.memcached\.(PyMemcacheCache|PyLibMCCache|MemcachedCache)/, 'memcached'],
];

/** Code lines of a Python file with comments stripped (a commented-out setting is no setting). */
function codeLines(text: string): string[] {
  return text.split(/\r?\n/).map((l) => stripHashComment(l));
}

const first = (lines: string[], pattern: RegExp): number | undefined => {
  const i = lines.findIndex((l) => pattern.test(l));
  return i === -1 ? undefined : i + 1;
};

/** Reads manage.py → DJANGO_SETTINGS_MODULE → settings (WSGI_APPLICATION, DATABASES, CACHES, static files, hosts). */
export async function analyzeDjango(ctx: DetectorContext): Promise<DjangoFacts> {
  const { files, findings } = ctx;
  const facts: DjangoFacts = { scanned: [], healthcheckPath: null };
  const manage = await files.read('manage.py');
  if (manage === undefined) {
    findings.warn('Django app without manage.py: no settings module found; add a Procfile with a web entry');
    return facts;
  }
  const setdefault = /DJANGO_SETTINGS_MODULE['"]\s*,\s*['"]([\w.]+)['"]/;
  const line = lineOf(manage, setdefault);
  const settingsModule = line ? setdefault.exec(manage.split(/\r?\n/)[line - 1] ?? '')?.[1] : undefined;
  if (!settingsModule) {
    findings.warn(
      `${files.display('manage.py')}: DJANGO_SETTINGS_MODULE not set there; add a Procfile with a web entry`,
    );
    return facts;
  }
  facts.settingsModule = settingsModule;
  findings.envVar('DJANGO_SETTINGS_MODULE', files.display('manage.py'), 'set by manage.py', {
    value: settingsModule,
    line,
  });
  const base = settingsModule.replace(/\./g, '/');
  let settingsRel: string | undefined;
  for (const candidate of [`${base}.py`, `${base}/__init__.py`]) {
    if (await files.isFile(candidate)) {
      settingsRel = candidate;
      break;
    }
  }
  if (!settingsRel) {
    findings.warn(`settings module ${settingsModule} not found (looked for ${base}.py)`);
    return facts;
  }
  const settingsFile = files.display(settingsRel);
  facts.scanned.push(settingsRel);
  const lines = codeLines((await files.read(settingsRel)) ?? '');
  readDatabasesAndCaches(ctx, lines, settingsFile, facts);
  readSecretKey(ctx, lines, settingsFile, facts);
  await readStaticFiles(ctx, lines, settingsFile, facts);
  await readRouting(ctx, lines, settingsFile, facts);
  facts.migration = await firstMigration(ctx);
  if (!facts.wsgiModule) findings.warn(`${settingsFile}: no WSGI_APPLICATION; add a Procfile with a web entry`);
  return facts;
}

function readDatabasesAndCaches(ctx: DetectorContext, lines: string[], file: string, facts: DjangoFacts): void {
  const { findings } = ctx;
  lines.forEach((text, i) => {
    const lineNo = i + 1;
    const wsgi = /^WSGI_APPLICATION\s*=\s*['"]([\w.]+)\.(\w+)['"]/.exec(text);
    if (wsgi) {
      facts.wsgiModule = wsgi[1];
      findings.note('process:web', file, `WSGI_APPLICATION = ${wsgi[1]}.${wsgi[2]} → gunicorn`, lineNo);
    }
    const engine = /['"]ENGINE['"]\s*:\s*['"]django(?:\.contrib\.gis)?\.db\.backends\.(\w+)['"]/.exec(text);
    if (engine) {
      const kind = ENGINES[engine[1] as string];
      if (kind === 'postgres' || kind === 'mysql') {
        findings.service(kind, file, `DATABASES ENGINE ${engine[1]}`, lineNo);
        if (facts.database !== 'url') facts.database = 'server';
      } else if (kind === 'sqlite') {
        findings.warn(`${file}:${lineNo}: SQLite database: data inside a container is lost on every deploy`);
        facts.database ??= 'sqlite';
      }
    }
    const url = /\bdj_database_url\.(config|parse)\(|\benv\.db(_url)?\(|['"]DATABASE_URL['"]/.test(text);
    if (url && facts.database !== 'url') {
      findings.envVar('DATABASE_URL', file, 'DATABASES from DATABASE_URL', { line: lineNo, secret: true });
      facts.database = 'url';
    }
    for (const [pattern, service] of CACHE_BACKENDS) {
      if (pattern.test(text)) findings.service(service, file, `CACHES BACKEND ${pattern.exec(text)?.[0]}`, lineNo);
    }
  });
  if ((findings.hasService('postgres') || findings.hasService('mysql')) && !findings.hasEnv('DATABASE_URL')) {
    findings.warn(
      `${file}: DATABASES does not read DATABASE_URL; configure it from the environment ` +
        '(e.g. dj-database-url) so the release can reach the database',
    );
  }
}

/** SECRET_KEY read from the environment: the build step gets a placeholder for it (never a real secret). */
function readSecretKey(ctx: DetectorContext, lines: string[], file: string, facts: DjangoFacts): void {
  const at = first(lines, /^SECRET_KEY\s*=/);
  if (at === undefined) return;
  const text = lines.slice(at - 1, at + 3).join(' ');
  const env = /(?:environ(?:\.get)?|getenv|\benv(?:\.str)?)\s*[([]\s*['"]([A-Z][A-Z0-9_]*)['"]/.exec(text)?.[1];
  if (env) facts.secretEnv = env;
  else ctx.findings.warn(`${file}:${at}: SECRET_KEY is hard-coded; read it from the environment`);
}

/** staticfiles + STATIC_ROOT → collectstatic at build time (WhiteNoise's manifest storage needs its manifest). */
async function readStaticFiles(ctx: DetectorContext, lines: string[], file: string, facts: DjangoFacts) {
  const { findings } = ctx;
  const app = first(lines, /['"]django\.contrib\.staticfiles['"]/);
  if (app === undefined) return;
  const root = first(lines, /^STATIC_ROOT\s*=/);
  const manifest = first(lines, /ManifestStaticFilesStorage/);
  const whitenoise = first(lines, /whitenoise\.middleware\.WhiteNoiseMiddleware/);
  if (whitenoise) findings.note('build', file, 'WhiteNoise serves the collected static files', whitenoise);
  if (root === undefined) {
    if (manifest)
      findings.warn(
        `${file}:${manifest}: manifest static files storage needs collectstatic, ` +
          'which needs STATIC_ROOT; set STATIC_ROOT (e.g. BASE_DIR / "staticfiles")',
      );
    return;
  }
  const secretEnv = facts.secretEnv;
  facts.buildCommand =
    `${secretEnv ? `${secretEnv}=collectstatic-placeholder ` : ''}` + 'python manage.py collectstatic --noinput';
  findings.note('build', file, 'django.contrib.staticfiles with STATIC_ROOT: collectstatic at build time', root);
  if (manifest) findings.note('build', file, 'manifest storage: its manifest is written by collectstatic', manifest);
}

/** `/` is probed over HTTP only when a root URL exists and ALLOWED_HOSTS admits any Host (the probe's own). */
async function readRouting(ctx: DetectorContext, lines: string[], file: string, facts: DjangoFacts) {
  const { files, findings } = ctx;
  const conf = lines.map((l) => /^ROOT_URLCONF\s*=\s*['"]([\w.]+)['"]/.exec(l)?.[1]).find(Boolean);
  const anyHost = first(lines, /^\s*ALLOWED_HOSTS\s*=\s*\[[^\]]*['"]\*['"]/);
  if (!conf) return;
  const rel = `${conf.replace(/\./g, '/')}.py`;
  const urls = codeLines((await files.read(rel)) ?? '');
  const root = first(urls, /\b(?:path|re_path|url)\(\s*r?['"](\^\$?)?['"]/);
  if (root === undefined) return;
  if (anyHost === undefined) {
    findings.note(
      'healthcheck',
      file,
      'ALLOWED_HOSTS does not admit every Host (the health check has its own): TCP check',
      first(lines, /^\s*ALLOWED_HOSTS\s*=/),
    );
    return;
  }
  facts.healthcheckPath = '/';
  findings.note('healthcheck', files.display(rel), 'root URL pattern: HTTP check GET /', root);
  findings.note('healthcheck', file, "ALLOWED_HOSTS has '*'", anyHost);
}

/** The first `NNNN_*.py` migration of a top-level app, when there is one. */
async function firstMigration(ctx: DetectorContext): Promise<string | undefined> {
  const dirs = (await ctx.files.list()).filter((n) => n.endsWith('/') && !n.startsWith('.')).slice(0, 200);
  for (const dir of dirs) {
    const found = (await ctx.files.list(`${dir}migrations`)).find((n) => /^\d{4}_\w+\.py$/.test(n));
    if (found) return `${dir}migrations/${found}`;
  }
  return undefined;
}
