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
  | 'laravel';

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

export type VersionSource = 'env' | 'manifest' | 'version-file' | 'default';

export interface RuntimeVersion {
  /** The runtime the version is for (`static` sites have none). */
  runtime: 'node' | 'python' | 'ruby' | 'php' | 'go' | 'none';
  /** The constraint exactly as written (`>=18`, `~> 3.2.0`), or null for the default. */
  requested: string | null;
  /** The version used for the image tag, e.g. `20`, `3.12`, `3.2.2`. */
  version: string;
  source: VersionSource;
  file?: string;
  line?: number;
  reason: string;
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
  releaseCommand: string | null;
  services: BackingService[];
  osPackages: { build: string[]; runtime: string[] };
  env: EnvVar[];
  /** Normalized names of the direct dependencies that drove the conclusions (sorted). */
  dependencies: string[];
  healthcheckPath: string;
  build: BuildFacts;
  evidence: Evidence[];
  warnings: string[];
}
