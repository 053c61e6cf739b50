import type { ContainerEngine, ContainerInfo, LogLine } from '../engine/port.js';
import { LogCatchUp, unixNanosToSince } from '../engine/docker-log-stream.js';
import { LABELS } from '../core/types.js';
import type { LogRepository } from '../store/log-repository.js';
import { findBacklogBounds, mergeByTime, type BacklogBounds } from './backlog-merge.js';
import { LogFollower, type ContainerCursor } from './log-follower.js';
import { DEFAULT_LOG_TAIL, MAX_LOG_TAIL } from './log-limits.js';
import { tagLine, type AppLogLine } from './log-line.js';

export type { AppLogLine } from './log-line.js';

export interface LogQuery {
  follow?: boolean;
  /** Only this process type (e.g. `web`). */
  process?: string;
  /** Lines of backlog, across all containers and the archive (default 100, at most 10,000). */
  tail?: number;
  signal?: AbortSignal;
  redact?: (text: string) => string;
}

export interface LogServiceOptions {
  /** Safety-net poll of `follow` for containers whose start event was missed (default 10 s). */
  pollMs?: number;
}

/**
 * Logs of every container of an app, tagged with dyno and release. The backlog (the newest `tail`
 * lines across the containers and the archive) is found in two passes that each hold one line per
 * source: the first reads only times to find where the newest `tail` lines begin, the second
 * merges them in time order and streams them at the caller's pace. `follow` then streams new lines,
 * also of containers started later (across deploys), from exactly after what was shown.
 */
export class LogService {
  constructor(
    private readonly engine: ContainerEngine,
    private readonly archive?: LogRepository,
    private readonly options: LogServiceOptions = {},
  ) {}

  async *lines(app: string, query: LogQuery): AsyncGenerator<AppLogLine> {
    const redact = query.redact ?? ((s: string) => s);
    const tail = Math.min(Math.max(0, Math.floor(query.tail ?? DEFAULT_LOG_TAIL)), MAX_LOG_TAIL);
    // Everything this request starts (engine streams, event watch, poll timer) ends with it.
    const done = new AbortController();
    const signal = query.signal ? AbortSignal.any([query.signal, done.signal]) : done.signal;
    const labels: Record<string, string> = {
      [LABELS.app]: app,
      [LABELS.managed]: 'true',
      ...(query.process ? { [LABELS.process]: query.process } : {}),
    };
    try {
      const follower = query.follow
        ? new LogFollower({
            engine: this.engine,
            labels,
            signal,
            redact,
            ...(this.options.pollMs ? { pollMs: this.options.pollMs } : {}),
          })
        : undefined;
      // Watch for starts before listing, so a container that starts in between is not missed.
      follower?.watchEvents(Date.now());
      const containers = await this.engine.listContainers(labels, signal);
      const live = new Set(containers.map((c) => c.id));
      // Pass 1, times only: where the newest `tail` lines begin, and the newest line (lines after it are for `follow`).
      const startedNanos = BigInt(Date.now()) * 1_000_000n;
      const bounds =
        tail === 0
          ? {}
          : await findBacklogBounds(
              [
                this.archivedTimes(app, tail, query.process, live),
                ...containers.map((c) => this.containerLines(c.id, { tail }, signal)),
              ],
              tail,
            );
      // Following a container resumes after its newest line shown; when none was, from where the backlog began.
      const fallbackNanos = tail === 0 ? startedNanos : (bounds.from?.nanos ?? 0n);
      const cursors = new Map<string, ContainerCursor>(
        containers.map((c) => [c.id, { catchUp: new LogCatchUp(), fallbackNanos }]),
      );
      if (bounds.until) {
        // Pass 2: the lines between the bounds, merged in time order, at the consumer's pace.
        const sources = [
          this.archived(app, bounds, query.process, live, redact),
          ...containers.map((c) => this.containerBacklog(c, bounds, redact, cursors.get(c.id)!, signal)),
        ];
        let shown = 0;
        // Lines at the very time of a bound may add a few.
        for await (const line of mergeByTime(sources)) {
          yield line;
          if (++shown >= tail * 2) break;
        }
      }
      if (!follower) return;
      follower.start(
        containers.filter((c) => c.state === 'running'),
        cursors,
      );
      yield* follower.queue;
    } finally {
      done.abort();
    }
  }

  private async *archivedTimes(
    app: string,
    tail: number,
    process: string | undefined,
    live: Set<string>,
  ): AsyncGenerator<{ time: string }> {
    for (const row of this.archive?.newestTimes(app, tail, process) ?? []) if (!live.has(row.containerId)) yield row;
  }

  /** Lines of removed containers (earlier releases) within the bounds, from the store, a page at a time. */
  private async *archived(
    app: string,
    bounds: BacklogBounds,
    process: string | undefined,
    live: Set<string>,
    redact: (s: string) => string,
  ): AsyncGenerator<AppLogLine> {
    for (const s of this.archive?.between(
      app,
      { ...(bounds.from ? { from: bounds.from.time } : {}), ...(bounds.until ? { until: bounds.until.time } : {}) },
      process,
    ) ?? []) {
      if (!live.has(s.containerId))
        yield { time: s.time, dyno: s.dyno, release: s.release, stream: s.stream, text: redact(s.text) };
    }
  }

  /** A container's lines within the bounds; the cursor records each line once the consumer took it. */
  private async *containerBacklog(
    c: ContainerInfo,
    bounds: BacklogBounds,
    redact: (s: string) => string,
    cursor: ContainerCursor,
    signal: AbortSignal,
  ): AsyncGenerator<AppLogLine> {
    const window = {
      ...(bounds.from ? { since: unixNanosToSince(bounds.from.nanos) } : {}),
      ...(bounds.until ? { until: unixNanosToSince(bounds.until.nanos) } : {}),
    };
    for await (const raw of this.containerLines(c.id, window, signal)) {
      yield tagLine(c, raw, redact);
      // Runs when the next line is asked for: this one was taken (a line read ahead and dropped is not "shown").
      cursor.catchUp.observe(raw);
    }
  }

  /** A container's lines; ends quietly when the container is removed meanwhile (its lines are archived, or gone). */
  private async *containerLines(
    id: string,
    opts: { tail?: number; since?: string; until?: string },
    signal: AbortSignal,
  ): AsyncGenerator<LogLine> {
    try {
      yield* this.engine.logs(id, { ...opts, signal });
    } catch (err) {
      if (signal.aborted) throw err;
    }
  }
}
