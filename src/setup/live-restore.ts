import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ContainerEngine } from '../engine/port.js';
import { SlipwayError } from '../core/errors.js';
import { pollUntil } from '../core/abort.js';

/**
 * Docker's live-restore keeps containers running while dockerd stops and starts again (every
 * `docker.io` upgrade restarts it). Slipway's HAProxy reaches containers at their own bridge
 * addresses, so with live-restore apps keep answering through an engine restart.
 */
export const LIVE_RESTORE_WHY =
  'containers keep running while dockerd restarts (every docker.io upgrade restarts ' +
  'it); HAProxy reaches them at their own addresses, so apps keep answering';

/** Where the host's Docker daemon reads its settings, and its pidfile (for a reload). */
export interface DockerDaemonFiles {
  daemonJson: string;
  pidFile: string;
}

export const DEFAULT_DOCKER_DAEMON_FILES: DockerDaemonFiles = {
  daemonJson: '/etc/docker/daemon.json',
  pidFile: '/var/run/docker.pid',
};

/**
 * Pure: daemon.json text with `"live-restore": true`, every other setting kept as it was.
 * `null` = no file yet. Throws INVALID_INPUT (and nothing is written) when the file is not a JSON object.
 */
export function withLiveRestore(text: string | null, file: string): { text: string; changed: boolean } {
  let config: Record<string, unknown> = {};
  if (text !== null && text.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw notAnObject(file, cause);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw notAnObject(file);
    config = parsed as Record<string, unknown>;
  }
  if (config['live-restore'] === true) return { text: text ?? '', changed: false };
  return { text: `${JSON.stringify({ ...config, 'live-restore': true }, null, 2)}\n`, changed: true };
}

function notAnObject(file: string, cause?: unknown): SlipwayError {
  return new SlipwayError('INVALID_INPUT', `${file} is not a JSON object; live-restore was not set`, {
    hint: `fix ${file} by hand (e.g. {"live-restore": true}), then run \`slipway setup\` again; nothing was changed`,
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Whether the daemon config file already asks for live-restore (false when missing or unreadable). */
export function configAsksLiveRestore(file: string): boolean {
  try {
    return !withLiveRestore(readFileSync(file, 'utf8'), file).changed;
  } catch {
    return false;
  }
}

/** Writes live-restore into the daemon config (atomically, keeping its mode); returns whether the file changed. */
export function writeLiveRestore(file: string): boolean {
  const before = existsSync(file) ? readFileSync(file, 'utf8') : null;
  const next = withLiveRestore(before, file);
  if (!next.changed) return false;
  mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
  const mode = before === null ? 0o644 : statSync(file).mode & 0o777;
  const tmp = join(dirname(file), `.daemon.json.${randomBytes(4).toString('hex')}.tmp`);
  writeFileSync(tmp, next.text, { mode });
  renameSync(tmp, file);
  return true;
}

/** The running dockerd's pid from its pidfile, when that process exists. */
export function runningDockerdPid(pidFile: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 1) return undefined;
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/**
 * Turns live-restore on: the config file first, then — when dockerd runs — a reload (SIGHUP:
 * live-restore is one of the settings dockerd reloads without restarting anything), confirmed by
 * the engine itself. Returns what it did, for the explanation setup prints.
 */
export async function enableLiveRestore(
  engine: ContainerEngine,
  files: DockerDaemonFiles,
): Promise<{ wrote: boolean; reloaded: boolean; note?: string }> {
  const wrote = writeLiveRestore(files.daemonJson);
  const pid = runningDockerdPid(files.pidFile);
  if (pid === undefined) return { wrote, reloaded: false };
  process.kill(pid, 'SIGHUP');
  const confirmed = await pollUntil(
    async () =>
      (await engine.info?.(AbortSignal.timeout(2000)).catch(() => undefined))?.liveRestore ? true : undefined,
    {
      timeoutMs: 15_000,
      intervalMs: 200,
      what: 'dockerd to report live-restore after its reload',
    },
  ).catch(() => false);
  if (confirmed) return { wrote, reloaded: true };
  // Not fatal for setup: the file is right, and dockerd reads it at its next start.
  return {
    wrote,
    reloaded: false,
    note:
      `dockerd (pid ${pid}) did not take it on reload: see its log (a setting given ` +
      `both as a flag and in ${files.daemonJson} makes it refuse the file)`,
  };
}
