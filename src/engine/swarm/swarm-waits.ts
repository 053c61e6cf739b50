import { pollUntil, sleep } from '../../core/abort.js';
import { SlipwayError } from '../../core/errors.js';
import type { SwarmApi } from './swarm-api.js';
import { currentTask, isTerminalTaskState, type SwarmTask } from './swarm-parsers.js';

/** Waits on a service's tasks, by polling the manager (every wait has a deadline or the caller's signal). */

/** Exit code reported for a task that never ran or whose exit code Swarm does not know (Docker's 125). */
export const UNKNOWN_EXIT_CODE = 125;
/** Exit code reported for a task lost with its node (as if the machine lost power: SIGKILL). */
export const NODE_LOST_EXIT_CODE = 137;

/**
 * Until the current task runs (and, when `needsPort`, its published port is known) or has already ended.
 * `rejected` tasks (no such image, bad spec) and timeouts throw CONTAINER_FAILED / TIMEOUT with Swarm's reason.
 */
export async function waitTaskStarted(
  api: SwarmApi,
  serviceId: string,
  opts: { name: string; needsPort: boolean; timeoutMs: number; intervalMs: number; signal?: AbortSignal },
): Promise<SwarmTask> {
  let last: SwarmTask | undefined;
  try {
    return await pollUntil(
      async () => {
        last = currentTask(await api.tasks([serviceId], opts.signal));
        if (!last) return undefined;
        if (last.state === 'rejected' || (last.state === 'failed' && !last.containerId)) {
          throw new SlipwayError('CONTAINER_FAILED', `${opts.name} could not start: ${last.error ?? last.state}`, {
            hint: /no such image|not found|pull/i.test(last.error ?? '')
              ? 'the image must be on the node or in a registry it can pull from (by digest)'
              : undefined,
            details: { task: last.id, state: last.state },
          });
        }
        if (isTerminalTaskState(last.state)) return last;
        if (last.state === 'running' && (!opts.needsPort || last.publishedPort !== undefined)) return last;
        return undefined;
      },
      { timeoutMs: opts.timeoutMs, intervalMs: opts.intervalMs, signal: opts.signal, what: `${opts.name} to run` },
    );
  } catch (err) {
    if (err instanceof SlipwayError && err.code === 'TIMEOUT' && last) {
      throw new SlipwayError('TIMEOUT', `${opts.name} did not run within ${opts.timeoutMs} ms: ${describe(last)}`, {
        hint:
          last.state === 'pending'
            ? 'no node fits the placement constraints or resource limits (`docker node ls`)'
            : last.state === 'preparing'
              ? 'the node is still pulling the image: name images by digest from a registry every node reaches'
              : undefined,
        cause: err,
        details: { task: last.id, state: last.state },
      });
    }
    throw err;
  }
}

function describe(task: SwarmTask): string {
  return task.error ? `task ${task.state} (${task.error})` : `task ${task.state}`;
}

/**
 * Until the task that is current now ends; its exit code. A task whose node died keeps saying `running`: when Swarm
 * has replaced it (a newer task it wants running), it counts as ended. Throws NOT_FOUND when the service is gone.
 */
export async function waitTaskEnd(
  api: SwarmApi,
  serviceId: string,
  opts: { intervalMs: number; signal?: AbortSignal },
): Promise<number> {
  let target: string | undefined;
  for (;;) {
    const tasks = await api.tasks([serviceId], opts.signal);
    if (tasks.length === 0 && !(await api.service(serviceId, opts.signal))) {
      throw new SlipwayError('NOT_FOUND', `service ${serviceId} is gone`);
    }
    target ??= currentTask(tasks)?.id;
    const task = tasks.find((t) => t.id === target);
    if (task && isTerminalTaskState(task.state)) {
      return task.exitCode ?? (task.state === 'complete' ? 0 : UNKNOWN_EXIT_CODE);
    }
    const replaced = currentTask(tasks);
    if (task && replaced && replaced.id !== task.id) return task.exitCode ?? NODE_LOST_EXIT_CODE;
    await sleep(opts.intervalMs, opts.signal);
  }
}

/** Until no task of the service runs any more (tasks on nodes that are down count as stopped). */
export async function waitNoTaskRunning(
  api: SwarmApi,
  serviceId: string,
  opts: { timeoutMs: number; intervalMs: number; signal?: AbortSignal; name: string },
): Promise<void> {
  await pollUntil(
    async () => {
      const live = (await api.tasks([serviceId], opts.signal)).filter((t) => !isTerminalTaskState(t.state));
      if (live.length === 0) return true;
      // Assigned/preparing tasks of a scaled-down service are shut down by Swarm; only containers that ran matter.
      const nodes = new Map((await api.listNodes(opts.signal)).map((n) => [n.id, n]));
      const stillRunning = live.filter(
        (t) => t.desiredState === 'running' || (t.nodeId !== undefined && nodes.get(t.nodeId)?.state === 'ready'),
      );
      return stillRunning.length === 0 ? true : undefined;
    },
    { ...opts, what: `${opts.name} to stop` },
  );
}
