import type { ContainerEngine, ContainerInfo } from '../engine/port.js';
import type { RouteRepository } from '../store/route-repository.js';
import { LABELS, releaseOfLabels } from '../core/types.js';
import type { ObservedContainer } from './plan-types.js';

/**
 * Observed state of an app: its formation's containers (from Docker labels) joined with the route
 * table. With `all` (apps:destroy): every container of the app, one-offs and unreadable labels included.
 */
export async function observeApp(
  engine: ContainerEngine,
  routes: RouteRepository,
  app: string,
  signal?: AbortSignal,
  opts: { all?: boolean; labelledAs?: string } = {},
): Promise<ObservedContainer[]> {
  // labelledAs: containers still carrying an app's former name (apps:rename relabels them).
  const labels = { [LABELS.app]: opts.labelledAs ?? app, [LABELS.managed]: 'true' };
  return observedFrom(await engine.listContainers(labels, signal), routes, app, opts);
}

/** Observed state of an app from its containers as already listed (see observeApp). */
export function observedFrom(
  containers: ContainerInfo[],
  routes: RouteRepository,
  app: string,
  opts: { all?: boolean } = {},
): ObservedContainer[] {
  const byContainer = new Map(routes.forApp(app).map((r) => [r.containerId, r]));
  const observed: ObservedContainer[] = [];
  for (const c of containers) {
    const process = c.labels[LABELS.process] || (opts.all ? '?' : '');
    const release = opts.all && c.labels[LABELS.release] === undefined ? 0 : releaseOfLabels(c.labels);
    const index = Number(c.labels[LABELS.index] ?? (opts.all ? 0 : NaN));
    if (!opts.all) {
      if (!process || !Number.isInteger(release) || !Number.isInteger(index)) continue;
      if (process === 'run' || process === 'release') continue; // one-off containers are not part of the formation
    }
    const route = byContainer.get(c.id);
    // A Swarm task says where it is reached now; a route to another address is to where it used to run.
    const moved = !!route && !!c.endpoint && (c.endpoint.address !== route.address || c.endpoint.port !== route.port);
    observed.push({
      id: c.id,
      process,
      release,
      index,
      state: c.state,
      ...(route
        ? {
            serverName: route.serverName,
            routeState: route.state,
            ...(route.weight === undefined ? {} : { routeWeight: route.weight }),
            ...(moved ? { moved } : {}),
          }
        : {}),
      ...(c.exitCode === undefined ? {} : { exitCode: c.exitCode }),
      ...(c.startedAt ? { startedAt: c.startedAt } : {}),
      ...(c.finishedAt ? { finishedAt: c.finishedAt } : {}),
    });
  }
  return observed;
}
