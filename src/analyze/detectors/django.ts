import { lineOf } from '../text.js';
import type { DetectorContext } from './detector.js';

export interface DjangoFacts {
  /** Dotted module of the WSGI application (`mysite.wsgi`). */
  wsgiModule?: string;
  settingsModule?: string;
  /** App-relative files worth scanning for env usage. */
  scanned: string[];
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

/** Reads manage.py → DJANGO_SETTINGS_MODULE → settings (WSGI_APPLICATION, DATABASES, CACHES). */
export async function analyzeDjango(ctx: DetectorContext): Promise<DjangoFacts> {
  const { files, findings } = ctx;
  const facts: DjangoFacts = { scanned: [] };
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
    if (await files.exists(candidate)) {
      settingsRel = candidate;
      break;
    }
  }
  if (!settingsRel) {
    findings.warn(`settings module ${settingsModule} not found (looked for ${base}.py)`);
    return facts;
  }
  const settings = (await files.read(settingsRel)) ?? '';
  const settingsFile = files.display(settingsRel);
  facts.scanned.push(settingsRel);
  const lines = settings.split(/\r?\n/);

  lines.forEach((text, i) => {
    const lineNo = i + 1;
    const wsgi = /^WSGI_APPLICATION\s*=\s*['"]([\w.]+)\.(\w+)['"]/.exec(text);
    if (wsgi) {
      facts.wsgiModule = wsgi[1];
      findings.note('process:web', settingsFile, `WSGI_APPLICATION = ${wsgi[1]}.${wsgi[2]} → gunicorn`, lineNo);
    }
    const engine = /['"]ENGINE['"]\s*:\s*['"]django(?:\.contrib\.gis)?\.db\.backends\.(\w+)['"]/.exec(text);
    if (engine) {
      const kind = ENGINES[engine[1] as string];
      if (kind === 'postgres' || kind === 'mysql')
        findings.service(kind, settingsFile, `DATABASES ENGINE ${engine[1]}`, lineNo);
      else if (kind === 'sqlite')
        findings.warn(`${settingsFile}:${lineNo}: SQLite database: data inside a container is lost on every deploy`);
    }
    if (/\bdj_database_url\.(config|parse)\(/.test(text)) {
      findings.envVar('DATABASE_URL', settingsFile, 'DATABASES from dj_database_url', { line: lineNo, secret: true });
    }
    for (const [pattern, service] of CACHE_BACKENDS) {
      if (pattern.test(text))
        findings.service(service, settingsFile, `CACHES BACKEND ${pattern.exec(text)?.[0]}`, lineNo);
    }
  });
  if ((findings.hasService('postgres') || findings.hasService('mysql')) && !findings.hasEnv('DATABASE_URL')) {
    findings.warn(
      `${settingsFile}: DATABASES does not read DATABASE_URL; configure it from the environment ` +
        '(e.g. dj-database-url) so the release can reach the database',
    );
  }
  if (/^SECRET_KEY\s*=/m.test(settings) && !/^SECRET_KEY\s*=.*(environ|getenv|env\()/m.test(settings)) {
    findings.warn(
      `${settingsFile}:${lineOf(settings, /^SECRET_KEY\s*=/)}: SECRET_KEY is hard-coded; read it from the environment`,
    );
  }
  if (!facts.wsgiModule) findings.warn(`${settingsFile}: no WSGI_APPLICATION; add a Procfile with a web entry`);
  return facts;
}
