import type { ContainerEngine, ContainerInfo } from '../engine/port.js';
import { LogCatchUp } from '../engine/docker-log-stream.js';
import { sleep } from '../core/abort.js';
import { AsyncQueue } from './async-queue.js';
import { FOLLOW_QUEUE_LINES } from './log-limits.js';
import { lineBytes, tagLine, type AppLogLine, type LogSource } from './log-line.js';

/** Where following a container resumes: after the newest line already shown, else from `fallbackNanos`. */
export interface ContainerCursor {
  catchUp: LogCatchUp;
  /** Unix nanoseconds; used when no line of the container was seen. */
  fallbackNanos: bigint;
}

export interface LogFollowerOptions {
  engine: ContainerEngine;
  /** Labels every followed container carries (app, managed, process); the engine adds its scope. */
  labels: Record<string, string>;
  redact: (text: string) => string;
  /** Ends every stream, the event watch and the poll. */
  signal: AbortSignal;
  /** Safety net for missed events (default 10 s). */
  pollMs?: number;
  /** Delay before watching engine events again after the engine went away (default 1 s). */
  eventsRetryMs?: number;
  /** Queued lines for a slow client, by count and by bytes, before container streams wait. */
  queueLines?: number;
  queueBytes?: number;
}

const QUEUE_BYTES = 1024 * 1024;

/**
 * Follows the logs of every container of an app, across deploys: the containers of the backlog
 * from exactly after what it showed, and every container that starts later from its first line —
 * found at once through engine `start` events, with a slow poll as a safety net. Lines go through
 * a bounded queue, so a slow client slows the engine's log streams instead of growing memory.
 */
export class LogFollower {
  readonly queue: AsyncQueue<AppLogLine>;
  private readonly active = new Set<string>();
  private readonly cursors = new Map<string, ContainerCursor>();
  /** Containers that started before `start()` (the backlog was still being read). */
  private pending: Map<string, LogSource> | undefined = new Map();

  constructor(private readonly opts: LogFollowerOptions) {
    this.queue = new AsyncQueue<AppLogLine>({
      items: opts.queueLines ?? FOLLOW_QUEUE_LINES,
      maxWeight: opts.queueBytes ?? QUEUE_BYTES,
      weigh: lineBytes,
    });
    if (opts.signal.aborted) this.queue.close();
    else opts.signal.addEventListener('abort', () => this.queue.close(), { once: true });
  }

  /** Starts watching engine events (replayed from `sinceMs`): call before listing the containers. */
  watchEvents(sinceMs: number): void {
    void this.eventLoop(sinceMs);
  }

  /** After the backlog: follows `running` from their cursors, then whatever started meanwhile or later. */
  start(running: ContainerInfo[], cursors: Map<string, ContainerCursor>): void {
    for (const [id, cursor] of cursors) this.cursors.set(id, cursor);
    for (const c of running) this.follow(c);
    const pending = this.pending;
    this.pending = undefined;
    for (const source of pending?.values() ?? []) this.follow(source);
    void this.pollLoop();
  }

  private follow(source: LogSource): void {
    if (this.active.has(source.id) || this.opts.signal.aborted) return;
    this.active.add(source.id);
    const cursor = this.cursors.get(source.id);
    const catchUp = cursor?.catchUp ?? new LogCatchUp();
    if (!cursor) this.cursors.set(source.id, { catchUp, fallbackNanos: 0n });
    // Known: from the newest line shown (inclusive, deduplicated). New: from its very first line.
    const since = cursor ? catchUp.since(cursor.fallbackNanos) : undefined;
    void this.pump(source, catchUp, since).finally(() => this.active.delete(source.id));
  }

  private async pump(source: LogSource, catchUp: LogCatchUp, since: string | undefined): Promise<void> {
    const { engine, signal } = this.opts;
    try {
      for await (const line of engine.logs(source.id, {
        follow: true,
        ...(since === undefined ? {} : { since }),
        signal,
      })) {
        if (!catchUp.isNew(line)) continue;
        catchUp.observe(line);
        if (!(await this.queue.push(tagLine(source, line, this.opts.redact)))) break;
      }
    } catch {
      // The container was removed, the engine went away or the client left; the poll resumes a running one.
    }
  }

  private onStart(source: LogSource): void {
    if (this.pending) this.pending.set(source.id, source);
    else this.follow(source);
  }

  private async eventLoop(sinceMs: number): Promise<void> {
    const { engine, signal, labels } = this.opts;
    let since = sinceMs;
    while (!signal.aborted) {
      try {
        for await (const event of engine.containerEvents({ actions: ['start'], labels, sinceMs: since, signal })) {
          since = Math.max(since, event.timeMs);
          this.onStart({ id: event.id, labels: event.labels });
        }
      } catch {
        // the engine went away: watch again after a pause (the poll covers the gap)
      }
      await sleep(this.opts.eventsRetryMs ?? 1000, signal).catch(() => undefined);
    }
  }

  private async pollLoop(): Promise<void> {
    const { engine, signal, labels } = this.opts;
    while (!signal.aborted) {
      try {
        await sleep(this.opts.pollMs ?? 10_000, signal);
      } catch {
        return;
      }
      const current = await engine.listContainers(labels, signal).catch(() => [] as ContainerInfo[]);
      for (const c of current) if (c.state === 'running') this.follow(c);
    }
  }
}
