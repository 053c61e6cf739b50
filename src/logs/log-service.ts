import type { ContainerEngine, ContainerInfo } from '../engine/port.js';
import { LABELS, dynoName } from '../core/types.js';
import { sleep } from '../core/abort.js';
import { AsyncQueue } from './async-queue.js';
import type { LogRepository } from '../store/log-repository.js';

export interface AppLogLine {
  time: string;
  /** e.g. `web.1` */
  dyno: string;
  release: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface LogQuery {
  follow?: boolean;
  /** Only this process type (e.g. `web`). */
  process?: string;
  /** Lines per container for the backlog. */
  tail?: number;
  signal?: AbortSignal;
  redact?: (text: string) => string;
}

/** Logs of every container of an app, tagged with dyno and release; `follow` picks up containers started later (across deploys). */
export class LogService {
  constructor(private readonly engine: ContainerEngine, private readonly archive?: LogRepository, private readonly pollMs = 1000) {}

  async *lines(app: string, query: LogQuery): AsyncIterable<AppLogLine> {
    const redact = query.redact ?? ((s: string) => s);
    const containers = await this.containers(app, query.process);
    const backlog: AppLogLine[] = [];
    // Lines of containers that are gone (earlier releases) come from the store.
    const live = new Set(containers.map((c) => c.id));
    for (const line of this.archive?.recent(app, query.tail ?? 100, query.process) ?? []) {
      if (!live.has(line.containerId)) backlog.push({ time: line.time, dyno: line.dyno, release: line.release, stream: line.stream, text: line.text });
    }
    for (const c of containers) {
      for await (const line of this.engine.logs(c.id, { tail: query.tail ?? 100, follow: false })) backlog.push(tag(c, line, redact));
    }
    backlog.sort((a, b) => a.time.localeCompare(b.time));
    yield* backlog.slice(-(query.tail ?? 100));
    if (!query.follow) return;
    yield* this.follow(app, query, new Set(containers.map((c) => c.id)), redact);
  }

  private async *follow(app: string, query: LogQuery, known: Set<string>, redact: (s: string) => string): AsyncIterable<AppLogLine> {
    const queue = new AsyncQueue<AppLogLine>();
    const signal = query.signal;
    const sinceSec = Math.floor(Date.now() / 1000);
    const followed = new Set<string>();
    const followOne = (c: ContainerInfo, since: number | undefined) => {
      followed.add(c.id);
      void (async () => {
        try {
          for await (const line of this.engine.logs(c.id, { follow: true, tail: 0, ...(since === undefined ? {} : { since }), ...(signal ? { signal } : {}) })) {
            queue.push(tag(c, line, redact));
          }
        } catch {
          // container went away or the client left
        }
      })();
    };
    for (const c of await this.containers(app, query.process)) if (c.state === 'running') followOne(c, sinceSec);
    void (async () => {
      while (!signal?.aborted) {
        await sleep(this.pollMs, signal).catch(() => undefined);
        if (signal?.aborted) break;
        const current = await this.containers(app, query.process).catch(() => []);
        for (const c of current) {
          if (followed.has(c.id)) continue;
          // A container that appeared after we started: stream it from its beginning.
          followOne(c, known.has(c.id) ? sinceSec : undefined);
        }
      }
      queue.close();
    })();
    yield* queue;
  }

  private async containers(app: string, process?: string): Promise<ContainerInfo[]> {
    const all = await this.engine.listContainers({ [LABELS.app]: app, [LABELS.managed]: 'true' });
    return all.filter((c) => !process || c.labels[LABELS.process] === process);
  }
}

function tag(c: ContainerInfo, line: { time: string; stream: 'stdout' | 'stderr'; text: string }, redact: (s: string) => string): AppLogLine {
  return { time: line.time, dyno: dynoName(c.labels), release: c.labels[LABELS.release] ?? '?', stream: line.stream, text: redact(line.text) };
}
