import { LABELS, dynoName } from '../core/types.js';
import type { Slipway } from '../main.js';

export interface ProcessRow {
  dyno: string;
  release: string;
  state: string;
  router?: string;
  containerId: string;
  createdAt: string;
  startedAt?: string;
  hostPort?: number;
}

/** The app's containers with release, state, router status and age. */
export async function listProcesses(s: Slipway, app: string): Promise<ProcessRow[]> {
  const containers = await s.engine.listContainers({ [LABELS.app]: app, [LABELS.managed]: 'true' });
  const routes = new Map(s.store.routes.forApp(app).map((r) => [r.containerId, r.serverName]));
  const statuses = new Map((await s.router.serverStatuses(app).catch(() => [])).map((st) => [st.name, st.status]));
  return containers
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
      };
    })
    .sort((a, b) => a.dyno.localeCompare(b.dyno, undefined, { numeric: true }));
}
