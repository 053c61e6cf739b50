/** Domain types. No I/O here. */

export interface HealthCheckConfig {
  /** HTTP path to GET; undefined = TCP connect to the port. */
  path?: string;
  attempts: number;
  intervalMs: number;
  timeoutMs: number;
}

export interface AppSettings {
  /** Port the web process listens on inside its container (given to it as $PORT). */
  port: number;
  healthcheck: HealthCheckConfig;
  /** How long an old container may keep in-flight requests after leaving rotation. */
  drainTimeoutMs: number;
  /** Seconds between SIGTERM and SIGKILL when a container stops. */
  stopGraceSec: number;
  /** How web containers are replaced: one by one (rolling) or all at once after the whole new set is healthy. */
  strategy: DeployStrategy;
  /** Blue-green: how long the previous set stays warm for an instant rollback. */
  warmWindowMs: number;
  /** Container log rotation (Docker json-file driver): size of one file, files kept. */
  logs: LogRotation;
  /** Resource limits by process type; `*` applies to every type (a type's own entry wins per field). */
  resources: Record<string, ResourceLimits>;
  /** What the supervisor does when a process of a type exits, by type; `*` = every type (default `always`). */
  restart: Record<string, RestartMode>;
  /** Swarm placement constraints by process type (`*` = every type), e.g. `node.labels.region==eu`. */
  placement?: Record<string, string[]>;
  /** Build options a source deploy remembered (`--runtime`, `--base-image`, `--path`, `--ca-cert`); `build.*` keys. */
  build?: BuildSettings;
  /** git push: the branch whose pushes deploy (`git.branch`, default main). */
  git?: { branch: string };
}

/** How an app's directory is built when it has no Dockerfile: the flags of its last `deploy DIR`, remembered. */
export interface BuildSettings {
  runtime?: 'official' | 'debian';
  baseImage?: string;
  /** The app inside a monorepo, relative to the deployed directory. */
  path?: string;
  /** The extra CA certificate builds trust: its fingerprint (the PEM itself is kept in the store). */
  caCert?: { sha256: string; certificates: number; bytes: number };
}

/** always: restart on any exit; on-failure: only after a non-zero exit; never: leave it exited (visible in `ps`). */
export type RestartMode = 'always' | 'on-failure' | 'never';

/** The restart mode of one process type: its own entry, else the app's `*` entry, else `always`. */
export function restartModeFor(settings: Pick<AppSettings, 'restart'>, type: string): RestartMode {
  const restart = settings.restart ?? {};
  if (Object.hasOwn(restart, type)) return restart[type]!;
  return Object.hasOwn(restart, '*') ? restart['*']! : 'always';
}

export interface LogRotation {
  maxSizeBytes: number;
  maxFiles: number;
}

export interface ResourceLimits {
  /** Memory limit (swap included), bytes. */
  memoryBytes?: number;
  /** Maximum number of processes/threads in the container. */
  pids?: number;
  /** CPU limit in CPUs (0.5 = half a core); unset = no limit. */
  cpus?: number;
}

/** Limits every container gets unless its app says otherwise (`apps:settings:set resources.memory=…`). */
export const DEFAULT_RESOURCES: Required<Pick<ResourceLimits, 'memoryBytes' | 'pids'>> = {
  memoryBytes: 512 * 1024 * 1024,
  pids: 512,
};

/** The effective limits of one process type: defaults, then the app's `*` entry, then the type's own. */
export function resourceLimitsFor(settings: Pick<AppSettings, 'resources'>, type: string): ResourceLimits {
  const all = Object.hasOwn(settings.resources, '*') ? settings.resources['*'] : undefined;
  const own = Object.hasOwn(settings.resources, type) ? settings.resources[type] : undefined;
  return { ...DEFAULT_RESOURCES, ...all, ...own };
}

export type DeployStrategy = 'rolling' | 'blue-green';

export interface App {
  name: string;
  createdAt: string;
  settings: AppSettings;
  /** Version of the release currently serving, null before the first successful deploy. */
  currentRelease: number | null;
}

export type BuildSource =
  /** `pinned`: the digest reference a registry image resolved to when it was deployed (`NAME@sha256:…`). */
  { kind: 'image'; image: string; pinned?: string } | { kind: 'dir'; description: string };

export interface Build {
  id: number;
  app: string;
  imageId: string;
  /** Tag or reference the containers are started from. */
  imageRef: string;
  source: BuildSource;
  /** Process types → commands from the deployed dir's Procfile; null = image CMD as `web`. */
  procfile: Record<string, string> | null;
  createdAt: string;
}

export type ReleaseStatus = 'pending' | 'succeeded' | 'failed' | 'rolled back';

export interface Release {
  app: string;
  version: number;
  buildId: number;
  /** Names of config vars in this release (never values). */
  configKeys: string[];
  description: string;
  status: ReleaseStatus;
  createdAt: string;
  error?: string;
  /** Who or what made it (`user@host` from the CLI, `api`, `slipway`). */
  createdBy: string;
  /** For a rollback: the version whose build and config it reuses. */
  rollbackOf?: number;
  /** How long its rollout took. */
  deployMs?: number;
}

/** Process type → container count. */
export type Formation = Record<string, number>;

export type DeploymentStatus = 'running' | 'succeeded' | 'failed';

export interface Deployment {
  id: number;
  app: string;
  release: number;
  /**
   * heal: the supervisor restarted crashed dynos; destroy: apps:destroy holds the app's lock; stop/start: ps:stop;
   * rename: apps:rename restarts the containers so that they carry the new name.
   */
  kind:
    'deploy' | 'scale' | 'restart' | 'rollback' | 'retire' | 'heal' | 'destroy' | 'stop' | 'start' | 'rename' | 'move';
  status: DeploymentStatus;
  startedAt: string;
  finishedAt?: string;
  error?: { code: string; message: string; hint?: string; details?: Record<string, unknown> };
}

export const DEFAULT_SETTINGS: AppSettings = {
  port: 5000,
  healthcheck: { attempts: 60, intervalMs: 250, timeoutMs: 2000 },
  drainTimeoutMs: 30_000,
  stopGraceSec: 10,
  strategy: 'rolling',
  warmWindowMs: 5 * 60_000,
  logs: { maxSizeBytes: 10 * 1024 * 1024, maxFiles: 3 },
  resources: {},
  restart: {},
};

/** Labels that tie a container to Slipway's model (observed state lives in Docker). */
export const LABELS = {
  app: 'slipway.app',
  release: 'slipway.release',
  process: 'slipway.process',
  index: 'slipway.index',
  deployment: 'slipway.deployment',
  managed: 'slipway.managed',
  /** Which Slipway home made the container: several homes can share one Docker Engine. */
  instance: 'slipway.instance',
  /** A one-off (`run --detach`) that outlives the request which started it. */
  detached: 'slipway.detached',
  /** A one-off started by a scheduled job: the id of that run (`cron:runs`). */
  cronRun: 'slipway.cron-run',
} as const;

/** Process types that run once (`run`, the release phase): never part of a formation. */
export const ONE_OFF_PROCESSES: ReadonlySet<string> = new Set(['run', 'release']);

/** The release a container was started for, from its labels (`v7` → 7; NaN when it has none). */
export function releaseOfLabels(labels: Record<string, string>): number {
  return Number((labels[LABELS.release] ?? '').replace(/^v/, '') || Number.NaN);
}

/** A container's dyno name from its labels, e.g. `web.1` (`?` for a missing part). */
export function dynoName(labels: Record<string, string>): string {
  return `${labels[LABELS.process] ?? '?'}.${labels[LABELS.index] ?? '?'}`;
}
