import { retireSteps } from './plan-rollout.js';
import type { DeployStep, ObservedContainer } from './plan-types.js';

/**
 * Pure planner for containers that all leave together, with the retire steps of a deploy: a warm
 * blue-green set whose window ended (parked: out of rotation already), or every container of an app
 * being destroyed. Serving containers leave rotation all at once and are waited for together (the
 * longest drain, not their sum), then each is unrouted, stopped and removed.
 */
export function planRetire(containers: ObservedContainer[], opts: { parked: boolean }): DeployStep[] {
  const serving = opts.parked
    ? []
    : containers.filter(
        (c): c is ObservedContainer & { serverName: string } => c.state === 'running' && c.serverName !== undefined,
      );
  return [
    ...serving.map((c): DeployStep => ({ kind: 'drain', containerId: c.id, serverName: c.serverName })),
    ...serving.map((c): DeployStep => ({ kind: 'wait-drained', containerId: c.id, serverName: c.serverName })),
    ...containers.flatMap((c) => retireSteps(c, { drained: true })),
  ];
}
