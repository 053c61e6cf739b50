import { spawn, type ChildProcess } from 'node:child_process';
import https from 'node:https';
import { open, readFile } from 'node:fs/promises';
import { SlipwayError } from '../core/errors.js';

/** The process side of the supervised registry: spawn, readiness probe, stop. */

export const DEFAULT_REGISTRY_BIN = '/usr/bin/docker-registry';

/** Starts `docker-registry serve CONFIG` with its output appended to `logFile`. Rejects on ENOENT. */
export async function spawnRegistry(bin: string, configFile: string, logFile: string): Promise<ChildProcess> {
  const log = await open(logFile, 'a', 0o600);
  try {
    const child = spawn(bin, ['serve', configFile], { stdio: ['ignore', log.fd, log.fd] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          new SlipwayError('REGISTRY_FAILED', `cannot start the registry: ${err.message}`, {
            hint:
              err.code === 'ENOENT'
                ? `install it: \`apt-get install docker-registry\` (or set its path; looked for ${bin})`
                : undefined,
            cause: err,
          }),
        ),
      );
    });
    return child;
  } finally {
    await log.close();
  }
}

/** `GET https://ADDR/v2/` trusting only `caPem`: the HTTP status, or undefined when nothing answers. */
export function probeRegistry(
  host: string,
  port: number,
  caPem: string,
  timeoutMs = 2_000,
): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = https.request(
      { host, port, path: '/v2/', method: 'GET', ca: caPem, agent: false, timeout: timeoutMs },
      (res) => {
        res.resume();
        resolve(res.statusCode);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/** Resolves when the child has exited (at once when it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** SIGTERM, then SIGKILL after `timeoutMs`; resolves once the child exited. */
export async function stopChild(child: ChildProcess, timeoutMs: number): Promise<void> {
  const done = exited(child);
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, timeoutMs);
  });
  await Promise.race([done, killed]);
  clearTimeout(timer);
  await done;
}

/** The last lines of the registry's log, from byte `from`. */
export async function registryLogTail(logFile: string, from: number, lines = 10): Promise<string> {
  try {
    return (await readFile(logFile)).subarray(from).toString('utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
