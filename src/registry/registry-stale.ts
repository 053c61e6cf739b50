import { readFile, rm } from 'node:fs/promises';
import { pollUntil } from '../core/abort.js';
import { isPidAlive, readPid } from '../router/haproxy-process.js';

/**
 * A registry left running by a Slipway that died (its child outlives it): stopped before a new one
 * starts, but only when its command line names our own config file (a reused pid is left alone).
 */
export async function stopStaleRegistry(pidFile: string, configFile: string): Promise<void> {
  const pid = await readPid(pidFile);
  if (pid === undefined || !isPidAlive(pid)) return;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (cmdline.split('\0').includes(configFile)) {
    process.kill(pid, 'SIGTERM');
    await pollUntil(async () => (isPidAlive(pid) ? undefined : true), {
      timeoutMs: 10_000,
      intervalMs: 50,
      what: `the stale registry (pid ${pid}) to exit`,
    }).catch(() => process.kill(pid, 'SIGKILL'));
  }
  await rm(pidFile, { force: true });
}
