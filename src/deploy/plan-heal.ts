import type { DeployStep, DesiredState, ObservedContainer } from './plan-types.js';
import { retireSteps, startSteps } from './plan-rollout.js';
import { restartDue, type DynoCrashState } from './crash-backoff.js';
import type { RestartMode } from '../core/types.js';

/**
 * Pure healing planner (level-triggered): desired formation + observed containers + each dyno's
 * crash history → what to do now. A slot (`web.2`) is served when a running container holds it (and,
 * for web, is routed). A slot that is not served gets its routes to dead containers dropped at once,
 * and — when its restart backoff allows — its dead container removed and a new one started with the
 * same safe sequence as a deploy. Healing never replaces a serving container, whatever its release,
 * and never starts anything beyond the formation nor stops a serving container there: that is what
 * deploys and scaling do. A served slot keeps one container: any other there (a container a heal or
 * rollout cut short did not retire: unrouted, moved, or a second serving one) is retired, drained first
 * when it is in rotation; so is a container beyond the formation that serves nothing. Paused and
 * restarting containers are never touched; warm sets (left out by the caller), one-offs (not observed)
 * and a deployment in progress (the healer waits for it) are not the planner's to see.
 * A type's restart mode can keep a dyno down: `never` after any exit, `on-failure` after an exit with
 * code 0; its last container is kept (for `ps` and logs) until a deploy, `ps:restart` or `ps:start`.
 */

export interface DownDyno {
  dyno: string;
  process: string;
  index: number;
  /** The container that held the slot last and is no longer running (the one to count as a crash). */
  dead?: ObservedContainer;
}

export interface HealPlan {
  steps: DeployStep[];
  /** Dynos these steps start again. */
  restart: string[];
  /** Dynos that are down and wait for their backoff (their dead container is kept for `ps` and logs). */
  waiting: string[];
  /** Dynos left down by their type's restart mode (their last container is kept for `ps` and logs). */
  held: HeldDyno[];
}

export interface HeldDyno {
  dyno: string;
  mode: RestartMode;
  /** The container that exited, and how. */
  containerId: string;
  exitCode?: number;
}

/** A process type's restart mode (`apps:settings:set restart.TYPE=…`). */
export type RestartModeOf = (process: string) => RestartMode;

/** Whether `mode` keeps a dyno down after its last container ended like `last` (no container: it is started). */
export function holdsAfterExit(mode: RestartMode, last: { state: string; exitCode?: number } | undefined): boolean {
  if (!last || mode === 'always') return false;
  if (mode === 'never') return true;
  return last.state === 'exited' && last.exitCode === 0;
}

/** Not running and never will again; `removing` (a `docker rm -f` under way) included. */
const DEAD_STATES = new Set(['exited', 'dead', 'created', 'removing']);

function isDead(c: ObservedContainer): boolean {
  return DEAD_STATES.has(c.state);
}

/** Serves its slot: running (paused or restarting containers are left alone too), routed when it is web. */
function isServing(c: ObservedContainer): boolean {
  if (c.moved) return false;
  if (c.state === 'paused' || c.state === 'restarting') return true;
  return c.state === 'running' && (c.process !== 'web' || c.serverName !== undefined);
}

/** In rotation: not drained, parked or staged (weight 0). A container with no route counts as in rotation. */
function inRotation(c: ObservedContainer): boolean {
  return (c.routeState === undefined || c.routeState === 'ready') && c.routeWeight !== 0;
}

/**
 * The serving container a slot keeps when several serve it: a running one, then one in rotation (retiring
 * the other drops no request), then the desired release, then the newest (the replacement a heal or a
 * rollout started), then by id.
 */
function keeper(serving: ObservedContainer[], desired: DesiredState): ObservedContainer {
  const same = new Set([desired.release, ...(desired.equivalentReleases ?? [])]);
  const rank = (c: ObservedContainer) => [
    c.state === 'running' ? 0 : 1,
    inRotation(c) ? 0 : 1,
    same.has(c.release) ? 0 : 1,
  ];
  return [...serving].sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i]! - rb[i]!;
    const ta = a.startedAt ?? '';
    const tb = b.startedAt ?? '';
    if (ta !== tb) return ta < tb ? 1 : -1;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  })[0]!;
}

interface Slot {
  process: string;
  index: number;
  occupants: ObservedContainer[];
}

function slotsOf(desired: DesiredState, observed: ObservedContainer[]): { slots: Slot[]; strays: ObservedContainer[] } {
  const types = Object.keys(desired.formation)
    .filter((type) => Object.hasOwn(desired.processes, type) && (desired.formation[type] ?? 0) > 0)
    .sort((a, b) => (a === 'web' ? -1 : b === 'web' ? 1 : a.localeCompare(b)));
  const slots: Slot[] = [];
  const inSlot = new Set<string>();
  for (const process of types) {
    for (let index = 1; index <= desired.formation[process]!; index++) {
      const occupants = observed.filter((c) => c.process === process && c.index === index);
      occupants.forEach((c) => inSlot.add(c.id));
      slots.push({ process, index, occupants });
    }
  }
  return { slots, strays: observed.filter((c) => !inSlot.has(c.id)) };
}

/** The newest dead occupant (by finish time, then start time). */
function lastDead(occupants: ObservedContainer[]): ObservedContainer | undefined {
  const time = (c: ObservedContainer) => c.finishedAt ?? c.startedAt ?? '';
  return occupants.filter(isDead).sort((a, b) => (time(a) < time(b) ? 1 : time(a) > time(b) ? -1 : 0))[0];
}

/** Formation slots with no serving container. */
export function downDynos(desired: DesiredState, observed: ObservedContainer[]): DownDyno[] {
  return slotsOf(desired, observed)
    .slots.filter((slot) => !slot.occupants.some(isServing))
    .map((slot) => {
      const dead = lastDead(slot.occupants);
      return {
        dyno: `${slot.process}.${slot.index}`,
        process: slot.process,
        index: slot.index,
        ...(dead ? { dead } : {}),
      };
    });
}

/** Only a dead container's route goes (it serves nothing); the container stays until its restart. */
function dropRoute(c: ObservedContainer): DeployStep[] {
  return c.serverName === undefined ? [] : [{ kind: 'route-remove', containerId: c.id, serverName: c.serverName }];
}

/**
 * A stored route, and the ids of every container of the app (warm sets included): a route to none of them is an orphan.
 */
export interface RouteView {
  routes: { serverName: string; containerId: string }[];
  containerIds: ReadonlySet<string>;
}

export function planHeal(
  desired: DesiredState,
  observed: ObservedContainer[],
  crashes: ReadonlyMap<string, DynoCrashState>,
  nowMs: number,
  known?: RouteView,
  modeOf: RestartModeOf = () => 'always',
): HealPlan {
  const { slots, strays } = slotsOf(desired, observed);
  const steps: DeployStep[] = [];
  const restart: string[] = [];
  const waiting: string[] = [];
  const held: HeldDyno[] = [];
  // Routes to containers that no longer exist at all (removed from outside) serve nothing.
  for (const route of known?.routes ?? []) {
    if (!known!.containerIds.has(route.containerId))
      steps.push({ kind: 'route-remove', containerId: route.containerId, serverName: route.serverName });
  }
  // Containers outside the formation (scaled away, another process type) that serve nothing are cleaned up:
  // dead ones, and running web ones without a route or whose route points where they no longer are.
  for (const c of strays.filter((c) => isDead(c) || (c.state === 'running' && !isServing(c))))
    steps.push(...retireSteps(c));
  for (const slot of slots) {
    const dyno = `${slot.process}.${slot.index}`;
    const dead = slot.occupants.filter(isDead);
    const serving = slot.occupants.filter(isServing);
    if (serving.length > 0) {
      // One container serves the slot; the others a heal or a rollout cut short left go (drained first if routed).
      const kept = keeper(serving, desired);
      for (const c of dead) steps.push(...retireSteps(c));
      for (const c of slot.occupants.filter((c) => c !== kept && c.state === 'running')) steps.push(...retireSteps(c));
      continue;
    }
    const mode = modeOf(slot.process);
    const last = lastDead(slot.occupants);
    if (last && holdsAfterExit(mode, last)) {
      // Kept as it ended (out of rotation); older dead containers of the slot go.
      for (const c of dead) steps.push(...(c === last ? dropRoute(c) : retireSteps(c)));
      held.push({
        dyno,
        mode,
        containerId: last.id,
        ...(last.exitCode === undefined ? {} : { exitCode: last.exitCode }),
      });
      continue;
    }
    if (!restartDue(crashes.get(dyno), nowMs)) {
      for (const c of dead) steps.push(...dropRoute(c));
      waiting.push(dyno);
      continue;
    }
    // Running but not routed (its route was dropped): replaced once the new one serves.
    const unrouted = slot.occupants.filter((c) => c.state === 'running');
    for (const c of dead) steps.push(...retireSteps(c));
    steps.push(...startSteps(slot.process, slot.index, desired.release));
    for (const c of unrouted) steps.push(...retireSteps(c));
    restart.push(dyno);
  }
  return { steps, restart, waiting, held };
}
