import type { GraphNode } from './graph.js';

/**
 * True graph scheduling (pure, no I/O of its own): a step starts as soon as all of its
 * dependencies have finished, independent steps run at the same time (up to `concurrency`).
 * On the first failure no new step starts, running steps are told to stop (their signal aborts),
 * and once they have settled the first error is thrown. The graph must be valid (see graph.ts).
 */
export interface ScheduleOptions {
  concurrency?: number;
  signal?: AbortSignal;
}

export async function runGraph<T>(
  nodes: GraphNode[],
  run: (name: string, signal: AbortSignal) => Promise<T>,
  opts: ScheduleOptions = {},
): Promise<Map<string, T>> {
  const limit = Math.max(1, opts.concurrency ?? Infinity);
  const results = new Map<string, T>();
  const started = new Set<string>();
  const controller = new AbortController();
  const onAbort = () => controller.abort(opts.signal?.reason);
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });
  let running = 0;
  let failure: { error: unknown } | undefined;

  try {
    await new Promise<void>((resolve) => {
      const pump = () => {
        if (failure || controller.signal.aborted) {
          if (running === 0) resolve();
          return;
        }
        if (results.size === nodes.length) return resolve();
        for (const node of nodes) {
          if (running >= limit) break;
          if (started.has(node.name) || !node.deps.every((d) => results.has(d))) continue;
          started.add(node.name);
          running++;
          run(node.name, controller.signal)
            .then(
              (value) => {
                results.set(node.name, value);
              },
              (error: unknown) => {
                failure ??= { error };
                controller.abort();
              },
            )
            .finally(() => {
              running--;
              pump();
            });
        }
        if (running === 0 && results.size < nodes.length && !failure) {
          failure = {
            error: new Error(
              `steps can never start: ${nodes
                .filter((n) => !started.has(n.name))
                .map((n) => n.name)
                .join(', ')}`,
            ),
          };
          resolve();
        }
      };
      pump();
    });
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
  if (failure) throw failure.error;
  if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
  return results;
}
