import type { Findings } from '../findings.js';
import type { DebianPythonPackage } from '../types.js';
import { satisfiesRange } from '../versions.js';
import type { PythonRequirement } from './python-manifests.js';

/**
 * Python distributions Debian bookworm packages, with the version it ships (apt-cache policy,
 * bookworm + security updates). With `runtime: debian` a requirement this version satisfies is
 * installed with apt; the virtualenv sees it (`--system-site-packages`), so pip finds it already
 * satisfied and never asks an index for it. A requirement Debian's version does not satisfy stays
 * with pip (a warning says so). Console scripts (`gunicorn`) get a copy in the virtualenv that runs
 * under its Python, so they see the packages pip installed there too.
 */
const DEBIAN_PYTHON: Record<string, { packages: string[]; version: string; scripts?: string[] }> = {
  django: { packages: ['python3-django'], version: '3.2.25' },
  whitenoise: { packages: ['python3-whitenoise'], version: '6.0.0' },
  gunicorn: { packages: ['gunicorn'], version: '20.1.0', scripts: ['gunicorn'] },
  uvicorn: { packages: ['uvicorn'], version: '0.17.6', scripts: ['uvicorn'] },
  'dj-database-url': { packages: ['python3-dj-database-url'], version: '0.5.0' },
  'django-environ': { packages: ['python3-django-environ'], version: '0.4.4' },
  'django-cors-headers': { packages: ['python3-django-cors-headers'], version: '3.14.0' },
  djangorestframework: { packages: ['python3-djangorestframework'], version: '3.14.0' },
  psycopg2: { packages: ['python3-psycopg2'], version: '2.9.5' },
  'psycopg2-binary': { packages: ['python3-psycopg2'], version: '2.9.5' },
  psycopg: { packages: ['python3-psycopg'], version: '3.1.7' },
  mysqlclient: { packages: ['python3-mysqldb'], version: '1.4.6' },
  pymysql: { packages: ['python3-pymysql'], version: '1.0.2' },
  flask: { packages: ['python3-flask'], version: '2.2.2' },
  werkzeug: { packages: ['python3-werkzeug'], version: '2.2.2' },
  jinja2: { packages: ['python3-jinja2'], version: '3.1.2' },
  fastapi: { packages: ['python3-fastapi'], version: '0.92.0' },
  starlette: { packages: ['python3-starlette'], version: '0.26.1' },
  pydantic: { packages: ['python3-pydantic'], version: '1.10.4' },
  requests: { packages: ['python3-requests'], version: '2.28.1' },
  httpx: { packages: ['python3-httpx'], version: '0.23.3' },
  redis: { packages: ['python3-redis'], version: '4.3.4' },
  celery: { packages: ['celery'], version: '5.2.6', scripts: ['celery'] },
  sqlalchemy: { packages: ['python3-sqlalchemy'], version: '1.4.46' },
  'python-dotenv': { packages: ['python3-dotenv'], version: '0.21.0' },
  waitress: { packages: ['python3-waitress'], version: '2.1.2', scripts: ['waitress-serve'] },
  bottle: { packages: ['python3-bottle'], version: '0.12.23' },
  falcon: { packages: ['python3-falcon'], version: '3.1.1' },
  pillow: { packages: ['python3-pil'], version: '9.4.0' },
};

/** The Debian packages for the requirements (with `runtime: debian`), and a warning for each one it cannot satisfy. */
export function debianPythonPackages(requirements: PythonRequirement[], findings: Findings): DebianPythonPackage[] {
  const out: DebianPythonPackage[] = [];
  for (const r of requirements) {
    const known = r.name && !r.path ? DEBIAN_PYTHON[r.name] : undefined;
    if (!known || !r.name || out.some((p) => p.requirement === r.name)) continue;
    const spec = (r.spec ?? '').split(';')[0]!.trim();
    if (spec !== '' && !satisfiesRange(known.version, spec)) {
      findings.warnFor(
        'debian',
        `${r.file}${r.line ? `:${r.line}` : ''}: ${r.name}${spec} is newer than Debian bookworm's ` +
          `${known.packages[0]} ${known.version}; pip installs it from the package index instead`,
      );
      continue;
    }
    out.push({ requirement: r.name, packages: known.packages, scripts: known.scripts ?? [] });
  }
  return out;
}
