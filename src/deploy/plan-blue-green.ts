import { planOtherTypes, restoreSteps } from './plan-rollout.js';
import {
  containerKey,
  type DeployStep,
  type DesiredState,
  type ObservedContainer,
  type Planner,
} from './plan-types.js';

/**
 * Pure blue-green planner: the whole new web set is started, probed and staged in HAProxy with
 * weight 0 (UP, health-checked, no traffic); then one `switch` moves all traffic at once; the old
 * set drains and is parked in maint with its containers still running (warm). Other process types
 * are replaced as in a rolling deploy.
 */
export function planBlueGreen(desired: DesiredState, observed: ObservedContainer[]): DeployStep[] {
  const web = observed.filter((c) => c.process === 'web');
  const wanted = Object.hasOwn(desired.processes, 'web')
    ? Object.hasOwn(desired.formation, 'web')
      ? desired.formation['web']!
      : 0
    : 0;
  const same = new Set([desired.release, ...(desired.equivalentReleases ?? [])]);
  const current = web.filter((c) => same.has(c.release) && c.state === 'running' && c.serverName !== undefined);
  const steps: DeployStep[] = [];
  const alreadyThere = current.length === wanted && web.length === wanted && !desired.restartTypes?.includes('web');
  if (alreadyThere) for (const c of current) steps.push(...restoreSteps(c));
  else {
    for (const c of web.filter((c) => c.state !== 'running')) {
      if (c.serverName) steps.push({ kind: 'route-remove', containerId: c.id, serverName: c.serverName });
      steps.push({ kind: 'remove', containerId: c.id });
    }
    const keys = Array.from({ length: wanted }, (_, i) => containerKey('web', i + 1, desired.release));
    for (const [i, key] of keys.entries())
      steps.push({ kind: 'start', key, process: 'web', index: i + 1, release: desired.release });
    for (const key of keys)
      steps.push({ kind: 'probe', key }, { kind: 'route-add', key, weight: 0 }, { kind: 'wait-up', key });
    const live = web.filter((c) => c.state === 'running');
    const routed = live.filter((c): c is ObservedContainer & { serverName: string } => c.serverName !== undefined);
    steps.push({
      kind: 'switch',
      enable: keys,
      drain: routed.map((c) => ({ containerId: c.id, serverName: c.serverName })),
    });
    for (const c of routed) steps.push({ kind: 'park', containerId: c.id, serverName: c.serverName });
    for (const c of live.filter((c) => c.serverName === undefined))
      steps.push({ kind: 'stop', containerId: c.id }, { kind: 'remove', containerId: c.id });
  }
  steps.push(...planOtherTypes(desired, observed, 'web'));
  return steps;
}

/** Instant rollback inside the warm window: the warm set takes traffic back; the current set is parked. */
export function planWarmSwitch(warm: ObservedContainer[], current: ObservedContainer[]): DeployStep[] {
  const routed = (cs: ObservedContainer[]) =>
    cs
      .filter(
        (c): c is ObservedContainer & { serverName: string } => c.serverName !== undefined && c.state === 'running',
      )
      .map((c) => ({ containerId: c.id, serverName: c.serverName }));
  const drain = routed(current);
  return [{ kind: 'switch-warm', enable: routed(warm), drain }, ...drain.map((c) => ({ kind: 'park' as const, ...c }))];
}

/**
 * Instant rollback: the warm set of one of `releases` (the target and its equivalents) takes the
 * traffic back and the current web set is parked; the other process types roll as usual.
 */
export function planInstantRollback(releases: ReadonlySet<number>): Planner {
  return (desired, observed, warm) => [
    ...planWarmSwitch(
      warm.filter((c) => releases.has(c.release) && c.process === 'web'),
      observed.filter((c) => c.process === 'web'),
    ),
    ...planOtherTypes(desired, observed, 'web'),
  ];
}
