import { spawn } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import net from 'node:net';
import { sleep } from '../core/abort.js';
import { SlipwayError } from '../core/errors.js';
import type { HaproxyPaths } from './haproxy-config.js';
import { SETUP_HINT } from './haproxy-files.js';

/** OS-level helpers for one detached HAProxy master-worker process tree. */

export async function readPid(pidFile: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(pidFile, 'utf8')).trim().split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function portInUseError(
  bind: string,
  port: number,
  cause?: unknown,
  variable = 'SLIPWAY_HTTP_PORT',
): SlipwayError {
  const what = variable === 'SLIPWAY_HTTPS_PORT' ? 'HTTPS' : 'HTTP';
  return new SlipwayError('PORT_IN_USE', `${what} port ${bind}:${port} is already in use`, {
    hint: `stop the program listening on port ${port}, or choose another port with ${variable}`,
    cause,
    details: { bind, port },
  });
}

/** Throws PORT_IN_USE unless Node can listen on bind:port right now. */
export function assertPortFree(bind: string, port: number, variable?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' || err.code === 'EACCES' ? portInUseError(bind, port, err, variable) : err),
    );
    probe.listen({ host: bind, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/**
 * Starts `haproxy -W -D -S <master.sock> -f <cfg>`: master-worker, daemonized (own session, reparented
 * to init), so it keeps serving when the Slipway server dies. Resolves once the launcher exited 0.
 */
export async function spawnDetachedHaproxy(bin: string, paths: HaproxyPaths, timeoutMs: number): Promise<void> {
  const log = await open(paths.logFile, 'a', 0o600);
  const logStart = (await log.stat()).size;
  try {
    const args = ['-W', '-D', '-S', `${paths.masterSocket},mode,600`, '-f', paths.config];
    const child = spawn(bin, args, { detached: true, stdio: ['ignore', log.fd, log.fd] });
    const code = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new SlipwayError('HAPROXY_UNAVAILABLE', `HAProxy did not start within ${timeoutMs} ms`)),
        timeoutMs,
      );
      child.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          new SlipwayError('HAPROXY_UNAVAILABLE', `cannot run ${bin}: ${err.message}`, {
            hint: SETUP_HINT,
            cause: err,
          }),
        );
      });
      child.once('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode ?? 1);
      });
    });
    child.unref();
    if (code !== 0) {
      const output = await logTail(paths.logFile, 15, logStart);
      throw new SlipwayError('HAPROXY_UNAVAILABLE', `HAProxy exited with code ${code} at start`, {
        hint: "see HAProxy's output in the details",
        details: { output, bindFailed: /cannot bind socket/.test(output) },
      });
    }
  } finally {
    await log.close();
  }
}

export async function logTail(logFile: string, lines = 15, fromByte = 0): Promise<string> {
  try {
    return (await readFile(logFile)).subarray(fromByte).toString('utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** SIGTERM to the master (it stops its workers), SIGKILL after `timeoutMs`. */
export async function stopProcessTree(masterPid: number, workerPids: number[], timeoutMs: number): Promise<void> {
  signal(masterPid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (![masterPid, ...workerPids].some(isPidAlive)) return;
    await sleep(50);
  }
  for (const pid of [masterPid, ...workerPids]) signal(pid, 'SIGKILL');
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}
