import { logTimeToUnixNanos } from '../engine/docker-log-stream.js';

export interface Timed {
  /** RFC3339Nano from the engine ('' when unknown: sorts first). */
  time: string;
}

/** Where the newest `n` lines begin: their oldest time, as text and as unix nanoseconds. */
export interface BacklogCut {
  time: string;
  nanos: bigint;
}

interface Head<T> {
  iterator: AsyncIterator<T>;
  item: T;
  nanos: bigint;
}

function nanosOf(item: Timed): bigint {
  return logTimeToUnixNanos(item.time) ?? -1n;
}

/**
 * K-way merge of sources that are each in time order (container logs, the archive) into one stream
 * in time order. Holds one item per source; each source is pulled only when its item was taken, so
 * its producer waits meanwhile. Ending the iteration early (or an error) ends every source.
 */
export async function* mergeByTime<T extends Timed>(sources: AsyncIterable<T>[]): AsyncGenerator<T> {
  // A source stays in `heads` until it is done, so ending early ends it too.
  const heads: Head<T>[] = [];
  try {
    for (const source of sources) {
      const iterator = source[Symbol.asyncIterator]();
      const next = await iterator.next();
      if (!next.done) heads.push({ iterator, item: next.value, nanos: nanosOf(next.value) });
    }
    while (heads.length > 0) {
      let oldest = 0;
      for (let i = 1; i < heads.length; i++) if (heads[i]!.nanos < heads[oldest]!.nanos) oldest = i;
      const head = heads[oldest]!;
      yield head.item;
      const next = await head.iterator.next();
      if (next.done) heads.splice(oldest, 1);
      else {
        head.item = next.value;
        head.nanos = nanosOf(next.value);
      }
    }
  } finally {
    await Promise.allSettled(heads.map((h) => h.iterator.return?.()));
  }
}

/** Where the backlog of the newest `n` lines begins (undefined: with all lines) and its newest line. */
export interface BacklogBounds {
  from?: BacklogCut;
  until?: BacklogCut;
}

function cutAt(time: string): BacklogCut {
  return { time, nanos: logTimeToUnixNanos(time) ?? 0n };
}

/**
 * Where the newest `n` items across the sources begin and end, reading only their times (a ring of
 * `n` timestamps). `from` is undefined when the sources hold fewer than `n` (all of them are shown);
 * `until` is undefined when they hold none.
 */
export async function findBacklogBounds(sources: AsyncIterable<Timed>[], n: number): Promise<BacklogBounds> {
  if (n <= 0) return {};
  const ring: string[] = new Array<string>(n);
  let seen = 0;
  for await (const item of mergeByTime(sources)) ring[seen++ % n] = item.time;
  if (seen === 0) return {};
  const until = cutAt(ring[(seen - 1) % n]!);
  return seen < n ? { until } : { from: cutAt(ring[seen % n]!), until };
}
