import type { ContainerEngine } from '../engine/port.js';
import type { LogRepository } from '../store/log-repository.js';
import { sleep } from '../core/abort.js';
import { isSlipwayError } from '../core/errors.js';
import { LABELS, dynoName } from '../core/types.js';
import { archiveContainerLogs } from '../logs/archive-logs.js';

const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5000;
/** Longest line of a scheduled job's kept output (characters). */
const KEPT_LINE_CHARS = 2000;

/**
 * Waits for a one-off's container to end and returns its exit code; `undefined` when the container is
 * gone (removed from outside). While the engine does not answer (dockerd restarting) it keeps asking,
 * with backoff, until `signal` aborts (then it throws).
 */
export async function waitForExit(
  engine: ContainerEngine,
  id: string,
  signal: AbortSignal,
): Promise<number | undefined> {
  let delay = RETRY_MIN_MS;
  for (;;) {
    try {
      return await engine.waitContainer(id, signal);
    } catch (err) {
      if (signal.aborted) throw err;
      if (isSlipwayError(err) && err.code === 'NOT_FOUND') return undefined;
    }
    const info = await engine.inspectContainer(id, signal).catch(() => 'unknown' as const);
    if (info === null) return undefined;
    if (info !== 'unknown' && info.state === 'exited') return info.exitCode;
    await sleep(delay, signal);
    delay = Math.min(delay * 2, RETRY_MAX_MS);
  }
}

/** The last `keep` lines a container wrote (redacted, each cut to a readable length). */
export async function lastOutputLines(
  engine: ContainerEngine,
  id: string,
  keep: number,
  redact: (s: string) => string,
): Promise<string[]> {
  const lines: string[] = [];
  try {
    for await (const line of engine.logs(id, { tail: keep })) {
      const text = redact(line.text);
      lines.push(text.length > KEPT_LINE_CHARS ? `${text.slice(0, KEPT_LINE_CHARS)}…` : text);
    }
  } catch {
    // the container went away: keep what was read
  }
  return lines.slice(-keep);
}

/**
 * A one-off that ended: its logs go to the store (so `logs` keeps them, with a last line saying how it
 * ended), then its container is removed.
 */
export async function retireOneOff(
  engine: ContainerEngine,
  logs: LogRepository,
  id: string,
  ending: { exitCode: number | undefined; redact: (s: string) => string },
): Promise<void> {
  const info = await engine.inspectContainer(id).catch(() => null);
  if (!info) return;
  const app = info.labels[LABELS.app];
  const dyno = dynoName(info.labels);
  try {
    await archiveContainerLogs(engine, logs, id, ending.redact);
    const how = ending.exitCode === undefined ? 'ended' : `exited with code ${ending.exitCode}`;
    if (app) {
      logs.append(app, [
        {
          time: new Date().toISOString(),
          dyno,
          release: info.labels[LABELS.release] ?? '?',
          stream: 'stdout',
          text: `slipway: ${dyno} ${how}`,
          containerId: id,
        },
      ]);
    }
  } catch {
    // its app is gone (destroyed or renamed meanwhile): there is nowhere to keep its logs
  } finally {
    await engine.removeContainer(id, { force: true });
  }
}
