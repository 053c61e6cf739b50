import type { ContainerEngine } from '../engine/port.js';
import type { LogRepository } from '../store/log-repository.js';
import { LABELS, dynoName } from '../core/types.js';

/** Copies a container's logs into the store before the container is removed (logs outlive deploys). */
export async function archiveContainerLogs(engine: ContainerEngine, logs: LogRepository, containerId: string, redact: (s: string) => string, maxLines = 2000): Promise<number> {
  const info = await engine.inspectContainer(containerId).catch(() => null);
  if (!info) return 0;
  const app = info.labels[LABELS.app];
  if (!app) return 0;
  const dyno = dynoName(info.labels);
  const release = info.labels[LABELS.release] ?? '?';
  const lines = [];
  try {
    for await (const line of engine.logs(containerId, { tail: maxLines, follow: false })) {
      lines.push({ time: line.time, dyno, release, stream: line.stream, text: redact(line.text), containerId });
    }
  } catch {
    return 0;
  }
  logs.append(app, lines);
  return lines.length;
}
