import type { ContainerEngine } from '../engine/port.js';
import type { Router, ServerStatus } from '../router/port.js';
import type { Store } from '../store/store.js';
import { LABELS, dynoName, restartModeFor, type Formation } from '../core/types.js';
import { withCrashStates, type DynoCrashView, type DynoRow } from '../deploy/dyno-status.js';

export interface ProcessRow {
  dyno: string;
  release: string;
  state: string;
  router?: string;
  containerId: string;
  createdAt: string;
  startedAt?: string;
  hostPort?: number;
  /** Restarts the supervisor made for this dyno (current release); `state` is `crashed` while it waits to restart. */
  restarts?: number;
  /** Docker's own state (`exited`, …) when `state` says `crashed`. */
  containerState?: string;
  crash?: DynoCrashView;
  /** How a container that is no longer running exited. */
  exitCode?: number;
  /** Left down by its type's restart mode (`apps:settings:set restart.TYPE=…`). */
  held?: DynoRow['held'];
  /** A one-off: `run` with a client attached, `run --detach`, or a scheduled job's run. */
  oneOff?: 'attached' | 'detached' | 'scheduled';
  /** The limits the container runs with (memory bytes, processes, CPUs), as the engine applied them. */
  limits?: { memoryBytes?: number; pids?: number; cpus?: number };
  /** The Swarm node it runs on (absent on one host). */
  node?: string;
}

/** What `slipway ps` shows: the containers, the formation, HAProxy's servers and what keeps the app unrouted. */
export interface ProcessReport {
  processes: ProcessRow[];
  formation: Formation;
  routerServers: ServerStatus[];
  problems: string[];
}

export interface ProcessServiceDeps {
  engine: ContainerEngine;
  router: Router;
  store: Store;
  /** What is wrong with the app's stored state (AppService.problems). */
  problems: (app: string) => string[];
}

/** The app's processes as they run: observed containers joined with routes, HAProxy's status and crash history. */
export class ProcessService {
  constructor(private readonly deps: ProcessServiceDeps) {}

  async report(app: string): Promise<ProcessReport> {
    const routerServers = await this.deps.router.serverStatuses(app).catch(() => []);
    return {
      processes: await this.list(app, routerServers),
      formation: this.deps.store.apps.formation(app),
      routerServers,
      problems: this.deps.problems(app),
    };
  }

  /** The app's containers with release, state, router status and age. */
  async list(app: string, statuses?: ServerStatus[]): Promise<ProcessRow[]> {
    const { engine, store, router } = this.deps;
    const containers = await engine.listContainers({ [LABELS.app]: app, [LABELS.managed]: 'true' });
    const routes = new Map(store.routes.forApp(app).map((r) => [r.containerId, r.serverName]));
    const status = new Map(
      (statuses ?? (await router.serverStatuses(app).catch(() => []))).map((st) => [st.name, st.status]),
    );
    const rows: ProcessRow[] = containers
      .map((c) => {
        const server = routes.get(c.id);
        const routerStatus = server ? status.get(server) : undefined;
        return {
          dyno: dynoName(c.labels),
          release: c.labels[LABELS.release] ?? '?',
          state: c.state,
          ...(routerStatus ? { router: routerStatus } : {}),
          containerId: c.id.slice(0, 12),
          createdAt: c.createdAt,
          ...(c.startedAt ? { startedAt: c.startedAt } : {}),
          ...(c.hostPort ? { hostPort: c.hostPort } : {}),
          ...(c.limits ? { limits: c.limits } : {}),
          ...(c.node ? { node: c.node } : {}),
          ...(c.state !== 'running' && c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
          ...oneOffKind(c.labels),
        };
      })
      .sort((a, b) => a.dyno.localeCompare(b.dyno, undefined, { numeric: true }));
    // Crashed dynos (and their restart counts) from the supervisor's stored crash history.
    // Stopped types (ps:stop) and dynos their restart mode leaves down are shown as such.
    const settings = store.apps.get(app).settings;
    const crashes = {
      release: store.apps.get(app).currentRelease,
      formation: store.apps.formation(app),
      crashes: store.dynoCrashes.forApp(app),
      nowMs: Date.now(),
      stopped: store.stoppedProcesses.types(app),
      modeOf: (type: string) => restartModeFor(settings, type),
    };
    return withCrashStates(rows, crashes);
  }
}

function oneOffKind(labels: Record<string, string>): Pick<ProcessRow, 'oneOff'> {
  if (labels[LABELS.process] !== 'run') return {};
  if (labels[LABELS.cronRun] !== undefined) return { oneOff: 'scheduled' };
  return { oneOff: labels[LABELS.detached] === 'true' ? 'detached' : 'attached' };
}
