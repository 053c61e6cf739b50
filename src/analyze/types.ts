/** The result of analyzing a source directory that has no Dockerfile (issue 4). Pure data, JSON-safe. */

export type Language = 'node' | 'python' | 'ruby' | 'php' | 'go' | 'static';

export type Framework =
  | 'express'
  | 'next'
  | 'nest'
  | 'fastify'
  | 'koa'
  | 'hapi'
  | 'django'
  | 'flask'
  | 'fastapi'
  | 'rails'
  | 'sinatra'
  | 'rack'
  | 'laravel'
  | 'symfony'
  | 'slim'
  | 'lumen'
  | 'codeigniter'
  | 'cakephp'
  | 'yii';

export type PackageManager =
  'npm' | 'yarn' | 'pnpm' | 'bun' | 'pip' | 'poetry' | 'pipenv' | 'bundler' | 'composer' | 'go';

export type ServiceName = 'postgres' | 'mysql' | 'redis' | 'memcached' | 'mongodb' | 'elasticsearch' | 'rabbitmq';

/** Why the analyzer concluded something: the file (relative to the analyzed root) and line behind it. */
export interface Evidence {
  /**
   * What the evidence supports, e.g. `language`, `framework`, `process:web`, `service:postgres`, `env:DATABASE_URL`.
   */
  topic: string;
  file: string;
  line?: number;
  reason: string;
}

export type VersionSource = 'env' | 'lockfile' | 'version-file' | 'manifest' | 'default';

/** The lowest runtime version the app's framework supports (e.g. Django 6.0 needs Python 3.12). */
export interface RuntimeMinimum {
  version: string;
  reason: string;
  file: string;
  line?: number;
}

export interface RuntimeVersion {
  /** The runtime the version is for (`static` sites have none). */
  runtime: 'node' | 'python' | 'ruby' | 'php' | 'go' | 'none';
  /** The constraint exactly as written (`>=18`, `~> 3.2.0`), or null for the default. */
  requested: string | null;
  /** The version used for the official image tag, e.g. `22`, `3.12`, `3.2.2` (always one that has a tag). */
  version: string;
  source: VersionSource;
  file?: string;
  line?: number;
  reason: string;
  /** What `runtime: debian` installs instead (Debian bookworm's package). */
  debian?: string;
  /** The framework's own lower bound, when known. */
  minimum?: RuntimeMinimum;
  /** Why the official image cannot be exactly what was asked (a warning with what to do). */
  officialNote?: string;
  /** Conflicts between the places that pin the version (a warning for every runtime). */
  notes?: string[];
}

export interface ProcessType {
  name: string;
  command: string;
  source: 'procfile' | 'framework' | 'script' | 'main' | 'convention';
}

export interface BackingService {
  name: ServiceName;
  /** Env vars the app reads to reach the service (e.g. DATABASE_URL). */
  env: string[];
}

export interface EnvVar {
  name: string;
  /** A sensible non-secret value (RAILS_ENV=production); absent when the operator must provide it. */
  value?: string;
  /** True when the value must be set by the operator and kept secret (SECRET_KEY_BASE, APP_KEY). */
  secret?: boolean;
}

/** Facts the Dockerfile writers need that are not part of the user-facing summary. */
export interface BuildFacts {
  /** Manifests and lockfiles that exist, relative to the app directory, copied before the rest of the source. */
  manifests: string[];
  /** Local path dependencies (relative to the app directory) that the install step needs. */
  localPackages: string[];
  /** True when every dependency is a local path: the install needs no package index. */
  offline: boolean;
  /** Build step run after the full source is copied (e.g. `npm run build`, `bundle exec rails assets:precompile`). */
  command?: string;
  /** Package-manager version pinned by the project (package.json `packageManager`), when any. */
  packageManagerVersion?: string;
  /** Lockfile found in an ancestor directory (monorepo) that the app directory alone cannot use. */
  outsideLockfile?: string;
  /** Go: the main package to compile (`.` or `./cmd/server`) and whether cgo is needed. */
  goPackage?: string;
  cgo?: boolean;
  /** PHP extensions required by composer.json (`ext-*`), without the prefix. */
  phpExtensions?: string[];
  /** Python: the pyproject flavour when the dependencies come from pyproject.toml. */
  pythonProject?: 'pep621' | 'poetry';
  /** Static sites: the directory served. */
  staticRoot?: string;
  /** PHP: the web server the image gets (a Heroku buildpack command in the Procfile, translated). */
  phpServer?: PhpServer;
  /** Python with `runtime: debian`: Debian packages that satisfy requirements (installed with apt, not pip). */
  debianPackages?: DebianPythonPackage[];
}

/** A real web server setup for a PHP app: Apache + mod_php, or nginx + php-fpm, with a document root. */
export interface PhpServer {
  kind: 'apache' | 'nginx';
  /** Document root relative to the app directory (`.` for the app directory itself). */
  docroot: string;
  /** The Heroku command it stands in for (`heroku-php-apache2`), installed under that name in the image. */
  command: 'heroku-php-apache2' | 'heroku-php-nginx';
  /** The Procfile calls it by a path inside the app (`vendor/bin/heroku-php-apache2`): a link is made there. */
  invokedAs?: string;
}

export interface DebianPythonPackage {
  /** The requirement's normalized name (`django`). */
  requirement: string;
  /** Debian package(s) providing it (`python3-django`). */
  packages: string[];
  /** Console scripts the package puts in /usr/bin (`gunicorn`): the image runs them with the app's virtualenv. */
  scripts: string[];
}

export interface Analysis {
  /** The analyzed directory, relative to the root (`.` for the root itself). */
  path: string;
  language: Language;
  framework: Framework | null;
  runtimeVersion: RuntimeVersion;
  packageManager: PackageManager | null;
  /** Every Procfile entry except `release` (web first), or framework defaults when there is no Procfile. */
  processes: ProcessType[];
  port: number;
  /** Runs once per release before traffic moves (Procfile `release:` or a framework's migrations). */
  releaseCommand: string | null;
  /**
   * Config vars of which one must be set for the release command to run (the database it migrates,
   * e.g. DATABASE_URL); empty when it always runs. A deploy without them skips it and says so.
   */
  releaseRequires: string[];
  services: BackingService[];
  osPackages: { build: string[]; runtime: string[] };
  env: EnvVar[];
  /** Normalized names of the direct dependencies that drove the conclusions (sorted). */
  dependencies: string[];
  /** Path of the HTTP health check; null for a TCP check (no route known to answer 2xx/3xx). */
  healthcheckPath: string | null;
  build: BuildFacts;
  evidence: Evidence[];
  warnings: string[];
}
