import { logTimeToUnixNanos } from '../engine/docker-log-stream.js';
import type { Timed } from './backlog-merge.js';

interface Source<T> {
  iterator: AsyncIterator<T>;
  head?: T;
  done: boolean;
  /** The next() in flight, and since when (a source with nothing for `settleMs` no longer holds the others). */
  pending?: Promise<void>;
  pendingSince?: number;
}

/**
 * Merges sources that are each in time order and may go on forever (`logs -f` of the app and of the
 * router): while every source has a line ready — a backlog — the oldest goes first; a source that has
 * had nothing for `settleMs` does not hold the others back, so followed lines go out as they come.
 * Holds one line per source. Ending the iteration ends every source (without waiting for them).
 */
export async function* mergeLive<T extends Timed>(inputs: AsyncIterable<T>[], settleMs = 50): AsyncGenerator<T> {
  const sources: Source<T>[] = inputs.map((input) => ({ iterator: input[Symbol.asyncIterator](), done: false }));
  let failure: { error: unknown } | undefined;
  const pull = (source: Source<T>) => {
    source.pendingSince = Date.now();
    source.pending = source.iterator.next().then(
      (result) => {
        source.pending = undefined;
        if (result.done) source.done = true;
        else source.head = result.value;
      },
      (error: unknown) => {
        source.pending = undefined;
        source.done = true;
        failure ??= { error };
      },
    );
  };
  try {
    for (;;) {
      for (const s of sources) if (!s.done && s.head === undefined && !s.pending) pull(s);
      if (failure) throw failure.error;
      const ready = sources.filter((s) => s.head !== undefined);
      const waiting = sources.filter((s) => s.pending);
      if (ready.length === 0 && waiting.length === 0) return;
      const now = Date.now();
      const fresh = waiting.filter((s) => now - s.pendingSince! < settleMs);
      if (ready.length === 0 || fresh.length > 0) {
        const wait =
          ready.length === 0 ? [] : [delay(settleMs - (now - Math.min(...fresh.map((s) => s.pendingSince!))))];
        await Promise.race([...waiting.map((s) => s.pending!), ...wait]);
        if (ready.length === 0 || sources.some((s) => fresh.includes(s) && !s.pending)) continue;
      }
      let oldest = ready[0]!;
      for (const s of ready) if (nanos(s.head!) < nanos(oldest.head!)) oldest = s;
      const line = oldest.head!;
      oldest.head = undefined;
      yield line;
    }
  } finally {
    for (const s of sources) void s.iterator.return?.(undefined)?.catch(() => undefined);
  }
}

function nanos(item: Timed): bigint {
  return logTimeToUnixNanos(item.time) ?? -1n;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
