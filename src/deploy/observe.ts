import type { ContainerEngine } from '../engine/port.js';
import type { RouteRepository } from '../store/route-repository.js';
import { LABELS } from '../core/types.js';
import type { ObservedContainer } from './plan-types.js';

/** Observed state of an app: its containers (from Docker labels) joined with the route table. */
export async function observeApp(
  engine: ContainerEngine,
  routes: RouteRepository,
  app: string,
  signal?: AbortSignal,
): Promise<ObservedContainer[]> {
  const containers = await engine.listContainers({ [LABELS.app]: app, [LABELS.managed]: 'true' }, signal);
  const byContainer = new Map(routes.forApp(app).map((r) => [r.containerId, r.serverName]));
  const observed: ObservedContainer[] = [];
  for (const c of containers) {
    const process = c.labels[LABELS.process];
    const release = Number(c.labels[LABELS.release]?.replace(/^v/, ''));
    const index = Number(c.labels[LABELS.index]);
    if (!process || !Number.isInteger(release) || !Number.isInteger(index)) continue;
    if (process === 'run' || process === 'release') continue; // one-off containers are not part of the formation
    const serverName = byContainer.get(c.id);
    observed.push({
      id: c.id,
      process,
      release,
      index,
      state: c.state,
      ...(serverName ? { serverName } : {}),
      ...(c.exitCode === undefined ? {} : { exitCode: c.exitCode }),
      ...(c.startedAt ? { startedAt: c.startedAt } : {}),
      ...(c.finishedAt ? { finishedAt: c.finishedAt } : {}),
    });
  }
  return observed;
}
