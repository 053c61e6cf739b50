import { sleep } from '../../core/abort.js';
import type { ContainerEvent } from '../port.js';
import { isTerminalTaskState, type SwarmNode, type SwarmService, type SwarmTask } from './swarm-parsers.js';
import { NODE_LOST_EXIT_CODE } from './swarm-waits.js';

/**
 * Container events for Swarm services, synthesized from task states. Docker emits a container's `die` only on the
 * node that ran it, and the manager's `service` events say nothing about a task that exited; polling the manager's
 * task list sees every node's tasks, so one loop gives `start`, `die` (with the exit code) and `destroy` for all.
 */

export interface TaskSnapshot {
  state: string;
  exitCode?: number;
  timeMs: number;
}

export interface ServiceSnapshot {
  labels: Record<string, string>;
  /** ms since the epoch. */
  createdMs: number;
  tasks: Map<string, TaskSnapshot>;
}

export type SwarmSnapshot = Map<string, ServiceSnapshot>;

/**
 * A task whose node is down keeps reporting `running` (its node cannot say otherwise): it counts as lost, as if
 * SIGKILLed, from the moment the manager marks the node down (Swarm starts its replacement at the same moment).
 */
export const NODE_LOST_STATE = 'node-lost';

export function takeSnapshot(services: SwarmService[], tasks: SwarmTask[], nodes?: SwarmNode[]): SwarmSnapshot {
  const snapshot: SwarmSnapshot = new Map();
  const down = new Set((nodes ?? []).filter((n) => n.state !== 'ready').map((n) => n.id));
  for (const s of services)
    snapshot.set(s.id, { labels: s.labels, createdMs: Date.parse(s.createdAt) || 0, tasks: new Map() });
  for (const t of tasks) {
    const lost = t.state === 'running' && t.nodeId !== undefined && down.has(t.nodeId);
    snapshot.get(t.serviceId)?.tasks.set(t.id, {
      state: lost ? NODE_LOST_STATE : t.state,
      ...(lost ? { exitCode: NODE_LOST_EXIT_CODE } : t.exitCode !== undefined ? { exitCode: t.exitCode } : {}),
      timeMs: lost ? Date.now() : Date.parse(t.timestamp) || 0,
    });
  }
  return snapshot;
}

function stopped(state: string): boolean {
  return state === NODE_LOST_STATE || isTerminalTaskState(state);
}

/**
 * What happened between two snapshots: a task now running → `start`; a task now stopped that had not stopped
 * before → `die`; a service gone → `destroy`; a new service → `create`. Without `prev` (the first look), only
 * what happened since `sinceMs` is replayed (nothing when it is undefined).
 */
export function diffSnapshots(
  prev: SwarmSnapshot | undefined,
  next: SwarmSnapshot,
  sinceMs?: number,
  nowMs = Date.now(),
): ContainerEvent[] {
  const events: ContainerEvent[] = [];
  for (const [id, service] of next) {
    const before = prev?.get(id);
    if (prev && !before) events.push({ action: 'create', id, labels: service.labels, timeMs: service.createdMs });
    for (const [taskId, task] of service.tasks) {
      const was = before?.tasks.get(taskId);
      const fresh = prev ? !was || was.state !== task.state : sinceMs !== undefined && task.timeMs >= sinceMs;
      if (!fresh) continue;
      const event = taskEvent(id, service.labels, task, was);
      if (event) events.push(event);
    }
  }
  for (const [id, service] of prev ?? []) {
    if (!next.has(id)) events.push({ action: 'destroy', id, labels: service.labels, timeMs: nowMs });
  }
  return events.sort((a, b) => a.timeMs - b.timeMs);
}

function taskEvent(
  id: string,
  labels: Record<string, string>,
  task: TaskSnapshot,
  was: TaskSnapshot | undefined,
): ContainerEvent | null {
  if (task.state === 'running') return { action: 'start', id, labels, timeMs: task.timeMs };
  if (!stopped(task.state) || (was && stopped(was.state))) return null;
  // A task that never started (rejected: e.g. no such image) dies too: the dyno it stood for is not running.
  return {
    action: 'die',
    id,
    labels,
    ...(task.exitCode !== undefined ? { exitCode: task.exitCode } : {}),
    timeMs: task.timeMs,
  };
}

/** Polls `look` every `intervalMs` and yields the differences, until the signal aborts (then it ends quietly). */
export async function* pollSwarmEvents(opts: {
  look: (signal?: AbortSignal) => Promise<SwarmSnapshot>;
  intervalMs: number;
  sinceMs?: number;
  actions?: string[];
  signal?: AbortSignal;
}): AsyncGenerator<ContainerEvent> {
  const { signal } = opts;
  const wanted = opts.actions && opts.actions.length > 0 ? new Set(opts.actions) : undefined;
  let prev: SwarmSnapshot | undefined;
  try {
    while (!signal?.aborted) {
      const next = await opts.look(signal);
      for (const event of diffSnapshots(prev, next, opts.sinceMs)) if (!wanted || wanted.has(event.action)) yield event;
      prev = next;
      await sleep(opts.intervalMs, signal);
    }
  } catch (err) {
    if (signal?.aborted) return;
    throw err;
  }
}
