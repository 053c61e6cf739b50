import type { ContainerEngine, ContainerEvent, ContainerEventQuery } from './port.js';

/**
 * The one engine every service holds, whose implementation can change while the server runs: the
 * one-host Docker engine until the installation becomes a Swarm, then the Swarm adapter (which also
 * still answers for the plain containers on the manager, so running apps can move over).
 *
 * An event stream opened before a switch follows the switch: it ends its subscription to the old
 * engine and goes on with the new one from the last event seen (the supervisor would otherwise keep
 * listening to an engine that no longer runs the dynos).
 */
export interface SwitchableEngine {
  engine: ContainerEngine;
  current(): ContainerEngine;
  use(next: ContainerEngine): void;
}

export function switchableEngine(initial: ContainerEngine): SwitchableEngine {
  let target = initial;
  const switched = new Set<() => void>();
  async function* events(query: ContainerEventQuery): AsyncGenerator<ContainerEvent> {
    let since = query.sinceMs;
    while (!query.signal?.aborted) {
      const source = target;
      const inner = new AbortController();
      const onAbort = () => inner.abort();
      query.signal?.addEventListener('abort', onAbort, { once: true });
      switched.add(onAbort);
      try {
        for await (const event of source.containerEvents({
          ...query,
          ...(since !== undefined ? { sinceMs: since } : {}),
          signal: inner.signal,
        })) {
          since = Math.max(since ?? 0, event.timeMs);
          yield event;
        }
      } catch (err) {
        if (!inner.signal.aborted || query.signal?.aborted) throw err;
      } finally {
        switched.delete(onAbort);
        query.signal?.removeEventListener('abort', onAbort);
      }
      // The stream ended by itself (not because of a switch): the caller decides what to do, as before.
      if (source === target) return;
    }
  }
  const engine = new Proxy({} as ContainerEngine, {
    get(_, prop) {
      if (prop === 'containerEvents') return events;
      const value = (target as unknown as Record<string | symbol, unknown>)[prop];
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
    has(_, prop) {
      return prop in target;
    },
  });
  return {
    engine,
    current: () => target,
    use(next) {
      target = next;
      for (const end of [...switched]) end();
    },
  };
}
