import type { RouterLogRepository } from '../store/router-log-repository.js';
import {
  describeRouterEntry,
  parseAccessLogFields,
  type AccessLogLine,
  type RouterLogEntry,
} from '../router/access-log.js';
import { AsyncQueue } from './async-queue.js';
import type { AppLogLine } from './log-line.js';
import { DEFAULT_LOG_TAIL, MAX_LOG_TAIL } from './log-limits.js';

/** A router line as `logs` streams it: shaped like an app line (dyno `router`), with the entry itself. */
export type RouterLogLine = AppLogLine & { source: 'router'; router: RouterLogEntry };

export interface RouterLogOptions {
  /** false: HAProxy logs nothing to Slipway (SLIPWAY_ROUTER_LOGS=off). Default true. */
  enabled?: boolean;
  /** Lines are written to the store in batches this often (default 2 s; a reader flushes first). */
  flushMs?: number;
  /** Lines waiting for the store at most; beyond, the oldest are dropped (default 20,000). */
  maxPending?: number;
  /** Lines a follower may have queued; beyond, lines are dropped for it and counted (default 1,000). */
  followerQueue?: number;
}

interface Follower {
  queue: AsyncQueue<RouterLogEntry>;
  dropped: number;
}

/**
 * Router access logs per app: lines from HAProxy (the access log receiver) are handed to followers
 * at once and written to the store in batches (capped per app). A reader gets the stored backlog,
 * then — with follow — every line after it: the backlog bound and the subscription are taken in the
 * same tick, after a flush, so no line is missed or shown twice. Nothing here waits on a client: a
 * follower that cannot keep up loses lines, and is told how many.
 */
export class RouterLogService {
  private pending: AccessLogLine[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly followers = new Map<string, Set<Follower>>();
  /** Lines dropped before they reached the store (the server could not keep up). */
  droppedPending = 0;
  storeFailures = 0;

  constructor(
    private readonly repo: RouterLogRepository,
    private readonly opts: RouterLogOptions = {},
  ) {}

  get enabled(): boolean {
    return this.opts.enabled !== false;
  }

  ingest(line: AccessLogLine): void {
    const followers = this.followers.get(line.app);
    // Parsed now only when someone follows the app; the store keeps HAProxy's text.
    const entry = followers ? parseAccessLogFields(line.app, line.fields) : undefined;
    for (const follower of entry ? (followers ?? []) : []) {
      if (follower.queue.size >= (this.opts.followerQueue ?? 1000)) follower.dropped++;
      else void follower.queue.push(entry!);
    }
    this.pending.push(line);
    // Trimmed in bulk at twice the bound (a splice per line past it costs a copy of the whole batch per request).
    if (this.pending.length >= 2 * this.maxPending) this.trimPending();
    this.timer ??= setTimeout(() => this.flush(), this.opts.flushMs ?? 2000).unref();
  }

  private get maxPending(): number {
    return this.opts.maxPending ?? 20_000;
  }

  private trimPending(): void {
    const over = this.pending.length - this.maxPending;
    if (over <= 0) return;
    this.droppedPending += over;
    this.pending.splice(0, over);
  }

  /** Writes what is pending to the store now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.trimPending();
    const batch = newestPerApp(this.pending, this.repo.maxLinesPerApp);
    this.pending = [];
    try {
      this.repo.append(batch);
    } catch {
      this.storeFailures++; // e.g. the store is closing; router logs are never worth failing a request for
    }
  }

  async *lines(
    app: string,
    query: { tail?: number; follow?: boolean; signal?: AbortSignal },
  ): AsyncGenerator<RouterLogLine> {
    const tail = Math.min(Math.max(0, Math.floor(query.tail ?? DEFAULT_LOG_TAIL)), MAX_LOG_TAIL);
    // One tick: flush, bound the backlog, subscribe. Lines after this go to the follower only.
    this.flush();
    const { afterId, lastId } = this.repo.tailBounds(app, tail);
    const follower = query.follow ? this.subscribe(app, query.signal) : undefined;
    try {
      for (const row of this.repo.between(app, afterId, lastId)) yield routerLine(row.entry);
      if (!follower) return;
      for await (const entry of follower.queue) {
        yield routerLine(entry);
        // Where lines are missing: after those that were queued before the follower fell behind.
        if (follower.dropped > 0 && follower.queue.size === 0) {
          yield notice(app, `${follower.dropped} router log lines not sent, client too slow`);
          follower.dropped = 0;
        }
      }
    } finally {
      if (follower) this.unsubscribe(app, follower);
    }
  }

  close(): void {
    this.flush();
    for (const set of this.followers.values()) for (const f of set) f.queue.close();
    this.followers.clear();
  }

  private subscribe(app: string, signal?: AbortSignal): Follower {
    const follower: Follower = {
      queue: new AsyncQueue<RouterLogEntry>({ items: Number.MAX_SAFE_INTEGER }),
      dropped: 0,
    };
    let set = this.followers.get(app);
    if (!set) this.followers.set(app, (set = new Set()));
    set.add(follower);
    signal?.addEventListener('abort', () => follower.queue.close(), { once: true });
    if (signal?.aborted) follower.queue.close();
    return follower;
  }

  private unsubscribe(app: string, follower: Follower): void {
    follower.queue.close();
    const set = this.followers.get(app);
    set?.delete(follower);
    if (set?.size === 0) this.followers.delete(app);
  }
}

/**
 * Of a batch, the newest `max` lines of each app: older ones would be trimmed right after the
 * insert anyway (at 10,000 requests/s the history is one second long), so they are never written.
 */
function newestPerApp(lines: AccessLogLine[], max: number): AccessLogLine[] {
  const seen = new Map<string, number>();
  const keep: AccessLogLine[] = [];
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    const n = seen.get(line.app) ?? 0;
    if (n >= max) continue;
    seen.set(line.app, n + 1);
    keep.push(line);
  }
  return keep.reverse();
}

export function routerLine(entry: RouterLogEntry): RouterLogLine {
  return {
    time: entry.time,
    dyno: 'router',
    release: '',
    stream: 'stdout',
    text: describeRouterEntry(entry),
    source: 'router',
    router: entry,
  };
}

function notice(app: string, text: string): RouterLogLine {
  const now = new Date().toISOString();
  const entry: RouterLogEntry = {
    app,
    time: now,
    method: '',
    path: '',
    host: '',
    status: 0,
    bytes: 0,
    server: '',
    client: '',
    timings: { tq: -1, tw: -1, tc: -1, tr: -1, ta: -1 },
  };
  return { ...routerLine(entry), text };
}
