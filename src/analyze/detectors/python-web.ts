import { portAndHealth } from '../code-scan.js';
import type { Framework, ProcessType } from '../types.js';
import type { DetectorContext } from './detector.js';
import { analyzeDjango, type DjangoFacts } from './django.js';
import { findAppObject } from './python-app.js';

/** What a Python app's framework says about running it. */
export interface PythonApp {
  processes: ProcessType[];
  port: number;
  healthcheckPath: string | null;
  release?: { command: string; requires: string[] };
  buildCommand?: string;
  /** App-relative files scanned for env usage. */
  scanned: string[];
}

const DEFAULT_PORT = { port: 8000, reason: 'gunicorn / uvicorn default port 8000; Slipway sets PORT' };

/** The web process, port, health check, build step and release of a Python app, by framework. */
export async function pythonProcesses(
  ctx: DetectorContext,
  framework: Framework | null,
  names: Set<string>,
  manifest: string,
): Promise<PythonApp> {
  const { files, findings } = ctx;
  const needServer = (server: string) => {
    if (!names.has(server) && !ctx.procfile?.some((e) => e.type === 'web'))
      findings.warn(`${server} is not a dependency; add it to ${manifest} so the web process can start`);
  };
  const startFiles = ['gunicorn.conf.py', ...procfileModules(ctx)];
  if (framework === 'django') {
    const django = await analyzeDjango(ctx);
    const processes: ProcessType[] = [];
    if (django.wsgiModule) {
      processes.push({
        name: 'web',
        command: `gunicorn ${django.wsgiModule}:application --bind 0.0.0.0:$PORT`,
        source: 'framework',
      });
      needServer('gunicorn');
    }
    const { port } = await portAndHealth(ctx, 'python', [...startFiles, ...django.scanned], DEFAULT_PORT);
    const release = djangoRelease(ctx, django);
    return {
      processes,
      port,
      healthcheckPath: django.healthcheckPath,
      ...(release ? { release } : {}),
      ...(django.buildCommand ? { buildCommand: django.buildCommand } : {}),
      scanned: django.scanned,
    };
  }
  if (framework === 'flask' || framework === 'fastapi') {
    const label = framework === 'flask' ? 'Flask' : 'FastAPI';
    const app = await findAppObject(files, [label]);
    const found = app?.target ?? 'app:app';
    const target = found.includes('(') ? `'${found}'` : found;
    if (app) findings.note('process:web', files.display(app.rel), `${label} application ${target}`, app.line);
    else findings.warn(`no ${label} application object found; assuming ${target}`);
    const dir = app?.importDir ? ` ${framework === 'flask' ? '--chdir' : '--app-dir'} ${app.importDir}` : '';
    const command =
      framework === 'flask'
        ? `gunicorn ${target}${dir} --bind 0.0.0.0:$PORT`
        : `uvicorn ${target}${dir} --host 0.0.0.0 --port $PORT`;
    needServer(framework === 'flask' ? 'gunicorn' : 'uvicorn');
    const scanned = app ? [app.rel] : [];
    const code = await portAndHealth(ctx, 'python', [...startFiles, ...scanned], DEFAULT_PORT);
    return { processes: [{ name: 'web', command, source: 'framework' }], ...code, scanned };
  }
  for (const entry of ['app.py', 'main.py', 'server.py']) {
    if (!(await files.exists(entry))) continue;
    findings.note('process:web', files.display(entry), 'conventional entry module');
    const code = await portAndHealth(ctx, 'python', [...startFiles, entry], DEFAULT_PORT);
    return {
      processes: [{ name: 'web', command: `python ${entry}`, source: 'convention' }],
      ...code,
      scanned: [entry],
    };
  }
  const code = await portAndHealth(ctx, 'python', startFiles, DEFAULT_PORT);
  return { processes: [], ...code, scanned: [] };
}

/** Python files the Procfile's web command names (`python app.py`, `gunicorn api.main:app`). */
function procfileModules(ctx: DetectorContext): string[] {
  const web = ctx.procfile?.find((e) => e.type === 'web')?.command ?? '';
  const script = /\bpython3?\s+([\w./-]+\.py)\b/.exec(web)?.[1];
  const module = /\b(?:gunicorn|uvicorn|hypercorn|waitress-serve)\b.*?\s([\w.]+):\w+/.exec(web)?.[1];
  return [...(script ? [script] : []), ...(module ? [`${module.replace(/\./g, '/')}.py`] : [])];
}

/**
 * `manage.py migrate` as the release command only when the project has migrations and a database
 * server to run them on: one named in settings (always), or DATABASE_URL (then only once it is set).
 */
function djangoRelease(ctx: DetectorContext, django: DjangoFacts): { command: string; requires: string[] } | undefined {
  const { files, findings } = ctx;
  if (!django.migration) return undefined;
  const command = 'python manage.py migrate --noinput';
  const migration = files.display(django.migration);
  if (django.database === 'url' || django.database === 'server') {
    findings.note('release', migration, 'Django migrations exist: migrate runs once per release');
    if (django.database === 'server') return { command, requires: [] };
    findings.note(
      'release',
      migration,
      'only when DATABASE_URL is set (`slipway config:set DATABASE_URL=…`); a deploy without it skips the release',
    );
    return { command, requires: ['DATABASE_URL'] };
  }
  findings.note(
    'release',
    migration,
    'migrations exist, but the database is SQLite inside the container: no release command',
  );
  return undefined;
}
