import type { ContainerEngine } from '../engine/port.js';
import { MAX_ARCHIVED_LINE_CHARS, type LogRepository, type StoredLogLine } from '../store/log-repository.js';
import { truncationMarker } from '../engine/docker-log-stream.js';
import { LABELS, dynoName } from '../core/types.js';

const BATCH_LINES = 500;

/** Redacted, then cut to what the archive keeps (so a long line is never held whole). */
function archivedText(text: string, redact: (s: string) => string): string {
  const clean = redact(text);
  if (clean.length <= MAX_ARCHIVED_LINE_CHARS) return clean;
  const marker = truncationMarker(clean.length - MAX_ARCHIVED_LINE_CHARS);
  return clean.slice(0, MAX_ARCHIVED_LINE_CHARS - marker.length) + marker;
}

/** Copies a container's logs into the store before the container is removed (logs outlive deploys). */
export async function archiveContainerLogs(
  engine: ContainerEngine,
  logs: LogRepository,
  containerId: string,
  redact: (s: string) => string,
  maxLines = 2000,
): Promise<number> {
  const info = await engine.inspectContainer(containerId).catch(() => null);
  if (!info) return 0;
  const app = info.labels[LABELS.app];
  if (!app) return 0;
  const dyno = dynoName(info.labels);
  const release = info.labels[LABELS.release] ?? '?';
  let batch: StoredLogLine[] = [];
  let archived = 0;
  try {
    for await (const line of engine.logs(containerId, { tail: maxLines, follow: false })) {
      batch.push({
        time: line.time,
        dyno,
        release,
        stream: line.stream,
        text: archivedText(line.text, redact),
        containerId,
      });
      if (batch.length >= BATCH_LINES) {
        logs.append(app, batch);
        archived += batch.length;
        batch = [];
      }
    }
  } catch {
    // the container went away while it was read: keep what was read
  }
  logs.append(app, batch);
  return archived + batch.length;
}
