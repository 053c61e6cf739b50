import { SlipwayError } from '../../core/errors.js';
import type { DockerHttpClient } from '../docker-http.js';
import {
  DockerStreamDemuxer,
  LogCatchUp,
  LogLineAssembler,
  logTimeToUnixNanos,
  sinceToUnixNanos,
} from '../docker-log-stream.js';
import type { LogLine } from '../port.js';
import type { SwarmApi } from './swarm-api.js';
import { waitTaskEnd } from './swarm-waits.js';
import { serviceLogsRequest } from './swarm-requests.js';

export interface ServiceLogsOptions {
  follow?: boolean;
  tail?: number;
  since?: number | string;
  until?: number | string;
  signal?: AbortSignal;
}

/** After the task ended, how long a follow stream may still deliver lines the node sends late. */
const SETTLE_MS = 1000;
const NON_FOLLOW_TIMEOUT_MS = 60_000;
/** When a node that ran the service is down: the manager waits for that node, which sends nothing. */
const NODE_DOWN_TIMEOUT_MS = 2_000;

/**
 * A service's log lines from whichever node runs (or ran) its tasks, through the manager. The manager's follow
 * stream never ends by itself (it waits for new tasks), so a watcher ends it when the current task ends, and one
 * catch-up read picks up what the node sent late. `until` is filtered here (service logs do not support it).
 */
export async function* serviceLogs(
  http: DockerHttpClient,
  api: SwarmApi,
  id: string,
  opts: ServiceLogsOptions & { tty: boolean; intervalMs: number; nodeDown?: boolean },
): AsyncGenerator<LogLine> {
  const { signal } = opts;
  const until = opts.until === undefined ? undefined : sinceToUnixNanos(opts.until);
  const keep = (line: LogLine) => until === undefined || (logTimeToUnixNanos(line.time) ?? 0n) <= until;
  const requestedAtNanos = BigInt(Date.now()) * 1_000_000n;
  const base = { ...(opts.tail !== undefined ? { tail: opts.tail } : {}) };
  const since = opts.since === undefined ? {} : { since: opts.since };
  try {
    if (!opts.follow) {
      const lines = read(http, id, { ...base, ...since }, opts.tty, signal, false, opts.nodeDown === true);
      for await (const line of lines) if (keep(line)) yield line;
      return;
    }
    const ended = new AbortController();
    const stopWatching = new AbortController();
    const watchSignal = signal ? AbortSignal.any([signal, stopWatching.signal]) : stopWatching.signal;
    void waitTaskEnd(api, id, { intervalMs: opts.intervalMs, signal: watchSignal })
      .catch(() => undefined)
      .then(() => setTimeout(() => ended.abort(), SETTLE_MS).unref());
    const catchUp = new LogCatchUp();
    const streamSignal = signal ? AbortSignal.any([signal, ended.signal]) : ended.signal;
    try {
      for await (const line of read(http, id, { ...base, ...since, follow: true }, opts.tty, streamSignal, true)) {
        catchUp.observe(line);
        if (!keep(line)) return;
        yield line;
      }
    } catch (err) {
      if (!ended.signal.aborted) throw err;
    } finally {
      stopWatching.abort();
    }
    if (signal?.aborted) return;
    const sinceNanos = opts.since === undefined ? 0n : sinceToUnixNanos(opts.since);
    const fallback = sinceNanos > requestedAtNanos ? sinceNanos : requestedAtNanos;
    try {
      for await (const line of read(http, id, { since: catchUp.since(fallback) }, opts.tty, signal)) {
        if (catchUp.isNew(line) && keep(line)) yield line;
      }
    } catch (err) {
      if (!isGone(err)) throw err; // removed right after it stopped
    }
  } catch (err) {
    if (signal?.aborted) return;
    throw err;
  }
}

function isGone(err: unknown): boolean {
  return err instanceof SlipwayError && (err.code === 'NOT_FOUND' || err.details?.status === 404);
}

async function* read(
  http: DockerHttpClient,
  id: string,
  opts: { follow?: boolean; tail?: number; since?: number | string },
  tty: boolean,
  signal: AbortSignal | undefined,
  open = false,
  nodeDown = false,
): AsyncGenerator<LogLine> {
  const assembler = new LogLineAssembler();
  const demuxer = tty ? undefined : new DockerStreamDemuxer();
  const stream = await http.stream(serviceLogsRequest(id, opts), {
    signal,
    // A node that is down can keep a non-follow read open: bound it.
    ...(open ? {} : { totalTimeoutMs: nodeDown ? NODE_DOWN_TIMEOUT_MS : NON_FOLLOW_TIMEOUT_MS }),
  });
  for await (const chunk of stream.body) {
    yield* demuxer ? assembler.pushFrames(demuxer.push(chunk)) : assembler.push('stdout', chunk);
  }
  yield* assembler.flush();
}
