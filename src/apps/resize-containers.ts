import type { ContainerEngine } from '../engine/port.js';
import { LABELS, dynoName, resourceLimitsFor, type AppSettings, type ResourceLimits } from '../core/types.js';

export interface ResizeOutcome {
  /** Running containers whose limits were changed in place. */
  resized: { dyno: string; limits: ResourceLimits }[];
  /** Running containers the change could not reach now (they get it when they restart). */
  notApplied: { dyno: string; reason: string }[];
}

/**
 * Changed resource limits apply at once to the running containers of the affected process types:
 * the engine updates their cgroups in place, no restart. A removed CPU limit waits for a restart.
 */
export async function resizeContainers(
  engine: ContainerEngine,
  app: string,
  before: AppSettings,
  after: AppSettings,
): Promise<ResizeOutcome> {
  const out: ResizeOutcome = { resized: [], notApplied: [] };
  if (JSON.stringify(before.resources) === JSON.stringify(after.resources)) return out;
  const containers = await engine.listContainers({ [LABELS.app]: app, [LABELS.managed]: 'true' });
  for (const c of containers) {
    const type = c.labels[LABELS.process];
    if (c.state !== 'running' || !type) continue;
    const was = resourceLimitsFor(before, type);
    const now = resourceLimitsFor(after, type);
    if (JSON.stringify(was) === JSON.stringify(now)) continue;
    const dyno = dynoName(c.labels);
    if (was.cpus !== undefined && now.cpus === undefined) {
      out.notApplied.push({
        dyno,
        reason: 'removing a CPU limit takes effect when the process restarts (`slipway ps:restart`)',
      });
      continue;
    }
    try {
      await engine.updateContainerLimits(c.id, now);
      out.resized.push({ dyno, limits: now });
    } catch (err) {
      out.notApplied.push({ dyno, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  return out;
}
