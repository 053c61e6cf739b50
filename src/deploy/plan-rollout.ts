import { containerKey, type DeployStep, type DesiredState, type ObservedContainer } from './plan-types.js';

/**
 * Pure planner: desired (release + formation) + observed containers → ordered steps.
 * Web containers are replaced one at a time: the new one is started, probed, routed and seen UP by
 * HAProxy before an old one drains and stops. Other process types are replaced after web.
 */
export function planRollout(desired: DesiredState, observed: ObservedContainer[]): DeployStep[] {
  const types = unique([...Object.keys(desired.formation), ...observed.map((c) => c.process)]);
  const ordered = [...types.filter((t) => t === 'web'), ...types.filter((t) => t !== 'web').sort()];
  const steps: DeployStep[] = [];
  for (const type of ordered) {
    const wanted = Object.hasOwn(desired.processes, type)
      ? Object.hasOwn(desired.formation, type)
        ? desired.formation[type]!
        : 0
      : 0;
    const mine = observed.filter((c) => c.process === type);
    const same = new Set([desired.release, ...(desired.equivalentReleases ?? [])]);
    const restarting = desired.restartTypes?.includes(type) ?? false;
    const replacing = new Set(desired.replace ?? []);
    const keepable = mine.filter((c) => !replacing.has(c.id));
    const { keep } = choose(keepable, restarting ? new Set<number>() : same, wanted, type === 'web');
    const kept = new Set(keep.map((c) => c.id));
    const retire = mine.filter((c) => !kept.has(c.id));
    for (const c of keep) steps.push(...restoreSteps(c));
    const taken = new Set(keep.map((c) => c.index));
    const newIndices: number[] = [];
    for (let i = 1; newIndices.length < wanted - keep.length; i++) if (!taken.has(i)) newIndices.push(i);
    const retireQueue = [...retire].sort(retireOrder(same));
    // Dead containers go first: they serve nothing, so removing them frees their slot at no risk.
    const dead = retireQueue.filter((c) => c.state !== 'running');
    for (const c of dead) steps.push(...retireSteps(c));
    const live = retireQueue.filter((c) => c.state === 'running');
    for (const index of newIndices) {
      steps.push(...startSteps(type, index, desired.release));
      const old = live.shift();
      if (old) steps.push(...retireSteps(old));
    }
    for (const old of live) steps.push(...retireSteps(old));
  }
  return steps;
}

function choose(mine: ObservedContainer[], same: Set<number>, wanted: number, routed: boolean) {
  const eligible = mine
    .filter((c) => same.has(c.release) && c.state === 'running' && (!routed || c.serverName !== undefined))
    .sort((a, b) => a.index - b.index);
  return { keep: eligible.slice(0, wanted) };
}

/** Old releases first, then the highest index (scale-down removes web.4 before web.2). */
function retireOrder(same: Set<number>) {
  return (a: ObservedContainer, b: ObservedContainer) => {
    const aCurrent = same.has(a.release) ? 1 : 0;
    const bCurrent = same.has(b.release) ? 1 : 0;
    if (aCurrent !== bCurrent) return aCurrent - bCurrent;
    return aCurrent === 1 ? b.index - a.index : a.index - b.index;
  };
}

/** A new container's steps: web is started, probed, routed and seen UP; other types pass a process check. */
export function startSteps(process: string, index: number, release: number): DeployStep[] {
  const key = containerKey(process, index, release);
  const start: DeployStep = { kind: 'start', key, process, index, release };
  if (process !== 'web') return [start, { kind: 'check-running', key }];
  return [start, { kind: 'probe', key }, { kind: 'route-add', key }, { kind: 'wait-up', key }];
}

/** A kept server out of rotation (drained, parked or staged by a rollout that failed) takes traffic again. */
export function restoreSteps(c: ObservedContainer): DeployStep[] {
  if (c.serverName === undefined || c.state !== 'running') return [];
  const outOfRotation = (c.routeState !== undefined && c.routeState !== 'ready') || c.routeWeight === 0;
  return outOfRotation ? [{ kind: 'route-ready', containerId: c.id, serverName: c.serverName }] : [];
}

/**
 * An old container leaves: drained out of rotation first when it serves, then unrouted, stopped and
 * removed. `drained`: it is out of rotation already (drained by an earlier step, or a parked warm set).
 */
export function retireSteps(c: ObservedContainer, opts: { drained?: boolean } = {}): DeployStep[] {
  const steps: DeployStep[] = [];
  if (c.serverName !== undefined) {
    if (c.state === 'running' && !opts.drained) {
      steps.push({ kind: 'drain', containerId: c.id, serverName: c.serverName });
      steps.push({ kind: 'wait-drained', containerId: c.id, serverName: c.serverName });
    }
    steps.push({ kind: 'route-remove', containerId: c.id, serverName: c.serverName });
  }
  if (c.state === 'running') steps.push({ kind: 'stop', containerId: c.id });
  steps.push({ kind: 'remove', containerId: c.id });
  return steps;
}

/** The rolling plan for every process type but `except` (web: blue-green and warm switches plan it themselves). */
export function planOtherTypes(desired: DesiredState, observed: ObservedContainer[], except: string): DeployStep[] {
  const processes = Object.fromEntries(Object.entries(desired.processes).filter(([type]) => type !== except));
  return planRollout(
    { ...desired, processes },
    observed.filter((c) => c.process !== except),
  );
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
