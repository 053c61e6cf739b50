import { LABELS, dynoName } from '../core/types.js';
import type { Slipway } from '../main.js';
import { withCrashStates, type DynoCrashView } from '../deploy/dyno-status.js';

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
  /** The limits the container runs with (memory bytes, processes, CPUs), as the engine applied them. */
  limits?: { memoryBytes?: number; pids?: number; cpus?: number };
}

/** The app's containers with release, state, router status and age. */
export async function listProcesses(s: Slipway, app: string): Promise<ProcessRow[]> {
  const containers = await s.engine.listContainers({ [LABELS.app]: app, [LABELS.managed]: 'true' });
  const routes = new Map(s.store.routes.forApp(app).map((r) => [r.containerId, r.serverName]));
  const statuses = new Map((await s.router.serverStatuses(app).catch(() => [])).map((st) => [st.name, st.status]));
  const rows: ProcessRow[] = containers
    .map((c) => {
      const server = routes.get(c.id);
      const router = server ? statuses.get(server) : undefined;
      return {
        dyno: dynoName(c.labels),
        release: c.labels[LABELS.release] ?? '?',
        state: c.state,
        ...(router ? { router } : {}),
        containerId: c.id.slice(0, 12),
        createdAt: c.createdAt,
        ...(c.startedAt ? { startedAt: c.startedAt } : {}),
        ...(c.hostPort ? { hostPort: c.hostPort } : {}),
        ...(c.limits ? { limits: c.limits } : {}),
      };
    })
    .sort((a, b) => a.dyno.localeCompare(b.dyno, undefined, { numeric: true }));
  // Crashed dynos (and their restart counts) from the supervisor's stored crash history.
  const crashes = {
    release: s.store.apps.get(app).currentRelease,
    formation: s.store.apps.formation(app),
    crashes: s.store.dynoCrashes.forApp(app),
    nowMs: Date.now(),
  };
  return withCrashStates(rows, crashes);
}
