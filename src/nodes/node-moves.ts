import { stage, type EventSink } from '../core/events.js';
import { nodeSatisfies } from './placement.js';
import { planRebalance, type ServiceRebalance } from './rebalance-plan.js';
import type { SwarmControl, SwarmNode, TaskPlacement } from './swarm-control.js';

/**
 * Moving dynos between nodes with zero downtime (nodes:drain, nodes:rebalance). Swarm never moves a running
 * task by itself without stopping it first, so Slipway does it the deploy way: a replacement starts where
 * Swarm may place it, passes the probe and is UP in HAProxy before the old one drains and stops. Where the
 * replacement lands is steered with node availability only (`pause`: running tasks stay, nothing new lands),
 * never with constraints that would pin a dyno for good.
 */

/** On a node Slipway paused for a move (so a crash half-way can be undone at the next start). */
export const PAUSED_LABEL = 'slipway.paused';

/** A formation dyno of this installation, as its service labels say. */
export interface Dyno {
  app: string;
  process: string;
  /** Part of a blue-green warm set (parked, out of rotation). */
  warm: boolean;
}

/** What a move needs from the deploy side (main.ts wires the deploy service and the store). */
export interface DynoMover {
  /** The dyno a Swarm service is; undefined for anything else (one-offs, another installation, not Slipway's). */
  dynoOf(labels: Record<string, string>): Dyno | undefined;
  /** Replaces these dynos of one app with zero downtime; the new ones go where Swarm may place them. */
  replace(app: string, ids: string[], label: string, opts: { emit: EventSink; signal?: AbortSignal }): Promise<void>;
  /** Ends now the warm sets that have a container among `ids` (they are out of rotation: nothing is dropped). */
  retireWarm(app: string, ids: string[], signal?: AbortSignal): Promise<void>;
  /** The placement constraints of an app's process type. */
  placementOf(app: string, process: string): string[];
}

export interface RebalanceGroup extends ServiceRebalance {
  app: string;
  process: string;
}

export interface RebalanceResult {
  /** The plan (before). */
  services: RebalanceGroup[];
  applied: boolean;
  /** Dynos moved. */
  moved: number;
  /** What is still uneven afterwards (empty when the moves landed as planned). */
  remaining: RebalanceGroup[];
}

export interface MoveOffResult {
  moved: number;
  /** Warm-set containers retired. */
  retired: number;
  /** Other tasks left for Swarm to stop (one-offs, services that are not Slipway's dynos). */
  others: number;
}

interface PlacedDyno extends Dyno {
  id: string;
  nodeId: string;
}

function dynosOf(mover: DynoMover, tasks: TaskPlacement[]): { dynos: PlacedDyno[]; others: number } {
  const dynos: PlacedDyno[] = [];
  let others = 0;
  for (const t of tasks) {
    const dyno = mover.dynoOf(t.serviceLabels);
    if (dyno) dynos.push({ ...dyno, id: t.serviceId, nodeId: t.nodeId });
    else others += 1;
  }
  return { dynos, others };
}

function byApp<T extends { app: string }>(items: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(item.app, [...(groups.get(item.app) ?? []), item]);
  return groups;
}

/**
 * Every dyno on the node is replaced elsewhere, app by app (the node must already be paused or drained so
 * nothing lands there); warm sets there are retired. Other tasks are counted, not touched.
 */
export async function moveDynosOff(
  control: SwarmControl,
  mover: DynoMover,
  node: { id: string; name: string },
  emit: EventSink,
  signal?: AbortSignal,
): Promise<MoveOffResult> {
  const tasks = (await control.runningTasks(signal)).filter((t) => t.nodeId === node.id);
  const { dynos, others } = dynosOf(mover, tasks);
  let moved = 0;
  let retired = 0;
  for (const [app, mine] of byApp(dynos)) {
    const warm = mine.filter((d) => d.warm).map((d) => d.id);
    const live = mine.filter((d) => !d.warm).map((d) => d.id);
    if (warm.length > 0) {
      await mover.retireWarm(app, warm, signal);
      retired += warm.length;
    }
    if (live.length === 0) continue;
    const label = `move ${live.length} process(es) of ${app} off ${node.name}`;
    await stage(emit, 'move', label, () => mover.replace(app, live, label, { emit, ...(signal ? { signal } : {}) }));
    moved += live.length;
  }
  return { moved, retired, others };
}

/** The rebalance plan over formation dynos (warm sets and one-offs aside), per app and process type. */
export async function planDynoRebalance(
  control: SwarmControl,
  mover: DynoMover,
  signal?: AbortSignal,
): Promise<{ plan: RebalanceGroup[]; dynos: PlacedDyno[]; nodes: SwarmNode[] }> {
  const [nodes, tasks] = await Promise.all([control.nodes(signal), control.runningTasks(signal)]);
  const dynos = dynosOf(mover, tasks).dynos.filter((d) => !d.warm);
  const key = (d: { app: string; process: string }) => `${d.app}/${d.process}`;
  const groups = new Map(dynos.map((d) => [key(d), { app: d.app, process: d.process }]));
  const mayRun = (service: string, nodeId: string) => {
    const group = groups.get(service)!;
    const node = nodes.find((n) => n.id === nodeId)!;
    return nodeSatisfies(node, mover.placementOf(group.app, group.process));
  };
  const plan = planRebalance(
    nodes.map((n) => ({ id: n.id, name: n.name, eligible: n.state === 'ready' && n.availability === 'active' })),
    dynos.map((d) => ({ service: key(d), nodeId: d.nodeId })),
    mayRun,
  ).map((p) => ({ ...p, ...groups.get(p.service)! }));
  return { plan, dynos, nodes };
}

/** Applies the plan move by move: for each, every other active node is paused while the replacements start. */
export async function applyRebalance(
  control: SwarmControl,
  mover: DynoMover,
  emit: EventSink,
  signal?: AbortSignal,
): Promise<RebalanceResult> {
  const { plan, dynos, nodes } = await planDynoRebalance(control, mover, signal);
  let moved = 0;
  for (const group of plan) {
    for (const move of group.moves) {
      const from = nodes.find((n) => n.name === move.from);
      const to = nodes.find((n) => n.name === move.to)!;
      const ids = dynos
        .filter((d) => d.app === group.app && d.process === group.process && d.nodeId === from?.id)
        .slice(0, move.count)
        .map((d) => d.id);
      if (ids.length === 0) continue;
      const label = `move ${ids.length} ${group.process} process(es) of ${group.app} from ${move.from} to ${move.to}`;
      await stage(emit, 'move', label, () =>
        onlyOnto(control, to, signal, () =>
          mover.replace(group.app, ids, label, { emit, ...(signal ? { signal } : {}) }),
        ),
      );
      moved += ids.length;
    }
  }
  const remaining = plan.length === 0 ? [] : (await planDynoRebalance(control, mover, signal)).plan;
  return { services: plan, applied: plan.length > 0, moved, remaining };
}

/** Runs `fn` while every other ready, active node is paused (and marked, so a crash half-way is undone). */
async function onlyOnto<T>(
  control: SwarmControl,
  target: SwarmNode,
  signal: AbortSignal | undefined,
  fn: () => Promise<T>,
) {
  const others = (await control.nodes(signal)).filter(
    (n) => n.id !== target.id && n.state === 'ready' && n.availability === 'active',
  );
  const paused: SwarmNode[] = [];
  try {
    for (const node of others) {
      await control.updateNode(
        node.id,
        { availability: 'pause', labels: { ...node.labels, [PAUSED_LABEL]: 'move' } },
        signal,
      );
      paused.push(node);
    }
    return await fn();
  } finally {
    // Undone even when the move failed or was aborted (a fresh signal: the caller's may be what aborted).
    await resumeNodes(
      control,
      paused.map((n) => n.id),
    );
  }
}

/** Nodes Slipway paused for a move go back to active (at start: what a crash half-way left). Returns how many. */
export async function resumePausedNodes(control: SwarmControl, signal?: AbortSignal): Promise<number> {
  const marked = (await control.nodes(signal)).filter((n) => n.labels[PAUSED_LABEL] !== undefined);
  await resumeNodes(
    control,
    marked.map((n) => n.id),
    signal,
  );
  return marked.length;
}

async function resumeNodes(control: SwarmControl, ids: string[], signal = AbortSignal.timeout(30_000)): Promise<void> {
  for (const id of ids) {
    const node = await control.node(id, signal).catch(() => undefined);
    if (!node || node.labels[PAUSED_LABEL] === undefined) continue;
    const labels = { ...node.labels };
    delete labels[PAUSED_LABEL];
    // A node someone drained meanwhile stays drained; only Slipway's pause is undone.
    const availability = node.availability === 'pause' ? 'active' : node.availability;
    await control.updateNode(id, { availability, labels }, signal).catch(() => undefined);
  }
}
